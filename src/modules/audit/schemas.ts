import { Type } from "typebox";
import { Id, Instant, nullable, strict } from "../../platform/http/schemas.js";

export const AuditEntry = Type.Object({
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
  details: nullable(Type.Record(Type.String(), Type.Unknown())),
  hash: Type.String(),
});

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: "Exact action, or a prefix ending in *" })),
    actorUserId: Type.Optional(Id),
    organizationId: Type.Optional(Id),
    targetType: Type.Optional(Type.String({ maxLength: 50 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    outcome: Type.Optional(Type.Union([Type.Literal("success"), Type.Literal("failure")])),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 40 })),
  },
  strict,
);

export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), nextCursor: nullable(Type.String()) });

export const Verification = Type.Object({
  ok: Type.Boolean(),
  rows: Type.Integer(),
  firstBreak: nullable(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
});

export const AccessReviewQuery = Type.Object(
  {
    week: Type.Optional(
      Type.String({
        pattern: "^[0-9]{4}-W[0-9]{2}$",
        description: "ISO week, e.g. 2026-W48; default the current week",
      }),
    ),
  },
  strict,
);

const UserRef = Type.Object({ id: Type.String(), email: nullable(Type.String()) }, { additionalProperties: true });

export const AccessReview = Type.Object({
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
});
