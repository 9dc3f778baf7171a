import { lazy } from "react";
import type { Area } from "../../shell/area";
import { ContinuityIcon } from "./icon";

const runbookEditor = lazy(() => import("./RunbookEditPage").then((m) => ({ default: m.RunbookEditPage })));

export const continuityArea: Area = {
  path: "/continuity",
  label: "backups.continuity.nav",
  icon: ContinuityIcon,
  requires: "backups",
  page: lazy(() => import("./ContinuityPage").then((m) => ({ default: m.ContinuityPage }))),
  subpages: [
    { path: "/continuity/runbooks/new", page: runbookEditor },
    { path: "/continuity/runbooks/:id/edit", page: runbookEditor },
    {
      path: "/continuity/runbooks/:id",
      page: lazy(() => import("./RunbookPage").then((m) => ({ default: m.RunbookPage }))),
    },
    { path: "/continuity/drills/:id", page: lazy(() => import("./DrillPage").then((m) => ({ default: m.DrillPage }))) },
  ],
};
