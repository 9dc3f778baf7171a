import { Type } from "typebox";
import { decodeCursor, encodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { type KbApp, tags, WRITE } from "./extras-access.js";
import * as S from "./extras-schemas.js";
import type { FeedbackService } from "./feedback.js";
import type { UpkeepService } from "./upkeep.js";

/** "Did this help?" feedback, and upkeep: owners, review dates and stale articles. */
export function feedbackRoutes(app: KbApp, feedback: FeedbackService, upkeep: UpkeepService) {
  app.post(
    "/api/v1/kb/articles/:id/feedback",
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          '"Did this help?" with an optional comment; a signed-in reader\'s answer replaces their earlier one, public articles take anonymous answers',
        params: S.IdParams,
        body: S.FeedbackInput,
        response: { 201: S.Feedback, ...problems(400, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await feedback.give(request.actor, request.params.id, request.body)),
  );
  app.get(
    "/api/v1/kb/articles/:id/feedback",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "An article's feedback: counts and the answers, newest first",
        params: S.IdParams,
        querystring: S.PageQuery,
        response: { 200: S.FeedbackList, ...problems(400, 404) },
      },
    },
    async (request) => {
      const { limit = 50, cursor } = request.query;
      const r = await feedback.list(requireActor(request), request.params.id, {
        limit: limit + 1,
        after: decodeCursor(cursor),
      });
      return { helpful: r.helpful, notHelpful: r.notHelpful, ...toPage(r.items, limit, (f) => f.id) };
    },
  );
  app.get(
    "/api/v1/kb/articles/:id/upkeep",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "An article's owner and review date",
        params: S.IdParams,
        response: { 200: S.Upkeep, ...problems(404) },
      },
    },
    async (request) => upkeep.get(requireActor(request), request.params.id),
  );
  app.put(
    "/api/v1/kb/articles/:id/upkeep",
    {
      config: WRITE,
      schema: {
        tags,
        summary:
          "Set an article's review date (its owner is reminded through notifications when due), or record a review done (reviewed: true)",
        params: S.IdParams,
        body: S.UpkeepInput,
        response: { 200: S.Upkeep, ...problems(400, 404) },
      },
    },
    async (request) => upkeep.schedule(requireActor(request), request.params.id, request.body, request),
  );
  app.get(
    "/api/v1/kb/stale",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Stale articles: past their review date, the longest overdue first, with owner and feedback counts",
        querystring: S.PageQuery,
        response: {
          200: Type.Object({
            items: Type.Array(S.StaleArticle),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problems(400),
        },
      },
    },
    async (request) => {
      const { limit = 50, cursor } = request.query;
      const raw = decodeCursor(cursor);
      const [at, id] = raw ? raw.split("|") : [];
      const rows = await upkeep.stale(requireActor(request), {
        limit: limit + 1,
        after: at && id ? { at, id } : undefined,
      });
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items, nextCursor: more && last ? encodeCursor(`${last.review.reviewAt}|${last.id}`) : null };
    },
  );
}
