import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/modules/identity/actor.js";
import { installAuthorization } from "../../src/modules/identity/authorization.js";
import type { Role } from "../../src/modules/identity/roles.js";
import type { PlanService } from "../../src/modules/plan/service.js";
import { slaRoutes } from "../../src/modules/sla/routes.js";
import { installErrorHandling } from "../../src/platform/http/errors.js";
import { ProblemSchema } from "../../src/platform/http/problems.js";
import { plan } from "./fixtures.js";

/** The app's HTTP conventions (ajv options, problem+json, declared access) with the actor from a test header. */
async function appWithSla(): Promise<FastifyInstance> {
  const app = Fastify({
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: "array", useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app);
  app.addSchema(ProblemSchema);
  app.decorateRequest("actor", null);
  app.addHook("onRequest", async (request) => {
    const role = request.headers["x-test-role"];
    request.actor =
      typeof role === "string"
        ? ({
            userId: "u",
            email: "u@example.com",
            name: "u",
            role: role as Role,
            organizationId: "o",
            tier: null,
            teams: [],
            via: "session",
          } satisfies Actor)
        : null;
  });
  installAuthorization(app);
  // Only the simulator is exercised here; the other routes are tested through the whole app in test/sla/calendars.test.ts.
  await app.register(
    slaRoutes({ plan: { current: async () => ({ version: 1, document: plan }) } as unknown as PlanService }),
  );
  await app.ready();
  return app;
}

let app: FastifyInstance;
beforeAll(async () => {
  app = await appWithSla();
});
afterAll(async () => {
  await app.close();
});

const simulate = (payload: unknown, role: string | null = "agent") =>
  app.inject({
    method: "POST",
    url: "/api/v1/sla/simulate",
    payload: payload as object,
    headers: role ? { "x-test-role": role } : {},
  });

describe("POST /api/v1/sla/simulate", () => {
  it("gives the worked example's deadlines in UTC, creating nothing", async () => {
    const res = await simulate({
      severity: "low",
      tier: "L1",
      channel: "email",
      openedAt: "2026-11-27T17:00:00-03:00",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().clocks).toEqual([
      {
        kind: "first_response",
        tier: null,
        calendar: "comercial",
        startedAt: "2026-11-27T20:00:00.000Z",
        targetAt: "2026-11-30T18:00:00.000Z",
        breachAt: "2026-11-30T18:00:00.000Z",
        targetBusinessMinutes: 480,
        breachBusinessMinutes: 480,
      },
      {
        // A customer follow-up written at opening, after a first response, is answered on the same terms.
        kind: "next_response",
        tier: null,
        calendar: "comercial",
        startedAt: "2026-11-27T20:00:00.000Z",
        targetAt: "2026-11-30T18:00:00.000Z",
        breachAt: "2026-11-30T18:00:00.000Z",
        targetBusinessMinutes: 480,
        breachBusinessMinutes: 480,
      },
      {
        kind: "resolution",
        tier: null,
        calendar: "comercial",
        startedAt: "2026-11-27T20:00:00.000Z",
        targetAt: "2026-12-09T12:00:00.000Z",
        breachAt: "2026-12-09T12:00:00.000Z",
        targetBusinessMinutes: 4320,
        breachBusinessMinutes: 4320,
      },
      {
        kind: "tier_response",
        tier: "L1",
        calendar: "comercial",
        startedAt: "2026-11-27T20:00:00.000Z",
        targetAt: "2026-11-30T12:00:00.000Z",
        breachAt: "2026-11-30T14:00:00.000Z",
        targetBusinessMinutes: 120,
        breachBusinessMinutes: 240,
      },
    ]);
  });

  it("is for staff: 401 without an actor, 403 for a customer", async () => {
    const body = { severity: "critical", tier: "L3", openedAt: "2026-11-28T23:50:00Z" };
    expect((await simulate(body, null)).statusCode).toBe(401);
    const customer = await simulate(body, "customer");
    expect(customer.statusCode).toBe(403);
    expect(customer.headers["content-type"]).toContain("application/problem+json");
    expect((await simulate(body, "auditor")).statusCode).toBe(200);
  });

  it("answers bad input with 400 problem+json naming each field", async () => {
    const res = await simulate({ severity: "urgent", tier: "L4", openedAt: "yesterday", extra: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    const pointers = (res.json().errors as { pointer: string }[]).map((e) => e.pointer).sort();
    expect(pointers).toEqual(["/extra", "/openedAt", "/severity", "/tier"]);
    const far = await simulate({ severity: "low", tier: "L1", openedAt: "9999-01-01T00:00:00Z" });
    expect(far.statusCode).toBe(400);
    expect(far.json()).toMatchObject({
      type: "urn:plantao:problem:validation-failed",
      errors: [{ pointer: "/openedAt" }],
    });
    const broken = await app.inject({
      method: "POST",
      url: "/api/v1/sla/simulate",
      headers: { "x-test-role": "agent", "content-type": "application/json" },
      payload: "{not json",
    });
    expect(broken.statusCode).toBe(400);
  });
});
