import { type Static, Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { flavours } from "../notifications/chat.js";

const Name = Type.String({ minLength: 1, maxLength: 120, description: "Display name" });
const TimeOfDay = Type.String({ pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", description: "Local time HH:MM" });
const LocalDate = Type.String({
  pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
  description: "Local date YYYY-MM-DD",
});
const Zone = Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone, e.g. America/Sao_Paulo" });
const Team = Type.String({ minLength: 1, maxLength: 60, description: "A team: a name in users' `teams`" });
const CalendarRef = Type.String({
  pattern: "^[a-z0-9][a-z0-9_-]{0,39}$",
  description: "Plan calendar whose holidays the layers' `days` follow (default `comercial`)",
});

export const Layer = Type.Object(
  {
    name: Name,
    participants: Type.Array(Id, {
      minItems: 1,
      maxItems: 100,
      description: "Staff user ids, in the order they take the shift",
    }),
    handoff: Type.Object(
      {
        every: literals(["day", "week"] as const, "Hand-off every day, or every week on the weekday of `startsOn`"),
        at: TimeOfDay,
      },
      { ...strict, description: "When the shift passes to the next participant, in the rotation's zone" },
    ),
    startsOn: LocalDate,
    between: Type.Optional(
      nullable(
        Type.Object(
          { from: TimeOfDay, to: TimeOfDay },
          { ...strict, description: "Only between these local times each day; `from` after `to` runs past midnight" },
        ),
      ),
    ),
    days: Type.Optional(
      literals(
        ["all", "holidays", "workdays"] as const,
        "`holidays`: only on holidays of the rotation's calendar (a holiday layer); `workdays`: only on other days",
      ),
    ),
  },
  { ...strict, description: "A layer of a rotation; later layers cover earlier ones where they are active" },
);

export const RotationInput = Type.Object(
  {
    name: Name,
    team: Type.Optional(nullable(Team)),
    timezone: Zone,
    holidayCalendar: Type.Optional(nullable(CalendarRef)),
    layers: Type.Array(Layer, { minItems: 1, maxItems: 10, description: "Layers, lowest first" }),
  },
  strict,
);
export type RotationInput = Static<typeof RotationInput>;

export const RotationPatch = Type.Partial(RotationInput, strict);

const Warning = Type.Object({
  kind: literals(["gap", "overlap"] as const, "`gap`: nobody on call; `overlap`: two overrides disagree"),
  start: Instant,
  end: Instant,
  overrideIds: Type.Optional(Type.Array(Id)),
});

export const Rotation = Type.Object({
  id: Id,
  name: Type.String(),
  team: nullable(Type.String()),
  timezone: Type.String(),
  holidayCalendar: nullable(Type.String()),
  layers: Type.Array(Layer),
  warnings: Type.Array(Warning, { description: "Gaps and overlapping overrides over the next 28 days" }),
  createdAt: Instant,
  updatedAt: Instant,
});

export const RotationList = Type.Object({ items: Type.Array(Rotation), nextCursor: nullable(Type.String()) });
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const IdParams = Type.Object({ id: Id }, strict);
export const OverrideParams = Type.Object({ id: Id, overrideId: Id }, strict);

const Source = Type.Object({
  type: literals(["layer", "override"] as const),
  index: Type.Optional(Type.Integer({ description: "Layer index" })),
  layer: Type.Optional(Type.String({ description: "Layer name" })),
  id: Type.Optional(Id),
});

export const Segment = Type.Object({
  start: Instant,
  end: Instant,
  userId: nullable(Id),
  userName: nullable(Type.String()),
  source: nullable(Source),
});

export const ScheduleQuery = Type.Object(
  {
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
  },
  strict,
);

export const Schedule = Type.Object({
  rotationId: Id,
  from: Instant,
  to: Instant,
  segments: Type.Array(Segment),
  warnings: Type.Array(Warning),
});

export const OverrideInput = Type.Object(
  {
    userId: Id,
    startsAt: Instant,
    endsAt: Instant,
    reason: Type.Optional(nullable(Type.String({ maxLength: 500 }))),
  },
  strict,
);

export const Override = Type.Object({
  id: Id,
  rotationId: Id,
  userId: Id,
  userName: nullable(Type.String()),
  startsAt: Instant,
  endsAt: Instant,
  reason: nullable(Type.String()),
  createdBy: nullable(Type.String()),
  createdAt: Instant,
});
export const OverrideList = Type.Object({ items: Type.Array(Override) });
export const OverridesQuery = Type.Object({ from: Type.Optional(Instant), to: Type.Optional(Instant) }, strict);

export const NowQuery = Type.Object(
  {
    at: Type.Optional(Instant),
    rotationId: Type.Optional(Id),
    team: Type.Optional(Team),
  },
  strict,
);

export const OnCallNow = Type.Object({
  at: Instant,
  items: Type.Array(
    Type.Object({
      rotationId: Id,
      rotationName: Type.String(),
      team: nullable(Type.String()),
      userId: nullable(Id),
      userName: nullable(Type.String()),
      source: nullable(Source),
      since: nullable(Instant),
      until: nullable(Instant),
    }),
  ),
});

// escalation policies --------------------------------------------------------------------------------------

export const targetKinds = [
  "rotation",
  "oncall",
  "user",
  "team",
  "role",
  "tier",
  "emergencyContacts",
  "customers",
  "webhook",
] as const;

export const Target = Type.Object(
  {
    kind: literals(
      targetKinds,
      "rotation: its on-call at the step's instant; oncall: every rotation's; user; team: its staff; role; tier: agents of that tier; emergencyContacts: the provider's contacts; customers: the page's affected customers (first pass only); webhook: a chat webhook",
    ),
    rotationId: Type.Optional(Id),
    userId: Type.Optional(Id),
    team: Type.Optional(Team),
    role: Type.Optional(literals(["admin", "manager", "agent", "noc", "security"] as const)),
    tier: Type.Optional(literals(["L1", "L2", "L3"] as const)),
    webhookId: Type.Optional(Id),
    flavour: Type.Optional(literals(flavours)),
  },
  { ...strict, description: "Who a step tells; the field its kind names is required" },
);
export type Target = Static<typeof Target>;

export const Step = Type.Object(
  {
    targets: Type.Array(Target, { minItems: 1, maxItems: 20 }),
    channels: Type.Optional(
      Type.Array(literals(["email", "in_app"] as const), {
        minItems: 1,
        uniqueItems: true,
        description: "Channels for people (default both); webhooks are their own target",
      }),
    ),
    waitMinutes: Type.Integer({
      minimum: 1,
      maximum: 1440,
      description: "Minutes to wait for the condition to end before the next step",
    }),
    condition: Type.Optional(
      literals(
        ["notAcknowledged", "notResolved"] as const,
        "The step runs while the page is not acknowledged (default), or while it is not resolved",
      ),
    ),
  },
  strict,
);
export type Step = Static<typeof Step>;

export const severities = ["critical", "high", "medium", "low"] as const;

export const PolicyInput = Type.Object(
  {
    name: Name,
    description: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
    defaultFor: Type.Optional(
      nullable(literals(severities, "Severity whose pages follow this policy when none is named")),
    ),
    steps: Type.Array(Step, { minItems: 1, maxItems: 20 }),
    repeat: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 9, default: 0, description: "Passes through the steps after the first" }),
    ),
  },
  strict,
);
export type PolicyInput = Static<typeof PolicyInput>;
export const PolicyPatch = Type.Partial(PolicyInput, strict);

