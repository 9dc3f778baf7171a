import { type Static, type TProperties, type TSchema, Type } from "typebox";
import { Compile } from "typebox/compile";
import type { Area } from "../../modules/identity/roles.js";
import { statuses } from "../../modules/monitoring/state-machine.js";
import { componentStatuses } from "../../modules/status/core.js";

/**
 * Who may see an event besides the area check: every staff member (`provider`, never a customer), the
 * staff and the users of the event's organization (`organization`; an event without one is the
 * provider's own), or only the user the event's `subjectId` names (`user`, e.g. in-app notifications).
 */
export type Tenancy = "provider" | "organization" | "user";

/** Kinds a user sets notification preferences for; the notifications module maps them to templates. */
export const notificationKinds = [
  "ticket.created",
  "ticket.updated",
  "ticket.message",
  "ticket.sla_warning",
  "ticket.sla_breached",
  "ticket.escalation",
  "monitor.state",
  "backup.failure",
  "backup.rpo",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export interface EventSpec<P extends TSchema = TSchema> {
  summary: string;
  /** Readers of the event stream and subscribers of webhooks need read access to this area. */
  area: Area;
  tenancy: Tenancy;
  payload: P;
  notification?: NotificationKind;
  /** Occurrences only staff may see (an internal note): never a customer, nor a webhook scoped to an organization. */
  staffOnly?: (payload: Record<string, unknown>) => boolean;
  /**
   * Occurrences only readers of a further area may see: a page about a security incident is for the security role
   * and admins, as the incident is (its ids alone would tell the other readers that one exists).
   */
  restricted?: { area: Area; when: (payload: Record<string, unknown>) => boolean; audience: string };
}

const strict = { additionalProperties: false } as const;
const obj = <P extends TProperties>(properties: P) => Type.Object(properties, strict);
const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.String({ format: "uuid" });
const Instant = Type.String({ format: "date-time" });
const spec = <P extends TSchema>(s: EventSpec<P>) => s;

// tickets: each payload starts with the ticket's id and number ---------------------------------------------
const ticket = <P extends TProperties>(properties: P) => obj({ ticketId: Id, number: Type.Integer(), ...properties });
const ticketEvent = <P extends TProperties>(
  summary: string,
  properties: P,
  notification?: NotificationKind,
  staffOnly?: EventSpec["staffOnly"],
) => spec({ summary, area: "tickets", tenancy: "organization", payload: ticket(properties), notification, staffOnly });
const slaClock = { clock: Type.String(), tier: nullable(Type.String()), at: Instant };
const slaMark = (what: string) => ticketEvent(`An SLA clock ${what}`, slaClock);
const slaDeadline = (what: string, notification: NotificationKind) =>
  ticketEvent(`An SLA clock ${what}`, { ...slaClock, breachAt: Instant }, notification);

// live chat: one conversation event under its cursor (the widget and the console show the same) -------------
export const ChatAttachment = obj({
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
});
export const chatEvent = obj({
  conversationId: Id,
  seq: Type.Integer({ minimum: 1, description: "The conversation's cursor: 1, 2, 3…" }),
  kind: Type.String({ description: "message, attachment, accepted, transferred or closed" }),
  authorKind: Type.String({ description: "visitor, agent or system" }),
  authorName: Type.String(),
  clientId: nullable(Type.String()),
  body: nullable(Type.String()),
  attachment: nullable(ChatAttachment),
  status: Type.String({ description: "The conversation's status after the event" }),
  assigneeId: nullable(Id),
  at: Instant,
});

// monitoring -------------------------------------------------------------------------------------------------
const monitorEvent = <P extends TProperties>(summary: string, properties: P, notification?: NotificationKind) =>
  spec({
    summary,
    area: "monitoring",
    tenancy: "organization",
    payload: obj({ monitorId: Id, ...properties }),
    notification,
  });
const Status = Type.Enum([...statuses]);

// alerts: one alert is a rule (or a posted alert) × its label set --------------------------------------------
const alertEvent = (summary: string) =>
  spec({
    summary,
    area: "monitoring",
    tenancy: "provider",
    payload: obj({
      alertId: Type.String({
        format: "uuid",
        description: "This firing episode (its alert history entry); alert.resolved carries the firing's id",
      }),
      fingerprint: Type.String({ description: "The alert's identity: a hash of its sorted label set" }),
      groupKey: Type.String({ description: "The notification group of its first route" }),
      ruleId: nullable(Id),
      ruleName: Type.String(),
      severity: Type.Union([
        Type.Literal("critical"),
        Type.Literal("high"),
        Type.Literal("medium"),
        Type.Literal("low"),
      ]),
      labels: Type.Record(Type.String(), Type.String()),
      annotations: Type.Record(Type.String(), Type.String()),
      monitorId: nullable(Id),
      startsAt: Instant,
      endsAt: nullable(Instant),
    }),
  });

// backups and drills -----------------------------------------------------------------------------------------
const backupEvent = <P extends TProperties>(summary: string, properties: P, notification?: NotificationKind) =>
  spec({ summary, area: "backups", tenancy: "provider", payload: obj({ jobId: Id, ...properties }), notification });
const rpo = {
  name: Type.String(),
  dataClass: Type.String(),
  restorablePoint: nullable(Instant),
  targetMinutes: Type.Number(),
  measuredMinutes: nullable(Type.Number()),
  status: Type.String({ description: "ok, exceeded or no-backup" }),
};

// on-call pages: each payload starts with the page and the subject it is about --------------------------------
const pageEvent = <P extends TProperties>(summary: string, properties: P) =>
  spec({
    summary,
    area: "monitoring",
    tenancy: "provider",
    payload: obj({ pageId: Id, subjectType: Type.String(), subjectId: Type.String(), ...properties }),
    restricted: {
      area: "security",
      when: (p) => p.subjectType === "security_incident",
      audience: "about a security incident, security readers only",
    },
  });
// incidents: operational ones as incident.*, security ones as security_incident.* (seen only in the security area)
const incidentProps = { incidentId: Id, title: Type.String(), severity: Type.String(), stage: Type.String() };
const incidentEvent = <P extends TProperties>(summary: string, properties: P) =>
  spec({ summary, area: "incidents", tenancy: "provider", payload: obj({ ...incidentProps, ...properties }) });
const securityIncidentEvent = <P extends TProperties>(summary: string, properties: P) =>
  spec({ summary, area: "security", tenancy: "provider", payload: obj({ ...incidentProps, ...properties }) });
const incidentCreated = { source: Type.String({ description: "manual, ticket or alert" }) };
const incidentStage = { from: Type.String(), reason: nullable(Type.String()) };
const incidentAck = { userId: nullable(Id) };
const incidentUpdate = { updateId: Id, visibility: Type.String({ description: "public or internal" }) };
const incidentClock = { clock: Type.String({ description: "response or resolution" }), breachAt: Instant };

// scheduled calls: the customer's organization sees its own; each payload starts with the call and its ticket
const scheduledCallEvent = <P extends TProperties>(summary: string, properties: P) =>
  spec({
    summary,
    area: "tickets",
    tenancy: "organization",
    payload: obj({
      scheduledCallId: Id,
      ticketId: Id,
      startsAt: Instant,
      endsAt: Instant,
      status: Type.String({ description: "booked, cancelled, held or no_show" }),
      ...properties,
    }),
  });
// status page: components, maintenance windows, subscriptions and change records (operations' work: monitoring)
const statusEvent = <P extends TProperties>(summary: string, properties: P) =>
  spec({ summary, area: "monitoring", tenancy: "provider", payload: obj(properties) });
const ComponentStatus = Type.Enum([...componentStatuses]);
const maintenanceProps = {
  windowId: Id,
  title: Type.String(),
  mode: Type.String({ description: "mute, skip or show" }),
  componentIds: Type.Array(Id),
  startsAt: Instant,
  endsAt: Instant,
};
const maintenanceEvent = <P extends TProperties>(summary: string, properties: P) =>
  statusEvent(summary, { ...maintenanceProps, ...properties });

/**
 * Every event type Plantão publishes: its payload, who may see it and the notification it may raise.
 * `EventBus.publish` accepts only these (checked when compiling, and at run time against the schemas),
 * the event stream and webhooks filter by the audience, and the OpenAPI document publishes the payloads.
 */
export const eventCatalogue = {
  "ticket.created": ticketEvent("A ticket was opened", { actorId: Type.Optional(nullable(Id)) }, "ticket.created"),
  "ticket.updated": ticketEvent(
    "Fields of a ticket changed (status, severity, tier, assignee...)",
    {
      changes: Type.Array(
        obj({ field: Type.String(), before: nullable(Type.String()), after: nullable(Type.String()) }),
      ),
      actorId: Type.Optional(nullable(Id)),
    },
    "ticket.updated",
  ),
  "ticket.message.created": ticketEvent(
    "A reply or internal note was added",
    {
      messageId: Id,
      visibility: Type.String({ description: "public or internal" }),
      kind: Type.String(),
      mentions: Type.Optional(Type.Array(Id, { description: "Staff users the message @mentions" })),
      channel: Type.Optional(
        Type.String({ description: "Channel the message arrived through (email), if not the app" }),
      ),
    },
    "ticket.message",
    // An internal note is the provider's business: customers never learn one was written.
    (p) => p.visibility === "internal",
  ),
  "ticket.linked": ticketEvent("A ticket was linked to another", { other: Id, kind: Type.String() }),
  "ticket.unlinked": ticketEvent("A link between tickets was removed", { link: Id }),
  "ticket.merged": ticketEvent("A ticket was merged into another", { into: Id, intoNumber: Type.Integer() }),
  "ticket.watcher.added": ticketEvent("A user now watches the ticket", { userId: Id }),
  "ticket.watcher.removed": ticketEvent("A user stopped watching the ticket", { userId: Id }),
  "ticket.attachment.added": ticketEvent("A file was attached", {
    attachmentId: Id,
    filename: Type.String(),
    size: Type.Integer(),
  }),
  "ticket.presence": spec({
    summary: "A staff user opened, started replying to or left a ticket (the collision warning)",
    area: "tickets",
    tenancy: "provider",
    payload: ticket({
      userId: Id,
      name: Type.String(),
      activity: Type.Union([Type.Literal("viewing"), Type.Literal("replying"), Type.Literal("left")]),
    }),
    staffOnly: () => true,
  }),
  "ticket.csat.rated": ticketEvent("The customer rated the support on a resolution (1-5)", {
    surveyId: Id,
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
  }),
  "ticket.sla.started": slaMark("started"),
  "ticket.sla.paused": slaMark("was paused"),
  "ticket.sla.resumed": slaMark("resumed"),
  "ticket.sla.fulfilled": slaMark("was met"),
  "ticket.sla.warning": slaDeadline("is close to its deadline", "ticket.sla_warning"),
  "ticket.sla.breached": slaDeadline("missed its deadline", "ticket.sla_breached"),
  "ticket.escalation": ticketEvent(
    "A step of the escalation matrix fired",
    {
      step: Type.Integer(),
      clock: Type.String(),
      notify: Type.Array(Type.String()),
      actions: Type.Array(Type.String()),
    },
    "ticket.escalation",
  ),

  "monitor.created": monitorEvent("A monitor was created", { name: Type.String(), type: Type.String() }),
  "monitor.updated": monitorEvent("A monitor was changed, paused or resumed", {
    enabled: Type.Optional(Type.Boolean()),
  }),
  "monitor.deleted": monitorEvent("A monitor was deleted", {}),
  "monitor.state_changed": monitorEvent(
    "A monitor's status changed",
    {
      name: Type.String(),
      type: Type.String(),
      from: nullable(Status),
      to: Status,
      reason: nullable(Type.String()),
      message: nullable(Type.String()),
      flapping: Type.Boolean(),
      parentId: nullable(Id),
      groupId: nullable(Id),
      at: Instant,
    },
    "monitor.state",
  ),
  "monitor.flapping_started": monitorEvent("A monitor started flapping", {
    name: Type.String(),
    status: Status,
    at: Instant,
  }),
  "monitor.flapping_stopped": monitorEvent("A monitor stopped flapping", {
    name: Type.String(),
    status: Status,
    at: Instant,
  }),

  "backup.run_failed": backupEvent(
    "A backup, check, prune, restore or unlock failed for good",
    {
      name: Type.String(),
      runId: Id,
      operation: Type.String(),
      reason: Type.String(),
      error: Type.String(),
    },
    "backup.failure",
  ),
  "backup.check_failed": backupEvent(
    "restic check found errors in a subset of the repository",
    { subset: Type.String(), error: Type.String() },
    "backup.failure",
  ),
  "backup.restore_test_failed": backupEvent(
    "A restore test failed one of its checks",
    {
      name: Type.String(),
      testId: Id,
      snapshotId: nullable(Type.String()),
      failedChecks: Type.Array(
        obj({
          name: Type.String(),
          status: Type.String(),
          detail: Type.String(),
          key: Type.Optional(Type.String()),
          params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
        }),
      ),
    },
    "backup.failure",
  ),
  "backup.rpo_exceeded": backupEvent("A job's newest restorable point is older than its RPO", rpo, "backup.rpo"),
  "backup.rpo_recovered": backupEvent("A job is back within its RPO", rpo, "backup.rpo"),
  "drill.started": spec({
    summary: "A disaster-recovery drill started",
    area: "backups",
    tenancy: "provider",
    payload: obj({
      drillId: Id,
      runbookId: Id,
      runbookName: Type.String(),
      kind: Type.String(),
      rtoMinutes: nullable(Type.Number()),
      expectedMinutes: nullable(Type.Number()),
    }),
  }),
  "drill.finished": spec({
    summary: "A disaster-recovery drill finished or was aborted",
    area: "backups",
    tenancy: "provider",
    payload: obj({
      drillId: Id,
      runbookId: Id,
      runbookName: Type.String(),
      outcome: Type.String(),
      elapsedSeconds: Type.Number(),
      rtoMinutes: nullable(Type.Number()),
      rtoVerdict: Type.String(),
      stepsDone: Type.Integer(),
      stepsSkipped: Type.Integer(),
    }),
  }),

  "page.triggered": pageEvent("An escalation policy started paging about a subject (an incident)", {
    policyId: nullable(Id),
    severity: Type.String(),
  }),
  "page.escalated": pageEvent(
    "A page reached its next step: the wait ran out, a channel failed, or the step had nobody to tell",
    {
      step: Type.Integer({ minimum: 0 }),
      round: Type.Integer({ minimum: 0 }),
      reason: Type.String({ description: "timeout, channel-failed or nobody" }),
    },
  ),
  "page.acknowledged": pageEvent("Someone acknowledged a page: its steps waiting for that stop", { userId: Id }),
  "page.resolved": pageEvent("The paged subject resolved: the page stopped", {}),

  "plan.updated": spec({
    summary: "A new version of the support plan was saved",
    area: "plan",
    tenancy: "provider",
    payload: obj({ version: Type.Integer() }),
  }),
  "webhook.test": spec({
    summary: "A test delivery, sent only to the webhook it was asked for",
    area: "webhooks",
    tenancy: "provider",
    payload: obj({ webhookId: Id, name: Type.String(), message: Type.String() }),
  }),
  "notification.created": spec({
    summary: "A new in-app notification for the user named by subjectId",
    area: "events",
    tenancy: "user",
    payload: obj({ id: Id, kind: Type.String() }),
  }),
  "notification.read": spec({
    summary: "The user named by subjectId read one notification (id) or all of them (id null); their unread count",
    area: "events",
    tenancy: "user",
    payload: obj({ id: nullable(Id), unread: Type.Integer({ minimum: 0 }) }),
  }),

  "status.component_changed": statusEvent(
    "A status component's derived status changed (monitors, an incident, a window or an override)",
    {
      componentId: Id,
      name: Type.String(),
      from: nullable(ComponentStatus),
      to: ComponentStatus,
      source: Type.String({ description: "override, incident, maintenance, monitors or none" }),
      at: Instant,
    },
  ),
  "maintenance.scheduled": maintenanceEvent(
    "A maintenance window was scheduled, or moved (startsAt/endsAt: its next occurrence)",
    { warnings: Type.Array(Type.String({ description: "short-notice or outside-plan-window" })) },
  ),
  "maintenance.started": maintenanceEvent("An occurrence of a maintenance window started", {}),
  "maintenance.completed": maintenanceEvent(
    "An occurrence of a maintenance window ended (the window is completed, or scheduled again when it recurs)",
    { state: Type.String({ description: "completed, or scheduled for the next occurrence" }) },
  ),
  "maintenance.cancelled": maintenanceEvent("A maintenance window was cancelled", {}),
  "status_subscription.confirmed": statusEvent("An address confirmed its subscription to components (double opt-in)", {
    subscriptionId: Id,
    componentIds: Type.Array(Id),
  }),
  "change.recorded": statusEvent("A change record (security, fix or improvement) was recorded", {
    changeId: Id,
    title: Type.String(),
    kind: Type.String({ description: "security, fix or improvement" }),
    validation: Type.String(),
    windowId: nullable(Id),
    appliedAt: nullable(Instant),
  }),

  "alert.firing": alertEvent("An alert started firing (its rule's `for` elapsed, or Prometheus posted it)"),
  "alert.resolved": alertEvent("A firing alert resolved (recovered, its series vanished, or its endsAt passed)"),

  "monitor.shards_acquired": spec({
    summary: "A node took monitor shards: free ones, or a silent peer's after its lease expired (takenOverFrom)",
    area: "monitoring",
    tenancy: "provider",
    payload: obj({
      nodeId: Type.String(),
      shards: Type.Array(Type.Integer()),
      takenOverFrom: Type.Record(Type.String(), Type.Array(Type.Integer())),
    }),
  }),
  "monitor.shards_released": spec({
    summary: "A node handed monitor shards over: at a graceful stop, or to a joining node (rebalance)",
    area: "monitoring",
    tenancy: "provider",
    payload: obj({
      nodeId: Type.String(),
      shards: Type.Array(Type.Integer()),
      reason: Type.Union([Type.Literal("stop"), Type.Literal("rebalance")]),
      liveNodes: Type.Optional(Type.Integer()),
    }),
  }),
  "monitor.shards_lost": spec({
    summary: "A node lost monitor shards because its lease ran out before renewal (a paused node, a database stall)",
    area: "monitoring",
    tenancy: "provider",
    payload: obj({ nodeId: Type.String(), shards: Type.Array(Type.Integer()) }),
  }),
  "incident.created": incidentEvent("An incident was opened", incidentCreated),
  "incident.stage_changed": incidentEvent("An incident moved to another stage", incidentStage),
  "incident.acknowledged": incidentEvent("Someone acknowledged an incident", incidentAck),
  "incident.updated": incidentEvent("A note or public update was added to an incident", incidentUpdate),
  "incident.resolved": incidentEvent("An incident was resolved", {}),
  "incident.reopened": incidentEvent("A resolved incident went back to an earlier stage", {}),
  "incident.sla_warning": incidentEvent("An incident's clock is close to its deadline", incidentClock),
  "incident.sla_breached": incidentEvent("An incident's clock missed its deadline", incidentClock),
  "security_incident.created": securityIncidentEvent("A security incident was opened", incidentCreated),
  "security_incident.stage_changed": securityIncidentEvent("A security incident moved to another stage", incidentStage),
  "security_incident.acknowledged": securityIncidentEvent("Someone acknowledged a security incident", incidentAck),
  "security_incident.updated": securityIncidentEvent(
    "A note or update was added to a security incident",
    incidentUpdate,
  ),
  "security_incident.resolved": securityIncidentEvent("A security incident was resolved", {}),
  "security_incident.reopened": securityIncidentEvent("A security incident went back to an earlier stage", {}),
  "security_incident.sla_warning": securityIncidentEvent(
    "A security incident's clock is close to its deadline",
    incidentClock,
  ),
  "security_incident.sla_breached": securityIncidentEvent(
    "A security incident's clock missed its deadline",
    incidentClock,
  ),
  "scheduled_call.booked": scheduledCallEvent("A call with an engineer was booked on a ticket", {}),
  "scheduled_call.rescheduled": scheduledCallEvent("A scheduled call moved to another time or engineer", {
    previousStartsAt: Instant,
  }),
  "scheduled_call.cancelled": scheduledCallEvent("A scheduled call was cancelled", {}),
  "scheduled_call.started": scheduledCallEvent("A scheduled call's booked time arrived", {}),
  "scheduled_call.outcome": scheduledCallEvent("The engineer recorded whether the call was held", {
    outcome: Type.String({ description: "held or no_show" }),
  }),
  // live chat: staff follow every conversation on the event stream; visitors read their own through the widget's
  "chat.event": spec({
    summary: "Something happened in a chat conversation: a message, a file, an accept, a transfer or the close",
    area: "tickets",
    tenancy: "provider",
    payload: chatEvent,
  }),
  "chat.typing": spec({
    summary: "The visitor or the agent started or stopped typing in a conversation (not kept under a cursor)",
    area: "tickets",
    tenancy: "provider",
    payload: obj({
      conversationId: Id,
      side: Type.Union([Type.Literal("visitor"), Type.Literal("agent")]),
      typing: Type.Boolean(),
      name: Type.String(),
    }),
  }),
  // phone calls (telephony): the pop-up goes to the rung agent alone; missed calls and callbacks to staff
  "call.ringing": spec({
    summary:
      "A call rings the agent named by subjectId: the caller as matched by number and their open tickets (the pop-up)",
    area: "tickets",
    tenancy: "user",
    payload: obj({
      callId: Id,
      from: Type.String(),
      to: Type.String(),
      queue: nullable(Type.String()),
      organizationId: nullable(Id),
      organizationName: nullable(Type.String()),
      contactName: nullable(Type.String()),
      tickets: Type.Array(obj({ ticketId: Id, number: Type.Integer(), subject: Type.String(), status: Type.String() })),
    }),
  }),
  "call.ended": spec({
    summary: "A call the agent named by subjectId was rung for was answered elsewhere or hung up: close its pop-up",
    area: "tickets",
    tenancy: "user",
    payload: obj({ callId: Id, status: Type.String({ description: "answered, completed or missed" }) }),
  }),
  "call.missed": spec({
    summary: "A call hung up unanswered (or abandoned in a queue); from a known number it has a ticket and callback",
    area: "tickets",
    tenancy: "provider",
    payload: obj({
      callId: Id,
      from: Type.String(),
      organizationId: nullable(Id),
      ticketId: nullable(Id),
      callbackDueAt: nullable(Instant),
    }),
  }),
  "call.callback_overdue": spec({
    summary: "A missed call's callback was not made by its deadline",
    area: "tickets",
    tenancy: "provider",
    payload: obj({ callId: Id, ticketId: nullable(Id), dueAt: Instant }),
  }),
} satisfies Record<string, EventSpec>;

export type Catalogue = typeof eventCatalogue;
export type EventType = keyof Catalogue;
export type EventPayload<T extends EventType> = Static<Catalogue[T]["payload"]>;
export const eventTypes = Object.keys(eventCatalogue).sort() as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalogue, type);
}

