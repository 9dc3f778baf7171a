import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditRepository } from "../../src/modules/audit/repository.js";
import { AuditService } from "../../src/modules/audit/service.js";
import { defaultPlan, type PlanDocument } from "../../src/modules/plan/document.js";
import { PlanRepository } from "../../src/modules/plan/repository.js";
import { PlanService } from "../../src/modules/plan/service.js";
import { ManualClock } from "../../src/platform/clock.js";
import { openDatabase } from "../../src/platform/db/database.js";
import { migrateToLatest } from "../../src/platform/db/migrate.js";
import { EventBus } from "../../src/platform/events/bus.js";
import { engines, harnessActor, scratchDatabase, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("plan API on %s", (engine) => {
  const clock = new ManualClock("2026-03-10T15:00:00Z");
  let t: TestContext;
  let app: FastifyInstance;
  let admin: Record<string, string>;
  let agent: Record<string, string>;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    app = t.app;
    admin = (await tokenFor(t, "admin")).headers;
    agent = (await tokenFor(t, "agent")).headers;
  });
  afterAll(async () => {
    await t.close();
  });

  const put = (headers: Record<string, string>, payload: object) =>
    app.inject({ method: "PUT", url: "/api/v1/plan", headers, payload });
  const edited = (change: (p: PlanDocument) => void) => {
    const p = defaultPlan(clock.now());
    change(p);
    return p;
  };

  it("seeds version 1 with the default plan once, even when nodes start at the same time", async () => {
    const scratch = await scratchDatabase(engine);
    const { db, dialect, close } = await openDatabase(scratch.url);
    try {
      await migrateToLatest(db);
      const node = () =>
        new PlanService({
          repo: new PlanRepository(db, dialect),
          audit: new AuditService({ repo: new AuditRepository(db, dialect), clock }),
          events: new EventBus(db, dialect, clock, pino({ level: "silent" })),
          clock,
        });
      await Promise.all([node().ensureSeeded(), node().ensureSeeded(), node().ensureSeeded()]);
      expect(await db.selectFrom("plan_versions").select("version").execute()).toEqual([{ version: 1 }]);
      expect(await db.selectFrom("audit_log").select("action").execute()).toEqual([{ action: "plan.seeded" }]);
    } finally {
      await close();
      await scratch.drop();
    }

    const res = await app.inject({ url: "/api/v1/plan", headers: agent });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      version: 1,
      document: defaultPlan(clock.now()),
      author: null,
      comment: "Plano padrão",
      createdAt: "2026-03-10T15:00:00.000Z",
    });
    await t.services.plan.ensureSeeded();
    expect(await t.services.auditRepo.list({ action: "plan.seeded", limit: 10 })).toHaveLength(1);
  });

  it("saves a new version with its author, comment, diff, audit entry and event", async () => {
    clock.advance(60_000);
    const document = edited((p) => {
      p.disasterRecovery.rpo = { value: 15, unit: "minutes" };
      p.backups.incremental.cron = "*/15 * * * *";
    });
    const res = await put(admin, { document, comment: "RPO de 15 minutos", baseVersion: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      version: 2,
      comment: "RPO de 15 minutos",
      author: { name: expect.stringMatching(/^admin/) },
    });

    const history = await app.inject({ url: "/api/v1/plan/versions", headers: agent });
    expect(history.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(history.json().items[0].changes).toEqual([
      { path: "/backups/incremental/cron", before: "0 */4 * * *", after: "*/15 * * * *" },
      { path: "/disasterRecovery/rpo/unit", before: "hours", after: "minutes" },
      { path: "/disasterRecovery/rpo/value", before: 1, after: 15 },
    ]);
    expect(history.json().items[1].changes).toEqual([]);

    const [entry] = await t.services.auditRepo.list({ action: "plan.updated", limit: 1 });
    expect(entry).toMatchObject({ target_type: "plan", target_id: "2", outcome: "success" });
    expect(JSON.parse(entry!.details!).changes).toHaveLength(3);
    const events = await t.platform.db
      .selectFrom("events")
      .select(["type", "subject_id"])
      .where("type", "=", "plan.updated")
      .execute();
    expect(events).toEqual([{ type: "plan.updated", subject_id: "2" }]);
  });

  it("refuses invalid documents with 400 naming each field, and changes nothing", async () => {
    const shape = await put(admin, {
      document: edited((p) => {
        (p.disasterRecovery.rpo as { value: number }).value = 0;
        (p.kpis.availability as { systemUptimePercent: number }).systemUptimePercent = 120;
      }),
      comment: "x",
    });
    expect(shape.statusCode).toBe(400);
    expect(shape.headers["content-type"]).toContain("application/problem+json");
    expect(shape.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      "/document/kpis/availability/systemUptimePercent",
      "/document/disasterRecovery/rpo/value",
    ]);

    const semantic = await put(admin, {
      document: edited((p) => {
        p.tiers.L2.responseTime.calendar = "noturno";
        p.tiers.L1.responseTime.target = { value: 5, unit: "hours" };
        Object.assign(p.maintenanceWindow, { start: "05:00", end: "02:00" });
      }),
      comment: "x",
    });
    expect(semantic.statusCode).toBe(400);
    expect(semantic.json()).toMatchObject({ type: "urn:plantao:problem:validation-failed" });
    // Each rule's message also comes as a key and params, for the web app to word in the reader's language.
    expect(semantic.json().errors).toEqual([
      {
        in: "body",
        pointer: "/document/tiers/L1/responseTime/target",
        message: "target 5 hours is longer than the maximum 4 hours",
        key: "targetAboveMaximum",
        params: {
          target: { type: "duration", value: 5, unit: "hours" },
          maximum: { type: "duration", value: 4, unit: "hours" },
        },
      },
      {
        in: "body",
        pointer: "/document/tiers/L2/responseTime/calendar",
        message: 'unknown calendar "noturno" (known: comercial, 24x7)',
        key: "unknownCalendar",
        params: { calendar: { type: "text", value: "noturno" }, known: { type: "text", value: "comercial, 24x7" } },
      },
      {
        in: "body",
        pointer: "/document/maintenanceWindow/end",
        message: "ends at 02:00, not after its start 05:00",
        key: "endNotAfterStart",
        params: { start: { type: "text", value: "05:00" }, end: { type: "text", value: "02:00" } },
      },
    ]);

    const stale = await put(admin, { document: defaultPlan(clock.now()), comment: "x", baseVersion: 1 });
    expect(stale.statusCode).toBe(409);
    expect((await put(admin, { comment: "x" })).statusCode).toBe(400);

    expect((await app.inject({ url: "/api/v1/plan", headers: agent })).json().version).toBe(2);
  });

  it("lets staff read, admins and managers write, and nobody else in", async () => {
    expect((await put(agent, { document: defaultPlan(clock.now()), comment: "x" })).statusCode).toBe(403);
    const customer = await tokenFor(t, "customer", {
      organizationId: (
        await t.services.directory.createOrganization(
          harnessActor(t),
          { name: "Cliente" },
          { ip: "127.0.0.1", headers: {} },
        )
      ).id,
    });
    expect((await app.inject({ url: "/api/v1/plan", headers: customer.headers })).statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/plan/findings" })).statusCode).toBe(401);
    const manager = await tokenFor(t, "manager");
    expect(
      (await put(manager.headers, { document: defaultPlan(clock.now()), comment: "back to default" })).json().version,
    ).toBe(3);
  });

  it("pages the history by keyset and serves each version", async () => {
    const first = await app.inject({ url: "/api/v1/plan/versions?limit=2", headers: agent });
    expect(first.json().items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    // The last item of a page still has its diff against the version before it.
    expect(first.json().items[1].changes).toHaveLength(3);
    const second = await app.inject({
      url: `/api/v1/plan/versions?limit=2&cursor=${first.json().nextCursor}`,
      headers: agent,
    });
    expect(second.json()).toMatchObject({ items: [{ version: 1 }], nextCursor: null });
    expect((await app.inject({ url: "/api/v1/plan/versions?cursor=bm9wZQ", headers: agent })).statusCode).toBe(400);

    const v2 = await app.inject({ url: "/api/v1/plan/versions/2", headers: agent });
    expect(v2.json().document.disasterRecovery.rpo).toEqual({ value: 15, unit: "minutes" });
    expect((await app.inject({ url: "/api/v1/plan/versions/99", headers: agent })).statusCode).toBe(404);
    expect((await app.inject({ url: "/api/v1/plan/versions/abc", headers: agent })).statusCode).toBe(400);
    expect((await app.inject({ url: "/api/v1/plan/versions/99999999999", headers: agent })).statusCode).toBe(400);
  });

  it("reports the findings of the current plan, including the RPO the default backups cannot meet", async () => {
    const res = await app.inject({ url: "/api/v1/plan/findings", headers: agent });
    expect(res.statusCode).toBe(200);
    expect(res.json().items[0]).toMatchObject({
      id: "rpo-backup-gap",
      severity: "critical",
      fields: expect.arrayContaining(["/disasterRecovery/rpo"]),
    });
  });

  it("lists the regions a calendar may take its holidays from, in the reader's language", async () => {
    const regions = async (query: string, headers = agent) => {
      const res = await app.inject({ url: `/api/v1/plan/holiday-regions${query}`, headers });
      expect(res.statusCode).toBe(200);
      return res.json().items as {
        code: string;
        name: string;
        states: { code: string; name: string; cities: { code: string; name: string }[] }[];
      }[];
    };
    const brazil = (await regions("?locale=pt-BR")).find((c) => c.code === "BR");
    expect(brazil?.name).toBe("Brasil");
    expect(brazil?.states).toHaveLength(27);
    expect(brazil?.states).toContainEqual({
      code: "SP",
      name: "São Paulo",
      cities: [{ code: "SP", name: "São Paulo" }],
    });
    // Every state capital has its municipal holidays, Brasília aside (the Federal District has no municipalities).
    expect(brazil?.states.filter((s) => s.cities.length === 0).map((s) => s.code)).toEqual(["DF"]);
    expect(brazil?.states.find((s) => s.code === "AM")?.cities).toEqual([{ code: "MANAUS", name: "Manaus" }]);
    const english = (await regions("", { ...agent, "accept-language": "en-US" })).find((c) => c.code === "BR");
    expect(english?.name).toBe("Brazil");
    // The federative units in the reader's language; proper names stay as they are.
    expect(english?.states.find((s) => s.code === "DF")?.name).toBe("Federal District");
    expect(brazil?.states.find((s) => s.code === "DF")?.name).toBe("Distrito Federal");
    expect(english?.states.find((s) => s.code === "SP")?.name).toBe("São Paulo");
    expect((await app.inject({ url: "/api/v1/plan/holiday-regions?locale=fr", headers: agent })).statusCode).toBe(400);
    expect((await app.inject({ url: "/api/v1/plan/holiday-regions" })).statusCode).toBe(401);
  });

  it("documents every route with its responses in OpenAPI", async () => {
    const spec = (await app.inject({ url: "/api/openapi.json" })).json();
    for (const [path, methods] of [
      ["/api/v1/plan", ["get", "put"]],
      ["/api/v1/plan/versions", ["get"]],
      ["/api/v1/plan/versions/{version}", ["get"]],
      ["/api/v1/plan/findings", ["get"]],
      ["/api/v1/plan/holiday-regions", ["get"]],
    ] as const) {
      for (const m of methods) {
        expect(spec.paths[path][m].tags).toEqual(["plan"]);
        expect(spec.paths[path][m].responses["200"]).toBeDefined();
        expect(spec.paths[path][m].responses["401"]).toBeDefined();
      }
    }
    const document = spec.paths["/api/v1/plan"].put.requestBody.content["application/json"].schema.properties.document;
    expect(document.additionalProperties).toBe(false);
    expect(document.properties.disasterRecovery.description).toMatch(/RPO/);
  });
});
