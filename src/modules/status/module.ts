import type { Platform } from "../../platform/runtime.js";
import type { AlertsService } from "../alerts/service.js";
import type { AuditService } from "../audit/service.js";
import type { DirectoryService } from "../identity/directory.js";
import type { MonitoringService } from "../monitoring/service.js";
import type { NotificationService } from "../notifications/service.js";
import type { PlanService } from "../plan/service.js";
import type { TimerService } from "../timers/service.js";
import { ChangeService } from "./changes.js";
import { MaintenanceGate } from "./gate.js";
import { MaintenanceService } from "./maintenance.js";
import { StatusPage } from "./page.js";
import { StatusRepository } from "./repository.js";
import type { StatusModule } from "./routes.js";
import { ComponentService, type StatusIncidentSource } from "./service.js";
import { SubscriptionService } from "./subscriptions.js";

export type { StatusModule };

/**
 * The longest a node goes without reading the windows and components again, for what raises no event (a
 * component's monitors edited on another node) and to keep the gate's two days of occurrences ahead.
 */
const SAFETY_REFRESH_MS = 30_000;
/** Events that change what the page shows or what the gate answers, heard from every node. */
const REFRESH_ON = /^(monitor\.(state_changed|created|updated|deleted)|maintenance\.|incident\.|plan\.updated)/;
/** Events in a burst (a thousand monitors changing at once) are read as one refresh. */
const COALESCE_MS = 200;

/**
 * The status module over the services it reads through: monitoring (states, uptime, the maintenance gate),
 * alerts (silences), notifications, timers, the plan and the directory (organizations and their contacts).
 */
export function createStatusModule(
  platform: Platform,
  deps: {
    audit: AuditService;
    monitoring: MonitoringService;
    alerts: AlertsService;
    notifications: NotificationService;
    timers: TimerService;
    plan: PlanService;
    directory: DirectoryService;
    incidents?: StatusIncidentSource;
  },
): StatusModule & { start(): void } {
  const { db, dialect, clock, secrets, config } = platform;
  const repo = new StatusRepository(db, dialect);
  const plan = async () => (await deps.plan.current()).document;
  const components = new ComponentService({
    repo,
    clock,
    audit: deps.audit,
    events: platform.events,
    monitors: {
      statuses: (ids) => deps.monitoring.measurements.statuses(ids),
      dailyUptime: (ids, days, zone) => deps.monitoring.measurements.dailyUptime(ids, days, zone),
    },
    incidents: deps.incidents,
    organizationsExist: async (ids) => {
      const found = await Promise.all(
        ids.map((id) =>
          deps.directory.getOrganization(id).then(
            () => id,
            () => null,
          ),
        ),
      );
      return new Set(found.filter((id): id is string => id !== null));
    },
  });
  const subscriptions = new SubscriptionService({
    repo,
    clock,
    notifier: deps.notifications,
    events: platform.events,
    secrets,
    publicUrl: config.publicUrl,
  });
  const maintenance = new MaintenanceService({
    repo,
    clock,
    audit: deps.audit,
    events: platform.events,
    timers: deps.timers,
    notifier: deps.notifications,
    components,
    plan,
    contacts: async (organizationIds) => {
      const out: { userId: string; organizationId: string }[] = [];
      for (const organizationId of organizationIds) {
        const users = await deps.directory.listUsers({ limit: 500 }, { organizationId, role: "customer-admin" });
        for (const u of users) out.push({ userId: u.id, organizationId });
      }
      return out;
    },
    silencer: {
      silence: async (monitorIds, from, to, comment) => {
        await deps.alerts.createSilence("maintenance", {
          matchers: [{ name: "monitor_id", value: monitorIds.join("|"), isRegex: true, isEqual: true }],
          startsAt: from.toISOString(),
          endsAt: to.toISOString(),
          comment,
        });
      },
      lift: async (comment) => {
        for (const s of await deps.alerts.listSilences())
          if (s.comment === comment && s.status !== "expired")
            await deps.alerts.expireSilence(s.id, undefined, "maintenance");
      },
    },
    unsubscribeUrl: subscriptions.unsubscribeUrl,
    publicUrl: config.publicUrl,
  });
  const gate = new MaintenanceGate();
  deps.monitoring.engine.setMaintenanceGate(gate.reason, gate.skips);
  const log = platform.log.child({ part: "status" });
  const page = new StatusPage({ repo, clock, components, maintenance, gate, plan, log, publicUrl: config.publicUrl });
  // A window saved, started or ended: the page and this node's monitors follow at once. The monitors are
  // evaluated again only when the gate's answers changed (every monitor each refresh costs at thousands).
  let applied = "";
  maintenance.onChange = async () => {
    await page.refresh();
    const answers = gate.answersAt(clock.now().getTime());
    if (answers === applied) return;
    applied = answers;
    deps.monitoring.engine.maintenanceChanged();
  };
  const changes = new ChangeService({ repo, clock, audit: deps.audit, events: platform.events, maintenance, plan });
  deps.plan.addFindingSource(changes.findings);
  return {
    components,
    maintenance,
    subscriptions,
    changes,
    page,
    // Refreshed when something it shows changes (events from every node), at the next instant it changes by
    // itself (a window starts or ends, an override expires), and at the latest every SAFETY_REFRESH_MS: an idle
    // node reads nothing in between, where a fixed 5 s refresh cost every node a page build for nothing.
    start() {
      let timer: NodeJS.Timeout | undefined;
      let soon: NodeJS.Timeout | undefined;
      let closed = false;
      const arm = () => {
        clearTimeout(timer);
        if (closed) return;
        const at = page.changesAt();
        const wait = at === null ? SAFETY_REFRESH_MS : Math.max(0, at - clock.now().getTime());
        timer = setTimeout(run, Math.min(wait, SAFETY_REFRESH_MS));
        timer.unref();
      };
      const run = () => {
        clearTimeout(timer);
        maintenance
          .onChange()
          .catch((err) => log.warn({ err }, "status refresh failed"))
          .finally(arm);
      };
      const unsubscribe = platform.events.subscribe((event) => {
        if (soon || !REFRESH_ON.test(event.type)) return;
        soon = setTimeout(() => {
          soon = undefined;
          run();
        }, COALESCE_MS);
        soon.unref();
      });
      run();
      platform.onClose(() => {
        closed = true;
        unsubscribe();
        clearTimeout(timer);
        clearTimeout(soon);
      });
    },
  };
}
