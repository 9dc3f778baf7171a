import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { alertmanagerRoutes, matchersOf } from "./alertmanager.js";
import {
  AlertHistory,
  AlertPage,
  AlertQuery,
  ById,
  Preview,
  PreviewInput,
  Receiver,
  ReceiverInput,
  Routing,
  Rule,
  RuleInput,
  RulePatch,
  Silence,
  SilenceInput,
} from "./schemas.js";
import type { AlertsService } from "./service.js";

const tags = ["alerts"];
const list = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item) });

/** Plantão's alerts API (/api/v1), and the Alertmanager-compatible one (/api/v2) beside it. */
export function alertRoutes(alerts: AlertsService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/alerts",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "Alerts with their rule state, silenced and inhibited flags and receivers, newest change first",
          querystring: AlertQuery,
          response: { 200: AlertPage, ...problems(400) },
        },
      },
      async (request) => {
        const { filter, ...rest } = request.query;
        return alerts.alertPage({ ...rest, matchers: matchersOf(filter, "/filter") });
      },
    );
    app.get(
      "/api/v1/alerts/:fingerprint/history",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary: "One alert and its state changes, oldest first",
          params: Type.Object({ fingerprint: Type.String({ maxLength: 64 }) }),
          response: { 200: AlertHistory, ...problems(404) },
        },
      },
      async (request) => alerts.alertHistory(request.params.fingerprint),
    );

    app.get(
      "/api/v1/alert-rules",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "Alert rules", response: { 200: list(Rule) } },
      },
      async () => ({ items: await alerts.listRules() }),
    );
    app.post(
      "/api/v1/alert-rules",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Create an alert rule",
          body: RuleInput,
          response: { 201: Rule, ...problems(400, 409) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await alerts.createRule(actor, request.body, request));
      },
    );
    app.post(
      "/api/v1/alert-rules/preview",
      {
        config: { area: "monitoring", access: "read" },
        schema: {
          tags,
          summary:
            "The value of a metric rule's expression over the last 24 hours, and where the rule would have been pending and firing, replayed from the stored samples",
          body: PreviewInput,
          response: { 200: Preview, ...problems(400) },
        },
      },
      async (request) => alerts.preview(request.body),
    );
    app.get(
      "/api/v1/alert-rules/:id",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "One alert rule", params: ById, response: { 200: Rule, ...problems(404) } },
      },
      async (request) => alerts.getRule(request.params.id),
    );
    app.patch(
      "/api/v1/alert-rules/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Change an alert rule",
          params: ById,
          body: RulePatch,
          response: { 200: Rule, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return alerts.updateRule(actor, request.params.id, request.body, request);
      },
    );
    app.delete(
      "/api/v1/alert-rules/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Delete an alert rule",
          params: ById,
          response: { 204: Type.Null(), ...problems(404) },
        },
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
        schema: { tags, summary: "Silences, newest first", response: { 200: list(Silence) } },
      },
      async () => ({ items: await alerts.listSilences() }),
    );
    app.get(
      "/api/v1/silences/:id",
      {
        config: { area: "monitoring", access: "read" },
        schema: { tags, summary: "One silence", params: ById, response: { 200: Silence, ...problems(404) } },
      },
      async (request) => alerts.getSilence(request.params.id),
    );
    app.post(
      "/api/v1/silences",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Create a silence: matching alerts are not notified between startsAt and endsAt",
          body: SilenceInput,
          response: { 201: Silence, ...problems(400) },
        },
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
        schema: { tags, summary: "Expire a silence now", params: ById, response: { 200: Silence, ...problems(404) } },
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
        schema: { tags, summary: "Receivers", response: { 200: list(Receiver) } },
      },
      async () => ({ items: await alerts.listReceivers() }),
    );
    app.put(
      "/api/v1/receivers",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Create or replace a receiver by name",
          body: ReceiverInput,
          response: { 200: Receiver, ...problems(400) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return alerts.saveReceiver(actor, request.body);
      },
    );
    app.delete(
      "/api/v1/receivers/:id",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Delete a receiver no route uses",
          params: ById,
          response: { 204: Type.Null(), ...problems(404, 409) },
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
          response: { 200: Routing },
        },
      },
      async () => alerts.routing(),
    );
    app.put(
      "/api/v1/routes",
      {
        config: { area: "monitoring", access: "write" },
        schema: {
          tags,
          summary: "Replace the route tree, inhibition rules and mute intervals",
          body: Routing,
          response: { 200: Routing, ...problems(400) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return alerts.saveRouting(actor, request.body as Parameters<AlertsService["saveRouting"]>[1]);
      },
    );

    await app.register(alertmanagerRoutes(alerts));
  };
  return plugin;
}
