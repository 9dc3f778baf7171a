import { type TSchema, Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { aggregations } from "../metrics/aggregate.js";
import { flavours } from "../notifications/chat.js";
import { alertStates, comparisons, severities } from "./rules.js";

/** HTTP shapes of the alerts module: Plantão's /api/v1 and the Alertmanager-compatible /api/v2. */

const Labels = Type.Record(Type.String(), Type.String());
const Severity = literals(severities, "critical, high, medium or low");
export const ById = Type.Object({ id: Type.String({ maxLength: 100 }) });

export const Matcher = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    value: Type.String({ maxLength: 1000 }),
    isRegex: Type.Optional(Type.Boolean()),
    isEqual: Type.Optional(Type.Boolean({ description: "false negates the match (!=, !~)" })),
  },
  strict,
);
const MatcherInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    value: Type.String({ maxLength: 1000 }),
    isRegex: Type.Optional(Type.Boolean()),
    isEqual: Type.Optional(Type.Boolean()),
  },
  strict,
);
const Matchers = Type.Array(MatcherInput, { maxItems: 50 });

// rules ------------------------------------------------------------------------------------------------------

const Expression = Type.Object(
  {
    metric: Type.String({ maxLength: 200, description: "Metric name, e.g. instance:cpu_usage:percent" }),
    match: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "Exact label matches" })),
    fn: literals(aggregations, "Aggregation over the window"),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    quantile: Type.Optional(Type.Number({ description: "For fn = quantile, 0..1" })),
    by: Type.Optional(
      Type.Array(Type.String({ maxLength: 200 }), {
        maxItems: 20,
        description: "Labels that keep series apart (one alert each)",
      }),
    ),
    op: literals(comparisons),
    threshold: Type.Number(),
    recoveryThreshold: Type.Optional(
      nullable(Type.Number({ description: "Once firing, it recovers only past this value (hysteresis)" })),
    ),
  },
  strict,
);

const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 200, pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$" }),
  kind: literals(["metric", "monitor"] as const, "A metric expression, or a monitor's DOWN state"),
  monitorId: Type.Optional(nullable(Type.String({ description: "Monitor rules: one monitor; null for all" }))),
  expression: Type.Optional(nullable(Expression)),
  forSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  keepFiringForSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  severity: Type.Optional(Severity),
  labels: Type.Optional(Labels),
  annotations: Type.Optional(Labels),
  enabled: Type.Optional(Type.Boolean()),
};
export const RuleInput = Type.Object(ruleFields, strict);
/** A metric rule as it would be created; the name may be left out, so a rule can be previewed before it is named. */
export const PreviewInput = Type.Object({ ...ruleFields, name: Type.Optional(ruleFields.name) }, strict);
export const RulePatch = Type.Partial(RuleInput, { ...strict, minProperties: 1 });

export const Rule = Type.Object({
  id: Id,
  name: Type.String(),
  kind: literals(["metric", "monitor"] as const),
  monitorId: nullable(Type.String()),
  expression: nullable(Expression),
  forSeconds: Type.Integer(),
  keepFiringForSeconds: Type.Integer(),
  severity: Severity,
  labels: Labels,
  annotations: Labels,
  enabled: Type.Boolean(),
  builtin: Type.Boolean({ description: "One of the plan's default rules" }),
  lastEvaluatedAt: nullable(Instant),
  lastError: nullable(Type.String({ description: "Why the last evaluation failed (the other rules went on)" })),
});

const Interval = Type.Object({ from: Instant, to: nullable(Instant) });
export const Preview = Type.Object({
  from: Instant,
  to: Instant,
  stepSeconds: Type.Integer({ description: "Seconds between two evaluations of the replay" }),
  items: Type.Array(
    Type.Object({
      labels: Labels,
      points: Type.Array(Type.Tuple([Type.Number({ description: "ms since the epoch" }), Type.Number()]), {
        description: "The expression's value at each evaluation with data, oldest first",
      }),
      pending: Type.Array(Interval, {
        description: "Where its condition held but `for` had not passed yet, oldest first; `to` null: still pending",
      }),
      firing: Type.Array(Interval, {
        description: "Where the rule would have fired, oldest first; `to` null: still firing",
      }),
    }),
  ),
});

// alerts -----------------------------------------------------------------------------------------------------

