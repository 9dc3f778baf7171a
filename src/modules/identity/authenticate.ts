import cookie from "@fastify/cookie";
import type { FastifyInstance } from "fastify";
import { Problem } from "../../platform/http/problems.js";
import { SIGNED_IN_PREFIXES } from "./authorization.js";
import { safeEqual } from "./credentials.js";
import { type AuthenticationService, SESSION_COOKIE } from "./service.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Establishes `request.actor` from a bearer token or the session cookie on every API request.
 * Cookie-authenticated writes must echo the session's CSRF token in `x-csrf-token`.
 */
export async function installAuthentication(
  app: FastifyInstance,
  authentication: AuthenticationService,
): Promise<void> {
  await app.register(cookie);
  app.decorateRequest("actor", null);
  app.addHook("onRequest", async (request) => {
    request.actor = null;
    if (!SIGNED_IN_PREFIXES.some((p) => request.url.startsWith(p))) return;
    const auth = request.headers.authorization;
    if (auth !== undefined) {
      const match = /^Bearer\s+(\S{1,200})$/i.exec(auth);
      const actor = match ? await authentication.actorFromToken(match[1]!, request) : null;
      if (!actor) {
        throw new Problem(
          401,
          "invalid-token",
          "Invalid token",
          "The bearer token is malformed, unknown, revoked or expired",
        );
      }
      request.actor = actor;
      return;
    }
    const secret = request.cookies[SESSION_COOKIE];
    if (!secret || secret.length > 200) return;
    const session = await authentication.actorFromSession(secret);
    if (!session) return;
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers["x-csrf-token"];
      if (typeof sent !== "string" || !safeEqual(sent, session.csrfToken)) {
        throw new Problem(
          403,
          "csrf-failed",
          "CSRF check failed",
          "Send the session's CSRF token in the x-csrf-token header",
        );
      }
    }
    request.actor = session.actor;
  });
}
