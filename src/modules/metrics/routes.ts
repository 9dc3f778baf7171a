import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { Problem } from "../../platform/http/problems.js";
import { requireActor } from "../identity/actor.js";
import * as S from "./schemas.js";
import { type LabelMatcher, type MetricsService, parseMatcher } from "./service.js";

const problem = Type.Ref("Problem");
const problems = { 401: problem, 403: problem };
const withId = { 400: problem, ...problems, 404: problem };
const tags = ["metrics"];
/** Points one query may return, so a year at one-second steps is a clear 400, not a stuck server. */
const MAX_POINTS = 11_000;

export function metricsRoutes(metrics: MetricsService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/scrape-targets",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Every scrape target with its last scrape",
          response: { 200: S.TargetList, ...problems },
        },
      },
      async (_request) => {
        return { items: await metrics.listTargets() };
      },
    );
    app.post(
      "/api/v1/scrape-targets",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Add a Prometheus exporter (or the host collector) to scrape",
          body: S.TargetInput,
          response: { 201: S.Target, 400: problem, 409: problem, ...problems },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await metrics.createTarget(actor, request.body, request));
      },
    );
    app.get(
      "/api/v1/scrape-targets/:id",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "One scrape target", params: S.TargetParams, response: { 200: S.Target, ...withId } },
      },
      async (request) => {
        return metrics.getTarget(request.params.id);
      },
    );
    app.patch(
      "/api/v1/scrape-targets/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Change a scrape target",
          params: S.TargetParams,
          body: S.TargetPatch,
          response: { 200: S.Target, 409: problem, ...withId },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return metrics.updateTarget(actor, request.params.id, request.body, request);
      },
    );
    app.delete(
      "/api/v1/scrape-targets/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Stop scraping a target (its series age out with the retention)",
          params: S.TargetParams,
          response: { 204: Type.Null(), ...withId },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await metrics.deleteTarget(actor, request.params.id, request);
        return reply.code(204).send(null);
      },
    );
    app.get(
      "/api/v1/metrics/names",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "Names of the stored metrics", response: { 200: S.MetricNames, ...problems } },
      },
      async (_request) => {
        return { items: await metrics.metricNames() };
      },
    );
    app.get(
      "/api/v1/metrics/query",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "One value per step and series of a metric: avg, min, max, sum, last, count, rate or quantile",
          querystring: S.QueryParams,
          response: { 200: S.QueryResult, 400: problem, ...problems },
        },
      },
      async (request) => {
        const q = request.query;
        const invalid = (name: string, message: string) =>
          Problem.invalid({ in: "query", pointer: `/${name}`, message });
        const from = Date.parse(q.from);
        const to = Date.parse(q.to);
        if (!(to >= from)) throw invalid("to", "must not be before from");
        if ((to - from) / (q.step * 1000) > MAX_POINTS)
          throw invalid("step", `more than ${MAX_POINTS} points per series: use a longer step`);
        const match: LabelMatcher[] = [];
        for (const text of q["match[]"] ?? []) {
          const m = parseMatcher(text);
          if (!m) throw invalid("match[]", `"${text}" is not a matcher (label=value, !=, =~regex, !~regex)`);
          match.push(m);
        }
        return metrics.query({
          metric: q.metric,
          match,
          from,
          to,
          stepSeconds: q.step,
          fn: q.fn ?? "avg",
          quantile: q.quantile,
        });
      },
    );
  };
  return plugin;
}
