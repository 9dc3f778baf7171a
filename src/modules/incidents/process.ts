import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, forbidden } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import type { TicketService } from "../tickets/service.js";
import type { TimerFiring, TimerService } from "../timers/service.js";
import { type Incident, kindsFor, maySecurityWrite, type Pager, pageSubject, presentUpdate } from "./model.js";
import type { IncidentRepository, IncidentRow } from "./repository.js";
import {
  type IncidentService,
  RESOLVE_TICKETS_JOB,
  type RequestInfo,
  type ResolveTicketsPayload,
  type StageInput,
} from "./service.js";
import { type DetailField, type Details, decideMove, detailFields, type Kind, type Severity } from "./stages.js";

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

/**
 * The life of an open incident: stage moves under the process rules, acknowledgement, the clocks firing, the
 * timeline, and linked tickets (told and resolved through the tickets service when the incident resolves).
 */
export class IncidentProcess {
  private readonly incidents: IncidentService;
  private readonly repo: IncidentRepository;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly jobs: JobQueue;
  private readonly timers: TimerService;
  private readonly tickets: TicketService;
  private readonly directory: DirectoryService;
  private readonly pager: () => Pager | null;
  private readonly log: Logger;

  constructor(deps: {
    incidents: IncidentService;
    audit: AuditService;
    clock: Clock;
    jobs: JobQueue;
    timers: TimerService;
    tickets: TicketService;
    directory: DirectoryService;
    pager: () => Pager | null;
    log: Logger;
  }) {
    this.incidents = deps.incidents;
    this.repo = deps.incidents.repo;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.jobs = deps.jobs;
    this.timers = deps.timers;
    this.tickets = deps.tickets;
    this.directory = deps.directory;
    this.pager = deps.pager;
    this.log = deps.log;
    this.timers.handle("incident", { fire: (firing) => this.onTimer(firing) });
  }

  // the process ------------------------------------------------------------------------------------------

  async move(actor: Actor, id: string, input: StageInput, req: RequestInfo): Promise<Incident> {
    const current = await this.incidents.row(actor, id);
    if (current.kind === "security" && !maySecurityWrite(actor)) throw forbidden();
    const newSeverity = input.severity && input.severity !== current.severity ? input.severity : null;
    // Read before the transaction: a new severity's times, or the resolution time again for a reopening.
    const targets = await this.incidents.targets(newSeverity ?? (current.severity as Severity));
    const given: Details = {};
    for (const f of detailFields) if (input[f] !== undefined) given[f as DetailField] = input[f];
    const row = await this.repo.db.transaction().execute(async (trx) => {
      const before = await this.repo.lock(id, kindsFor(actor), trx);
      if (!before) throw Problem.notFound("Incident");
      const outcome = decideMove(
        {
          kind: before.kind as Kind,
          stage: before.stage as never,
          details: JSON.parse(before.details) as Details,
          acknowledged: before.acknowledged_at !== null,
        },
        { stage: input.stage, severity: input.severity, reason: input.reason, details: given },
      );
      if (!outcome.ok) {
        const detail = outcome.problems.map((p) => `${p.pointer.slice(1)} ${p.message}`).join("; ");
        throw new Problem(
          outcome.status,
          outcome.status === 400 ? ProblemType.validation : ProblemType.conflict,
          outcome.status === 400 ? "Request is not valid" : "Stage change not allowed",
          detail,
          outcome.problems.map((p) => ({ in: "body", ...p })),
        );
      }
      const now = this.clock.now().toISOString();
      const subject = { type: "incident", id };
      const after: IncidentRow = {
        ...before,
        stage: outcome.stage,
        details: JSON.stringify(outcome.details),
        updated_at: now,
      };
      if (outcome.acknowledges) {
        after.acknowledged_at = now;
        after.acknowledged_by = actor.userId;
        await this.timers.cancel(trx, subject, "respond");
      }
      if (newSeverity) {
        after.severity = newSeverity;
        const respond = await this.timers.retarget(trx, subject, "respond", { duration: targets.response });
        const resolve = await this.timers.retarget(trx, subject, "resolve", { duration: targets.resolution });
        if (respond) after.response_due_at = respond.dueAt;
        if (resolve) after.resolution_due_at = resolve.dueAt;
      }
      if (outcome.resolves) {
        after.resolved_at = now;
        after.open_alert_group = null;
        await this.timers.cancel(trx, subject, "resolve");
      }
      if (outcome.closes) after.closed_at = now;
      if (outcome.reopens) {
        after.resolved_at = null;
        after.closed_at = null;
        const timer = await this.timers.start(trx, {
          subject,
          name: "resolve",
          calendar: targets.calendar,
          duration: targets.resolution,
          from: new Date(before.created_at),
          warningPercent: 80,
        });
        after.resolution_due_at = timer.dueAt;
      } else if (outcome.backwards) {
        after.closed_at = null;
      }
      await this.repo.update(id, after, trx);
      await this.repo.insertStage(
        {
          id: uuidv7(),
          incident_id: id,
          stage: outcome.stage,
          entered_at: now,
          by_user_id: actor.userId,
          fields: JSON.stringify({ ...given, ...(input.severity ? { severity: input.severity } : {}) }),
          reason: input.reason ?? null,
        },
        trx,
      );
      await this.incidents.publish(trx, after, "stage_changed", { from: before.stage, reason: input.reason ?? null });
      const pager = this.pager();
      if (outcome.acknowledges) {
        await this.incidents.publish(trx, after, "acknowledged", { userId: actor.userId });
        await pager?.acknowledge({ subject: pageSubject(after), by: actor }, trx);
      }
      if (input.publicUpdate?.trim())
        await this.insertUpdate(trx, after, actor, { body: input.publicUpdate, visibility: "public" }, now);
      if (outcome.resolves) {
        await this.incidents.publish(trx, after, "resolved", {});
        await pager?.resolve({ subject: pageSubject(after) }, trx);
        const last = await this.repo.lastPublicUpdate(id, trx);
        const message = input.publicUpdate?.trim() || last?.body || `The incident "${after.title}" was resolved.`;
        if ((await this.repo.ticketsOf(id, trx)).length) {
          await this.jobs.enqueue(
            RESOLVE_TICKETS_JOB,
            { incidentId: id, userId: actor.userId, message } satisfies ResolveTicketsPayload,
            { executor: trx },
          );
        }
      }
      if (outcome.reopens) await this.incidents.publish(trx, after, "reopened", {});
      await this.audit.record(
        {
          action: "incident.stage_changed",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { from: before.stage, to: outcome.stage, ...(input.reason ? { reason: input.reason } : {}) },
        },
        trx,
      );
      return after;
    });
    return (await this.incidents.present([row]))[0]!;
  }