export function eventSpec(type: string): EventSpec | undefined {
  return isEventType(type) ? eventCatalogue[type] : undefined;
}

const validators = new Map<string, ReturnType<typeof Compile>>();

/** Why a payload does not fit its type's schema (or the type is unknown); undefined when it fits. */
export function payloadProblem(type: string, payload: unknown): string | undefined {
  const s = eventSpec(type);
  if (!s) return `unknown event type ${type}: add it to src/platform/events/catalogue.ts`;
  let check = validators.get(type);
  if (!check) {
    check = Compile(s.payload);
    validators.set(type, check);
  }
  if (check.Check(payload)) return undefined;
  const [first] = check.Errors(payload);
  return `payload of ${type} does not fit the catalogue: ${first?.instancePath || "/"} ${first?.message ?? ""}`.trim();
}

/**
 * A webhook filter entry (`*`, an exact type, or a prefix ending in `.*`) that names no catalogued type:
 * the reason, or undefined when it selects at least one.
 */
export function unknownSelection(entry: string): string | undefined {
  if (entry === "*") return undefined;
  if (entry.endsWith(".*")) {
    const prefix = entry.slice(0, -1);
    return eventTypes.some((t) => t.startsWith(prefix)) ? undefined : `no event type starts with ${prefix}`;
  }
  return isEventType(entry) ? undefined : `is not an event type`;
}

