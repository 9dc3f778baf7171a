import { lazy } from "react";
import type { Area } from "../../shell/area";
import { OverviewIcon } from "../../shell/icons";

/** Everyone's first page: the agent's queue, the manager's workload; customers go on to their portal. */
export const homeArea: Area = {
  path: "/",
  label: "nav.home",
  icon: OverviewIcon,
  page: lazy(() => import("./HomePage").then((m) => ({ default: m.HomePage }))),
};