export const Policy = Type.Object({
  id: Id,
  name: Type.String(),
  description: nullable(Type.String()),
  defaultFor: nullable(Type.String()),
  seededAs: nullable(
    Type.Object(
      { severity: Type.String(), waitMinutes: Type.Integer() },
      {
        description:
          "Set while the policy keeps the name and description the plan seeded it with: clients show them in the reader's language",
      },
    ),
  ),
  steps: Type.Array(Step),
  repeat: Type.Integer(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const PolicyList = Type.Object({ items: Type.Array(Policy), nextCursor: nullable(Type.String()) });

// pages ---------------------------------------------------------------------------------------------------

export const pageStatuses = ["triggered", "acknowledged", "resolved"] as const;

export const Page = Type.Object({
  id: Id,
  subject: Type.Object({ type: Type.String(), id: Type.String() }),
  policyId: nullable(Id),
  severity: Type.String(),
  title: Type.String(),
  url: nullable(Type.String()),
  summary: nullable(Type.String()),
  status: literals(pageStatuses),
  step: Type.Integer(),
  round: Type.Integer(),
  steps: Type.Integer({ description: "Number of steps of the policy" }),
  nextEscalationAt: nullable(Instant),
  escalatedAt: nullable(Instant),
  exhaustedAt: nullable(Instant),
  acknowledgedAt: nullable(Instant),
  acknowledgedBy: nullable(Type.Object({ id: Id, name: nullable(Type.String()) })),
  resolvedAt: nullable(Instant),
  createdAt: Instant,
});
export const PageList = Type.Object({ items: Type.Array(Page), nextCursor: nullable(Type.String()) });
export const PagesQuery = Type.Object(
  {
    status: Type.Optional(literals(pageStatuses)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const LinkQuery = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 300, description: "The token of the mailed link" }) },
  strict,
);
export const LinkBody = LinkQuery;
export const LinkPreview = Type.Object({
  page: Type.Object({
    title: Type.String(),
    severity: Type.String(),
    status: literals(pageStatuses),
    acknowledgedAt: nullable(Instant),
    acknowledgedBy: nullable(Type.String()),
  }),
  recipient: nullable(Type.String()),
  expiresAt: Instant,
});
export const AckResult = Type.Object({
  page: Page,
  outcome: literals(["acknowledged"] as const),
});
export const LinkAckResult = Type.Object({
  outcome: literals(["acknowledged"] as const),
  title: Type.String(),
  acknowledgedAt: Instant,
});
