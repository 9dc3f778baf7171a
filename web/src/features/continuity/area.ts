import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { ContinuityIcon } from "./icon";

const runbookEditor = lazyPage(() => import("./RunbookEditPage").then((m) => ({ default: m.RunbookEditPage })));

export const continuityArea: Area = {
  path: "/continuity",
  label: "backups.continuity.nav",
  icon: ContinuityIcon,
  requires: "backups",
  page: lazyPage(() => import("./ContinuityPage").then((m) => ({ default: m.ContinuityPage }))),
  subpages: [
    { path: "/continuity/runbooks/new", page: runbookEditor },
    { path: "/continuity/runbooks/:id/edit", page: runbookEditor },
    {
      path: "/continuity/runbooks/:id",
      page: lazyPage(() => import("./RunbookPage").then((m) => ({ default: m.RunbookPage }))),
    },
    {
      path: "/continuity/drills/:id",
      page: lazyPage(() => import("./DrillPage").then((m) => ({ default: m.DrillPage }))),
    },
  ],
};
