import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { Problem } from "../../platform/http/problems.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { type Matcher, matchesAll, parseMatchers } from "./routing.js";
import {
  AlertGroup,
  AlertmanagerStatus,
  ById,
  GettableAlert,
  GettableSilence,
  PostableAlert,
  PostableSilence,
  V2AlertQuery,
  V2SilenceQuery,
} from "./schemas.js";
import type { AlertsService } from "./service.js";

const tags = ["alertmanager"];
/** Go's zero time: what Alertmanager answers for an unset endsAt. */
const ZERO_TIME = "0001-01-01T00:00:00.000Z";

/** The `filter` parameter's matchers (each entry may hold several), or a 400 naming the entry at fault. */
export function matchersOf(filter: string[] | undefined, pointer: string): Matcher[] | undefined {
  if (!filter?.length) return undefined;
  return filter.flatMap((text, i) => {
    const parsed = parseMatchers(text);
    if (typeof parsed === "string") throw Problem.invalid({ in: "query", pointer: `${pointer}/${i}`, message: parsed });
    return parsed;
  });
}

/**
 * Whether a client asked for Alertmanager's own errors: amtool and the other go-swagger clients accept
 * `application/json` only and fail on any other media type ("no consumer: application/problem+json"),
 * while Alertmanager answers its errors as JSON strings. Without an Accept header, or with one naming
 * problem+json or any JSON, the answer stays problem+json.
 */
export function wantsAlertmanagerErrors(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(",").map((range) => range.split(";")[0]!.trim().toLowerCase());
  return types.includes("application/json") && !types.includes("application/problem+json");
}

/** A problem as one line, what Alertmanager's error strings are: title, detail, then each field at fault. */
export function problemText(problem: {
  title?: string;
  detail?: string;
  errors?: { pointer?: string; message?: string }[];
}): string {
  const fields = (problem.errors ?? []).map((e) => `${e.pointer || "/"}: ${e.message ?? "is not valid"}`);
  return [[problem.title, problem.detail].filter(Boolean).join(": "), ...fields].join("; ");
}

type Listed = Awaited<ReturnType<AlertsService["listAlerts"]>>[number];
const gettable = (a: Listed) => ({
  labels: a.labels,
  annotations: a.annotations,
  startsAt: a.firedAt ?? a.updatedAt,
  endsAt: a.endsAt ?? ZERO_TIME,
  updatedAt: a.updatedAt,
  fingerprint: a.fingerprint,
  generatorURL: a.generatorUrl ?? "",
  receivers: a.receivers.map((name) => ({ name })),
  status: {
    state: (a.silenced || a.inhibited ? "suppressed" : "active") as "suppressed" | "active",
    silencedBy: a.silencedBy,
    inhibitedBy: a.inhibitedBy,
  },
});

/**
 * The Alertmanager API v2 subset Prometheus, amtool and Grafana use (prometheus/alertmanager
 * api/v2/openapi.yaml), under the same authentication as /api/v1 plus HTTP Basic with an API token as the
 * password. `active`, `silenced` and `inhibited` include those alerts when true (the default), as there.
 */