  /** Stops the response clock and the page. Acknowledging twice answers the first acknowledgement, unchanged. */
  async acknowledge(by: Actor | { userId: string }, id: string, opts: { req?: RequestInfo; fromPage?: boolean } = {}) {
    const kinds: Kind[] = "role" in by ? kindsFor(by) : ["operational", "security"];
    const row = await this.repo.db.transaction().execute(async (trx) => {
      const before = await this.repo.lock(id, kinds, trx);
      if (!before) throw Problem.notFound("Incident");
      if (before.acknowledged_at) return before;
      const now = this.clock.now().toISOString();
      const after: IncidentRow = { ...before, acknowledged_at: now, acknowledged_by: by.userId, updated_at: now };
      await this.repo.update(id, { acknowledged_at: now, acknowledged_by: by.userId, updated_at: now }, trx);
      await this.timers.cancel(trx, { type: "incident", id }, "respond");
      await this.incidents.publish(trx, after, "acknowledged", { userId: by.userId });
      if (!opts.fromPage) await this.pager()?.acknowledge({ subject: pageSubject(after), by }, trx);
      await this.audit.record(
        {
          action: "incident.acknowledged",
          actor: "role" in by ? by : undefined,
          actorLabel: "role" in by ? undefined : "on-call page",
          target: { type: "incident", id },
          request: opts.req,
          details: opts.fromPage ? { via: "page", userId: by.userId } : undefined,
        },
        trx,
      );
      return after;
    });
    return (await this.incidents.present([row]))[0]!;
  }

  /** Title, description, affected components and customers. */
  async update(
    actor: Actor,
    id: string,
    patch: { title?: string; description?: string; componentIds?: string[]; organizationIds?: string[] },
    req: RequestInfo,
  ): Promise<Incident> {
    const current = await this.incidents.row(actor, id);
    if (current.kind === "security" && !maySecurityWrite(actor)) throw forbidden();
    await this.incidents.checkComponents(patch.componentIds);
    for (const [i, orgId] of (patch.organizationIds ?? []).entries()) {
      await this.directory.getOrganization(orgId).catch(() => {
        throw invalid(`/organizationIds/${i}`, "is not an organization");
      });
    }
    const row = await this.repo.db.transaction().execute(async (trx) => {
      const before = await this.repo.lock(id, kindsFor(actor), trx);
      if (!before) throw Problem.notFound("Incident");
      const now = this.clock.now().toISOString();
      const after = {
        ...before,
        title: patch.title ?? before.title,
        description: patch.description ?? before.description,
        updated_at: now,
      };
      await this.repo.update(id, { title: after.title, description: after.description, updated_at: now }, trx);
      if (patch.componentIds) await this.repo.setComponents(id, [...new Set(patch.componentIds)], trx);
      if (patch.organizationIds) await this.repo.setOrganizations(id, [...new Set(patch.organizationIds)], trx);
      await this.audit.record(
        {
          action: "incident.updated",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { fields: Object.keys(patch) },
        },
        trx,
      );
      return after;
    });
    return (await this.incidents.present([row]))[0]!;
  }

  // timeline ---------------------------------------------------------------------------------------------

