import type { FastifyInstance, FastifyRequest, RouteOptions } from "fastify";
import { Type } from "typebox";
import { authorize, forbidden, requireActor } from "./actor.js";
import type { Access, Area, Role } from "./roles.js";

/**
 * Who may call a route, declared in its `config` in exactly one of three forms:
 * - `{ public: true }`: anyone, signed in or not (signing in, health, a heartbeat whose token is the credential);
 * - `{ signedIn: true }`: any signed-in user whatever its role and token scopes (its own profile, logging out);
 * - `{ area, access }`: a role granted `access` to `area`, through a token holding that scope (`authorize`).
 * `roles` narrows either of the last two to those roles (a page only customers have).
 */
export interface RouteAccess {
  public?: true;
  signedIn?: true;
  area?: Area;
  access?: Access;
  roles?: readonly Role[];
}

declare module "fastify" {
  interface FastifyContextConfig extends RouteAccess {}
}

/** Where requests are signed in: Plantão's API and its Alertmanager-compatible v2 API. */
export const SIGNED_IN_PREFIXES = ["/api/v1/", "/api/v2/"] as const;
const underApi = (url: string) => SIGNED_IN_PREFIXES.some((p) => url.startsWith(p));

/** Why a route's declaration is not one of the three forms, or null when it is. */
export function declarationFault(config: RouteAccess | undefined, url: string): string | null {
  const forms = [config?.public, config?.signedIn, config?.area !== undefined].filter(Boolean).length;
  if (forms !== 1) return "declares none or several of { public: true }, { signedIn: true }, { area, access }";
  if (config?.area !== undefined && config.access === undefined) return "declares an area without its access";
  if (config?.access !== undefined && config.area === undefined) return "declares an access without its area";
  if (config?.roles && (config.public || !config.roles.length)) return "narrows roles of a public route or to none";
  if (!config?.public && !underApi(url))
    return `is outside ${SIGNED_IN_PREFIXES.join(" and ")}, where no request is signed in`;
  return null;
}

/** How the declaration reads in the OpenAPI operation, for readers and for the test that every route has one. */
export function describeAccess(config: RouteAccess) {
  const requirement = config.area ? [`${config.area}:${config.access}`] : [];
  const security: Array<Record<string, string[]>> = config.public ? [] : [{ bearer: requirement }, { session: [] }];
  return {
    "x-plantao-access": config.public ? "public" : config.signedIn ? "signed-in" : config.access,
    ...(config.area ? { "x-plantao-area": config.area } : {}),
    ...(config.roles ? { "x-plantao-roles": [...config.roles] } : {}),
    // OpenAPI 3.1 lets non-OAuth schemes name what they require: here the token scope.
    security,
  };
}

/** Enforces a route's declaration: 401 without a signed-in user, 403 when its role or token falls short. */
export function enforceAccess(request: FastifyRequest, config: RouteAccess): void {
  if (config.public) return;
  const actor = config.area && config.access ? authorize(request, config.area, config.access) : requireActor(request);
  if (config.roles && !config.roles.includes(actor.role)) throw forbidden();
}

const problem = Type.Ref("Problem");

/**
 * Every route declares who may call it, checked once here before its body is even read, so a caller who may
 * not use a route learns that (401/403) and never a 400 about a body it may not send. Install before any route:
 * a route registered without a declaration fails the start. Assets outside the API (the web app, the API
 * browser), hidden from the OpenAPI document, are public by nature: no request there carries an actor.
 */
export function installAuthorization(app: FastifyInstance): void {
  app.addHook("onRoute", (route: RouteOptions) => {
    const url = route.url;
    if (!declared(route.config) && !underApi(url) && route.schema?.hide) {
      route.config = { ...route.config, public: true };
    }
    const fault = declarationFault(route.config, url);
    if (fault) throw new Error(`${String(route.method)} ${url} ${fault}`);
    if (route.schema) {
      // The declaration shows in the OpenAPI operation, and so do the refusals it can cause.
      const refusals = route.config?.public ? {} : { 401: problem, 403: problem };
      route.schema = {
        ...route.schema,
        ...describeAccess(route.config ?? {}),
        response: { ...refusals, ...(route.schema.response as Record<string, unknown> | undefined) },
      };
    }
  });
  // Synchronous work, so a callback hook: no promise per request.
  app.addHook("preParsing", (request, _reply, payload, done) => {
    try {
      if (!request.is404) enforceAccess(request, request.routeOptions.config);
    } catch (err) {
      return done(err as Error);
    }
    done(null, payload);
  });
}

function declared(config: RouteAccess | undefined): boolean {
  return Boolean(config?.public || config?.signedIn || config?.area || config?.access || config?.roles);
}
