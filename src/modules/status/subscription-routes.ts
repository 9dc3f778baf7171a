import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { AREA, type StatusModule, tags } from "./route-kit.js";
import * as S from "./schemas.js";

/** Email subscriptions to components (double opt-in) and their administration. */
export function subscriptionRoutes(m: StatusModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.post(
      "/api/v1/status-subscriptions",
      {
        config: { public: true },
        schema: {
          tags,
          summary:
            "Subscribe an address to components: a confirmation link is mailed (double opt-in); the answer is the same for any address",
          body: S.SubscriptionInput,
          response: { 202: Type.Object({ status: Type.Literal("pending") }), ...problems(400) },
        },
      },
      async (request, reply) => {
        await m.subscriptions.subscribe(request.body);
        return reply.code(202).send({ status: "pending" as const });
      },
    );
    app.post(
      "/api/v1/status-subscriptions/confirm",
      {
        config: { public: true },
        schema: {
          tags,
          summary: "Confirm a subscription with the token of its link",
          body: S.TokenInput,
          response: { 200: S.Subscription, ...problems(400, 404) },
        },
      },
      async (request) => m.subscriptions.confirm(request.body.token),
    );
    app.post(
      "/api/v1/status-subscriptions/unsubscribe",
      {
        config: { public: true },
        schema: {
          tags,
          summary: "End a subscription with the token of a notice's link",
          body: S.TokenInput,
          response: { 200: S.Subscription, ...problems(400, 404) },
        },
      },
      async (request) => m.subscriptions.unsubscribe(request.body.token),
    );
    app.get(
      "/api/v1/status-subscriptions",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Subscriptions, newest first",
          querystring: S.PageQuery,
          response: {
            200: Type.Object({
              items: Type.Array(S.Subscription),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...problems(400),
          },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        return toPage(
          await m.subscriptions.list({ limit: limit + 1, after: decodeCursor(cursor) }),
          limit,
          (s) => s.id,
        );
      },
    );
    app.delete(
      "/api/v1/status-subscriptions/:id",
      {
        config: { area: AREA, access: "write" },
        schema: { tags, summary: "Delete a subscription", params: S.IdParams, response: { 204: Type.Null() } },
      },
      async (request, reply) => {
        await m.subscriptions.remove(request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
  return plugin;
}
