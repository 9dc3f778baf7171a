import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems, strict } from "../../platform/http/schemas.js";
import { requireActor, tenantOf } from "./actor.js";
import type { DirectoryService } from "./directory.js";
import { userForApi } from "./presenters.js";
import * as S from "./schemas.js";
import { type AuthenticationService, SESSION_COOKIE } from "./service.js";

export function identityRoutes(
  { authentication, directory }: { authentication: AuthenticationService; directory: DirectoryService },
  opts: { secureCookies: boolean },
) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    const cookieOptions = (expires?: Date) => ({
      path: "/",
      httpOnly: true,
      sameSite: "lax" as const,
      secure: opts.secureCookies,
      ...(expires ? { expires } : {}),
    });

    // auth -------------------------------------------------------------------------------------------
    app.post(
      "/api/v1/auth/login",
      {
        config: { public: true },
        schema: {
          tags: ["auth"],
          summary: "Log in with email and password (and a TOTP code when two-factor is on); sets the session cookie",
          body: S.LoginInput,
          response: { 200: S.Session, ...problems(400, 401, 403, 404, 423, 429) },
        },
      },
      async (request, reply) => {
        const r = await authentication.login(request.body, request);
        reply.setCookie(SESSION_COOKIE, r.secret, cookieOptions(new Date(r.expiresAt)));
        return { user: userForApi(r.user), csrfToken: r.csrfToken, expiresAt: r.expiresAt };
      },
    );

    app.post(
      "/api/v1/auth/logout",
      {
        config: { signedIn: true },
        schema: { tags: ["auth"], summary: "End this session", response: { 204: Type.Null(), ...problems(400, 404) } },
      },
      async (request, reply) => {
        await authentication.logout(requireActor(request), request);
        reply.clearCookie(SESSION_COOKIE, cookieOptions());
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/auth/logout-all",
      {
        config: { signedIn: true },
        schema: {
          tags: ["auth"],
          summary: "End every session of the current user",
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await authentication.logoutEverywhere(requireActor(request), request);
        reply.clearCookie(SESSION_COOKIE, cookieOptions());
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/auth/password-reset",
      {
        config: { public: true },
        schema: {
          tags: ["auth"],
          summary: "Email a password-reset link (the answer is the same whether the account exists or not)",
          body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }) }, strict),
          response: { 202: Type.Null(), ...problems(400) },
        },
      },
      async (request, reply) => {
        await authentication.requestPasswordReset(request.body.email, request);
        return reply.code(202).send(null);
      },
    );

    app.post(
      "/api/v1/auth/password-reset/confirm",
      {
        config: { public: true },
        schema: {
          tags: ["auth"],
          summary: "Set a new password with the emailed token; ends all sessions of that user",
          body: Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }), password: S.Password }, strict),
          response: { 204: Type.Null(), ...problems(400) },
        },
      },
      async (request, reply) => {
        await authentication.confirmPasswordReset(request.body.token, request.body.password, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/auth/setup",
      {
        config: { public: true },
        schema: {
          tags: ["auth"],
          summary: "Create the first administrator with the one-time setup token printed in the log",
          body: Type.Object(
            {
              token: Type.String({ minLength: 10, maxLength: 200 }),
              email: S.Email,
              name: Type.String({ minLength: 1, maxLength: 200 }),
              password: S.Password,
            },
            strict,
          ),
          response: { 201: Type.Object({ id: Type.String(), email: Type.String() }), ...problems(400, 403) },
        },
      },
      async (request, reply) => {
        const { token, ...input } = request.body;
        const user = await directory.completeSetup(token, input, request);
        return reply.code(201).send({ id: user.id, email: user.email });
      },
    );

    // me --------------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/me",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "The current user, how it is authenticated and the session's CSRF token",
          response: { 200: S.Me },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const session = actor.sessionId
          ? await authentication.actorFromSession(request.cookies[SESSION_COOKIE] ?? "")
          : null;
        return {
          user: userForApi(await directory.getUser(actor.userId)),
          csrfToken: session?.csrfToken ?? null,
          via: actor.via,
          scopes: actor.scopes ?? null,
        };
      },
    );

    app.patch(
      "/api/v1/me",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Change own name, language, time zone or password",
          body: Type.Object(
            {
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              locale: Type.Optional(Type.Union([Type.Literal("pt-BR"), Type.Literal("en")])),
              timezone: Type.Optional(Type.String({ maxLength: 64 })),
              currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
              newPassword: Type.Optional(S.Password),
            },
            strict,
          ),
          response: { 200: S.User, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { currentPassword, newPassword, ...profile } = request.body;
        if (newPassword !== undefined) {
          await authentication.changePassword(actor, currentPassword ?? "", newPassword, request);
        }
        return userForApi(await directory.updateUser(actor, actor.userId, profile, request));
      },
    );

    app.post(
      "/api/v1/me/totp",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Start two-factor enrolment: returns the secret and an otpauth:// URI for the authenticator app",
          response: {
            200: Type.Object({ secret: Type.String(), otpauthUri: Type.String() }),
            ...problems(400, 404, 409),
          },
        },
      },
      async (request) => authentication.beginTotp(requireActor(request), request),
    );

    const CodeBody = Type.Object({ code: Type.String({ pattern: "^[0-9]{6}$" }) }, strict);
    app.post(
      "/api/v1/me/totp/confirm",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Turn two-factor on with a current code",
          body: CodeBody,
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        await authentication.confirmTotp(requireActor(request), request.body.code, true, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/me/totp/disable",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Turn two-factor off with a current code",
          body: CodeBody,
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        await authentication.confirmTotp(requireActor(request), request.body.code, false, request);
        return reply.code(204).send(null);
      },
    );

    // tokens ------------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/tokens",
      {
        config: { area: "tokens", access: "read" },
        schema: {
          tags: ["tokens"],
          summary: "Personal API tokens (own; an admin may pass userId)",
          querystring: Type.Object({ userId: Type.Optional(S.Id), ...S.PageQuery }, strict),
          response: { 200: S.page(S.Token), ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { limit = 50, cursor, userId } = request.query;
        const rows = await authentication.listTokens(
          actor,
          { userId },
          { limit: limit + 1, after: decodeCursor(cursor) },
        );
        return toPage(rows, limit, (t) => t.id);
      },
    );

    app.get(
      "/api/v1/tokens/all",
      {
        config: { area: "security", access: "read" },
        schema: {
          tags: ["tokens"],
          summary: "Every user's API tokens with their owner (security and admins), to pick one to contain",
          querystring: Type.Object(
            {
              q: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 100,
                  description: "Part of the name, prefix, owner name or email",
                }),
              ),
              active: Type.Optional(Type.Boolean({ description: "Only tokens neither revoked nor expired" })),
              ...S.PageQuery,
            },
            strict,
          ),
          response: { 200: S.page(S.TokenWithOwner), ...problems(400, 403) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, q, active } = request.query;
        const rows = await authentication.listAllTokens(
          requireActor(request),
          { q, active },
          { limit: limit + 1, after: decodeCursor(cursor) },
        );
        return toPage(rows, limit, (t) => t.id);
      },
    );

    app.post(
      "/api/v1/tokens",
      {
        config: { area: "tokens", access: "write" },
        schema: {
          tags: ["tokens"],
          summary: "Create a personal API token; the secret is in this answer only",
          body: S.TokenInput,
          response: { 201: Type.Intersect([S.Token, Type.Object({ token: Type.String() })]), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await authentication.createToken(actor, request.body, request));
      },
    );

    app.delete(
      "/api/v1/tokens/:id",
      {
        config: { area: "tokens", access: "write" },
        schema: {
          tags: ["tokens"],
          summary: "Revoke a token",
          params: S.IdParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await authentication.revokeToken(requireActor(request), request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    // organizations -------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/organizations",
      {
        config: { area: "organizations", access: "read" },
        schema: {
          tags: ["organizations"],
          summary: "Organizations: the provider and its customers (a customer sees only its own)",
          querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), ...S.PageQuery }, strict),
          response: { 200: S.page(S.Organization), ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { limit = 50, cursor, q } = request.query;
        const rows = await directory.listOrganizations(
          { limit: limit + 1, after: decodeCursor(cursor) },
          { tenant: tenantOf(actor), q },
        );
        return toPage(rows, limit, (o) => o.id);
      },
    );

    app.post(
      "/api/v1/organizations",
      {
        config: { area: "organizations", access: "write" },
        schema: {
          tags: ["organizations"],
          summary: "Create a customer organization",
          body: S.OrganizationInput,
          response: { 201: S.Organization, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await directory.createOrganization(actor, request.body, request));
      },
    );

    app.get(
      "/api/v1/organizations/:id",
      {
        config: { area: "organizations", access: "read" },
        schema: {
          tags: ["organizations"],
          summary: "One organization",
          params: S.IdParams,
          response: { 200: S.Organization, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return directory.getOrganization(request.params.id, tenantOf(actor));
      },
    );

    app.patch(
      "/api/v1/organizations/:id",
      {
        config: { area: "organizations", access: "write" },
        schema: {
          tags: ["organizations"],
          summary: "Change an organization's contract data",
          params: S.IdParams,
          body: S.OrganizationPatch,
          response: { 200: S.Organization, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return directory.updateOrganization(actor, request.params.id, request.body, request, tenantOf(actor));
      },
    );

    // users -------------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/users",
      {
        config: { area: "users", access: "read" },
        schema: {
          tags: ["users"],
          summary: "Users (a customer-admin sees its organization's)",
          querystring: Type.Object(
            {
              organizationId: Type.Optional(S.Id),
              role: Type.Optional(S.RoleSchema),
              q: Type.Optional(Type.String({ maxLength: 100 })),
              ...S.PageQuery,
            },
            strict,
          ),
          response: { 200: S.page(S.User), ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { limit = 50, cursor, ...filter } = request.query;
        const rows = await directory.listUsers(
          { limit: limit + 1, after: decodeCursor(cursor) },
          { ...filter, tenant: tenantOf(actor) },
        );
        return toPage(rows.map(userForApi), limit, (u) => u.id);
      },
    );

    app.get(
      "/api/v1/teams",
      {
        config: { area: "users", access: "read" },
        schema: {
          tags: ["users"],
          summary: "The teams active staff users belong to, with their member counts (staff only)",
          response: {
            200: Type.Object({
              items: Type.Array(Type.Object({ name: Type.String(), members: Type.Integer({ minimum: 1 }) })),
            }),
            ...problems(403),
          },
        },
      },
      async (request) => ({ items: await directory.listTeams(requireActor(request)) }),
    );

    app.post(
      "/api/v1/users",
      {
        config: { area: "users", access: "write" },
        schema: {
          tags: ["users"],
          summary: "Create a user; without a password the user gets a link to set one",
          body: S.UserInput,
          response: { 201: S.User, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply
          .code(201)
          .send(userForApi(await directory.createUser(actor, request.body, request, tenantOf(actor))));
      },
    );

    app.get(
      "/api/v1/users/:id",
      {
        config: { area: "users", access: "read" },
        schema: {
          tags: ["users"],
          summary: "One user",
          params: S.IdParams,
          response: { 200: S.User, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return userForApi(await directory.getUser(request.params.id, tenantOf(actor)));
      },
    );

    app.patch(
      "/api/v1/users/:id",
      {
        config: { area: "users", access: "write" },
        schema: {
          tags: ["users"],
          summary: "Change a user's role, tier, teams, organization or disable it",
          params: S.IdParams,
          body: S.UserPatch,
          response: { 200: S.User, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return userForApi(await directory.updateUser(actor, request.params.id, request.body, request, tenantOf(actor)));
      },
    );
  };
  return plugin;
}
