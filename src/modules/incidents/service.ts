import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, forbidden } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import type { Duration } from "../plan/document.js";
import type { PlanService } from "../plan/service.js";
import type { TicketService } from "../tickets/service.js";
import type { NamedCalendar, TimerService } from "../timers/service.js";
import {
  type ComponentCheck,
  type Incident,
  kindsFor,
  maySecurityWrite,
  type Pager,
  pageSubject,
  presentIncident,
  presentStage,
} from "./model.js";
import type { IncidentRepository, IncidentRow } from "./repository.js";
import { type Details, type Kind, type Severity, severities, stagesOf } from "./stages.js";

export type RequestInfo = { ip: string; headers: Record<string, string | string[] | undefined> };

/** The job that writes an incident's resolution to its linked tickets (through the tickets service). */
export const RESOLVE_TICKETS_JOB = "incidents.resolve-tickets";
/** The job that acknowledges an incident whose page someone acknowledged (by link, in the on-call UI). */
export const PAGE_ACK_JOB = "incidents.page-acknowledged";

export interface ResolveTicketsPayload {
  incidentId: string;
  userId: string | null;
  message: string;
}

export interface IncidentSettings {
  /** Alerts of this severity or worse open incidents; `off`: alerts never do. */
  alertSeverity: Severity | "off";
  /** Incidents of these severities page the on-call (the plan's notification procedure: critical and high). */
  pageSeverities: Severity[];
}
export const defaultSettings: IncidentSettings = { alertSeverity: "high", pageSeverities: ["critical", "high"] };
const SETTINGS_KEY = "incidents.settings";

export interface NewIncident {
  title: string;
  severity: Severity;
  kind?: Kind;
  description?: string;
  componentIds?: string[];
  organizationIds?: string[];
  ticketIds?: string[];
  service?: string;
}

export type StageInput = { stage: string; severity?: Severity; reason?: string; publicUpdate?: string } & Details;

/** What an incident opens with, from a person, a ticket or an alert (the alert intake). */
export interface Opening {
  kind: Kind;
  title: string;
  description: string;
  severity: Severity;
  source: "manual" | "ticket" | "alert";
  sourceRef: string | null;
  alertGroupKey: string | null;
  service: string | null;
  createdBy: string | null;
  componentIds: string[];
  organizationIds: string[];
  ticketIds: string[];
}

/** What an incident's paging was prepared with, before its opening transaction. */
export interface Paging {
  customers: { email: string; locale: "pt-BR" | "en" }[];
  /** The pager's prepared first step (opaque here). */
  first: unknown;
}

export interface Targets {
  calendar: NamedCalendar;
  response: Duration;
  resolution: Duration;
}

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });
const ALWAYS_OPEN: NamedCalendar = {
  id: "24x7",
  definition: {
    name: "24x7",
    timezone: "UTC",
    alwaysOpen: true,
    week: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
  } as unknown as NamedCalendar["definition"],
};

export interface IncidentServiceDeps {
  repo: IncidentRepository;
  audit: AuditService;
  events: EventBus;
  clock: Clock;
  jobs: JobQueue;
  plan: PlanService;
  timers: TimerService;
  tickets: TicketService;
  directory: DirectoryService;
  /** The on-call escalations; absent, incidents open without paging anyone. */
  pager: () => Pager | null;
  /** Which ids are not status components; absent, component ids are taken as given. */
  unknownComponents: () => ComponentCheck | null;
  publicUrl: string;
}

/**
 * Incidents: settings, reading, and opening (manual, from a ticket, and for the alert intake, alert-intake.ts)
 * with their clocks, first stage, links, event and page; the stage processes are process.ts.
 */
export class IncidentService {
  readonly repo: IncidentRepository;
  private readonly audit: AuditService;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly jobs: JobQueue;
  private readonly plan: PlanService;
  private readonly timers: TimerService;
  private readonly tickets: TicketService;
  private readonly directory: DirectoryService;
  private readonly pager: () => Pager | null;
  private readonly unknownComponents: () => ComponentCheck | null;
  private readonly publicUrl: string;

  constructor(deps: IncidentServiceDeps) {
    this.repo = deps.repo;
    this.audit = deps.audit;
    this.events = deps.events;
    this.clock = deps.clock;
    this.jobs = deps.jobs;
    this.plan = deps.plan;
    this.timers = deps.timers;
    this.tickets = deps.tickets;
    this.directory = deps.directory;
    this.pager = deps.pager;
    this.unknownComponents = deps.unknownComponents;
    this.publicUrl = deps.publicUrl;
  }

