import { Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { changeKinds, outcomes, validations } from "./changes.js";
import { componentStatuses } from "./core.js";
import { windowModes } from "./maintenance.js";

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Ids = (description: string, max = 200) => Type.Array(Id, { maxItems: max, uniqueItems: true, description });
const Status = literals(componentStatuses, "operational, degraded, partial_outage, major_outage or maintenance");

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
export const IdParams = Type.Object({ id: Id }, strict);

export const ComponentInput = Type.Object(
  {
    name: Name,
    group: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    monitorIds: Type.Optional(Ids("Monitors whose states make the component's status")),
    organizationIds: Type.Optional(
      Ids("Customer organizations that use it: their private page shows it; none means every customer (public)"),
    ),
  },
  strict,
);
export const ComponentPatch = Type.Partial(ComponentInput, strict);
export const OverrideInput = Type.Object(
  {
    status: Status,
    until: Instant,
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  strict,
);
export const Component = Type.Object({
  id: Id,
  name: Type.String(),
  group: nullable(Type.String()),
  position: Type.Integer(),
  monitorIds: Type.Array(Type.String()),
  organizationIds: Type.Array(Type.String()),
  override: nullable(Type.Object({ status: Status, until: Instant, reason: nullable(Type.String()) })),
  createdAt: Instant,
  updatedAt: Instant,
});
export const ComponentWithStatus = Type.Intersect([
  Component,
  Type.Object({
    status: Status,
    source: Type.String({ description: "override, incident, maintenance, monitors or none" }),
  }),
]);

export const WindowInput = Type.Object(
  {
    title: Name,
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    startsAt: Instant,
    endsAt: Instant,
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "IANA zone of the recurrence; the plan's by default" }),
    ),
    rrule: Type.Optional(
      nullable(
        Type.String({
          minLength: 1,
          maxLength: 500,
          description:
            "RFC 5545 RRULE (FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, COUNT, UNTIL), e.g. FREQ=WEEKLY;BYDAY=SU",
        }),
      ),
    ),
    componentIds: Type.Array(Id, { minItems: 1, maxItems: 200, uniqueItems: true }),
    mode: Type.Optional(
      literals(
        windowModes,
        "mute: monitors MAINTENANCE and alerts silenced, checks go on; skip: as mute, and the monitors' checks are not run; show: on the status page only, nothing muted",
      ),
    ),
  },
  strict,
);
export const WindowPatch = Type.Partial(WindowInput, strict);
const Warning = Type.Object({ code: Type.String(), message: Type.String() });
export const Window = Type.Object({
  id: Id,
  title: Type.String(),
  description: Type.String(),
  startsAt: Instant,
  endsAt: Instant,
  timezone: Type.String(),
  rrule: nullable(Type.String()),
  componentIds: Type.Array(Type.String()),
  mode: literals(windowModes),
  state: literals(["scheduled", "in_progress", "completed", "cancelled"] as const),
  occurrence: nullable(Type.Object({ startsAt: Instant, endsAt: Instant })),
  warnings: Type.Array(Warning),
  announcedInTime: Type.Boolean({
    description:
      "The first occurrence was announced with the plan's notice (no short-notice warning), so its time is left out of uptime; a later occurrence is judged by its own notice",
  }),
  announcedAt: Instant,
  createdAt: Instant,
  updatedAt: Instant,
});
export const OccurrencesQuery = Type.Object({ from: Instant, to: Instant }, strict);
export const Occurrence = Type.Object({ windowId: Id, title: Type.String(), startsAt: Instant, endsAt: Instant });

export const SubscriptionInput = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 254 }),
    componentIds: Type.Array(Id, { minItems: 1, maxItems: 200, uniqueItems: true }),
    locale: Type.Optional(literals(["pt-BR", "en"] as const)),
  },
  strict,
);
export const TokenInput = Type.Object({ token: Type.String({ minLength: 8, maxLength: 200 }) }, strict);
export const Subscription = Type.Object({
  id: Id,
  email: Type.String(),
  componentIds: Type.Array(Type.String()),
  locale: Type.String(),
  status: Type.String({ description: "pending, confirmed or unsubscribed" }),
  confirmedAt: nullable(Instant),
  unsubscribedAt: nullable(Instant),
  createdAt: Instant,
});

export const ChangeInput = Type.Object(
  {
    title: Name,
    kind: literals(changeKinds),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    validation: Type.Optional(literals(validations, "Staging validation")),
    validatedAt: Type.Optional(nullable(Instant)),
    windowId: Type.Optional(nullable(Id)),
    appliedAt: Type.Optional(nullable(Instant)),
    outcome: Type.Optional(literals(outcomes)),
    outsideWindowReason: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
  },
  strict,
);
export const ChangePatch = Type.Partial(ChangeInput, strict);
export const Change = Type.Object({
  id: Id,
  title: Type.String(),
  kind: literals(changeKinds),
  description: Type.String(),
  validation: literals(validations),
  validatedAt: nullable(Instant),
  windowId: nullable(Type.String()),
  appliedAt: nullable(Instant),
  outcome: literals(outcomes),
  outsideWindowReason: nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});

const Update = Type.Object({
  status: literals(["investigating", "identified", "monitoring", "resolved"] as const),
  body: Type.String(),
  at: Instant,
});
const Incident = Type.Object({
  id: Type.String(),
  title: Type.String(),
  severity: Type.String(),
  componentIds: Type.Array(Type.String()),
  startedAt: Instant,
  resolvedAt: nullable(Instant),
  updates: Type.Array(Update),
});
export const StatusView = Type.Object({
  generatedAt: Instant,
  timezone: Type.String(),
  status: Status,
  components: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      group: nullable(Type.String()),
      status: Status,
      uptime: nullable(Type.Number()),
      bars: Type.Array(Type.Object({ date: Type.String(), uptime: nullable(Type.Number()), level: Type.String() })),
    }),
  ),
  incidents: Type.Array(Incident),
  maintenance: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      description: Type.String(),
      state: Type.String(),
      startsAt: Instant,
      endsAt: Instant,
      componentIds: Type.Array(Type.String()),
    }),
  ),
  history: Type.Array(Incident),
});
export const LangQuery = Type.Object(
  { lang: Type.Optional(Type.String({ maxLength: 20 })) },
  { additionalProperties: true },
);
export const TokenQuery = Type.Object(
  { token: Type.Optional(Type.String({ maxLength: 200 })), lang: Type.Optional(Type.String({ maxLength: 20 })) },
  { additionalProperties: true },
);
