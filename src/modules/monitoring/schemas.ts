import { Type } from "typebox";
import { Id, Instant, nullable, strict } from "../../platform/http/schemas.js";
import { statuses } from "./state-machine.js";

const StatusSchema = Type.Unsafe<(typeof statuses)[number]>({
  type: "string",
  enum: [...statuses],
  description:
    "UP; DEGRADED (answers, but outside what the monitor accepts as healthy); PENDING (failing, retries not used up); DOWN; MAINTENANCE (paused, or every member of a group in maintenance); UNREACHABLE (failing while its parent is down)",
});

/** Settings of the engine-derived types, which have no probe. */
export const HeartbeatSettings = Type.Object(
  {
    graceSeconds: Type.Integer({
      minimum: 0,
      maximum: 3600,
      default: 5,
      description: "Seconds a push may be late before the silence counts as a failure",
    }),
  },
  strict,
);
export const GroupSettings = Type.Object({}, strict);

const Name = Type.String({ minLength: 1, maxLength: 200, description: "Label shown on the dashboard" });
const MonitorType = Type.String({
  minLength: 1,
  maxLength: 40,
  description:
    "`http`, `tcp`, `dns`, `icmp`, `sip-options`, `sip-register`, `postgres`, `mysql` (probed), `heartbeat` (pushed) or `group` (derived from its members)",
});
const Target = Type.String({
  maxLength: 2000,
  description:
    "What the probe looks at: URL, host:port, hostname, or SIP URI such as `sip:probe@127.0.0.1:5070;transport=udp`; empty for heartbeat and group",
});
const IntervalSeconds = Type.Integer({
  minimum: 5,
  maximum: 86_400,
  description: "Seconds between checks (for a heartbeat: the expected time between pushes)",
});
const TimeoutSeconds = Type.Integer({ minimum: 1, maximum: 300, description: "At most intervalSeconds" });
const Retries = Type.Integer({
  minimum: 0,
  maximum: 20,
  description: "Failed checks tolerated as PENDING before DOWN",
});
const FailureThreshold = Type.Integer({
  minimum: 1,
  maximum: 100,
  description: "Consecutive degraded (or failed) checks before an UP monitor becomes DEGRADED",
});
const SuccessThreshold = Type.Integer({
  minimum: 1,
  maximum: 100,
  description: "Consecutive good checks before a DOWN or DEGRADED monitor recovers",
});
const Severity = Type.Union(
  [Type.Literal("critical"), Type.Literal("high"), Type.Literal("medium"), Type.Literal("low")],
  { description: "The severity the monitor's DOWN alert fires with (the plan's levels)" },
);
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description: "Type-specific settings, validated by the type's own schema (errors point under /settings)",
});
const OptionalId = (description: string) => nullable(Type.String({ format: "uuid", description }));

