import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DateTime } from "luxon";
import type { Clock } from "../../platform/clock.js";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { Problem } from "../../platform/http/problems.js";
import { problems } from "../../platform/http/schemas.js";
import type { DirectoryService } from "../identity/directory.js";
import { accessReview, weekBounds } from "./access-review.js";
import * as S from "./schemas.js";
import type { AuditService } from "./service.js";

export function auditRoutes(deps: {
  audit: AuditService;
  directory: DirectoryService;
  clock: Clock;
  timezone: string;
}) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/audit",
      {
        config: { area: "audit", access: "read" },
        schema: {
          tags: ["audit"],
          summary: "The audit trail, newest first",
          querystring: S.AuditQuery,
          response: {
            200: S.AuditPage,
            ...problems(400),
          },
        },
      },
      async (request) => {
        const { limit = 100, cursor, from, to, ...filter } = request.query;
        const before = decodeCursor(cursor);
        const rows = await deps.audit.list({
          ...filter,
          from: from ? new Date(from).toISOString() : undefined,
          to: to ? new Date(to).toISOString() : undefined,
          beforeSeq: before === undefined ? undefined : Number(before),
          limit: limit + 1,
        });
        return toPage(rows, limit, (r) => r.seq);
      },
    );

    app.get(
      "/api/v1/audit/verify",
      {
        config: { area: "audit", access: "read" },
        schema: {
          tags: ["audit"],
          summary: "Check the hash chain of the whole audit trail; names the first broken row",
          response: {
            200: S.Verification,
            ...problems(400),
          },
        },
      },
      async () => {
        const r = await deps.audit.verify();
        return { ok: r.firstBreak === null, ...r };
      },
    );

    app.get(
      "/api/v1/audit/access-review",
      {
        config: { area: "audit", access: "read" },
        schema: {
          tags: ["audit"],
          summary: "Weekly access review: roles, new privileges, dormant accounts, failed-login bursts, unused tokens",
          querystring: S.AccessReviewQuery,
          response: {
            200: S.AccessReview,
            ...problems(400),
          },
        },
      },
      async (request) => {
        const now = deps.clock.now();
        const week = request.query.week ?? DateTime.fromJSDate(now, { zone: deps.timezone }).toFormat("kkkk-'W'WW");
        const bounds = weekBounds(week, deps.timezone);
        if (!bounds)
          throw Problem.invalid({ in: "querystring", pointer: "/week", message: `${week} is not an ISO week` });
        const [dir, entries] = await Promise.all([
          deps.directory.directorySnapshot(),
          deps.audit.inWindow(bounds.from, bounds.to, ["user.created", "user.role-changed", "auth.login"]),
        ]);
        return accessReview({ week, ...bounds, users: dir.users, tokens: dir.tokens, entries });
      },
    );
  };
  return plugin;
}
