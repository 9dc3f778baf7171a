import { Type } from "typebox";
import { Id, literals, nullable, strict } from "../../platform/http/schemas.js";
import { TierSchema } from "../identity/schemas.js";
import { bulkActions } from "./bulk-service.js";
import { channels, severities, statuses, ticketTypes } from "./model.js";
import { queueNames, queueSorts } from "./queue-repository.js";
import { csv, Severity, Status, Tags } from "./schemas.js";

const Queue = literals(
  queueNames,
  "Queue: open (all open), mine, team (the reader's teams), unassigned, breaching (next breach within 1 h), breached, watched, all (any status)",
);
const Sort = literals(queueSorts, "urgency: next SLA breach first; newest: newest first");
const Team = Type.String({ minLength: 1, maxLength: 60 });
const Search = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    "Words in the subject, description or any message (notes for staff); a number alone (`3`, `#3`) is that ticket",
});

export const QueueQuery = Type.Object(
  {
    queue: Type.Optional(Queue),
    sort: Type.Optional(Sort),
    status: Type.Optional(csv(statuses)),
    severity: Type.Optional(csv(severities)),
    tier: Type.Optional(csv(["L1", "L2", "L3"])),
    team: Type.Optional(Type.String({ maxLength: 60 })),
    organization: Type.Optional(Id),
    assignee: Type.Optional(Id),
    q: Type.Optional(Search),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const QueueItem = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  subject: Type.String(),
  organizationId: Type.String(),
  organizationName: Type.String(),
  requesterName: Type.String(),
  assigneeId: nullable(Type.String()),
  assigneeName: nullable(Type.String()),
  status: Type.String(),
  severity: Type.String(),
  tier: Type.String(),
  team: nullable(Type.String()),
  type: Type.String(),
  channel: Type.String(),
  slaDueAt: nullable(Type.String({ description: "Next breach of the SLA clocks still counting" })),
  slaBreached: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const QueuePage = Type.Object({
  items: Type.Array(QueueItem),
  nextCursor: nullable(Type.String()),
  jumpTo: nullable(
    Type.String({
      description: "When `q` is a ticket number (`3`, `#3`) the reader can see: that ticket's id, whatever the queue",
    }),
  ),
});

const counts = Type.Object(
  Object.fromEntries(queueNames.map((q) => [q, Type.Integer()])) as Record<
    (typeof queueNames)[number],
    ReturnType<typeof Type.Integer>
  >,
);

export const QueueCounts = Type.Object({
  queues: counts,
  tiers: Type.Array(Type.Object({ tier: Type.String(), count: Type.Integer() })),
  organizations: Type.Array(
    Type.Object({ organizationId: Type.String(), name: Type.String(), count: Type.Integer() }),
    {
      description: "The 50 organizations with the most open tickets",
    },
  ),
});

const Bucket = {
  total: Type.Integer(),
  severity: Type.Record(Type.String(), Type.Integer()),
  sla: Type.Object({ breached: Type.Integer(), breaching: Type.Integer(), ok: Type.Integer() }),
};

export const Workload = Type.Object({
  agents: Type.Array(Type.Object({ userId: nullable(Type.String()), name: nullable(Type.String()), ...Bucket }), {
    description: "Open tickets per assignee (userId null: unassigned)",
  }),
  teams: Type.Array(Type.Object({ team: nullable(Type.String()), ...Bucket })),
  today: Type.Object({
    fulfilled: Type.Integer(),
    breached: Type.Integer(),
    compliance: nullable(Type.Number({ description: "Share of SLA clocks decided today that were met" })),
  }),
});

export const ViewFilters = Type.Object(
  {
    queue: Type.Optional(Queue),
    status: Type.Optional(Type.Array(Status, { maxItems: 10, uniqueItems: true })),
    severity: Type.Optional(Type.Array(Severity, { maxItems: 10, uniqueItems: true })),
    tier: Type.Optional(Type.Array(TierSchema, { maxItems: 3, uniqueItems: true })),
    team: Type.Optional(Team),
    organization: Type.Optional(Id),
    assignee: Type.Optional(Id),
    q: Type.Optional(Search),
  },
  strict,
);

export const ViewInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    shared: Type.Boolean({ description: "Shared with the owner's organization (staff: all staff)" }),
    filters: ViewFilters,
    sort: Sort,
  },
  strict,
);

export const ViewPatch = Type.Partial(ViewInput, { ...strict, minProperties: 1 });

export const View = Type.Object({
  id: Type.String(),
  name: Type.String(),
  ownerId: Type.String(),
  shared: Type.Boolean(),
  filters: ViewFilters,
  sort: Sort,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ViewList = Type.Object({ items: Type.Array(View) });

export const BulkInput = Type.Object(
  {
    ticketIds: Type.Array(Id, { minItems: 1, maxItems: 5000, uniqueItems: true }),
    action: literals(bulkActions),
    assigneeId: Type.Optional(nullable(Id)),
    status: Type.Optional(Status),
    severity: Type.Optional(Severity),
    tier: Type.Optional(TierSchema),
    team: Type.Optional(nullable(Team)),
    addTags: Type.Optional(Tags),
    removeTags: Type.Optional(Tags),
    intoTicketId: Type.Optional(Id),
  },
  { ...strict, description: "One action over many tickets; the field the action names is required" },
);

export const BulkResult = Type.Object({
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(
    Type.Object({
      ticketId: Type.String(),
      ok: Type.Boolean(),
      status: Type.Optional(Type.Integer()),
      type: Type.Optional(Type.String()),
      detail: Type.Optional(Type.String()),
    }),
  ),
});

const RoutingConditions = Type.Object(
  {
    types: Type.Optional(Type.Array(literals(ticketTypes), { minItems: 1, maxItems: 50, uniqueItems: true })),
    severities: Type.Optional(Type.Array(Severity, { minItems: 1, maxItems: 4, uniqueItems: true })),
    organizationIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true })),
    channels: Type.Optional(Type.Array(literals(channels), { minItems: 1, maxItems: 10, uniqueItems: true })),
  },
  { ...strict, description: "Every condition given must hold; none matches every ticket" },
);

export const RoutingRuleInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    conditions: RoutingConditions,
    tier: nullable(TierSchema),
    team: nullable(Team),
    assigneeId: nullable(Id),
    calendar: nullable(
      Type.String({ minLength: 1, maxLength: 60, description: "A plan calendar for the tier clocks" }),
    ),
  },
  strict,
);

export const RoutingRule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  conditions: RoutingConditions,
  tier: nullable(Type.String()),
  team: nullable(Type.String()),
  assigneeId: nullable(Type.String()),
  calendar: nullable(Type.String()),
});

export const RoutingRules = Type.Object({ items: Type.Array(RoutingRule) });
export const RoutingRulesInput = Type.Object(
  { items: Type.Array(RoutingRuleInput, { maxItems: 200 }) },
  {
    ...strict,
    description: "Every rule, in order: each value of a new ticket comes from the first matching rule setting it",
  },
);
