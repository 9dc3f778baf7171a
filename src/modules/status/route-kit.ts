import type { ChangeService } from "./changes.js";
import type { MaintenanceService } from "./maintenance.js";
import type { StatusPage } from "./page.js";
import type { ComponentService } from "./service.js";
import type { SubscriptionService } from "./subscriptions.js";

export interface StatusModule {
  components: ComponentService;
  maintenance: MaintenanceService;
  subscriptions: SubscriptionService;
  changes: ChangeService;
  page: StatusPage;
}

export const tags = ["status page"];
// Components, windows and change records are operations' work: the monitoring area (noc, admin, manager write).
export const AREA = "monitoring";

/**
 * The cached public reads (the page, its feed, its JSON) log warnings and errors only: Fastify's two info lines
 * per request were two thirds of the page's CPU at the info level, and their count and latency are in the
 * metrics (plantao_http_request_duration_seconds).
 */
export const CACHED_READ_LOG_LEVEL = "warn";
