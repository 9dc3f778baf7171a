import { randomUUID } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import { Type } from "typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/modules/identity/actor.js";
import { installAuthorization } from "../../src/modules/identity/authorization.js";
import { type Access, type Area, areas, roleAllows } from "../../src/modules/identity/roles.js";
import { installErrorHandling } from "../../src/platform/http/errors.js";
import { ProblemSchema } from "../../src/platform/http/problems.js";
import { listOperations, type OpenApiDocument } from "../fuzz/openapi-cases.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

interface DocumentedOperation {
  "x-plantao-access"?: string;
  "x-plantao-area"?: string;
  security?: Array<Record<string, string[]>>;
  requestBody?: unknown;
}

const operationOf = (doc: OpenApiDocument, path: string, method: string) =>
  doc.paths![path]![method.toLowerCase()] as DocumentedOperation;

describe.each(engines)("declared authorization on %s", (engine) => {
  let t: TestContext;
  let doc: OpenApiDocument;
  let customer: Record<string, string>;

  beforeAll(async () => {
    t = await testApp(engine);
    doc = (await t.app.inject("/api/openapi.json")).json();
    const org = await createOrganization(t);
    customer = (await tokenFor(t, "customer-admin", { organizationId: org.id })).headers;
  });
  afterAll(() => t?.close());

  const url = (path: string) => path.replace(/\{[^}]+\}/g, () => randomUUID());

  it("declares on every operation of the OpenAPI document an area, public or any signed-in user", () => {
    const ops = listOperations(doc);
    expect(ops.length).toBeGreaterThan(90);
    const undeclared: string[] = [];
    for (const op of ops) {
      const o = operationOf(doc, op.path, op.method);
      const access = o["x-plantao-access"];
      const area = o["x-plantao-area"];
      const ok =
        access === "public"
          ? area === undefined && o.security?.length === 0
          : access === "signed-in"
            ? area === undefined && (o.security?.length ?? 0) > 0
            : (access === "read" || access === "write") && areas.includes(area as Area);
      if (!ok) undeclared.push(`${op.id}: access=${access} area=${area}`);
    }
    expect(undeclared).toEqual([]);
    expect(operationOf(doc, "/api/v1/tickets", "POST")).toMatchObject({
      "x-plantao-area": "tickets",
      "x-plantao-access": "write",
      security: [{ bearer: ["tickets:write"] }, { session: [] }],
    });
    for (const [path, method] of [
      ["/healthz", "GET"],
      ["/api/v1/auth/login", "POST"],
      ["/api/v1/push/{token}", "POST"],
    ]) {
      expect(operationOf(doc, path!, method!)["x-plantao-access"], path).toBe("public");
    }
    expect(operationOf(doc, "/api/v1/me", "GET")["x-plantao-access"]).toBe("signed-in");
  });

  /** Operations with a body whose area the role may not use with that access. */
  const forbiddenBodies = (role: "customer-admin") =>
    listOperations(doc).filter((op) => {
      const o = operationOf(doc, op.path, op.method);
      const area = o["x-plantao-area"] as Area | undefined;
      return op.body && area && !roleAllows(role, area, o["x-plantao-access"] as Access);
    });

  it("answers a customer's invalid body to an admin route with 403, never a 400 about the body", async () => {
    const ops = forbiddenBodies("customer-admin");
    expect(ops.map((op) => op.id)).toEqual(
      expect.arrayContaining([
        "POST /api/v1/backup-jobs",
        "PUT /api/v1/plan",
        "POST /api/v1/webhooks",
        "POST /api/v1/monitors",
        "PUT /api/v1/sla/calendars/{id}",
        "POST /api/v1/organizations",
      ]),
    );
    for (const op of ops) {
      for (const [label, payload] of [
        ["unknown field", '{"fuzz":1}'],
        ["wrong type", "[]"],
        ["malformed JSON", "{"],
      ]) {
        const res = await t.app.inject({
          method: op.method as "POST",
          url: url(op.path),
          headers: { ...customer, "content-type": "application/json" },
          payload,
        });
        expect(res.statusCode, `${op.id} ${label}: ${res.body}`).toBe(403);
        expect(res.json().type).toBe("urn:plantao:problem:forbidden");
      }
    }
  });

  it("answers anonymous callers 401 on every non-public operation before reading the body", async () => {
    for (const op of listOperations(doc).filter((o) => !o.streaming)) {
      if (operationOf(doc, op.path, op.method)["x-plantao-access"] === "public") continue;
      const res = await t.app.inject({
        method: op.method as "POST",
        url: url(op.path),
        headers: { "content-type": "application/json" },
        payload: op.method === "GET" || op.method === "DELETE" ? undefined : "{",
      });
      expect(res.statusCode, `${op.id}: ${res.body}`).toBe(401);
    }
  });

  it("refuses a token without the route's scope before validating the body", async () => {
    const { headers } = await tokenFor(t, "admin", { scopes: ["tickets:read"] });
    const res = await t.app.inject({ method: "POST", url: "/api/v1/tickets", headers, payload: { fuzz: 1 } });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain("tickets:write");
    const allowed = await t.app.inject({ method: "POST", url: "/api/v1/tickets", headers: customer, payload: {} });
    expect(allowed.statusCode).toBe(400);
  });
});

describe("route declarations", () => {
  const actorWith = (role: Actor["role"]): Actor => ({
    userId: randomUUID(),
    email: "x@example.com",
    name: "x",
    role,
    organizationId: randomUUID(),
    tier: null,
    teams: [],
    via: "session",
  });

  async function appWith(register: (app: ReturnType<typeof bare>) => void) {
    const app = bare();
    installErrorHandling(app);
    app.addSchema(ProblemSchema);
    app.decorateRequest("actor", null);
    app.addHook("onRequest", async (request) => {
      const role = request.headers["x-role"];
      request.actor = typeof role === "string" ? actorWith(role as Actor["role"]) : null;
    });
    installAuthorization(app);
    register(app);
    await app.ready();
    return app;
  }
  const bare = () => Fastify().withTypeProvider<TypeBoxTypeProvider>();

  it("fails the start when a route declares no access, or an impossible one", async () => {
    for (const config of [
      undefined,
      { area: "tickets" as const },
      { public: true as const, signedIn: true as const },
    ]) {
      await expect(
        appWith((app) => app.get("/api/v1/undeclared", { config }, async () => ({}))),
        JSON.stringify(config),
      ).rejects.toThrow(/GET \/api\/v1\/undeclared declares/);
    }
    await expect(
      appWith((app) => app.get("/outside", { config: { signedIn: true } }, async () => ({}))),
    ).rejects.toThrow(/outside \/api\/v1\//);
  });

  it("narrows a route to some roles: a customer-only page", async () => {
    const app = await appWith((a) =>
      a.post(
        "/api/v1/portal-only",
        {
          config: { signedIn: true, roles: ["customer", "customer-admin"] },
          schema: { body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) },
        },
        async () => ({ ok: true }),
      ),
    );
    const send = (role?: string) =>
      app.inject({
        method: "POST",
        url: "/api/v1/portal-only",
        headers: role ? { "x-role": role } : {},
        payload: { n: "not a number" },
      });
    expect((await send()).statusCode).toBe(401);
    expect((await send("admin")).statusCode).toBe(403);
    expect((await send("customer")).statusCode).toBe(400);
    await app.close();
  });
});
