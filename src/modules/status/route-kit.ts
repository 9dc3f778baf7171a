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
