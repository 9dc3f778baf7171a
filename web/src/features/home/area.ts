import type { Area } from "../../shell/area";
import { OverviewIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

/** Everyone's first page: the agent's queue, the manager's workload; customers go on to their portal. */
export const homeArea: Area = {
  path: "/",
  label: "nav.home",
  icon: OverviewIcon,
  page: lazyPage(() => import("./HomePage").then((m) => ({ default: m.HomePage }))),
};
