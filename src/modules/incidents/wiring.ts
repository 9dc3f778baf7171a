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
import { IncidentAlertIntake } from "./alert-intake.js";
import type { AffectedResolver, ComponentCheck, Pager } from "./model.js";
import { PostmortemService } from "./postmortems.js";
import { IncidentProcess } from "./process.js";
import { IncidentReports } from "./reports.js";
import { IncidentRepository } from "./repository.js";
import { SecurityIncidentService } from "./security.js";
import { IncidentService, PAGE_ACK_JOB } from "./service.js";
import { IncidentStatusSource } from "./status-source.js";

/** The incidents module's services, and the pager it calls once the on-call module provides one. */
export interface Incidents {
  incidents: IncidentService;
  /** Alert events into incidents (the `incidents.alert` job). */
  alertIntake: IncidentAlertIntake;
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
    unknownComponents: () => unknownComponents,
    publicUrl: config.publicUrl,
  });
  const alertIntake = new IncidentAlertIntake({
    incidents,
    fanOut: platform.fanOut,
    jobs,
    clock,
    affected: () => affected,
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
  // Acknowledged pages become jobs in the claiming transaction: once across nodes, retried on failure.
  platform.fanOut.register("incidents.pages", async (batch, trx) => {
    const work: JobRequest[] = [];
    for (const event of batch) {
      if ((event.type as string) !== "page.acknowledged") continue;
      const p = event.payload as { subjectType: string; subjectId: string; userId: string };
      if (p.subjectType !== "incident" && p.subjectType !== "security_incident") continue;
      work.push({
        kind: PAGE_ACK_JOB,
        payload: { incidentId: p.subjectId, userId: p.userId },
        dedupeKey: `${PAGE_ACK_JOB}:${event.id}`,
      });
    }
    await jobs.enqueueMany(work, trx);
  });
  return {
    incidents,
    alertIntake,
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
  };
}