export const MonitorInput = Type.Object(
  {
    name: Name,
    type: MonitorType,
    target: Type.Optional(Target),
    intervalSeconds: Type.Optional({ ...IntervalSeconds, default: 60 }),
    timeoutSeconds: Type.Optional({ ...TimeoutSeconds, default: 10 }),
    retries: Type.Optional({ ...Retries, default: 0 }),
    failureThreshold: Type.Optional({ ...FailureThreshold, default: 1 }),
    successThreshold: Type.Optional({ ...SuccessThreshold, default: 1 }),
    severity: Type.Optional({ ...Severity, default: "critical" }),
    settings: Type.Optional(Settings),
    parentId: Type.Optional(OptionalId("Monitor this one depends on (e.g. the PBX host of a trunk)")),
    groupId: Type.Optional(OptionalId("Group monitor this one belongs to")),
    organizationId: Type.Optional(OptionalId("Customer organization the monitored service belongs to")),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  strict,
);

export const MonitorPatch = Type.Object(
  {
    name: Type.Optional(Name),
    type: Type.Optional(MonitorType),
    target: Type.Optional(Target),
    intervalSeconds: Type.Optional(IntervalSeconds),
    timeoutSeconds: Type.Optional(TimeoutSeconds),
    retries: Type.Optional(Retries),
    failureThreshold: Type.Optional(FailureThreshold),
    successThreshold: Type.Optional(SuccessThreshold),
    severity: Type.Optional(Severity),
    settings: Type.Optional(Settings),
    parentId: Type.Optional(OptionalId("Monitor this one depends on; null for none")),
    groupId: Type.Optional(OptionalId("Group monitor this one belongs to; null for none")),
    organizationId: Type.Optional(OptionalId("Customer organization; null for the provider's own")),
  },
  { ...strict, minProperties: 1 },
);

export const State = Type.Object({
  status: StatusSchema,
  reason: nullable(Type.String({ description: "Stable reason id, e.g. `timeout`, `parent_down`, `no_push`" })),
  message: nullable(Type.String()),
  since: Instant,
  flapping: Type.Boolean({ description: "The recent checks change status too often" }),
  lastCheckAt: nullable({
    ...Instant,
    description:
      "When the last check started (for a heartbeat: the last push). Stored once a minute: up to about 65 s old when read from a node that does not run the monitor",
  }),
  lastLatencyMs: nullable(
    Type.Number({ description: "Latency of that check in milliseconds; null when nothing answered" }),
  ),
});

const monitorFields = {
  id: Id,
  name: Type.String(),
  type: Type.String(),
  target: Type.String(),
  intervalSeconds: Type.Integer(),
  timeoutSeconds: Type.Integer(),
  retries: Type.Integer(),
  failureThreshold: Type.Integer(),
  successThreshold: Type.Integer(),
  severity: Severity,
  settings: Type.Record(Type.String(), Type.Unknown()),
  parentId: nullable(Type.String()),
  groupId: nullable(Type.String()),
  organizationId: nullable(Type.String()),
  enabled: Type.Boolean(),
  state: nullable(State),
  createdAt: Instant,
  updatedAt: Instant,
};

export const Monitor = Type.Object(monitorFields);

export const MonitorWithToken = Type.Object({
  ...monitorFields,
  pushToken: Type.Optional(
    Type.String({
      description:
        "Heartbeats only: the push token, shown only in this answer (at creation and rotation); push to /api/v1/push/{token}",
    }),
  ),
});

export const PushToken = Type.Object({
  pushToken: Type.String({ description: "The new push token, shown only in this answer" }),
  pushPath: Type.String({ description: "Path to POST to" }),
});

export const MonitorListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: "nextCursor of the previous page" })),
    type: Type.Optional(MonitorType),
    status: Type.Optional(StatusSchema),
    groupId: Type.Optional(Id),
    parentId: Type.Optional(Id),
    organizationId: Type.Optional(Id),
    enabled: Type.Optional(Type.Boolean()),
  },
  strict,
);

export const MonitorPage = Type.Object({ items: Type.Array(Monitor), nextCursor: nullable(Type.String()) });

export const MonitorParams = Type.Object({ id: Id }, strict);

export const WindowQuery = Type.Object(
  {
    from: Type.Optional({ ...Instant, description: "Start of the window; default 24 hours before `to`" }),
    to: Type.Optional({ ...Instant, description: "End of the window; default now" }),
  },
  strict,
);

export const UptimesQuery = Type.Object(
  {
    ids: Type.Array(Id, { minItems: 1, maxItems: 200, description: "Monitors to report on (`ids=…&ids=…`)" }),
    from: Type.Optional({ ...Instant, description: "Start of the window; default 24 hours before `to`" }),
    to: Type.Optional({ ...Instant, description: "End of the window; default now" }),
  },
  strict,
);

export const OverviewQuery = Type.Object(
  {
    ids: Type.Array(Id, {
      minItems: 1,
      maxItems: 200,
      description: "Monitors to report on (`ids=…&ids=…`), at most 200: a page of dashboard cards",
    }),
  },
  strict,
);

export const Overview = Type.Object({
  at: { ...Instant, description: "Now, as the server saw it: the uptime windows end here" },
  minutesFrom: { ...Instant, description: "Start of the minute series: the whole minute an hour before `at`" },
  items: Type.Array(
    Type.Object({
      monitorId: Id,
      uptime24h: nullable(Type.Number({ description: "Uptime over the 24 hours before `at`, 0 to 1, as /uptime" })),
      uptime7d: nullable(Type.Number({ description: "Over the 7 days before `at`" })),
      uptime30d: nullable(Type.Number({ description: "Over the 30 days before `at`" })),
      lastCheckAt: nullable({ ...Instant, description: "As the monitor's state.lastCheckAt" }),
      lastLatencyMs: nullable(Type.Number({ description: "As the monitor's state.lastLatencyMs" })),
      minutes: Type.Array(
        Type.Object({
          at: Instant,
          latencyAvg: nullable(Type.Number()),
          failures: Type.Integer(),
        }),
        { description: "The stored minutes from `minutesFrom` on (the current minute is stored when it ends)" },
      ),
    }),
    { description: "In the order asked; unknown monitors are left out" },
  ),
});

