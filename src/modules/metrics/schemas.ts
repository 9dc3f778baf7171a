import { Type } from "typebox";
import { aggregations } from "./aggregate.js";

const Labels = Type.Record(Type.String({ pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$" }), Type.String({ maxLength: 1000 }), {
  additionalProperties: false,
});
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const TargetInput = Type.Object(
  {
    name: Name,
    kind: Type.Optional(
      Type.Union([Type.Literal("http"), Type.Literal("host")], { description: "`host`: the built-in collector" }),
    ),
    url: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    intervalSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400 })),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
    labels: Type.Optional(Labels),
    maxSeries: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    maxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 512 * 1024 * 1024 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const TargetPatch = Type.Partial(TargetInput, { additionalProperties: false });

export const Target = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal("http"), Type.Literal("host")]),
  url: Type.Union([Type.String(), Type.Null()]),
  intervalSeconds: Type.Integer(),
  timeoutSeconds: Type.Integer(),
  labels: Type.Record(Type.String(), Type.String()),
  maxSeries: Type.Integer(),
  maxBytes: Type.Integer(),
  enabled: Type.Boolean(),
  lastScrapeAt: Type.Union([Type.String(), Type.Null()]),
  lastDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  lastSamples: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()], {
    description: "Why the last scrape failed, e.g. the line of a malformed exposition or the series cap",
  }),
  seriesCount: Type.Integer(),
  seriesCapped: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export const TargetList = Type.Object({ items: Type.Array(Target) });
export const TargetParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

export const QueryParams = Type.Object(
  {
    metric: Type.String({ pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$", maxLength: 200 }),
    "match[]": Type.Optional(
      Type.Array(Type.String({ maxLength: 1000 }), {
        maxItems: 20,
        description: "`label=value`, `!=`, `=~regex`, `!~regex`",
      }),
    ),
    from: Type.String({ format: "date-time" }),
    to: Type.String({ format: "date-time" }),
    step: Type.Integer({ minimum: 1, maximum: 86_400, description: "Seconds between points" }),
    fn: Type.Optional(
      Type.Union(
        aggregations.map((a) => Type.Literal(a)),
        { default: "avg" },
      ),
    ),
    quantile: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

export const QueryResult = Type.Object({
  resolution: Type.Union([Type.Literal("raw"), Type.Literal("5m"), Type.Literal("1h")]),
  series: Type.Array(
    Type.Object({
      labels: Type.Record(Type.String(), Type.String()),
      points: Type.Array(Type.Tuple([Type.Number({ description: "ms since the epoch" }), Type.Number()])),
    }),
  ),
});
export const MetricNames = Type.Object({ items: Type.Array(Type.String()) });
