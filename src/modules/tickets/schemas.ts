import { Type } from "typebox";
import { Id, literals, nullable, strict } from "../../platform/http/schemas.js";
import { IdParams, TierSchema } from "../identity/schemas.js";
import { MAX_MENTIONS } from "./mentions.js";
import { channels, severities, statuses, ticketTypes } from "./model.js";

export { IdParams };

export const Severity = literals(severities);
export const Status = literals(statuses);
export const TicketType = Type.String({
  pattern: "^[a-z][a-z0-9_]{1,59}$",
  description: `Ticket type; defaults: ${ticketTypes.join(", ")}`,
});
export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 50, pattern: "^[^,\\s]+$" }), {
  maxItems: 30,
  uniqueItems: true,
});
export const Requester = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ format: "email", maxLength: 254 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  strict,
);

export const Ticket = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  organizationId: Type.String(),
  requesterId: nullable(Type.String()),
  requester: Type.Object({
    name: Type.String(),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
  }),
  subject: Type.String(),
  description: Type.String(),
  channel: Type.String(),
  type: Type.String(),
  severity: Type.String(),
  tier: Type.String(),
  status: Type.String(),
  assigneeId: nullable(Type.String()),
  team: nullable(Type.String()),
  tags: Type.Array(Type.String()),
  mergedIntoId: nullable(Type.String()),
  firstResponseAt: nullable(Type.String()),
  resolvedAt: nullable(Type.String()),
  closedAt: nullable(Type.String()),
  slaDueAt: Type.Union([Type.String(), Type.Null()], {
    description: "Earliest breach time of the SLA clocks still counting",
  }),
  slaBreached: Type.Boolean({ description: "Whether any SLA clock has breached" }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const Message = Type.Object({
  id: Type.String(),
  ticketId: Type.String(),
  authorId: nullable(Type.String()),
  authorKind: Type.String(),
  authorName: Type.Optional(
    nullable(Type.String({ description: "The author's name (timeline only); null for the system" })),
  ),
  visibility: Type.String(),
  kind: Type.String(),
  body: Type.String({
    description: "The text; a system note is written in the reader's language (Accept-Language, else their preference)",
  }),
  bodyKey: Type.Union([Type.String(), Type.Null()], {
    description:
      "A system note's phrase key (sla.breached, sla.warning, sla.escalation, ticket.escalated, ...), else null",
  }),
  bodyParams: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: "Parameters of bodyKey, for clients that write notes themselves",
  }),
  createdAt: Type.String(),
});

/** Comma-separated enum list in a query string, e.g. `status=new,open`. */
export const csv = (values: readonly string[]) =>
  Type.String({ pattern: `^(${values.join("|")})(,(${values.join("|")}))*$`, maxLength: 200 });

export const Iso = Type.String({ format: "date-time" });

export const LinkKind = literals(
  ["related", "duplicate_of", "duplicated_by", "parent_of", "child_of"] as const,
  "How the link reads from this ticket",
);

export const Link = Type.Object({
  id: Type.String(),
  kind: LinkKind,
  ticketId: Type.String(),
  number: Type.Integer(),
  subject: Type.String(),
  status: Type.String(),
  createdAt: Type.String(),
});

export const Watchers = Type.Object({
  items: Type.Array(Type.Object({ userId: Type.String(), name: Type.String(), email: Type.String() })),
});

export const Attachment = Type.Object({
  id: Type.String(),
  ticketId: Type.String(),
  messageId: nullable(Type.String()),
  filename: Type.String(),
  contentType: Type.String({ description: "Detected from the content, not the name" }),
  size: Type.Integer(),
  sha256: Type.String(),
  uploadedBy: nullable(Type.String()),
  createdAt: Type.String(),
});

export const TicketInput = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.String({ minLength: 1, maxLength: 100_000 }),
    organizationId: Type.Optional(Id),
    requester: Type.Optional(Requester),
    requesterId: Type.Optional({ ...Id, description: "A user of the organization who asked; they watch the ticket" }),
    channel: Type.Optional(literals(channels)),
    type: TicketType,
    severity: Severity,
    tier: Type.Optional(TierSchema),
    assigneeId: Type.Optional(nullable(Id)),
    team: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 60 }))),
    tags: Type.Optional(Tags),
  },
  strict,
);

