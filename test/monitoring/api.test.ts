import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;

describe.each(engines)("monitors API on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-03-02T12:00:00.000Z");
  let admin: Headers;
  let org: string;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    admin = (await tokenFor(t, "admin")).headers;
    org = (await createOrganization(t)).id;
  });
  afterAll(() => t.close());

  const post = (url: string, payload?: object, headers = admin) =>
    t.app.inject({ method: "POST", url, headers, ...(payload === undefined ? {} : { payload }) });
  const create = async (body: Record<string, unknown>, headers = admin) => {
    const res = await post("/api/v1/monitors", body, headers);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Record<string, any>;
  };
  const http = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    type: "http",
    target: "http://127.0.0.1:9/health",
    intervalSeconds: 30,
    timeoutSeconds: 5,
    retries: 2,
    ...extra,
  });
  const problemOf = async (body: unknown, method: "POST" | "PATCH" = "POST", url = "/api/v1/monitors") => {
    const res = await t.app.inject({ method, url, headers: admin, payload: body as object });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    return res.json().errors.map((e: { pointer: string }) => e.pointer) as string[];
  };

  it("creates, reads, lists, changes and deletes monitors, with their state", async () => {
    const m = await create(http("Portal", { settings: { method: "HEAD" }, organizationId: org }));
    expect(m).toMatchObject({
      name: "Portal",
      type: "http",
      target: "http://127.0.0.1:9/health",
      intervalSeconds: 30,
      timeoutSeconds: 5,
      retries: 2,
      failureThreshold: 1,
      successThreshold: 1,
      organizationId: org,
      enabled: true,
      parentId: null,
      groupId: null,
      state: null,
    });
    expect(m.settings.method).toBe("HEAD");
    expect(m.pushToken).toBeUndefined();

    const got = await t.app.inject({ url: `/api/v1/monitors/${m.id}`, headers: admin });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({ ...m });

    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/monitors/${m.id}`,
      headers: admin,
      payload: { name: "Portal web", intervalSeconds: 60, successThreshold: 3 },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ name: "Portal web", intervalSeconds: 60, successThreshold: 3, retries: 2 });
    expect(patched.json().settings.method).toBe("HEAD");

    const paused = await post(`/api/v1/monitors/${m.id}/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ enabled: false, state: { status: "MAINTENANCE", reason: "paused" } });
    const resumed = await post(`/api/v1/monitors/${m.id}/resume`);
    expect(resumed.json()).toMatchObject({ enabled: true, state: { status: "MAINTENANCE" } });

    const events = await t.app.inject({ url: `/api/v1/monitors/${m.id}/history`, headers: admin });
    expect(events.json().items).toMatchObject([{ status: "MAINTENANCE", reason: "paused", endedAt: null }]);

    const del = await t.app.inject({ method: "DELETE", url: `/api/v1/monitors/${m.id}`, headers: admin });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/monitors/${m.id}`, headers: admin })).statusCode).toBe(404);
    const audit = await t.platform.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", m.id)
      .orderBy("seq")
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      "monitor.created",
      "monitor.updated",
      "monitor.paused",
      "monitor.resumed",
      "monitor.deleted",
    ]);
  });

  it("pages through monitors by keyset, with filters", async () => {
    const group = await create({ name: "Site A", type: "group" });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(http(`Member ${i}`, { groupId: group.id }))).id);
    await create({ name: "Cron", type: "heartbeat", intervalSeconds: 300 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?groupId=${group.id}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await t.app.inject({ url: `/api/v1/monitors${q}`, headers: admin });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const heartbeats = await t.app.inject({ url: "/api/v1/monitors?type=heartbeat", headers: admin });
    expect(heartbeats.json().items.map((i: { name: string }) => i.name)).toEqual(["Cron"]);
    const bad = await t.app.inject({ url: "/api/v1/monitors?cursor=%%%", headers: admin });
    expect(bad.statusCode).toBe(400);
  });

  it("refuses invalid definitions with a 400 naming the field, and stores nothing", async () => {
    const before = await t.platform.db.selectFrom("monitors").select("id").execute();
    expect(await problemOf({ ...http("x"), type: "smoke-signal" })).toEqual(["/type"]);
    expect(await problemOf({ ...http("x"), intervalSeconds: 4 })).toEqual(["/intervalSeconds"]);
    expect(await problemOf({ ...http("x"), target: "not a url" })).toEqual(["/target"]);
    expect(await problemOf({ ...http("x"), target: "ftp://example.com/" })).toEqual(["/target"]);
    expect(await problemOf({ ...http("x"), target: undefined })).toEqual(["/target"]);
    expect(await problemOf({ ...http("x"), timeoutSeconds: 31 })).toEqual(["/timeoutSeconds"]);
    expect(await problemOf({ ...http("x"), settings: { method: "BREW" } })).toContain("/settings/method");
    expect(await problemOf({ ...http("x"), settings: { nonsense: 1 } })).toEqual(["/settings/nonsense"]);
    expect(
      await problemOf({ name: "t", type: "sip-options", target: "mailto:probe@127.0.0.1", intervalSeconds: 30 }),
    ).toEqual(["/target"]);
    expect(await problemOf({ name: "h", type: "heartbeat", target: "http://x/" })).toEqual(["/target"]);
    expect(await problemOf({ name: "h", type: "heartbeat", settings: { graceSeconds: -1 } })).toEqual([
      "/settings/graceSeconds",
    ]);
    const unknownId = "0190c0de-0000-7000-8000-000000000000";
    expect(await problemOf({ ...http("x"), parentId: unknownId })).toEqual(["/parentId"]);
    expect(await problemOf({ ...http("x"), organizationId: unknownId })).toEqual(["/organizationId"]);
    const plain = await create(http("Not a group"));
    expect(await problemOf({ ...http("x"), groupId: plain.id })).toEqual(["/groupId"]);
    // Dependencies and groups must not go round in circles.
    const child = await create(http("Child", { parentId: plain.id }));
    expect(await problemOf({ parentId: child.id }, "PATCH", `/api/v1/monitors/${plain.id}`)).toEqual(["/parentId"]);
    expect(await problemOf({ parentId: plain.id }, "PATCH", `/api/v1/monitors/${plain.id}`)).toEqual(["/parentId"]);
    const g1 = await create({ name: "G1", type: "group" });
    const g2 = await create({ name: "G2", type: "group", groupId: g1.id });
    expect(await problemOf({ groupId: g2.id }, "PATCH", `/api/v1/monitors/${g1.id}`)).toEqual(["/groupId"]);
    // A change of type is validated as a whole: the old settings do not fit the new type.
    expect(await problemOf({ type: "tcp" }, "PATCH", `/api/v1/monitors/${plain.id}`)).toEqual(["/target"]);
    const after = await t.platform.db.selectFrom("monitors").select("id").execute();
    expect(after.length).toBe(before.length + 4);
  });

  it("keeps database passwords sealed and never shows them", async () => {
    const m = await create({
      name: "Billing DB",
      type: "postgres",
      target: "postgres://monitor@127.0.0.1:5432/billing",
      intervalSeconds: 60,
      settings: { password: "s3cret-pass" },
    });
    expect(m.settings.password).toBeUndefined();
    expect(m.settings.query).toBeTypeOf("string");
    const row = await t.platform.db
      .selectFrom("monitors")
      .select("settings")
      .where("id", "=", m.id)
      .executeTakeFirstOrThrow();
    expect(row.settings).not.toContain("s3cret-pass");
    // A patch of other settings keeps the password.
    const res = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/monitors/${m.id}`,
      headers: admin,
      payload: { settings: { query: "select 2" } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const stored = JSON.parse(
      (await t.platform.db.selectFrom("monitors").select("settings").where("id", "=", m.id).executeTakeFirstOrThrow())
        .settings,
    );
    expect(t.platform.secrets.open(stored.password)).toBe("s3cret-pass");
    expect(stored.query).toBe("select 2");
  });

  it("gives heartbeats a push token shown once, and takes pushes without a session", async () => {
    const hb = await create({ name: "Backup job", type: "heartbeat", intervalSeconds: 3600 });
    expect(hb.pushToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hb.target).toBe("");
    expect(hb.settings).toEqual({ graceSeconds: 5 });
    const get = await t.app.inject({ url: `/api/v1/monitors/${hb.id}`, headers: admin });
    expect(get.json().pushToken).toBeUndefined();

    const ok = await t.app.inject({ method: "POST", url: `/api/v1/push/${hb.pushToken}?status=up&msg=OK&ping=12.5` });
    expect(ok.statusCode, ok.body).toBe(200);
    const push = await t.platform.db
      .selectFrom("monitor_pushes")
      .selectAll()
      .where("monitor_id", "=", hb.id)
      .executeTakeFirst();
    expect(push).toMatchObject({ status: "up", message: "OK", latency_ms: 12.5 });
    expect((await t.app.inject({ method: "POST", url: "/api/v1/push/not-a-token" })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: "POST", url: `/api/v1/push/${hb.pushToken}?status=sideways` })).statusCode,
    ).toBe(400);

    const rotated = await post(`/api/v1/monitors/${hb.id}/push-token`);
    expect(rotated.statusCode).toBe(200);
    const { pushToken, pushPath } = rotated.json();
    expect(pushPath).toBe(`/api/v1/push/${pushToken}`);
    expect((await t.app.inject({ method: "POST", url: `/api/v1/push/${hb.pushToken}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "POST", url: pushPath })).statusCode).toBe(200);
    const http1 = await create(http("No token"));
    expect((await post(`/api/v1/monitors/${http1.id}/push-token`)).statusCode).toBe(409);
  });

  it("answers uptime, series and events for any window, and refuses windows that make no sense", async () => {
    const m = await create(http("Empty history"));
    const uptime = await t.app.inject({ url: `/api/v1/monitors/${m.id}/uptime`, headers: admin });
    expect(uptime.statusCode, uptime.body).toBe(200);
    expect(uptime.json()).toMatchObject({ monitorId: m.id, uptime: null, outages: 0 });
    const series = await t.app.inject({
      url: `/api/v1/monitors/${m.id}/series?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&step=3600`,
      headers: admin,
    });
    expect(series.json()).toMatchObject({ step: 3600, resolution: "hour", points: [] });
    const reversed = await t.app.inject({
      url: `/api/v1/monitors/${m.id}/uptime?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`,
      headers: admin,
    });
    expect(reversed.statusCode).toBe(400);
    const tooMany = await t.app.inject({
      url: `/api/v1/monitors/${m.id}/series?from=2025-03-01T00:00:00Z&to=2026-03-01T00:00:00Z&step=60`,
      headers: admin,
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0].pointer).toBe("/step");
    const backwards = await t.app.inject({
      url: `/api/v1/monitors/${m.id}/history?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`,
      headers: admin,
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].pointer).toBe("/from");
    const badInstant = await t.app.inject({ url: `/api/v1/monitors/${m.id}/history?from=yesterday`, headers: admin });
    expect(badInstant.statusCode).toBe(400);
    expect(badInstant.json().errors[0].pointer).toBe("/from");
  });

  it("is for staff: customers get 403 everywhere, agents read only, strangers 401", async () => {
    const m = await create(http("Tenant check", { organizationId: org }));
    const customer = (await tokenFor(t, "customer-admin", { organizationId: org })).headers;
    for (const [method, url] of [
      ["GET", "/api/v1/monitors"],
      ["GET", `/api/v1/monitors/${m.id}`],
      ["GET", `/api/v1/monitors/${m.id}/uptime`],
      ["GET", `/api/v1/monitors/uptime?ids=${m.id}`],
      ["GET", `/api/v1/monitors/overview?ids=${m.id}`],
      ["GET", `/api/v1/monitors/${m.id}/series`],
      ["GET", `/api/v1/monitors/${m.id}/history`],
      ["POST", `/api/v1/monitors/${m.id}/pause`],
      ["DELETE", `/api/v1/monitors/${m.id}`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: customer });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.body).not.toContain("Tenant check");
      expect((await t.app.inject({ method, url })).statusCode).toBe(401);
    }
    expect((await post("/api/v1/monitors", http("x"), customer)).statusCode).toBe(403);
    const agent = (await tokenFor(t, "agent")).headers;
    expect((await t.app.inject({ url: `/api/v1/monitors/${m.id}`, headers: agent })).statusCode).toBe(200);
    expect((await post("/api/v1/monitors", http("x"), agent)).statusCode).toBe(403);
    const noc = (await tokenFor(t, "noc")).headers;
    expect((await post(`/api/v1/monitors/${m.id}/pause`, undefined, noc)).statusCode).toBe(200);
  });
});
