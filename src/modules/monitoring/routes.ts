import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import * as S from "./schemas.js";
import type { MonitoringService } from "./service.js";

const tags = ["monitoring"];

export function monitoringRoutes(monitoring: MonitoringService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/monitors",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Monitors with their current state, in creation order",
          querystring: S.MonitorListQuery,
          response: { 200: S.MonitorPage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 100, cursor, ...filter } = request.query;
        const items = await monitoring.list({ ...filter, limit: limit + 1, after: decodeCursor(cursor) });
        return toPage(items, limit, (m) => m.id);
      },
    );

    app.post(
      "/api/v1/monitors",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Create a monitor; a heartbeat's answer holds its push token, shown only this once",
          body: S.MonitorInput,
          response: { 201: S.MonitorWithToken, ...problems(400) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await monitoring.create(actor, request.body, request));
      },
    );

    app.get(
      "/api/v1/monitoring/nodes",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "The nodes running monitors: their last heartbeat, the shards each holds and the monitors in them",
          response: { 200: S.ClusterNodes, ...problems() },
        },
      },
      async () => monitoring.nodes(),
    );

    app.get(
      "/api/v1/monitors/:id",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "One monitor with its current state",
          params: S.MonitorParams,
          response: { 200: S.Monitor, ...problems(400, 404) },
        },
      },
      async (request) => {
        return monitoring.get(request.params.id);
      },
    );

    app.patch(
      "/api/v1/monitors/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Change a monitor; the whole result is validated again (a new type needs its own settings)",
          params: S.MonitorParams,
          body: S.MonitorPatch,
          response: { 200: S.MonitorWithToken, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return monitoring.update(actor, request.params.id, request.body, request);
      },
    );

    app.delete(
      "/api/v1/monitors/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Delete a monitor and its history; its dependents and members lose the link",
          params: S.MonitorParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await monitoring.remove(actor, request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    for (const action of ["pause", "resume"] as const) {
      app.post(
        `/api/v1/monitors/:id/${action}`,
        {
          config: { area: "monitoring", access: "write" },
          schema: {
            tags,
            summary:
              action === "pause"
                ? "Pause a monitor: no checks, state MAINTENANCE (left out of uptime)"
                : "Resume a paused monitor: checked at once",
            params: S.MonitorParams,
            response: { 200: S.Monitor, ...problems(400, 404, 409) },
          },
        },
        async (request) => {
          const actor = requireActor(request);
          return monitoring[action](actor, request.params.id, request);
        },
      );
    }

    app.post(
      "/api/v1/monitors/:id/push-token",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Replace a heartbeat's push token at once; the answer holds the new one, shown only this once",
          params: S.MonitorParams,
          response: { 200: S.PushToken, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return monitoring.rotatePushToken(actor, request.params.id, request);
      },
    );

    app.get(
      "/api/v1/monitors/:id/uptime",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Uptime over a window, time-weighted from the state intervals, maintenance left out",
          params: S.MonitorParams,
          querystring: S.WindowQuery,
          response: { 200: S.Uptime, ...problems(400, 404) },
        },
      },
      async (request) => {
        return monitoring.measurements.uptime(request.params.id, request.query);
      },
    );

    app.get(
      "/api/v1/monitors/uptime",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Uptime of several monitors over one window (a dashboard page at once)",
          querystring: S.UptimesQuery,
          response: { 200: S.UptimeList, ...problems(400) },
        },
      },
      async (request) => {
        const { ids, ...window } = request.query;
        return { items: await monitoring.measurements.uptimes(ids, window) };
      },
    );

    app.get(
      "/api/v1/monitors/overview",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary:
            "What the dashboard cards show for up to 200 monitors at once: uptime over 24 h, 7 d and 30 d, the last check and the last hour's minutes",
          querystring: S.OverviewQuery,
          response: { 200: S.Overview, ...problems(400) },
        },
      },
      async (request) => {
        return monitoring.measurements.overview(request.query.ids);
      },
    );

    app.get(
      "/api/v1/monitors/:id/series",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Checks, failures and latency per step, from the minute, hour or day aggregates",
          params: S.MonitorParams,
          querystring: S.SeriesQuery,
          response: { 200: S.Series, ...problems(400, 404) },
        },
      },
      async (request) => {
        return monitoring.measurements.series(request.params.id, request.query);
      },
    );

    app.get(
      "/api/v1/monitors/:id/history",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary:
            "The monitor's state intervals (each change of state), newest first; with `from`/`to`, those overlapping the window",
          params: S.MonitorParams,
          querystring: S.HistoryQuery,
          response: { 200: S.HistoryPage, ...problems(400, 404) },
        },
      },
      async (request) => {
        const { limit = 100, cursor, from, to } = request.query;
        const items = await monitoring.measurements.history(request.params.id, {
          limit: limit + 1,
          before: decodeCursor(cursor),
          from,
          to,
        });
        return toPage(items, limit, (i) => i.id);
      },
    );

    app.post(
      "/api/v1/push/:token",
      {
        config: { public: true },
        schema: {
          tags,
          summary: "Heartbeat push (no session: the token is the credential), as Uptime Kuma's push",
          description:
            "The monitored job calls this at least every intervalSeconds. `status=down` reports a failure; `msg` and `ping` (ms) are kept with the push.",
          params: S.PushParams,
          querystring: S.PushQuery,
          response: { 200: S.PushAnswer, ...problems(400, 404) },
        },
      },
      async (request) => {
        await monitoring.push(request.params.token, request.query);
        return { ok: true };
      },
    );
  };
  return plugin;
}