  private async insertUpdate(
    trx: Kysely<DB>,
    row: IncidentRow,
    actor: Actor,
    input: { body: string; visibility: "public" | "internal" },
    now: string,
  ) {
    const update = {
      id: uuidv7(),
      incident_id: row.id,
      visibility: input.visibility,
      kind: input.visibility === "public" ? "update" : "note",
      body: input.body.trim(),
      author_user_id: actor.userId,
      created_at: now,
    };
    await this.repo.insertUpdate(update, trx);
    await this.incidents.publish(trx, row, "updated", { updateId: update.id, visibility: input.visibility });
    return update;
  }

  async addUpdate(
    actor: Actor,
    id: string,
    input: { body: string; visibility: "public" | "internal" },
    req: RequestInfo,
  ) {
    const current = await this.incidents.row(actor, id);
    if (current.kind === "security" && !maySecurityWrite(actor)) throw forbidden();
    if (!input.body.trim()) throw invalid("/body", "must not be blank");
    const update = await this.repo.db.transaction().execute(async (trx) => {
      const u = await this.insertUpdate(trx, current, actor, input, this.clock.now().toISOString());
      await this.audit.record(
        {
          action: "incident.update.added",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { visibility: input.visibility },
        },
        trx,
      );
      return u;
    });
    return presentUpdate(update);
  }

  async updates(actor: Actor, id: string, f: { visibility?: string; after?: string; limit: number }) {
    await this.incidents.row(actor, id);
    return (await this.repo.updatesOf(id, f)).map(presentUpdate);
  }

  // linked tickets ---------------------------------------------------------------------------------------

  async linkTicket(actor: Actor, id: string, ticketId: string, req: RequestInfo) {
    const incident = await this.incidents.row(actor, id);
    if (incident.kind === "security" && !maySecurityWrite(actor)) throw forbidden();
    const ticket = await this.tickets.get(actor, ticketId).catch(() => {
      throw invalid("/ticketId", "is not a ticket");
    });
    await this.repo.db.transaction().execute(async (trx) => {
      const now = this.clock.now().toISOString();
      const linked = await this.repo.linkTicket(
        { incident_id: id, ticket_id: ticketId, linked_by: actor.userId, linked_at: now, resolved_at: null },
        trx,
      );
      if (!linked) return;
      const orgs = (await this.repo.organizationsOf([id], trx)).map((o) => o.organization_id);
      if (!orgs.includes(ticket.organizationId))
        await this.repo.setOrganizations(id, [...orgs, ticket.organizationId], trx);
      await this.audit.record(
        {
          action: "incident.ticket.linked",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { ticketId },
        },
        trx,
      );
    });
    return (await this.incidents.get(actor, id)).tickets;
  }

  async unlinkTicket(actor: Actor, id: string, ticketId: string, req: RequestInfo) {
    const incident = await this.incidents.row(actor, id);
    if (incident.kind === "security" && !maySecurityWrite(actor)) throw forbidden();
    await this.repo.db.transaction().execute(async (trx) => {
      if (!(await this.repo.unlinkTicket(id, ticketId, trx))) throw Problem.notFound("Linked ticket");
      await this.audit.record(
        {
          action: "incident.ticket.unlinked",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { ticketId },
        },
        trx,
      );
    });
  }

  /**
   * The job after a resolution: each linked ticket not yet told gets the public update as a public reply and
   * moves to resolved, through the tickets service, as the person who resolved the incident.
   */
  async resolveLinkedTickets(p: ResolveTicketsPayload): Promise<void> {
    const user = p.userId ? await this.directory.getUser(p.userId).catch(() => null) : null;
    if (!user) {
      this.log.warn(
        { incident: p.incidentId },
        "the user who resolved the incident is gone; linked tickets left as they are",
      );
      return;
    }
    const actor: Actor = {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      organizationId: user.organizationId,
      tier: user.tier,
      teams: user.teams,
      via: "session",
    };
    const req = { ip: "", headers: {} };
    for (const link of await this.repo.ticketsOf(p.incidentId)) {
      if (link.resolved_at) continue;
      const ticket = await this.tickets.get(actor, link.ticket_id).catch(() => null);
      if (ticket && ticket.status !== "closed" && !ticket.mergedIntoId) {
        await this.tickets.addMessage(actor, ticket.id, { body: p.message, visibility: "public" }, req);
        if (ticket.status !== "resolved") await this.tickets.update(actor, ticket.id, { status: "resolved" }, req);
      }
      await this.repo.ticketResolved(p.incidentId, link.ticket_id, this.clock.now().toISOString());
    }
  }

  // clocks -----------------------------------------------------------------------------------------------

  private async onTimer({ timer, phase, trx, now }: TimerFiring): Promise<void> {
    const row = await this.repo.find(timer.subject.id, ["operational", "security"], trx);
    if (!row) return;
    const clock = timer.name === "respond" ? "response" : "resolution";
    const breachAt = (clock === "response" ? row.response_due_at : row.resolution_due_at) ?? now.toISOString();
    if (phase === "warning") {
      await this.incidents.publish(trx, row, "sla_warning", { clock, breachAt });
      return;
    }
    const column = clock === "response" ? "response_breached_at" : "resolution_breached_at";
    await this.repo.update(row.id, { [column]: now.toISOString() }, trx);
    await this.incidents.publish(trx, row, "sla_breached", { clock, breachAt });
  }
}
