import type { FastifyRequest } from "fastify";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import type { UserRow } from "./repository.js";
import { type Access, type Area, type Role, roleAllows, scopesAllow, type Tier } from "./roles.js";

/** Who is making a request, as established by the session cookie or the bearer token. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string;
  tier: Tier | null;
  teams: string[];
  via: "session" | "token";
  sessionId?: string;
  tokenId?: string;
  /** Scopes of the token; undefined for a session (a session has its role's full grants). */
  scopes?: string[];
}

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** The actor a user row stands for; `extra` says how it came (session, token, scopes). */
export function actorOfUser(u: UserRow, extra: Partial<Actor>): Actor {
  return {
    userId: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    organizationId: u.organization_id,
    tier: (u.tier as Tier | null) ?? null,
    teams: JSON.parse(u.teams),
    via: "session",
    ...extra,
  };
}

export const unauthenticated = () =>
  new Problem(401, ProblemType.unauthenticated, "Authentication required", "Log in or send a bearer token");

export const forbidden = (detail = "Your role does not allow this") =>
  new Problem(403, ProblemType.forbidden, "Forbidden", detail);

/** The actor of a request that must be logged in and allowed `access` to `area`; throws 401/403 otherwise. */
export function authorize(request: FastifyRequest, area: Area, access: Access): Actor {
  const actor = request.actor;
  if (!actor) throw unauthenticated();
  if (!roleAllows(actor.role, area, access)) throw forbidden();
  if (actor.scopes && !scopesAllow(actor.scopes, area, access)) {
    throw forbidden(`This token lacks the ${area}:${access} scope`);
  }
  return actor;
}

/** The actor of a request that must be logged in, whatever its role. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

/** Organization filter for repositories: staff see every organization, customers only their own. */
export function tenantOf(actor: Actor): string | undefined {
  return actor.role === "customer" || actor.role === "customer-admin" ? actor.organizationId : undefined;
}
