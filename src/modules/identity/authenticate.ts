import cookie from "@fastify/cookie";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Problem } from "../../platform/http/problems.js";
import { SIGNED_IN_PREFIXES } from "./authorization.js";
import { safeEqual } from "./credentials.js";
import { type AuthenticationService, SESSION_COOKIE } from "./service.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Prometheus and amtool speak to an Alertmanager with `basic_auth` as often as with a bearer token: on the
 * Alertmanager-compatible /api/v2 the password of HTTP Basic is an API token (the user name is not read).
 * Returns the token in the shape of a bearer match, or null.
 */
function alertmanagerBasic(url: string, auth: string): [string, string] | null {
  if (!url.startsWith("/api/v2/")) return null;
  const basic = /^Basic\s+([A-Za-z0-9+/=]{1,400})$/i.exec(auth);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const password = decoded.slice(decoded.indexOf(":") + 1);
  return decoded.includes(":") && password.length > 0 && password.length <= 200 ? [auth, password] : null;
}

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
  const establish = async (request: FastifyRequest) => {
    const auth = request.headers.authorization;
    if (auth !== undefined) {
      const match = /^Bearer\s+(\S{1,200})$/i.exec(auth) ?? alertmanagerBasic(request.url, auth);
      const actor = match ? await authentication.actorFromToken(match[1]!, request) : null;
      if (!actor) {
        throw new Problem(
          401,
          "invalid-token",
          "Invalid token",
          "The bearer token (or, on /api/v2, the basic-auth password) is malformed, unknown, revoked or expired",
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
  };
  // A callback hook, not an async one: a request outside the API (the public status page, assets) passes
  // without a promise and a turn of the microtask queue.
  app.addHook("onRequest", (request, _reply, done) => {
    request.actor = null;
    if (!SIGNED_IN_PREFIXES.some((p) => request.url.startsWith(p))) return done();
    establish(request).then(() => done(), done);
  });
}
