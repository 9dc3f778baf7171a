import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { PageDesk } from "./pages.js";
import type { EscalationPolicyService } from "./policies.js";
import type { RotationService } from "./rotations.js";
import * as S from "./schemas.js";

const tags = ["oncall"];
/** On-call data is the provider's: staff with monitoring access read it, operators change it; customers never. */
const read = { area: "monitoring", access: "read" } as const;
const write = { area: "monitoring", access: "write" } as const;

export function oncallRoutes(deps: { rotations: RotationService; policies: EscalationPolicyService; pages: PageDesk }) {
  const { rotations, policies, pages } = deps;
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    // rotations ------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/oncall/rotations",
      {
        config: read,
        schema: {
          tags,
          summary: "Rotations, each with its warnings (gaps, overlapping overrides) over the next 28 days",
          querystring: S.ListQuery,
          response: { 200: S.RotationList, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        const items = await rotations.list({ limit: limit + 1, after: decodeCursor(cursor) });
        return toPage(items, limit, (r) => r.id);
      },
    );

    app.post(
      "/api/v1/oncall/rotations",
      {
        config: write,
        schema: {
          tags,
          summary: "Create a rotation: layers handing off daily or weekly at a local time",
          body: S.RotationInput,
          response: { 201: S.Rotation, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await rotations.create(requireActor(request), request.body, request)),
    );

    app.get(
      "/api/v1/oncall/rotations/:id",
      {
        config: read,
        schema: {
          tags,
          summary: "One rotation",
          params: S.IdParams,
          response: { 200: S.Rotation, ...problems(400, 404) },
        },
      },
      async (request) => rotations.get(request.params.id),
    );

    app.patch(
      "/api/v1/oncall/rotations/:id",
      {
        config: write,
        schema: {
          tags,
          summary: "Change a rotation",
          params: S.IdParams,
          body: S.RotationPatch,
          response: { 200: S.Rotation, ...problems(400, 404) },
        },
      },
      async (request) => rotations.update(requireActor(request), request.params.id, request.body, request),
    );

    app.delete(
      "/api/v1/oncall/rotations/:id",
      {
        config: write,
        schema: {
          tags,
          summary: "Delete a rotation and its overrides",
          params: S.IdParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await rotations.remove(requireActor(request), request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/v1/oncall/rotations/:id/schedule",
      {
        config: read,
        schema: {
          tags,
          summary: "Who is on call over a span (default the next 28 days, at most 93), with gaps and overlaps",
          params: S.IdParams,
          querystring: S.ScheduleQuery,
          response: { 200: S.Schedule, ...problems(400, 404) },
        },
      },
      async (request) => rotations.schedule(request.params.id, request.query),
    );

    // overrides ------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/oncall/rotations/:id/overrides",
      {
        config: read,
        schema: {
          tags,
          summary: "Overrides of a rotation over a span (default from now on)",
          params: S.IdParams,
          querystring: S.OverridesQuery,
          response: { 200: S.OverrideList, ...problems(400, 404) },
        },
      },
      async (request) => ({
        items: await rotations.overrides(request.params.id, request.query.from, request.query.to),
      }),
    );

    app.post(
      "/api/v1/oncall/rotations/:id/overrides",
      {
        config: write,
        schema: {
          tags,
          summary: "Put someone on call instead between two instants (above every layer)",
          params: S.IdParams,
          body: S.OverrideInput,
          response: { 201: S.Override, ...problems(400, 404) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await rotations.addOverride(requireActor(request), request.params.id, request.body, request)),
    );

    app.delete(
      "/api/v1/oncall/rotations/:id/overrides/:overrideId",
      {
        config: write,
        schema: {
          tags,
          summary: "Remove an override",
          params: S.OverrideParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await rotations.removeOverride(requireActor(request), request.params.id, request.params.overrideId, request);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/v1/oncall/now",
      {
        config: read,
        schema: {
          tags,
          summary: "Who is on call now, or at the instant `at`, in every rotation (or one, or a team's)",
          querystring: S.NowQuery,
          response: { 200: S.OnCallNow, ...problems(400, 404) },
        },
      },
      async (request) => rotations.now(request.query),
    );

    // escalation policies -------------------------------------------------------------------------------
    app.get(
      "/api/v1/escalation-policies",
      {
        config: read,
        schema: {
          tags,
          summary: "Escalation policies; the plan's matrix seeds one per severity",
          querystring: S.ListQuery,
          response: { 200: S.PolicyList, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        const items = await policies.list({ limit: limit + 1, after: decodeCursor(cursor) });
        return toPage(items, limit, (p) => p.id);
      },
    );

    app.post(
      "/api/v1/escalation-policies",
      {
        config: write,
        schema: {
          tags,
          summary: "Create an escalation policy: ordered steps, each telling targets and then waiting",
          body: S.PolicyInput,
          response: { 201: S.Policy, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await policies.create(requireActor(request), request.body, request)),
    );

    app.get(
      "/api/v1/escalation-policies/:id",
      {
        config: read,
        schema: {
          tags,
          summary: "One escalation policy",
          params: S.IdParams,
          response: { 200: S.Policy, ...problems(400, 404) },
        },
      },
      async (request) => policies.get(request.params.id),
    );

    app.patch(
      "/api/v1/escalation-policies/:id",
      {
        config: write,
        schema: {
          tags,
          summary: "Change an escalation policy; pages already running keep the steps they started with",
          params: S.IdParams,
          body: S.PolicyPatch,
          response: { 200: S.Policy, ...problems(400, 404) },
        },
      },
      async (request) => policies.update(requireActor(request), request.params.id, request.body, request),
    );

    app.delete(
      "/api/v1/escalation-policies/:id",
      {
        config: write,
        schema: {
          tags,
          summary: "Delete an escalation policy; pages already running keep their steps",
          params: S.IdParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await policies.remove(requireActor(request), request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    // pages --------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/me/pages",
      {
        config: read,
        schema: {
          tags: ["oncall", "me"],
          summary: "My pages: those that told me, newest first",
          querystring: S.PagesQuery,
          response: { 200: S.PageList, ...problems(400) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { limit = 50, cursor, status } = request.query;
        const items = await pages.list(actor, {
          limit: limit + 1,
          before: decodeCursor(cursor),
          status,
          userId: actor.userId,
        });
        return toPage(items, limit, (p) => p.id);
      },
    );

    app.get(
      "/api/v1/pages",
      {
        config: read,
        schema: {
          tags,
          summary: "Every page the caller may see, newest first (a security incident's: the security role and admins)",
          querystring: S.PagesQuery,
          response: { 200: S.PageList, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, status } = request.query;
        const items = await pages.list(requireActor(request), {
          limit: limit + 1,
          before: decodeCursor(cursor),
          status,
        });
        return toPage(items, limit, (p) => p.id);
      },
    );

    app.get(
      "/api/v1/pages/link",
      {
        config: { public: true },
        schema: {
          tags,
          summary: "What a mailed acknowledgement link is for, before using it (no login: the token is the credential)",
          querystring: S.LinkQuery,
          response: { 200: S.LinkPreview, ...problems(400, 404, 409, 410) },
        },
      },
      async (request) => pages.previewLink(request.query.token),
    );

    app.post(
      "/api/v1/pages/link/acknowledge",
      {
        config: { public: true },
        schema: {
          tags,
          summary: "Acknowledge a page by its mailed link (no login); each link works once, for 24 hours",
          body: S.LinkBody,
          response: { 200: S.LinkAckResult, ...problems(400, 404, 409, 410) },
        },
      },
      async (request) => pages.acknowledgeByLink(request.body.token, request),
    );

    app.get(
      "/api/v1/pages/:id",
      {
        config: read,
        schema: { tags, summary: "One page", params: S.IdParams, response: { 200: S.Page, ...problems(400, 404) } },
      },
      async (request) => pages.get(requireActor(request), request.params.id),
    );

    app.post(
      "/api/v1/pages/:id/acknowledge",
      {
        config: read,
        schema: {
          tags,
          summary:
            "Acknowledge a page (someone it told, or an operator): its waiting steps stop; twice is a 409 naming who did",
          params: S.IdParams,
          response: { 200: S.AckResult, ...problems(400, 403, 404, 409) },
        },
      },
      async (request) => pages.acknowledgePage(requireActor(request), request.params.id, request),
    );
  };
  return plugin;
}
