import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { authorize } from "../identity/actor.js";
import * as S from "./schemas.js";
import type { MonitoringService } from "./service.js";

const problem = Type.Ref("Problem");
const problems = { 401: problem, 403: problem };
const tags = ["monitoring"];

export function monitoringRoutes(monitoring: MonitoringService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/monitors",
      {
        schema: {
          tags,
          summary: "Monitors with their current state, in creation order",
          querystring: S.MonitorListQuery,
          response: { 200: S.MonitorPage, 400: problem, ...problems },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        const { limit = 100, cursor, ...filter } = request.query;
        const items = await monitoring.list({ ...filter, limit: limit + 1, after: decodeCursor(cursor) });
        return toPage(items, limit, (m) => m.id);
      },
    );

    app.post(
      "/api/v1/monitors",
      {
        schema: {
          tags,
          summary: "Create a monitor; a heartbeat's answer holds its push token, shown only this once",
          body: S.MonitorInput,
          response: { 201: S.MonitorWithToken, 400: problem, ...problems },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "monitoring", "write");
        return reply.code(201).send(await monitoring.create(actor, request.body, request));
      },
    );

    app.get(
      "/api/v1/monitoring/nodes",
      {
        schema: {
          tags,
          summary: "The nodes running monitors: their last heartbeat, the shards each holds and the monitors in them",
          response: { 200: S.ClusterNodes, ...problems },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        return monitoring.nodes();
      },
    );

    app.get(
      "/api/v1/monitors/:id",
      {
        schema: {
          tags,
          summary: "One monitor with its current state",
          params: S.MonitorParams,
          response: { 200: S.Monitor, 400: problem, ...problems, 404: problem },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        return monitoring.get(request.params.id);
      },
    );

    app.patch(
      "/api/v1/monitors/:id",
      {
        schema: {
          tags,
          summary: "Change a monitor; the whole result is validated again (a new type needs its own settings)",
          params: S.MonitorParams,
          body: S.MonitorPatch,
          response: { 200: S.MonitorWithToken, 400: problem, ...problems, 404: problem },
        },
      },
      async (request) => {
        const actor = authorize(request, "monitoring", "write");
        return monitoring.update(actor, request.params.id, request.body, request);
      },
    );

    app.delete(
      "/api/v1/monitors/:id",
      {
        schema: {
          tags,
          summary: "Delete a monitor and its history; its dependents and members lose the link",
          params: S.MonitorParams,
          response: { 204: Type.Null(), 400: problem, ...problems, 404: problem },
        },
      },
      async (request, reply) => {
        const actor = authorize(request, "monitoring", "write");
        await monitoring.remove(actor, request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    for (const action of ["pause", "resume"] as const) {
      app.post(
        `/api/v1/monitors/:id/${action}`,
        {
          schema: {
            tags,
            summary:
              action === "pause"
                ? "Pause a monitor: no checks, state MAINTENANCE (left out of uptime)"
                : "Resume a paused monitor: checked at once",
            params: S.MonitorParams,
            response: { 200: S.Monitor, 400: problem, ...problems, 404: problem, 409: problem },
          },
        },
        async (request) => {
          const actor = authorize(request, "monitoring", "write");
          return monitoring[action](actor, request.params.id, request);
        },
      );
    }

    app.post(
      "/api/v1/monitors/:id/push-token",
      {
        schema: {
          tags,
          summary: "Replace a heartbeat's push token at once; the answer holds the new one, shown only this once",
          params: S.MonitorParams,
          response: { 200: S.PushToken, 400: problem, ...problems, 404: problem, 409: problem },
        },
      },
      async (request) => {
        const actor = authorize(request, "monitoring", "write");
        return monitoring.rotatePushToken(actor, request.params.id, request);
      },
    );

    app.get(
      "/api/v1/monitors/:id/uptime",
      {
        schema: {
          tags,
          summary: "Uptime over a window, time-weighted from the state intervals, maintenance left out",
          params: S.MonitorParams,
          querystring: S.WindowQuery,
          response: { 200: S.Uptime, 400: problem, ...problems, 404: problem },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        return monitoring.uptime(request.params.id, request.query);
      },
    );

    app.get(
      "/api/v1/monitors/uptime",
      {
        schema: {
          tags,
          summary: "Uptime of several monitors over one window (a dashboard page at once)",
          querystring: S.UptimesQuery,
          response: { 200: S.UptimeList, 400: problem, ...problems },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        const { ids, ...window } = request.query;
        return { items: await monitoring.uptimes(ids, window) };
      },
    );

    app.get(
      "/api/v1/monitors/overview",
      {
        schema: {
          tags,
          summary:
            "What the dashboard cards show for up to 200 monitors at once: uptime over 24 h, 7 d and 30 d, the last check and the last hour's minutes",
          querystring: S.OverviewQuery,
          response: { 200: S.Overview, 400: problem, ...problems },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        return monitoring.overview(request.query.ids);
      },
    );

    app.get(
      "/api/v1/monitors/:id/series",
      {
        schema: {
          tags,
          summary: "Checks, failures and latency per step, from the minute, hour or day aggregates",
          params: S.MonitorParams,
          querystring: S.SeriesQuery,
          response: { 200: S.Series, 400: problem, ...problems, 404: problem },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        return monitoring.series(request.params.id, request.query);
      },
    );

    app.get(
      "/api/v1/monitors/:id/history",
      {
        schema: {
          tags,
          summary:
            "The monitor's state intervals (each change of state), newest first; with `from`/`to`, those overlapping the window",
          params: S.MonitorParams,
          querystring: S.HistoryQuery,
          response: { 200: S.HistoryPage, 400: problem, ...problems, 404: problem },
        },
      },
      async (request) => {
        authorize(request, "monitoring", "read");
        const { limit = 100, cursor, from, to } = request.query;
        const items = await monitoring.history(request.params.id, {
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
        schema: {
          tags,
          summary: "Heartbeat push (no session: the token is the credential), as Uptime Kuma's push",
          description:
            "The monitored job calls this at least every intervalSeconds. `status=down` reports a failure; `msg` and `ping` (ms) are kept with the push.",
          params: S.PushParams,
          querystring: S.PushQuery,
          response: { 200: S.PushAnswer, 400: problem, 404: problem },
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
