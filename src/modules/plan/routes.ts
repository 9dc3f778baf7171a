import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { decodeIntegerCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { findingLocaleOf } from "./findings.js";
import * as S from "./schemas.js";
import type { PlanService } from "./service.js";

/** A versions cursor is the version number of the last item seen. */
export function planRoutes(plan: PlanService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/plan",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["plan"],
          summary: "The current support and maintenance plan",
          response: { 200: S.PlanVersion },
        },
      },
      async () => {
        return plan.current();
      },
    );

    app.put(
      "/api/v1/plan",
      {
        config: { area: "plan", access: "write" },
        schema: {
          tags: ["plan"],
          summary: "Save a new version of the plan",
          description:
            "Invalid documents (shape or rules such as target above maximum, unknown calendar) are 400 naming each field.",
          body: S.PlanUpdate,
          response: { 200: S.PlanVersion, ...problems(400, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return plan.update(request.body, { actor, request });
      },
    );

    app.get(
      "/api/v1/plan/versions",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["plan"],
          summary: "Versions of the plan, newest first, each with its changes from the previous one",
          querystring: S.VersionsQuery,
          response: { 200: S.VersionsPage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 20, cursor } = request.query;
        const items = await plan.history({ limit: limit + 1, before: decodeIntegerCursor(cursor) });
        return toPage(items, limit, (v) => v.version);
      },
    );

    app.get(
      "/api/v1/plan/versions/:version",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["plan"],
          summary: "One version of the plan",
          params: S.VersionParams,
          response: { 200: S.PlanVersion, ...problems(400, 404) },
        },
      },
      async (request) => {
        return plan.version(request.params.version);
      },
    );

    app.get(
      "/api/v1/plan/findings",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["plan"],
          summary: "Problems of the current plan: targets it cannot meet and rules that contradict each other",
          querystring: S.FindingsQuery,
          response: { 200: S.Findings, ...problems(400) },
        },
      },
      async (request) => {
        const locale = request.query.locale ?? findingLocaleOf(request.headers["accept-language"]);
        return { items: await plan.findings(locale) };
      },
    );

    app.get(
      "/api/v1/plan/holiday-regions",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["plan"],
          summary: "The countries, states and cities a business calendar can take its public holidays from",
          querystring: S.HolidayRegionsQuery,
          response: { 200: S.HolidayRegions, ...problems(400) },
        },
      },
      async (request) => {
        const locale = request.query.locale ?? findingLocaleOf(request.headers["accept-language"]);
        return { items: plan.holidayRegions(locale) };
      },
    );
  };
  return plugin;
}
