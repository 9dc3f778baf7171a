import { lazy } from "react";
import type { Area } from "../../shell/area";
import { AlertIcon, MetricsIcon } from "./icon";

// Staff with a monitoring grant; customers have none, and the server refuses them every alerts route.
export const alertsArea: Area = {
  path: "/alerts",
  label: "alerts.nav",
  icon: AlertIcon,
  requires: "monitoring",
  staffOnly: true,
  page: lazy(() => import("./AlertsPage").then((m) => ({ default: m.AlertsPage }))),
};

// The metric explorer: the stored samples the alert rules read, for the same staff. Not at /metrics: that is
// the server's own Prometheus exposition.
export const metricsArea: Area = {
  path: "/alerts/metrics",
  label: "alerts.explorer.nav",
  icon: MetricsIcon,
  requires: "monitoring",
  staffOnly: true,
  page: lazy(() => import("./MetricsPage").then((m) => ({ default: m.MetricsPage }))),
};
