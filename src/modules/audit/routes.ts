import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DateTime } from "luxon";
import { Type } from "typebox";
import type { Clock } from "../../platform/clock.js";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { Problem } from "../../platform/http/problems.js";
import { authorize } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { accessReview, weekBounds } from "./access-review.js";
import type { AuditRepository } from "./repository.js";
import type { AuditService } from "./service.js";

const problems = { 400: Type.Ref("Problem"), 401: Type.Ref("Problem"), 403: Type.Ref("Problem") };
const nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);

const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  action: Type.String(),
  outcome: Type.String(),
  actorUserId: nullable(Type.String()),
  actorTokenId: nullable(Type.String()),
  actorLabel: nullable(Type.String()),
  organizationId: nullable(Type.String()),
  targetType: nullable(Type.String()),
  targetId: nullable(Type.String()),
  ip: nullable(Type.String()),
  userAgent: nullable(Type.String()),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  hash: Type.String(),
});

const UserRef = Type.Object(
  { id: Type.String(), email: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: true },
);

export function auditRoutes(deps: {
  audit: AuditService;
  repo: AuditRepository;
  directory: DirectoryService;
  clock: Clock;
  timezone: string;
}) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/audit",
      {
        schema: {
          tags: ["audit"],
          summary: "The audit trail, newest first",
          querystring: Type.Object(
            {
              action: Type.Optional(
                Type.String({ maxLength: 100, description: "Exact action, or a prefix ending in *" }),
              ),
              actorUserId: Type.Optional(Type.String({ format: "uuid" })),
              organizationId: Type.Optional(Type.String({ format: "uuid" })),
              targetType: Type.Optional(Type.String({ maxLength: 50 })),
              targetId: Type.Optional(Type.String({ maxLength: 100 })),
              outcome: Type.Optional(Type.Union([Type.Literal("success"), Type.Literal("failure")])),
              from: Type.Optional(Type.String({ format: "date-time" })),
              to: Type.Optional(Type.String({ format: "date-time" })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
              cursor: Type.Optional(Type.String({ maxLength: 40 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
            ...problems,
          },
        },
      },
      async (request) => {
        authorize(request, "audit", "read");
        const { limit = 100, cursor, from, to, ...filter } = request.query;
        const before = decodeCursor(cursor);
        const rows = await deps.repo.list({
          ...filter,
          from: from ? new Date(from).toISOString() : undefined,
          to: to ? new Date(to).toISOString() : undefined,
          beforeSeq: before === undefined ? undefined : Number(before),
          limit: limit + 1,
        });
        const page = toPage(rows, limit, (r) => Number(r.seq));
        return {
          nextCursor: page.nextCursor,
          items: page.items.map((r) => ({
            seq: Number(r.seq),
            at: r.at,
            action: r.action,
            outcome: r.outcome,
            actorUserId: r.actor_user_id,
            actorTokenId: r.actor_token_id,
            actorLabel: r.actor_label,
            organizationId: r.organization_id,
            targetType: r.target_type,
            targetId: r.target_id,
            ip: r.ip,
            userAgent: r.user_agent,
            details: r.details ? JSON.parse(r.details) : null,
            hash: r.hash,
          })),
        };
      },
    );

    app.get(
      "/api/v1/audit/verify",
      {
        schema: {
          tags: ["audit"],
          summary: "Check the hash chain of the whole audit trail; names the first broken row",
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              rows: Type.Integer(),
              firstBreak: Type.Union([Type.Object({ seq: Type.Integer(), reason: Type.String() }), Type.Null()]),
            }),
            ...problems,
          },
        },
      },
      async (request) => {
        authorize(request, "audit", "read");
        const r = await deps.audit.verify();
        return { ok: r.firstBreak === null, ...r };
      },
    );

    app.get(
      "/api/v1/audit/access-review",
      {
        schema: {
          tags: ["audit"],
          summary: "Weekly access review: roles, new privileges, dormant accounts, failed-login bursts, unused tokens",
          querystring: Type.Object(
            {
              week: Type.Optional(
                Type.String({
                  pattern: "^[0-9]{4}-W[0-9]{2}$",
                  description: "ISO week, e.g. 2026-W48; default the current week",
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              week: Type.String(),
              from: Type.String(),
              to: Type.String(),
              roles: Type.Array(Type.Object({ role: Type.String(), users: Type.Array(UserRef) })),
              newPrivileges: Type.Array(Type.Record(Type.String(), Type.Unknown())),
              dormantAccounts: Type.Array(UserRef),
              failedLoginBursts: Type.Array(
                Type.Object({
                  by: Type.String(),
                  key: Type.String(),
                  failures: Type.Integer(),
                  firstAt: Type.String(),
                  lastAt: Type.String(),
                }),
              ),
              tokensNeverUsed: Type.Array(Type.Record(Type.String(), Type.Unknown())),
              staffWithoutTwoFactor: Type.Array(UserRef),
            }),
            ...problems,
          },
        },
      },
      async (request) => {
        authorize(request, "audit", "read");
        const now = deps.clock.now();
        const week = request.query.week ?? DateTime.fromJSDate(now, { zone: deps.timezone }).toFormat("kkkk-'W'WW");
        const bounds = weekBounds(week, deps.timezone);
        if (!bounds)
          throw Problem.invalid({ in: "querystring", pointer: "/week", message: `${week} is not an ISO week` });
        const [dir, entries] = await Promise.all([
          deps.directory.directorySnapshot(),
          deps.repo.inWindow(bounds.from, bounds.to, ["user.created", "user.role-changed", "auth.login"]),
        ]);
        return accessReview({ week, ...bounds, users: dir.users, tokens: dir.tokens, entries });
      },
    );
  };
  return plugin;
}