  // settings ---------------------------------------------------------------------------------------------

  async settings(): Promise<IncidentSettings> {
    const stored = await this.repo.setting(SETTINGS_KEY);
    return stored ? { ...defaultSettings, ...(JSON.parse(stored) as Partial<IncidentSettings>) } : defaultSettings;
  }

  async saveSettings(actor: Actor, input: IncidentSettings, req: RequestInfo): Promise<IncidentSettings> {
    const before = await this.settings();
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.saveSetting(SETTINGS_KEY, JSON.stringify(input), this.clock.now().toISOString(), trx);
      await this.audit.record(
        { action: "incidents.settings.updated", actor, request: req, change: { before, after: input } },
        trx,
      );
    });
    return input;
  }

  // reading ----------------------------------------------------------------------------------------------

  async row(actor: Actor, id: string, executor?: Kysely<DB>): Promise<IncidentRow> {
    const row = await this.repo.find(id, kindsFor(actor), executor);
    if (!row) throw Problem.notFound("Incident");
    return row;
  }

  async present(rows: IncidentRow[]): Promise<Incident[]> {
    const ids = rows.map((r) => r.id);
    const [components, orgs] = await Promise.all([this.repo.componentsOf(ids), this.repo.organizationsOf(ids)]);
    const now = this.clock.now();
    return rows.map((r) =>
      presentIncident(r, now, {
        componentIds: components.filter((c) => c.incident_id === r.id).map((c) => c.component_id),
        organizationIds: orgs.filter((o) => o.incident_id === r.id).map((o) => o.organization_id),
      }),
    );
  }

  async get(actor: Actor, id: string) {
    const row = await this.row(actor, id);
    const [[incident], stages, tickets, alerts] = await Promise.all([
      this.present([row]),
      this.repo.stagesOf([id]),
      this.repo.ticketsOf(id),
      this.repo.alertsOf(id),
    ]);
    return {
      ...incident!,
      stages: stagesOf(row.kind as Kind),
      history: stages.map(presentStage),
      tickets: tickets.map((t) => ({ ticketId: t.ticket_id, linkedAt: t.linked_at, resolvedAt: t.resolved_at })),
      alerts: alerts.map((a) => ({
        alertId: a.alert_id,
        fingerprint: a.fingerprint,
        ruleName: a.rule_name,
        severity: a.severity,
        startsAt: a.starts_at,
        endsAt: a.ends_at,
      })),
    };
  }

  async list(
    actor: Actor,
    f: { kind?: Kind; stage?: string[]; severity?: string[]; open?: boolean; before?: string; limit: number },
  ) {
    const visible = kindsFor(actor);
    const kinds = f.kind ? visible.filter((k) => k === f.kind) : visible;
    if (!kinds.length) return [];
    return this.present(await this.repo.list({ ...f, kinds }));
  }

  // opening ----------------------------------------------------------------------------------------------

  /** The severity's response and resolution times from the plan in force, counted on 24x7 time. */
  async targets(severity: Severity): Promise<Targets> {
    // One read: the timeline is cached until a newer version exists, so only its latest version number is asked.
    const plan = (await this.plan.timeline()).at(-1)!.document;
    const s = plan.severities[severity];
    const definition = Object.hasOwn(plan.calendars, "24x7") ? plan.calendars["24x7"] : undefined;
    const calendar = definition ? { id: "24x7", definition } : ALWAYS_OPEN;
    return { calendar, response: s.response, resolution: s.resolution };
  }

  /**
   * Refuses affected components that are not status components, naming the first: an unknown id would never
   * show on the status page nor tell its customers.
   */
  async checkComponents(ids: readonly string[] | undefined): Promise<void> {
    const check = this.unknownComponents();
    if (!check || !ids?.length) return;
    const unknown = new Set(await check([...ids]));
    for (const [i, id] of ids.entries()) {
      if (unknown.has(id)) throw invalid(`/componentIds/${i}`, "is not a status component");
    }
  }

  async create(actor: Actor, input: NewIncident, req: RequestInfo): Promise<Incident> {
    const kind = input.kind ?? "operational";
    if (kind === "security" && !maySecurityWrite(actor))
      throw forbidden("Only the security role and admins open security incidents");
    await this.checkComponents(input.componentIds);
    const organizationIds = [...new Set(input.organizationIds ?? [])];
    for (const [i, id] of organizationIds.entries()) {
      await this.directory.getOrganization(id).catch(() => {
        throw invalid(`/organizationIds/${i}`, "is not an organization");
      });
    }
    const ticketIds = [...new Set(input.ticketIds ?? [])];
    for (const [i, id] of ticketIds.entries()) {
      const t = await this.tickets.get(actor, id).catch(() => {
        throw invalid(`/ticketIds/${i}`, "is not a ticket");
      });
      if (!organizationIds.includes(t.organizationId)) organizationIds.push(t.organizationId);
    }
    const row = await this.openWith(
      {
        kind,
        title: input.title,
        description: input.description ?? "",
        severity: input.severity,
        source: "manual",
        sourceRef: null,
        alertGroupKey: null,
        service: input.service ?? null,
        createdBy: actor.userId,
        componentIds: [...new Set(input.componentIds ?? [])],
        organizationIds,
        ticketIds,
      },
      actor,
      req,
    );
    return (await this.present([row]))[0]!;
  }

  /** A ticket becomes an incident: the ticket is linked to it, and its organization is affected. */
  async promote(
    actor: Actor,
    ticketId: string,
    input: { title?: string; severity?: Severity; componentIds?: string[] },
    req: RequestInfo,
  ): Promise<Incident> {
    const ticket = await this.tickets.get(actor, ticketId);
    await this.checkComponents(input.componentIds);
    const severity =
      input.severity ?? (severities.includes(ticket.severity as Severity) ? (ticket.severity as Severity) : "high");
    const row = await this.openWith(
      {
        kind: "operational",
        title: input.title ?? ticket.subject,
        description: ticket.description,
        severity,
        source: "ticket",
        sourceRef: ticket.id,
        alertGroupKey: null,
        service: null,
        createdBy: actor.userId,
        componentIds: [...new Set(input.componentIds ?? [])],
        organizationIds: [ticket.organizationId],
        ticketIds: [ticket.id],
      },
      actor,
      req,
    );
    return (await this.present([row]))[0]!;
  }

  private async openWith(o: Opening, actor: Actor | null, req: RequestInfo | null): Promise<IncidentRow> {
    const targets = await this.targets(o.severity);
    const pageSeverities = (await this.settings()).pageSeverities;
    // Read before the transaction: on SQLite it holds the only connection.
    const paging = await this.pagingFor(o.kind, o.severity, o.organizationIds, pageSeverities);
    return this.repo.db.transaction().execute(async (trx) => {
      const row = await this.open(trx, o, targets, paging);
      await this.audit.record(
        {
          action: "incident.created",
          actor: actor ?? undefined,
          actorLabel: actor ? undefined : "alerts",
          target: { type: "incident", id: row.id },
          request: req ?? undefined,
          details: { kind: o.kind, severity: o.severity, source: o.source },
        },
        trx,
      );
      return row;
    });
  }

  /**
   * What paging an incident of `severity` needs, read before its opening transaction: the affected customers'
   * contacts and the page's first step (who it reaches), which then runs in that transaction. Null: not paged.
   * A security incident tells no customer: disclosing one is a decision of the security team, not of a policy.
   * The alert intake reads it once per severity and customers for a burst of alerts.
   */
  async pagingFor(
    kind: Kind,
    severity: Severity,
    organizationIds: readonly string[],
    pageSeverities: readonly string[],
  ): Promise<Paging | null> {
    const pager = this.pager();
    if (!pager || !pageSeverities.includes(severity)) return null;
    const customers = kind === "security" ? [] : await this.customersOf(organizationIds);
    const subjectType = pageSubject({ id: "", kind }).type;
    return { customers, first: await pager.prepareFirstStep({ subjectType, severity, customers }) };
  }

  /**
   * The affected customers' contacts the page tells (its steps that target customers, as the plan's
   * per-severity procedure says): each affected organization's customer administrators.
   */
  private async customersOf(organizationIds: readonly string[]): Promise<{ email: string; locale: "pt-BR" | "en" }[]> {
    const out = new Map<string, "pt-BR" | "en">();
    for (const organizationId of organizationIds) {
      const users = await this.directory.listUsers({ limit: 200 }, { organizationId, role: "customer-admin" });
      for (const u of users) if (!u.disabled) out.set(u.email, u.locale === "en" ? "en" : "pt-BR");
    }
    return [...out].map(([email, locale]) => ({ email, locale }));
  }

  /** Writes a new incident in `trx`: its first stage, links, clocks, event and page. */
  private async open(trx: Kysely<DB>, o: Opening, t: Targets, paging: Paging | null): Promise<IncidentRow> {
    return (await this.openAll(trx, [{ o, targets: t, paging }]))[0]!;
  }

  /**
   * `open` for several incidents: their clocks, rows, first stages and events in one statement each, and their
   * pages through the pager's `pageNew` (the incidents are new, so none has a page yet). The alert intake opens
   * a burst's incidents with it.
   */
  async openAll(
    trx: Kysely<DB>,
    openings: readonly { o: Opening; targets: Targets; paging: Paging | null }[],
  ): Promise<IncidentRow[]> {
    const now = this.clock.now().toISOString();
    const ids = openings.map(() => uuidv7());
    const timers = await this.timers.startNew(
      trx,
      openings.flatMap(({ targets: t }, i) => {
        const subject = { type: "incident", id: ids[i]! };
        return [
          { subject, name: "respond", calendar: t.calendar, duration: t.response, warningPercent: 80 },
          { subject, name: "resolve", calendar: t.calendar, duration: t.resolution, warningPercent: 80 },
        ];
      }),
    );
    const rows = openings.map(({ o }, i): IncidentRow => {
      const [respond, resolve] = [timers[2 * i]!, timers[2 * i + 1]!];
      return {
        id: ids[i]!,
        kind: o.kind,
        title: o.title,
        description: o.description,
        severity: o.severity,
        stage: stagesOf(o.kind)[0]!,
        source: o.source,
        source_ref: o.sourceRef,
        alert_group_key: o.alertGroupKey,
        open_alert_group: o.alertGroupKey,
        service: o.service,
        details: "{}",
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        closed_at: null,
        response_due_at: respond.dueAt,
        resolution_due_at: resolve.dueAt,
        response_breached_at: null,
        resolution_breached_at: null,
        created_by: o.createdBy,
        created_at: now,
        updated_at: now,
      };
    });
    await this.repo.insert(rows, trx);
    await this.repo.insertStages(
      rows.map((row) => ({
        id: uuidv7(),
        incident_id: row.id,
        stage: row.stage,
        entered_at: now,
        by_user_id: row.created_by,
        fields: "{}",
        reason: null,
      })),
      trx,
    );
    for (const [i, { o }] of openings.entries()) {
      const id = ids[i]!;
      if (o.componentIds.length) await this.repo.setComponents(id, o.componentIds, trx);
      if (o.organizationIds.length) await this.repo.setOrganizations(id, o.organizationIds, trx);
      for (const ticketId of o.ticketIds) {
        await this.repo.linkTicket(
          { incident_id: id, ticket_id: ticketId, linked_by: o.createdBy, linked_at: now, resolved_at: null },
          trx,
        );
      }
    }
    await this.events.publishMany(
      openings.map(({ o }, i) => this.event(rows[i]!, "created", { source: o.source })),
      trx,
    );
    const pager = this.pager();
    if (!pager) return rows;
    const pages = openings.flatMap(({ o, paging }, i) => {
      if (!paging) return [];
      const row = rows[i]!;
      const input = {
        subject: pageSubject(row),
        policyId: null,
        severity: o.severity,
        title: o.title,
        url: `${this.publicUrl.replace(/\/$/, "")}/incidents/${row.id}`,
        summary: o.description || o.title,
        customers: paging.customers,
      };
      return [{ input, first: paging.first }];
    });
    // Without a prepared first step (no policy applies, or no step runs) `page` decides as it always does.
    for (const p of pages) if (!p.first) await pager.page(p.input, trx, null);
    await pager.pageNew(
      trx,
      pages.filter((p) => p.first),
    );
    return rows;
  }

  // events -----------------------------------------------------------------------------------------------

  /** Publishes `incident.<what>`, or `security_incident.<what>` for a security incident (its own audience). */
  async publish(trx: Kysely<DB>, row: IncidentRow, what: string, extra: Record<string, unknown>): Promise<void> {
    await this.events.publish(this.event(row, what, extra), trx);
  }

  private event(row: IncidentRow, what: string, extra: Record<string, unknown>): NewEvent {
    const type = `${row.kind === "security" ? "security_incident" : "incident"}.${what}`;
    return {
      type,
      subjectId: row.id,
      payload: { incidentId: row.id, title: row.title, severity: row.severity, stage: row.stage, ...extra },
    } as unknown as NewEvent;
  }
}
