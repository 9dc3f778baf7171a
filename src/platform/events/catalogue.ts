import { type Static, type TProperties, type TSchema, Type } from "typebox";
import { Compile } from "typebox/compile";
import type { Area } from "../../modules/identity/roles.js";
import { statuses } from "../../modules/monitoring/state-machine.js";

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
}

const strict = { additionalProperties: false } as const;
const obj = <P extends TProperties>(properties: P) => Type.Object(properties, strict);
const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.String({ format: "uuid" });
const Instant = Type.String({ format: "date-time" });
const spec = <P extends TSchema>(s: EventSpec<P>) => s;

// tickets: each payload starts with the ticket's id and number ---------------------------------------------
const ticket = <P extends TProperties>(properties: P) => obj({ ticketId: Id, number: Type.Integer(), ...properties });
const ticketEvent = <P extends TProperties>(summary: string, properties: P, notification?: NotificationKind) =>
  spec({ summary, area: "tickets", tenancy: "organization", payload: ticket(properties), notification });
const slaClock = { clock: Type.String(), tier: nullable(Type.String()), at: Instant };
const slaMark = (what: string) => ticketEvent(`An SLA clock ${what}`, slaClock);
const slaDeadline = (what: string, notification: NotificationKind) =>
  ticketEvent(`An SLA clock ${what}`, { ...slaClock, breachAt: Instant }, notification);

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

/**
 * Every event type Plantão publishes: its payload, who may see it and the notification it may raise.
 * `EventBus.publish` accepts only these (checked when compiling, and at run time against the schemas),
 * the event stream and webhooks filter by the audience, and the OpenAPI document publishes the payloads.
 */
export const eventCatalogue = {
  "ticket.created": ticketEvent("A ticket was opened", {}, "ticket.created"),
  "ticket.updated": ticketEvent(
    "Fields of a ticket changed (status, severity, tier, assignee...)",
    {
      changes: Type.Array(
        obj({ field: Type.String(), before: nullable(Type.String()), after: nullable(Type.String()) }),
      ),
    },
    "ticket.updated",
  ),
  "ticket.message.created": ticketEvent(
    "A reply or internal note was added",
    { messageId: Id, visibility: Type.String({ description: "public or internal" }), kind: Type.String() },
    "ticket.message",
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
        description: `${eventCatalogue[type].summary}. Audience: ${eventCatalogue[type].area} readers, ${eventCatalogue[type].tenancy} tenancy.`,
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
