import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { AlertIcon, MetricsIcon } from "./icon";

// Staff with a monitoring grant; customers have none, and the server refuses them every alerts route.
export const alertsArea: Area = {
  path: "/alerts",
  label: "alerts.nav",
  icon: AlertIcon,
  requires: "monitoring",
  staffOnly: true,
  page: lazyPage(() => import("./AlertsPage").then((m) => ({ default: m.AlertsPage }))),
};

// The metric explorer: the stored samples the alert rules read, for the same staff. Not at /metrics (the
// server's own Prometheus exposition), nor under /alerts (both menu entries would show as the current one).
export const metricsArea: Area = {
  path: "/metric-explorer",
  label: "alerts.explorer.nav",
  icon: MetricsIcon,
  requires: "monitoring",
  staffOnly: true,
  page: lazyPage(() => import("./MetricsPage").then((m) => ({ default: m.MetricsPage }))),
};
