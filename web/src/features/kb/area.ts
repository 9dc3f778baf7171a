import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { KbIcon } from "./KbIcon";

// Everyone signed in reads the articles their role may read; staff write them.
export const kbArea: Area = {
  path: "/kb",
  label: "kb.area",
  icon: KbIcon,
  requires: "kb",
  page: lazyPage(() => import("./KnowledgeBase").then((m) => ({ default: m.KnowledgeBase }))),
  // Where links between articles point for staff (src/modules/kb/reading.ts).
  subpages: [
    {
      path: "/kb/articles/:id",
      page: lazyPage(() => import("./KnowledgeBase").then((m) => ({ default: m.KnowledgeBase }))),
    },
  ],
};