export function alertmanagerRoutes(alerts: AlertsService) {
  const firing = async (q: {
    filter?: string[];
    active?: boolean;
    silenced?: boolean;
    inhibited?: boolean;
    receiver?: string;
  }) => {
    let receiver: RegExp | undefined;
    if (q.receiver !== undefined) {
      try {
        receiver = new RegExp(`^(?:${q.receiver})$`, "u");
      } catch (err) {
        throw Problem.invalid({ in: "query", pointer: "/receiver", message: (err as Error).message });
      }
    }
    const matchers = matchersOf(q.filter, "/filter");
    return (await alerts.listAlerts({ state: "firing" })).filter(
      (a) =>
        (!matchers || matchesAll(matchers, a.labels)) &&
        (q.silenced !== false || !a.silenced) &&
        (q.inhibited !== false || !a.inhibited) &&
        (q.active !== false || a.silenced || a.inhibited) &&
        (!receiver || a.receivers.some((r) => receiver.test(r))),
    );
  };

  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.addHook("onSend", async (request, reply, payload) => {
      if (
        reply.statusCode < 400 ||
        typeof payload !== "string" ||
        !String(reply.getHeader("content-type") ?? "").startsWith("application/problem+json") ||
        !wantsAlertmanagerErrors(request.headers.accept)
      )
        return payload;
      reply.type("application/json; charset=utf-8");
      return JSON.stringify(problemText(JSON.parse(payload)));
    });
    app.post(
      "/api/v2/alerts",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Alertmanager v2: post alerts (deduplicated by label set; an endsAt in the past resolves)",
          body: Type.Array(PostableAlert, { maxItems: 10_000 }),
          response: { 200: Type.Null(), ...problems(400) },
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
          tags,
          summary: "Alertmanager v2: firing alerts",
          querystring: V2AlertQuery,
          response: { 200: Type.Array(GettableAlert), ...problems(400) },
        },
      },
      async (request) => (await firing(request.query)).map(gettable),
    );
    app.get(
      "/api/v2/alerts/groups",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Alertmanager v2: firing alerts by notification group",
          querystring: V2AlertQuery,
          response: { 200: Type.Array(AlertGroup), ...problems(400) },
        },
      },
      async (request) =>
        (await alerts.alertGroups(await firing(request.query))).map((g) => ({
          labels: g.labels,
          receiver: { name: g.receiver },
          alerts: g.alerts.map(gettable),
        })),
    );
    app.get(
      "/api/v2/receivers",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Alertmanager v2: receivers",
          response: { 200: Type.Array(Type.Object({ name: Type.String() })) },
        },
      },
      async () => (await alerts.listReceivers()).map((r) => ({ name: r.name })),
    );
    app.get(
      "/api/v2/silences",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Alertmanager v2: silences",
          querystring: V2SilenceQuery,
          response: { 200: Type.Array(GettableSilence), ...problems(400) },
        },
      },
      async (request) => {
        const matchers = matchersOf(request.query.filter, "/filter");
        // A silence passes a filter when some matcher of the silence is each filter matcher (as Alertmanager).
        const passes = (s: { matchers: Matcher[] }) =>
          !matchers ||
          matchers.every((f) =>
            s.matchers.some(
              (m) =>
                m.name === f.name &&
                m.value === f.value &&
                (m.isRegex ?? false) === (f.isRegex ?? false) &&
                (m.isEqual ?? true) === (f.isEqual ?? true),
            ),
          );
        return (await alerts.listSilences()).filter(passes).map((s) => ({
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
    app.get(
      "/api/v2/silence/:id",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Alertmanager v2: one silence",
          params: ById,
          response: { 200: GettableSilence, ...problems(404) },
        },
      },
      async (request) => {
        const s = await alerts.getSilence(request.params.id);
        return { ...s, status: { state: s.status } };
      },
    );
    app.post(
      "/api/v2/silences",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Alertmanager v2: create a silence, or replace one (by id)",
          body: PostableSilence,
          response: { 200: Type.Object({ silenceID: Type.String() }), ...problems(400, 404) },
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
          tags,
          summary: "Alertmanager v2: expire a silence",
          params: ById,
          response: { 200: Type.Null(), ...problems(404) },
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
        schema: { tags, summary: "Alertmanager v2: status", response: { 200: AlertmanagerStatus } },
      },
      async () => ({
        cluster: { status: "disabled", peers: [] },
        versionInfo: { version: "plantao", revision: "", branch: "", buildUser: "", buildDate: "", goVersion: "" },
        config: { original: JSON.stringify(await alerts.routing()) },
        uptime: new Date(Date.now() - process.uptime() * 1000).toISOString(),
      }),
    );
  };
  return plugin;
}
