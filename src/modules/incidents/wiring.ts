import { join } from "node:path";
import type { JobRequest } from "../../platform/jobs/queue.js";
import type { Platform } from "../../platform/runtime.js";
import type { AuditService } from "../audit/service.js";
import type { DirectoryService } from "../identity/directory.js";
import type { AuthenticationService } from "../identity/service.js";
import type { PlanService } from "../plan/service.js";
import { AttachmentStore } from "../tickets/attachments.js";
import type { TicketService } from "../tickets/service.js";
import type { TimerService } from "../timers/service.js";
import type { AffectedResolver, ComponentCheck, Pager } from "./model.js";
import { PostmortemService } from "./postmortems.js";
import { IncidentProcess } from "./process.js";
import { IncidentReports } from "./reports.js";
import { IncidentRepository } from "./repository.js";
import { SecurityIncidentService } from "./security.js";
import { ALERT_JOB, type AlertPayload, type AlertWork, IncidentService, PAGE_ACK_JOB } from "./service.js";
import { IncidentStatusSource } from "./status-source.js";

/** The `incidents.alert` job's payload. */
export type AlertJob = { alerts: AlertWork[] } | AlertWork;

/**
 * Alert events per `incidents.alert` job, at most: a burst opens its incidents in a few transactions that run
 * side by side in the queue's slots, instead of one job, transaction and commit per alert.
 */
const ALERTS_PER_JOB = 16;

/** The incidents module's services, and the pager it calls once the on-call module provides one. */
export interface Incidents {
  incidents: IncidentService;
  process: IncidentProcess;
  postmortems: PostmortemService;
  security: SecurityIncidentService;
  reports: IncidentReports;
  /** What the status page shows of incidents. */
  statusSource: IncidentStatusSource;
  /** Set by the composition root when the on-call escalations exist. */
  setPager(pager: Pager): void;
  /** Set by the composition root: what an alert affects (status components and their customers). */
  setAffectedResolver(resolver: AffectedResolver): void;
  /** Set by the composition root: which ids are not status components (refused as affected components). */
  setComponentCheck(check: ComponentCheck): void;
  /** The `incidents.alert` job: a burst of alert events, or one (a job queued before bursts were). */
  onAlertJob(payload: AlertJob): Promise<void>;
}

export function createIncidents(
  platform: Platform,
  deps: {
    audit: AuditService;
    plan: PlanService;
    timers: TimerService;
    tickets: TicketService;
    directory: DirectoryService;
    authentication: AuthenticationService;
  },
): Incidents {
  const { db, dialect, jobs, events, clock, config } = platform;
  let pager: Pager | null = null;
  let affected: AffectedResolver | null = null;
  let unknownComponents: ComponentCheck | null = null;
  const incidents = new IncidentService({
    repo: new IncidentRepository(db, dialect),
    audit: deps.audit,
    events,
    clock,
    jobs,
    plan: deps.plan,
    timers: deps.timers,
    tickets: deps.tickets,
    directory: deps.directory,
    pager: () => pager,
    affected: () => affected,
    unknownComponents: () => unknownComponents,
    publicUrl: config.publicUrl,
    log: platform.log.child({ part: "incidents" }),
  });
  const process = new IncidentProcess({
    incidents,
    audit: deps.audit,
    clock,
    jobs,
    timers: deps.timers,
    tickets: deps.tickets,
    directory: deps.directory,
    pager: () => pager,
    log: platform.log.child({ part: "incidents" }),
  });
  const postmortems = new PostmortemService({
    incidents,
    tickets: deps.tickets,
    directory: deps.directory,
    audit: deps.audit,
    clock,
  });
  const security = new SecurityIncidentService({
    incidents,
    directory: deps.directory,
    authentication: deps.authentication,
    store: new AttachmentStore(join(config.attachmentsDir, "evidence")),
    maxBytes: config.attachmentMaxBytes,
    audit: deps.audit,
    clock,
  });
  // Alerts and acknowledged pages become jobs in the claiming transaction: once across nodes, retried on failure.
  platform.fanOut.register("incidents", async (batch, trx) => {
    const work: JobRequest[] = [];
    let alerts: { id: number; work: AlertWork }[] = [];
    const flushAlerts = () => {
      if (!alerts.length) return;
      const ids = alerts.map((a) => a.id);
      work.push({
        kind: ALERT_JOB,
        payload: { alerts: alerts.map((a) => a.work) } satisfies AlertJob,
        dedupeKey: `${ALERT_JOB}:${ids[0]}${ids.length > 1 ? `-${ids.at(-1)}` : ""}`,
      });
      alerts = [];
    };
    for (const event of batch) {
      const type = event.type as string;
      if (type === "alert.firing" || type === "alert.resolved") {
        alerts.push({ id: event.id, work: { type, alert: event.payload as AlertPayload } });
        if (alerts.length === ALERTS_PER_JOB) flushAlerts();
      } else if (type === "page.acknowledged") {
        const p = event.payload as { subjectType: string; subjectId: string; userId: string };
        if (p.subjectType !== "incident" && p.subjectType !== "security_incident") continue;
        work.push({
          kind: PAGE_ACK_JOB,
          payload: { incidentId: p.subjectId, userId: p.userId },
          dedupeKey: `${PAGE_ACK_JOB}:${event.id}`,
        });
      }
    }
    flushAlerts();
    // One statement for the batch: a burst of alerts is one insert, not one per alert.
    await jobs.enqueueMany(work, trx);
  });
  return {
    incidents,
    process,
    postmortems,
    security,
    reports: new IncidentReports(incidents.repo),
    statusSource: new IncidentStatusSource(incidents.repo),
    setPager(p) {
      pager = p;
    },
    setAffectedResolver(r) {
      affected = r;
    },
    setComponentCheck(check) {
      unknownComponents = check;
    },
    async onAlertJob(payload) {
      await incidents.onAlerts("alerts" in payload ? payload.alerts : [payload]);
    },
  };
}