/** Whether a filter entry (see `unknownSelection`) selects this type. */
export function selects(entry: string, type: string): boolean {
  return entry === "*" ? true : entry.endsWith(".*") ? type.startsWith(entry.slice(0, -1)) : entry === type;
}

/** PascalCase component name of an event type in the OpenAPI document: `ticket.sla.warning` → `TicketSlaWarningEvent`. */
export function componentName(type: string): string {
  return `${type
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("")}Event`;
}

const audienceNote = (s: EventSpec) => (s.restricted ? `; ${s.restricted.audience}` : "");

/** The catalogue as OpenAPI component schemas: one per event type, and `DomainEvent`, their union on `type`. */
export function eventSchemas(): TSchema[] {
  const envelope = (type: EventType) =>
    Type.Object(
      {
        id: Type.Integer({ description: "Increasing id; resume a stream after it with Last-Event-ID" }),
        type: Type.Literal(type),
        organizationId: nullable(Type.String({ format: "uuid" })),
        subjectId: nullable(Type.String()),
        payload: eventCatalogue[type].payload,
        createdAt: Instant,
      },
      {
        $id: componentName(type),
        description: `${eventCatalogue[type].summary}. Audience: ${eventCatalogue[type].area} readers, ${eventCatalogue[type].tenancy} tenancy${audienceNote(eventCatalogue[type])}.`,
      },
    );
  const each = eventTypes.map(envelope);
  const union = {
    $id: "DomainEvent",
    description: "An event as the event stream and webhooks carry it, told apart by `type`",
    oneOf: eventTypes.map((t) => ({ $ref: componentName(t) })),
    discriminator: {
      propertyName: "type",
      mapping: Object.fromEntries(eventTypes.map((t) => [t, `#/components/schemas/${componentName(t)}`])),
    },
  } as unknown as TSchema;
  return [...each, union];
}