export const SeriesQuery = Type.Object(
  {
    from: Type.Optional({ ...Instant, description: "Start of the window; default 24 hours before `to`" }),
    to: Type.Optional({ ...Instant, description: "End of the window; default now" }),
    step: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 31_536_000,
        description:
          "Seconds per point (at least 60; at most 2000 points a window); picks the minute, hour or day table. Default: about 300 points",
      }),
    ),
  },
  strict,
);

const secondsByStatus = Type.Object(
  Object.fromEntries([...statuses, "NONE"].map((s) => [s, Type.Number()])) as Record<
    (typeof statuses)[number] | "NONE",
    ReturnType<typeof Type.Number>
  >,
  { description: "Seconds spent in each status inside the window; NONE is time without data" },
);

export const Uptime = Type.Object({
  monitorId: Id,
  from: Instant,
  to: Instant,
  uptime: nullable(
    Type.Number({
      description:
        "Time-weighted: (UP + DEGRADED) / (UP + DEGRADED + DOWN + PENDING), 0 to 1; maintenance, unreachable and no-data time left out; null when nothing counted",
    }),
  ),
  seconds: secondsByStatus,
  upSeconds: Type.Number(),
  downSeconds: Type.Number(),
  excludedSeconds: Type.Number(),
  outages: Type.Integer({ description: "DOWN intervals that began in the window" }),
});

export const UptimeList = Type.Object({
  items: Type.Array(Uptime, { description: "In the order asked; unknown monitors are left out" }),
});

const Latency = nullable(Type.Number());
export const Series = Type.Object({
  monitorId: Id,
  from: Instant,
  to: Instant,
  step: Type.Integer(),
  resolution: Type.Unsafe<"minute" | "hour" | "day">({ type: "string", enum: ["minute", "hour", "day"] }),
  points: Type.Array(
    Type.Object({
      at: Instant,
      checks: Type.Integer(),
      failures: Type.Integer(),
      latencyMin: Latency,
      latencyAvg: Latency,
      latencyMax: Latency,
      latencyP95: Latency,
    }),
  ),
});

export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: "nextCursor of the previous page" })),
    from: Type.Optional({ ...Instant, description: "Only intervals still open at or ending after this instant" }),
    to: Type.Optional({ ...Instant, description: "Only intervals that started before this instant" }),
  },
  strict,
);

export const HistoryPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Id,
      status: StatusSchema,
      reason: nullable(Type.String()),
      message: nullable(Type.String()),
      startedAt: Instant,
      endedAt: nullable(Instant),
    }),
  ),
  nextCursor: nullable(Type.String()),
});

export const PushParams = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200, description: "The heartbeat's push token" }) },
  strict,
);

export const PushQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Unsafe<"up" | "down">({
        type: "string",
        enum: ["up", "down"],
        default: "up",
        description: "As Uptime Kuma's push",
      }),
    ),
    msg: Type.Optional(Type.String({ maxLength: 500, description: "Message kept with the push" })),
    ping: Type.Optional(Type.Number({ minimum: 0, maximum: 3_600_000, description: "Latency to record, in ms" })),
  },
  strict,
);

export const PushAnswer = Type.Object({ ok: Type.Boolean() });

export const ClusterNodes = Type.Object({
  leaseMs: Type.Integer({ description: "Shard lease of this node (PLANTAO_MONITOR_LEASE_MS)" }),
  nodes: Type.Array(
    Type.Object({
      nodeId: Type.String({ description: "PLANTAO_NODE_ID of the node" }),
      startedAt: nullable(Type.String({ format: "date-time", description: "When its monitoring started" })),
      lastHeartbeat: Type.String({ format: "date-time" }),
      alive: Type.Boolean({ description: "Heard from within one lease" }),
      shards: Type.Array(Type.Integer(), { description: "Shards whose lease it holds" }),
      monitors: Type.Integer({ description: "Monitors in those shards" }),
    }),
  ),
  shards: Type.Array(
    Type.Object({
      shard: Type.Integer(),
      owner: nullable(Type.String()),
      leaseUntil: nullable(Type.String({ format: "date-time" })),
      checkedThrough: nullable(
        Type.String({ format: "date-time", description: "Every check due up to this instant was started" }),
      ),
    }),
  ),
});
