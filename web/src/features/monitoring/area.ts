import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { MonitorIcon } from "./icon";

export const monitoringArea: Area = {
  path: "/monitoring",
  label: "monitoring.nav",
  icon: MonitorIcon,
  requires: "monitoring",
  page: lazyPage(() => import("./MonitorsPage").then((m) => ({ default: m.MonitorsPage }))),
  subpages: [
    {
      path: "/monitoring/:id",
      page: lazyPage(() => import("./MonitorPage").then((m) => ({ default: m.MonitorPage }))),
    },
  ],
};
