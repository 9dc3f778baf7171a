import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import * as S from "./schemas.js";
import type { WebhookService } from "./service.js";
import { signatureDoc } from "./signature.js";

const tags = ["webhooks"];

export function webhookRoutes(webhooks: WebhookService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/webhooks",
      {
        config: { area: "webhooks", access: "read" },
        schema: { tags, summary: "Every webhook", response: { 200: S.WebhookList } },
      },
      async () => {
        return { items: await webhooks.list() };
      },
    );

    app.post(
      "/api/v1/webhooks",
      {
        config: { area: "webhooks", access: "write" },
        schema: {
          tags,
          summary: "Create a webhook; the answer holds its signing secret, shown only this once",
          description: signatureDoc,
          body: S.WebhookInput,
          response: { 201: S.WebhookWithSecret, ...problems(400) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await webhooks.create(actor, request.body, request));
      },
    );

    app.get(
      "/api/v1/webhooks/:id",
      {
        config: { area: "webhooks", access: "read" },
        schema: {
          tags,
          summary: "One webhook",
          params: S.WebhookParams,
          response: { 200: S.Webhook, ...problems(400, 404) },
        },
      },
      async (request) => {
        return webhooks.get(request.params.id);
      },
    );

    app.patch(
      "/api/v1/webhooks/:id",
      {
        config: { area: "webhooks", access: "write" },
        schema: {
          tags,
          summary: "Change a webhook; disabling it stops new events, not deliveries already queued",
          params: S.WebhookParams,
          body: S.WebhookPatch,
          response: { 200: S.Webhook, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return webhooks.update(actor, request.params.id, request.body, request);
      },
    );

    app.delete(
      "/api/v1/webhooks/:id",
      {
        config: { area: "webhooks", access: "write" },
        schema: {
          tags,
          summary: "Delete a webhook and its delivery log",
          params: S.WebhookParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await webhooks.remove(actor, request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/webhooks/:id/rotate-secret",
      {
        config: { area: "webhooks", access: "write" },
        schema: {
          tags,
          summary: "Replace the signing secret at once; the answer holds the new one, shown only this once",
          params: S.WebhookParams,
          response: { 200: S.WebhookWithSecret, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return webhooks.rotateSecret(actor, request.params.id, request);
      },
    );

    app.post(
      "/api/v1/webhooks/:id/test",
      {
        config: { area: "webhooks", access: "write" },
        schema: {
          tags,
          summary: "Send a `webhook.test` event to this webhook (even when disabled); answers with its delivery",
          params: S.WebhookParams,
          response: { 202: S.Delivery, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(202).send(await webhooks.sendTest(actor, request.params.id, request));
      },
    );

    app.get(
      "/api/v1/webhooks/:id/deliveries",
      {
        config: { area: "webhooks", access: "read" },
        schema: {
          tags,
          summary: "The delivery log of a webhook, newest first",
          params: S.WebhookParams,
          querystring: S.DeliveriesQuery,
          response: { 200: S.DeliveriesPage, ...problems(400, 404) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, status } = request.query;
        const items = await webhooks.deliveries(request.params.id, {
          limit: limit + 1,
          before: decodeCursor(cursor),
          status,
        });
        return toPage(items, limit, (d) => d.id);
      },
    );

    app.post(
      "/api/v1/webhooks/:id/deliveries/:deliveryId/retry",
      {
        config: { area: "webhooks", access: "write" },
        schema: {
          tags,
          summary: "Send a succeeded or dead delivery again, with a fresh round of attempts",
          params: S.DeliveryParams,
          response: { 202: S.Delivery, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const { id, deliveryId } = request.params;
        return reply.code(202).send(await webhooks.retry(actor, id, deliveryId, request));
      },
    );
  };
  return plugin;
}
