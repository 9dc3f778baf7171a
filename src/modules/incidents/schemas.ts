import { Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { groupings } from "./figures.js";
import { allStages, kinds, severities } from "./stages.js";

export const Severity = literals(severities);
export const Kind = literals(kinds);
const Title = Type.String({ minLength: 1, maxLength: 200 });
const Text = (max = 20_000) => Type.String({ maxLength: max });
const Ref = Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9._:-]+$" });
const Refs = Type.Array(Ref, { maxItems: 100, uniqueItems: true });

export const IdParams = Type.Object({ id: Id }, strict);
export const TicketParams = Type.Object({ id: Id, ticketId: Id }, strict);
export const ItemParams = Type.Object({ id: Id, itemId: Id }, strict);
export const EvidenceParams = Type.Object({ id: Id, evidenceId: Id }, strict);
export const AccountParams = Type.Object({ id: Id, accountId: Id }, strict);

const Clock = Type.Object({
  kind: literals(["response", "resolution"] as const),
  calendar: Type.String(),
  status: literals(["running", "fulfilled", "breached"] as const),
  startedAt: Instant,
  targetAt: nullable(Instant),
  breachAt: nullable(Instant),
  fulfilledAt: nullable(Instant),
  breachedAt: nullable(Instant),
  targetMinutes: nullable(Type.Number()),
  elapsedMinutes: Type.Number(),
  remainingMinutes: nullable(Type.Number()),
});

const detailProps = {
  impact: Type.Optional(Text()),
  diagnosis: Type.Optional(Text()),
  fix: Type.Optional(Text()),
  evidence: Type.Optional(Text()),
  rootCause: Type.Optional(Text()),
  containment: Type.Optional(Text()),
  eradication: Type.Optional(Text()),
  preventiveMeasures: Type.Optional(Text()),
};

export const Incident = Type.Object({
  id: Id,
  kind: Kind,
  title: Type.String(),
  description: Type.String(),
  severity: Type.String(),
  stage: Type.String(),
  status: literals(["open", "resolved", "closed"] as const),
  source: Type.String({ description: "manual, ticket or alert" }),
  sourceRef: nullable(Type.String()),
  alertGroupKey: nullable(Type.String()),
  service: nullable(Type.String({ description: "The service it is about: the opening alert's `service` label" })),
  details: Type.Object(detailProps),
  componentIds: Type.Array(Type.String()),
  organizationIds: Type.Array(Type.String()),
  acknowledgedAt: nullable(Instant),
  acknowledgedBy: nullable(Type.String()),
  resolvedAt: nullable(Instant),
  closedAt: nullable(Instant),
  clocks: Type.Array(Clock, {
    description: "The severity's response and resolution clocks on 24x7 time, shaped like a ticket's SLA clocks",
  }),
  createdBy: nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});

export const IncidentDetail = Type.Intersect([
  Incident,
  Type.Object({
    stages: Type.Array(Type.String(), { description: "The stages of its process, in order" }),
    history: Type.Array(
      Type.Object({
        stage: Type.String(),
        enteredAt: Instant,
        byUserId: nullable(Type.String()),
        fields: Type.Record(Type.String(), Type.String()),
        reason: nullable(Type.String()),
      }),
    ),
    tickets: Type.Array(Type.Object({ ticketId: Type.String(), linkedAt: Instant, resolvedAt: nullable(Instant) })),
    alerts: Type.Array(
      Type.Object({
        alertId: Type.String(),
        fingerprint: Type.String(),
        ruleName: Type.String(),
        severity: Type.String(),
        startsAt: Instant,
        endsAt: nullable(Instant),
      }),
    ),
  }),
]);

export const IncidentPage = Type.Object({ items: Type.Array(Incident), nextCursor: nullable(Type.String()) });

export const IncidentInput = Type.Object(
  {
    title: Title,
    severity: Severity,
    kind: Type.Optional(Kind),
    description: Type.Optional(Text()),
    componentIds: Type.Optional(Refs),
    organizationIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true })),
    ticketIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true })),
    service: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "The service it is about (as alerts' `service` label names it); figures group by it",
      }),
    ),
  },
  strict,
);

export const IncidentPatch = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Text()),
    componentIds: Type.Optional(Refs),
    organizationIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true })),
  },
  { ...strict, minProperties: 1 },
);

export const IncidentsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(Kind),
    stage: Type.Optional(Type.Array(literals(allStages), { maxItems: 12 })),
    severity: Type.Optional(Type.Array(Severity, { maxItems: 4 })),
    open: Type.Optional(Type.Boolean()),
  },
  strict,
);

