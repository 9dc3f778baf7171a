import { lazy } from "react";
import type { Area } from "../../shell/area";
import { MonitorIcon } from "./icon";

export const monitoringArea: Area = {
  path: "/monitoring",
  label: "monitoring.nav",
  icon: MonitorIcon,
  requires: "monitoring",
  page: lazy(() => import("./MonitorsPage").then((m) => ({ default: m.MonitorsPage }))),
  subpages: [
    {
      path: "/monitoring/:id",
      page: lazy(() => import("./MonitorPage").then((m) => ({ default: m.MonitorPage }))),
    },
  ],
};
