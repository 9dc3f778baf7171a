import { lazy } from "react";
import type { Area } from "../../shell/area";
import { AlertIcon } from "./icon";

// Staff with a monitoring grant; customers have none, and the server refuses them every alerts route.
export const alertsArea: Area = {
  path: "/alerts",
  label: "alerts.nav",
  icon: AlertIcon,
  requires: "monitoring",
  staffOnly: true,
  page: lazy(() => import("./AlertsPage").then((m) => ({ default: m.AlertsPage }))),
};