const alertFields = {
  fingerprint: Type.String({ description: "The alert's identity: a hash of its sorted label set" }),
  ruleId: nullable(Id),
  source: literals(["rule", "api"] as const, "Evaluated here, or posted on /api/v2/alerts"),
  labels: Labels,
  annotations: Labels,
  state: literals(alertStates),
  activeSince: nullable(Instant),
  firedAt: nullable(Instant),
  resolvedAt: nullable(Instant),
  endsAt: nullable(Instant),
  value: nullable(Type.Number()),
  generatorUrl: nullable(Type.String()),
  updatedAt: Instant,
};
export const AlertBase = Type.Object(alertFields);
export const Alert = Type.Object({
  ...alertFields,
  silenced: Type.Boolean(),
  inhibited: Type.Boolean(),
  silencedBy: Type.Array(Type.String(), { description: "Ids of the active silences matching it" }),
  inhibitedBy: Type.Array(Type.String(), { description: "Fingerprints of the firing alerts inhibiting it" }),
  receivers: Type.Array(Type.String(), { description: "Receivers its routes lead to" }),
});
export const AlertQuery = Type.Object(
  {
    state: Type.Optional(literals(alertStates)),
    filter: Type.Optional(
      Type.Array(Type.String({ maxLength: 1000 }), {
        maxItems: 20,
        description: 'Label matchers as Alertmanager writes them: name="v", name!="v", name=~"re", name!~"re"',
      }),
    ),
    silenced: Type.Optional(Type.Boolean()),
    inhibited: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: "nextCursor of the previous page" })),
  },
  strict,
);
export const AlertPage = Type.Object({ items: Type.Array(Alert), nextCursor: nullable(Type.String()) });
export const AlertHistory = Type.Object({
  alert: AlertBase,
  history: Type.Array(
    Type.Object({
      id: Id,
      fingerprint: Type.String(),
      state: Type.String({ description: "pending, firing, resolved or cleared (pending that never fired)" }),
      value: nullable(Type.Number()),
      at: Instant,
    }),
  ),
});

// silences ---------------------------------------------------------------------------------------------------

export const SilenceInput = Type.Object(
  {
    matchers: Type.Array(Matcher, { minItems: 1, maxItems: 50 }),
    startsAt: Instant,
    endsAt: Instant,
    comment: Type.String({ maxLength: 2000 }),
  },
  strict,
);
const StoredMatcher = Type.Object({
  name: Type.String(),
  value: Type.String(),
  isRegex: Type.Boolean(),
  isEqual: Type.Boolean(),
});
export const Silence = Type.Object({
  id: Id,
  matchers: Type.Array(StoredMatcher),
  startsAt: Instant,
  endsAt: Instant,
  comment: Type.String(),
  createdBy: Type.String(),
  updatedAt: Instant,
  status: literals(["expired", "pending", "active"] as const),
});

// receivers and routing --------------------------------------------------------------------------------------

const ReceiverTarget = Type.Object(
  {
    type: literals(["email", "user", "webhook"] as const),
    to: Type.Optional(Type.String({ maxLength: 320, description: "email: the address" })),
    userId: Type.Optional(Type.String({ maxLength: 100, description: "user: in-app and their own channels" })),
    webhookId: Type.Optional(Type.String({ maxLength: 100, description: "webhook: a signed POST" })),
    flavour: Type.Optional(literals(flavours, "webhook: the body's shape (chat tools)")),
  },
  strict,
);
export const ReceiverInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    targets: Type.Array(ReceiverTarget, { minItems: 1, maxItems: 50 }),
    sendResolved: Type.Optional(Type.Boolean({ default: true })),
  },
  strict,
);
export const Receiver = Type.Object({
  id: Id,
  name: Type.String(),
  targets: Type.Array(ReceiverTarget),
  sendResolved: Type.Boolean(),
});