export const StageInput = Type.Object(
  {
    stage: literals(allStages, "The stage to enter: the next one, or an earlier one with a reason"),
    severity: Type.Optional(Severity),
    reason: Type.Optional(Text(2000)),
    publicUpdate: Type.Optional(Text()),
    ...detailProps,
  },
  strict,
);

export const PromoteInput = Type.Object(
  { title: Type.Optional(Title), severity: Type.Optional(Severity), componentIds: Type.Optional(Refs) },
  strict,
);

export const Update = Type.Object({
  id: Id,
  incidentId: Id,
  visibility: Type.String(),
  kind: Type.String(),
  body: Type.String(),
  authorId: nullable(Type.String()),
  createdAt: Instant,
});
export const UpdateInput = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 20_000 }), visibility: literals(["public", "internal"] as const) },
  strict,
);
export const UpdatesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    visibility: Type.Optional(literals(["public", "internal"] as const)),
  },
  strict,
);
export const UpdatePage = Type.Object({ items: Type.Array(Update), nextCursor: nullable(Type.String()) });

export const TicketLinkInput = Type.Object({ ticketId: Id }, strict);
export const TicketLinks = Type.Object({
  items: Type.Array(Type.Object({ ticketId: Type.String(), linkedAt: Instant, resolvedAt: nullable(Instant) })),
});

const ActionItem = Type.Object({
  id: Id,
  title: Type.String(),
  ownerId: nullable(Type.String()),
  dueAt: nullable(Instant),
  doneAt: nullable(Instant),
  ticketId: nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});

export { ActionItem };
export const Postmortem = Type.Object({
  summary: Type.String(),
  impact: Type.String(),
  timeline: Type.String(),
  rootCause: Type.String(),
  wentWell: Type.String(),
  wentBadly: Type.String(),
  updatedBy: nullable(Type.String()),
  updatedAt: nullable(Instant),
  actionItems: Type.Array(ActionItem),
});
export const PostmortemInput = Type.Object(
  {
    summary: Text(),
    impact: Text(),
    timeline: Text(),
    rootCause: Text(),
    wentWell: Text(),
    wentBadly: Text(),
  },
  strict,
);
export const ActionItemInput = Type.Object(
  { title: Title, ownerId: Type.Optional(nullable(Id)), dueAt: Type.Optional(nullable(Instant)) },
  strict,
);
export const ActionItemPatch = Type.Object(
  {
    title: Type.Optional(Title),
    ownerId: Type.Optional(nullable(Id)),
    dueAt: Type.Optional(nullable(Instant)),
    done: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);

export const EvidenceInput = (maxBytes: number) =>
  Type.Object(
    {
      filename: Type.String({ minLength: 1, maxLength: 255 }),
      data: Type.String({
        minLength: 1,
        pattern: "^[A-Za-z0-9+/]*={0,2}$",
        contentEncoding: "base64",
        description: `At most ${maxBytes} bytes once decoded`,
      }),
      description: Type.Optional(Text(2000)),
    },
    strict,
  );
export const Evidence = Type.Object({
  id: Id,
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String({ description: "SHA-256 of the content, hex" }),
  description: Type.String(),
  uploadedBy: nullable(Type.String()),
  createdAt: Instant,
});
export const Account = Type.Object({
  id: Id,
  kind: Type.String({ description: "user or token" }),
  refId: Type.String(),
  note: Type.String(),
  action: nullable(Type.String({ description: "disabled or revoked, once done" })),
  actionAt: nullable(Instant),
  actionBy: nullable(Type.String()),
  linkedAt: Instant,
});
export const AccountInput = Type.Object(
  { kind: literals(["user", "token"] as const), refId: Id, note: Type.Optional(Text(2000)) },
  strict,
);

export const Settings = Type.Object(
  {
    alertSeverity: literals(
      ["critical", "high", "medium", "low", "off"] as const,
      "Alerts this severe or worse open incidents",
    ),
    pageSeverities: Type.Array(Severity, {
      maxItems: 4,
      uniqueItems: true,
      description: "Severities that page the on-call",
    }),
  },
  strict,
);

export const ReportQuery = Type.Object(
  { from: Instant, to: Instant, groupBy: Type.Optional(literals(groupings)) },
  strict,
);
export const Report = Type.Object({
  from: Instant,
  to: Instant,
  groupBy: Type.String(),
  total: Type.Integer(),
  groups: Type.Array(
    Type.Object({
      key: Type.String(),
      count: Type.Integer(),
      bySeverity: Type.Record(Type.String(), Type.Integer()),
      mttaMinutes: nullable(Type.Number()),
      mttrMinutes: nullable(Type.Number()),
      mtbfHours: nullable(Type.Number()),
      downtimeMinutes: Type.Number(),
    }),
  ),
  stages: Type.Array(Type.Object({ stage: Type.String(), count: Type.Integer(), averageMinutes: Type.Number() })),
});