export const TicketsQuery = Type.Object(
  {
    status: Type.Optional(csv(statuses)),
    severity: Type.Optional(csv(severities)),
    tier: Type.Optional(csv(["L1", "L2", "L3"])),
    team: Type.Optional(Type.String({ maxLength: 60 })),
    assignee: Type.Optional(Id),
    organization: Type.Optional(Id),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    breached: Type.Optional(Type.Boolean({ description: "Only tickets with (or without) a breached SLA clock" })),
    dueBefore: Type.Optional(
      Type.String({
        format: "date-time",
        description: "Only tickets whose next SLA breach is before this instant",
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  strict,
);

export const TicketPage = Type.Object({ items: Type.Array(Ticket), nextCursor: nullable(Type.String()) });

export const TicketPatch = Type.Object(
  {
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    type: Type.Optional(TicketType),
    severity: Type.Optional(Severity),
    tier: Type.Optional(TierSchema),
    status: Type.Optional(Status),
    assigneeId: Type.Optional(nullable(Id)),
    team: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 60 }))),
    tags: Type.Optional(Tags),
  },
  { ...strict, minProperties: 1 },
);

export const MessageInput = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 100_000 }),
    visibility: literals(["public", "internal"] as const),
    kind: Type.Optional(
      literals(["reply", "phone_call"] as const, "phone_call logs an answered call; it counts as a response"),
    ),
    mentions: Type.Optional(
      Type.Array(Type.String({ format: "uuid" }), {
        maxItems: MAX_MENTIONS,
        description: "Staff users the message @mentions; each is notified (staff only)",
      }),
    ),
  },
  strict,
);

export const Timeline = Type.Object({
  messages: Type.Array(Message),
  sla: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Type.String(),
      clock: Type.String(),
      tier: nullable(Type.String()),
      kind: Type.String(),
    }),
    { description: "SLA clock events: started, paused, resumed, fulfilled, warning, breached, escalation" },
  ),
  history: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Type.String(),
      actorId: nullable(Type.String()),
      actorName: Type.Optional(nullable(Type.String({ description: "Who changed it; null for the system" }))),
      field: Type.String(),
      before: nullable(Type.String()),
      after: nullable(Type.String()),
      beforeLabel: Type.Optional(nullable(Type.String({ description: "`before` for people: a name, never an id" }))),
      afterLabel: Type.Optional(nullable(Type.String({ description: "`after` for people: a name, never an id" }))),
    }),
  ),
});

export const SlaExplanation = Type.Object({
  ticketId: Type.String(),
  computedAt: Iso,
  planVersion: Type.Integer({
    description: "Plan version in force when the ticket was opened: its targets apply",
  }),
  calendarVersions: Type.Array(Type.Integer(), {
    description:
      "Plan versions whose calendars the clocks ran on, in order: later calendar changes apply from when they were saved",
  }),
  policy: Type.Object(
    { id: Type.String(), name: Type.String() },
    {
      description:
        "SLA policy in force now: the first of the plan version's policies matching the ticket, or \"default\" (the plan's own targets)",
    },
  ),
  policyHistory: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), from: Iso }), {
    description: "Policies applied, in order, each from when a change of type, severity or tier made it match first",
  }),
  clocks: Type.Array(
    Type.Object({
      kind: literals(["first_response", "next_response", "resolution", "tier_response"] as const),
      tier: nullable(Type.String()),
      calendar: Type.String(),
      calendarName: Type.String(),
      status: literals(["running", "paused", "fulfilled", "breached", "stopped"] as const),
      startedAt: Iso,
      targetAt: Iso,
      breachAt: Iso,
      fulfilledAt: nullable(Iso),
      breachedAt: nullable(Iso),
      stoppedAt: nullable(Iso),
      targetBusinessMinutes: Type.Number(),
      breachBusinessMinutes: Type.Number(),
      elapsedBusinessMinutes: Type.Number(),
      remainingBusinessMinutes: Type.Number(),
      pauses: Type.Array(Type.Object({ from: Iso, to: nullable(Iso), reason: Type.String() })),
    }),
  ),
});

export const LinkList = Type.Object({ items: Type.Array(Link) });

export const LinkInput = Type.Object({ ticketId: Id, kind: LinkKind }, strict);

export const LinkParams = Type.Object({ id: Id, linkId: Id }, strict);

export const WatchInput = Type.Object({ userId: Type.Optional(Id) }, strict);

export const WatcherParams = Type.Object({ id: Id, userId: Id }, strict);

export const MergeInput = Type.Object({ intoTicketId: Id }, strict);

export const AttachmentList = Type.Object({ items: Type.Array(Attachment) });

export const AttachmentParams = Type.Object({ id: Id, attachmentId: Id }, strict);

export const EscalateInput = Type.Object(
  { tier: TierSchema, reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  strict,
);

/** An attachment as base64 in JSON, at most `maxBytes` once decoded. */
export const AttachmentInput = (maxBytes: number) =>
  Type.Object(
    {
      filename: Type.String({ minLength: 1, maxLength: 255 }),
      data: Type.String({
        minLength: 1,
        pattern: "^[A-Za-z0-9+/]*={0,2}$",
        contentEncoding: "base64",
        description: `At most ${maxBytes} bytes once decoded`,
      }),
      messageId: Type.Optional(Id),
    },
    strict,
  );
