import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "typebox";
import { requireActor } from "../identity/actor.js";
import { aggregations } from "../metrics/aggregate.js";
import { comparisons, severities } from "./rules.js";
import type { AlertsService } from "./service.js";

const problem = Type.Ref("Problem");
const problems = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
const tags = ["alerts"];
const Str = Type.Record(Type.String(), Type.String());
const Any = Type.Any();
const Id = Type.Object({ id: Type.String({ maxLength: 100 }) });
const Matcher = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    value: Type.String({ maxLength: 1000 }),
    isRegex: Type.Optional(Type.Boolean()),
    isEqual: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Expression = Type.Object(
  {
    metric: Type.String({ maxLength: 200 }),
    match: Type.Optional(Str),
    fn: Type.Union(aggregations.map((a) => Type.Literal(a))),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    quantile: Type.Optional(Type.Number()),
    by: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 })),
    op: Type.Union(comparisons.map((c) => Type.Literal(c))),
    threshold: Type.Number(),
    recoveryThreshold: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);
const RuleInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$" }),
    kind: Type.Union([Type.Literal("metric"), Type.Literal("monitor")]),
    monitorId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    expression: Type.Optional(Type.Union([Expression, Type.Null()])),
    forSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    keepFiringForSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    severity: Type.Optional(Type.Union(severities.map((s) => Type.Literal(s)))),
    labels: Type.Optional(Str),
    annotations: Type.Optional(Str),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const SilenceInput = Type.Object(
  {
    matchers: Type.Array(Matcher, { minItems: 1, maxItems: 50 }),
    startsAt: Type.String({ format: "date-time" }),
    endsAt: Type.String({ format: "date-time" }),
    comment: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
const ReceiverInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    targets: Type.Array(
      Type.Object(
        {
          type: Type.Union([Type.Literal("email"), Type.Literal("user"), Type.Literal("webhook")]),
          to: Type.Optional(Type.String({ maxLength: 320 })),
          userId: Type.Optional(Type.String()),
          webhookId: Type.Optional(Type.String()),
          flavour: Type.Optional(
            Type.Union(["plantao", "slack", "teams", "telegram", "discord"].map((f) => Type.Literal(f))),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    sendResolved: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const MatcherInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    value: Type.String({ maxLength: 1000 }),
    isRegex: Type.Optional(Type.Boolean()),
    isEqual: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Matchers = Type.Array(MatcherInput, { maxItems: 50 });
const Seconds = Type.Integer({ minimum: 0, maximum: 30 * 86_400 });
/** A route and its children, nested at most `depth` levels: a route tree deeper than that is refused. */
function routeNode(depth: number): TSchema {
  return Type.Object(
    {
      id: Type.String({ minLength: 1, maxLength: 200 }),
      receiver: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
      matchers: Matchers,
      continue: Type.Optional(Type.Boolean()),
      muteIntervals: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
      groupBy: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
      groupWaitSeconds: Type.Optional(Seconds),
      groupIntervalSeconds: Type.Optional(Seconds),
      repeatIntervalSeconds: Type.Optional(Seconds),
      ...(depth > 1 ? { routes: Type.Optional(Type.Array(routeNode(depth - 1), { maxItems: 100 })) } : {}),
    },
    { additionalProperties: false },
  );
}
const TimeIntervalInput = Type.Object(
  {
    weekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
    times: Type.Optional(
      Type.Array(
        Type.Object(
          {
            startMinute: Type.Integer({ minimum: 0, maximum: 1440 }),
            endMinute: Type.Integer({ minimum: 0, maximum: 1440 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
    dates: Type.Optional(
      Type.Array(
        Type.Object(
          { from: Type.String({ format: "date" }), to: Type.String({ format: "date" }) },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    timezone: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);
const Routing = Type.Object(
  {
    route: routeNode(6),
    inhibitRules: Type.Array(
      Type.Object(
        {
          sourceMatchers: Matchers,
          targetMatchers: Matchers,
          equal: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
    muteIntervals: Type.Record(Type.String({ maxLength: 200 }), Type.Array(TimeIntervalInput, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export function alertRoutes(alerts: AlertsService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/alerts",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Alerts with their rule state and silenced and inhibited flags",
          querystring: Type.Object({ state: Type.Optional(Type.String()) }),
          response: { 200: Type.Object({ items: Type.Array(Any) }), ...problems },
        },
      },
      async (request) => {
        return { items: await alerts.listAlerts(request.query) };
      },
    );
    app.get(
      "/api/v1/alerts/:fingerprint/history",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "One alert and its state changes",
          params: Type.Object({ fingerprint: Type.String({ maxLength: 64 }) }),
          response: { 200: Any, ...problems },
        },
      },
      async (request) => {
        return alerts.alertHistory(request.params.fingerprint);
      },
    );
    app.get(
      "/api/v1/alert-rules",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Alert rules",
          response: { 200: Type.Object({ items: Type.Array(Any) }), ...problems },
        },
      },
      async (_request) => {
        return { items: await alerts.listRules() };
      },
    );
    app.post(
      "/api/v1/alert-rules",
      {
        config: { area: "monitoring", access: "write" },
        schema: { tags, summary: "Create an alert rule", body: RuleInput, response: { 201: Any, ...problems } },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await alerts.createRule(actor, request.body as any, request));
      },
    );
    app.post(
      "/api/v1/alert-rules/preview",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Where a metric rule would have fired over the last 24 hours",
          body: RuleInput,
          response: { 200: Type.Object({ items: Type.Array(Any) }), ...problems },
        },
      },
      async (request) => {
        return { items: await alerts.preview(request.body as any) };
      },
    );
    app.get(
      "/api/v1/alert-rules/:id",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "One alert rule", params: Id, response: { 200: Any, ...problems } },
      },
      async (request) => {
        return alerts.getRule(request.params.id);
      },
    );
    app.patch(
      "/api/v1/alert-rules/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Change an alert rule",
          params: Id,
          body: Type.Partial(RuleInput, { additionalProperties: false }),
          response: { 200: Any, ...problems },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return alerts.updateRule(actor, request.params.id, request.body as any, request);
      },
    );
    app.delete(
      "/api/v1/alert-rules/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: { tags, summary: "Delete an alert rule", params: Id, response: { 204: Type.Null(), ...problems } },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await alerts.deleteRule(actor, request.params.id, request);
        return reply.code(204).send(null);
      },
    );
    app.get(
      "/api/v1/silences",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "Silences", response: { 200: Type.Object({ items: Type.Array(Any) }), ...problems } },
      },
      async (_request) => {
        return { items: await alerts.listSilences() };
      },
    );
    app.post(
      "/api/v1/silences",
      {
        config: { area: "monitoring", access: "write" },
        schema: { tags, summary: "Create a silence", body: SilenceInput, response: { 201: Any, ...problems } },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply
          .code(201)
          .send(await alerts.createSilence(actor.email ?? actor.userId ?? "unknown", request.body, actor));
      },
    );
    app.delete(
      "/api/v1/silences/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: { tags, summary: "Expire a silence", params: Id, response: { 200: Any, ...problems } },
      },
      async (request) => {
        const actor = requireActor(request);
        return alerts.expireSilence(request.params.id, actor);
      },
    );
    app.get(
      "/api/v1/receivers",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "Receivers", response: { 200: Type.Object({ items: Type.Array(Any) }), ...problems } },
      },
      async (_request) => {
        return { items: await alerts.listReceivers() };
      },
    );
    app.put(
      "/api/v1/receivers",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Create or replace a receiver by name",
          body: ReceiverInput,
          response: { 200: Any, ...problems },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return alerts.saveReceiver(actor, request.body as any);
      },
    );
    app.delete(
      "/api/v1/receivers/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Delete a receiver no route uses",
          params: Id,
          response: { 204: Type.Null(), ...problems },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await alerts.deleteReceiver(actor, request.params.id);
        return reply.code(204).send(null);
      },
    );
    app.get(
      "/api/v1/routes",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "The route tree, inhibition rules and mute intervals",
          response: { 200: Routing, ...problems },
        },
      },
      async (_request) => {
        return alerts.routing();
      },
    );
    app.put(
      "/api/v1/routes",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Replace the route tree, inhibition rules and mute intervals",
          body: Routing,
          response: { 200: Routing, ...problems },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return alerts.saveRouting(actor, request.body as any);
      },
    );

    // Alertmanager API v2 (the subset Prometheus and amtool use), under the same authentication.
    const V2Alert = Type.Object({
      labels: Str,
      annotations: Type.Optional(Str),
      startsAt: Type.Optional(Type.String()),
      endsAt: Type.Optional(Type.String()),
      generatorURL: Type.Optional(Type.String()),
    });
    app.post(
      "/api/v2/alerts",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags: ["alertmanager"],
          summary: "Alertmanager v2: post alerts",
          body: Type.Array(V2Alert, { maxItems: 10_000 }),
          response: { 200: Type.Null(), ...problems },
        },
      },
      async (request, reply) => {
        await alerts.postAlerts(request.body);
        return reply.code(200).send(null);
      },
    );
    app.get(
      "/api/v2/alerts",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags: ["alertmanager"],
          summary: "Alertmanager v2: active alerts",
          querystring: Type.Object({
            active: Type.Optional(Type.Boolean()),
            silenced: Type.Optional(Type.Boolean()),
            inhibited: Type.Optional(Type.Boolean()),
            filter: Type.Optional(Type.Array(Type.String())),
            receiver: Type.Optional(Type.String()),
            unprocessed: Type.Optional(Type.Boolean()),
          }),
          response: { 200: Type.Array(Any), ...problems },
        },
      },
      async (request) => {
        const q = request.query;
        const list = (await alerts.listAlerts({ state: "firing" })).filter(
          (a) =>
            (q.silenced !== false || !a.silenced) &&
            (q.inhibited !== false || !a.inhibited) &&
            (q.active !== false || a.silenced || a.inhibited),
        );
        return list.map((a) => ({
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.firedAt ?? a.updatedAt,
          endsAt: a.endsAt ?? "0001-01-01T00:00:00.000Z",
          updatedAt: a.updatedAt,
          fingerprint: a.fingerprint,
          generatorURL: a.generatorUrl ?? "",
          receivers: [{ name: "default" }],
          status: {
            state: a.silenced || a.inhibited ? "suppressed" : "active",
            silencedBy: a.silencedBy,
            inhibitedBy: a.inhibitedBy,
          },
        }));
      },
    );
    app.get(
      "/api/v2/silences",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags: ["alertmanager"],
          summary: "Alertmanager v2: silences",
          querystring: Type.Object({ filter: Type.Optional(Type.Array(Type.String())) }),
          response: { 200: Type.Array(Any), ...problems },
        },
      },
      async (_request) => {
        return (await alerts.listSilences()).map((s) => ({
          id: s.id,
          matchers: s.matchers.map((m) => ({ ...m, isRegex: m.isRegex ?? false, isEqual: m.isEqual ?? true })),
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          updatedAt: s.updatedAt,
          createdBy: s.createdBy,
          comment: s.comment,
          status: { state: s.status },
        }));
      },
    );
    app.post(
      "/api/v2/silences",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags: ["alertmanager"],
          summary: "Alertmanager v2: create or replace a silence",
          body: Type.Object({
            id: Type.Optional(Type.String()),
            matchers: Type.Array(Matcher, { minItems: 1 }),
            startsAt: Type.String(),
            endsAt: Type.String(),
            createdBy: Type.String(),
            comment: Type.String(),
          }),
          response: { 200: Type.Object({ silenceID: Type.String() }), ...problems },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const s = await alerts.createSilence(
          request.body.createdBy,
          { ...request.body, id: request.body.id || undefined },
          actor,
        );
        return { silenceID: s.id };
      },
    );
    app.delete(
      "/api/v2/silence/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags: ["alertmanager"],
          summary: "Alertmanager v2: expire a silence",
          params: Id,
          response: { 200: Type.Null(), ...problems },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await alerts.expireSilence(request.params.id, actor);
        return reply.code(200).send(null);
      },
    );
    app.get(
      "/api/v2/status",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags: ["alertmanager"], summary: "Alertmanager v2: status", response: { 200: Any, ...problems } },
      },
      async (_request) => {
        const routing = await alerts.routing();
        return {
          cluster: { status: "disabled", peers: [] },
          versionInfo: { version: "plantao", revision: "", branch: "", buildUser: "", buildDate: "", goVersion: "" },
          config: { original: JSON.stringify(routing) },
          uptime: new Date(Date.now() - process.uptime() * 1000).toISOString(),
        };
      },
    );
  };
  return plugin;
}