const Seconds = Type.Integer({ minimum: 0, maximum: 30 * 86_400 });
/** A route and its children, nested at most `depth` levels: a route tree deeper than that is refused. */
function routeNode(depth: number): TSchema {
  return Type.Object(
    {
      id: Type.String({ minLength: 1, maxLength: 200 }),
      receiver: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
      matchers: Matchers,
      continue: Type.Optional(Type.Boolean()),
      muteIntervals: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
      groupBy: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
      groupWaitSeconds: Type.Optional(Seconds),
      groupIntervalSeconds: Type.Optional(Seconds),
      repeatIntervalSeconds: Type.Optional(Seconds),
      ...(depth > 1 ? { routes: Type.Optional(Type.Array(routeNode(depth - 1), { maxItems: 100 })) } : {}),
    },
    strict,
  );
}
const TimeInterval = Type.Object(
  {
    weekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
    times: Type.Optional(
      Type.Array(
        Type.Object(
          {
            startMinute: Type.Integer({ minimum: 0, maximum: 1440 }),
            endMinute: Type.Integer({ minimum: 0, maximum: 1440 }),
          },
          strict,
        ),
        { maxItems: 50 },
      ),
    ),
    dates: Type.Optional(
      Type.Array(Type.Object({ from: Type.String({ format: "date" }), to: Type.String({ format: "date" }) }, strict), {
        maxItems: 100,
      }),
    ),
    timezone: Type.String({ minLength: 1, maxLength: 100 }),
  },
  strict,
);
export const Routing = Type.Object(
  {
    route: routeNode(6),
    inhibitRules: Type.Array(
      Type.Object(
        {
          sourceMatchers: Matchers,
          targetMatchers: Matchers,
          equal: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }),
        },
        strict,
      ),
      { maxItems: 100 },
    ),
    muteIntervals: Type.Record(Type.String({ maxLength: 200 }), Type.Array(TimeInterval, { maxItems: 50 })),
  },
  strict,
);

// Alertmanager API v2 (api/v2/openapi.yaml of prometheus/alertmanager) -------------------------------------

export const PostableAlert = Type.Object({
  labels: Labels,
  annotations: Type.Optional(Labels),
  startsAt: Type.Optional(Type.String({ maxLength: 64 })),
  endsAt: Type.Optional(Type.String({ maxLength: 64 })),
  generatorURL: Type.Optional(Type.String({ maxLength: 2000 })),
});
const Filter = Type.Optional(
  Type.Array(Type.String({ maxLength: 1000 }), {
    maxItems: 20,
    description: 'Label matchers: name="v", name!="v", name=~"re", name!~"re" (braces optional)',
  }),
);
export const V2AlertQuery = Type.Object({
  active: Type.Optional(Type.Boolean({ default: true })),
  silenced: Type.Optional(Type.Boolean({ default: true })),
  inhibited: Type.Optional(Type.Boolean({ default: true })),
  unprocessed: Type.Optional(Type.Boolean({ default: true })),
  filter: Filter,
  receiver: Type.Optional(Type.String({ maxLength: 1000, description: "Regular expression on receiver names" })),
});
export const GettableAlert = Type.Object({
  labels: Labels,
  annotations: Labels,
  startsAt: Instant,
  endsAt: Instant,
  updatedAt: Instant,
  fingerprint: Type.String(),
  generatorURL: Type.String(),
  receivers: Type.Array(Type.Object({ name: Type.String() })),
  status: Type.Object({
    state: literals(["unprocessed", "active", "suppressed"] as const),
    silencedBy: Type.Array(Type.String()),
    inhibitedBy: Type.Array(Type.String()),
  }),
});
export const AlertGroup = Type.Object({
  labels: Labels,
  receiver: Type.Object({ name: Type.String() }),
  alerts: Type.Array(GettableAlert),
});
export const V2SilenceQuery = Type.Object({ filter: Filter });
export const PostableSilence = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 100 })),
  matchers: Type.Array(Matcher, { minItems: 1, maxItems: 50 }),
  startsAt: Type.String({ maxLength: 64 }),
  endsAt: Type.String({ maxLength: 64 }),
  createdBy: Type.String({ maxLength: 200 }),
  comment: Type.String({ maxLength: 2000 }),
});
export const GettableSilence = Type.Object({
  id: Type.String(),
  matchers: Type.Array(StoredMatcher),
  startsAt: Instant,
  endsAt: Instant,
  updatedAt: Instant,
  createdBy: Type.String(),
  comment: Type.String(),
  status: Type.Object({ state: literals(["expired", "pending", "active"] as const) }),
});
export const AlertmanagerStatus = Type.Object({
  cluster: Type.Object({ status: Type.String(), peers: Type.Array(Type.Unknown()) }),
  versionInfo: Type.Object({
    version: Type.String(),
    revision: Type.String(),
    branch: Type.String(),
    buildUser: Type.String(),
    buildDate: Type.String(),
    goVersion: Type.String(),
  }),
  config: Type.Object({ original: Type.String({ description: "The routing configuration, as JSON" }) }),
  uptime: Instant,
});
