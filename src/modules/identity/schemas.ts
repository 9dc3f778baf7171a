import { Type } from "typebox";
import { Id, Instant, nullable, strict } from "../../platform/http/schemas.js";
import { type Role, roles, scopePattern, type Tier, tiers } from "./roles.js";

export const Email = Type.String({ format: "email", maxLength: 254 });
export const Password = Type.String({ minLength: 10, maxLength: 256, description: "At least 10 characters" });
export { Id, Instant };
export const IdParams = Type.Object({ id: Id }, strict);
export const RoleSchema = Type.Unsafe<Role>({ type: "string", enum: [...roles] });
export const TierSchema = Type.Unsafe<Tier>({ type: "string", enum: [...tiers] });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
};

export const page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  organizationId: Type.String(),
  /** Staff only: absent on a customer's user. */
  tier: Type.Optional(Type.Union([TierSchema, Type.Null()])),
  /** Staff only: absent on a customer's user. */
  teams: Type.Optional(Type.Array(Type.String())),
  locale: Type.String(),
  timezone: Type.String(),
  totpEnabled: Type.Boolean(),
  disabled: Type.Boolean(),
  lockedUntil: nullable(Type.String()),
  lastLoginAt: nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Contact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Email),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
    role: Type.Optional(Type.String({ maxLength: 100 })),
  },
  strict,
);

/** A DID in E.164 form. */
const PhoneNumber = Type.String({ pattern: "^\\+[1-9][0-9]{6,14}$" });
/** A SIP identity: user@host (a trunk's or caller's address of record). */
const SipIdentity = Type.String({ pattern: "^(sips?:)?[^@\\s]{1,64}@[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$" });

export const OrganizationInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    slug: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,59}$" })),
    serviceTier: Type.Optional(nullable(Type.String({ maxLength: 60 }))),
    calendar: Type.Optional(
      nullable(Type.String({ maxLength: 60, description: "Business calendar override (plan calendar id)" })),
    ),
    contacts: Type.Optional(Type.Array(Contact, { maxItems: 100 })),
    phoneNumbers: Type.Optional(Type.Array(PhoneNumber, { maxItems: 10000 })),
    sipIdentities: Type.Optional(Type.Array(SipIdentity, { maxItems: 1000 })),
  },
  strict,
);
export const OrganizationPatch = Type.Partial(OrganizationInput, strict);

export const Organization = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  kind: Type.Union([Type.Literal("provider"), Type.Literal("customer")]),
  serviceTier: nullable(Type.String()),
  calendar: nullable(Type.String()),
  contacts: Type.Array(
    Type.Object({
      name: Type.String(),
      email: Type.Optional(Type.String()),
      phone: Type.Optional(Type.String()),
      role: Type.Optional(Type.String()),
    }),
  ),
  phoneNumbers: Type.Array(Type.String()),
  sipIdentities: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const UserInput = Type.Object(
  {
    email: Email,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: RoleSchema,
    organizationId: Type.Optional(Id),
    tier: Type.Optional(TierSchema),
    teams: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 50 })),
    password: Type.Optional(Password),
    locale: Type.Optional(Type.Union([Type.Literal("pt-BR"), Type.Literal("en")])),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  strict,
);

export const UserPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: Type.Optional(RoleSchema),
    organizationId: Type.Optional(Id),
    tier: Type.Optional(Type.Union([TierSchema, Type.Null()])),
    teams: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 50 })),
    disabled: Type.Optional(Type.Boolean()),
    locale: Type.Optional(Type.Union([Type.Literal("pt-BR"), Type.Literal("en")])),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  strict,
);

export const Token = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  expiresAt: nullable(Type.String()),
  lastUsedAt: nullable(Type.String()),
  revokedAt: nullable(Type.String()),
  createdAt: Type.String(),
});

export const TokenWithOwner = Type.Intersect([
  Token,
  Type.Object({ owner: Type.Object({ name: Type.String(), email: Type.String() }) }),
]);

export const TokenInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.String({ pattern: scopePattern }), { minItems: 1, maxItems: 20, uniqueItems: true }),
    expiresAt: Type.Optional(Instant),
  },
  strict,
);

export const LoginInput = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    totpCode: Type.Optional(Type.String({ pattern: "^[0-9]{6}$" })),
  },
  strict,
);

export const Session = Type.Object({ user: User, csrfToken: Type.String(), expiresAt: Type.String() });
export const Me = Type.Object({
  user: User,
  csrfToken: Type.Union([Type.String(), Type.Null()]),
  via: Type.Union([Type.Literal("session"), Type.Literal("token")]),
  scopes: Type.Union([Type.Array(Type.String()), Type.Null()]),
});
