import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, postgresUrl, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;

/** Makes the test app's database unavailable until `end()`. */
async function unavailable(t: TestContext): Promise<{ end(): Promise<void> }> {
  if (t.engine === "sqlite") {
    // A local file does not go away while open (another process cannot lock a WAL database out from under an
    // open connection): the page's reads are made to fail instead.
    const repo = (t.services.status.page as unknown as { repo: { liveWindows: () => Promise<unknown> } }).repo;
    const original = repo.liveWindows;
    repo.liveWindows = () => Promise.reject(new Error("SQLITE_IOERR: disk I/O error"));
    return {
      async end() {
        repo.liveWindows = original;
      },
    };
  }
  const name = new URL(t.databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    [name],
  );
  // pg_terminate_backend only signals: wait until the backends are gone, or a pooled connection still alive
  // here dies later, under the refresh that follows the outage.
  for (let i = 0; i < 200; i++) {
    const left = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
    if (left.rows[0].n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    async end() {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    },
  };
}

describe.each(engines)("status page API on %s", (engine) => {
  let t: TestContext;
  let admin: Headers;
  let customerA: Headers;
  let customerB: Headers;
  let orgA: string;
  let orgB: string;
  // Sunday 6 December 2026, 09:00 in São Paulo.
  const clock = new ManualClock("2026-12-06T12:00:00.000Z");
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    admin = (await tokenFor(t, "admin")).headers;
    orgA = (await createOrganization(t, "Cliente A")).id;
    orgB = (await createOrganization(t, "Cliente B")).id;
    customerA = (await tokenFor(t, "customer", { organizationId: orgA })).headers;
    customerB = (await tokenFor(t, "customer", { organizationId: orgB })).headers;
  }, 60_000);
  afterAll(async () => t?.close());

  const call = (method: string, url: string, headers: Headers = admin, payload?: unknown) =>
    t.app.inject({
      method: method as "GET",
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const count = async (
    table: "status_components" | "maintenance_windows" | "status_subscriptions" | "change_records",
  ) =>
    Number(
      (
        await t.platform.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("creates components; bad links are a 400 naming the field; each customer sees its own and the public ones", async () => {
    for (const [key, body] of [
      ["sip", { name: "Registro SIP", group: "Telefonia" }],
      ["calls", { name: "Chamadas de saída", group: "Telefonia" }],
      ["pbxA", { name: "PBX cluster A", organizationIds: [orgA] }],
      ["pbxB", { name: "PBX cluster B", organizationIds: [orgB] }],
    ] as const) {
      const res = await call("POST", "/api/v1/components", admin, body);
      expect(res.statusCode, res.body).toBe(201);
      ids[key] = res.json().id;
    }
    const before = await count("status_components");
    const badMonitor = await call("POST", "/api/v1/components", admin, {
      name: "x",
      monitorIds: ["0190c0de-0000-7000-8000-000000000000"],
    });
    expect(badMonitor.statusCode).toBe(400);
    expect(badMonitor.json().errors[0].pointer).toBe("/monitorIds/0");
    const badOrg = await call("POST", "/api/v1/components", admin, {
      name: "x",
      organizationIds: ["0190c0de-0000-7000-8000-000000000000"],
    });
    expect(badOrg.json().errors[0].pointer).toBe("/organizationIds/0");
    expect((await call("POST", "/api/v1/components", admin, { name: "" })).statusCode).toBe(400);
    expect(await count("status_components")).toBe(before);

    const names = async (h: Headers) =>
      (await call("GET", "/api/v1/components", h)).json().items.map((c: { name: string }) => c.name);
    expect(await names(customerA)).toEqual(["Registro SIP", "Chamadas de saída", "PBX cluster A"]);
    expect(await names(customerB)).toEqual(["Registro SIP", "Chamadas de saída", "PBX cluster B"]);
    expect((await call("GET", `/api/v1/components/${ids.pbxB}`, customerA)).statusCode).toBe(404);
    expect((await call("POST", "/api/v1/components", customerA, { name: "mine" })).statusCode).toBe(403);
    const mine = (await call("GET", "/api/v1/status/mine", customerA)).json();
    expect(mine.components.map((c: { name: string }) => c.name)).toContain("PBX cluster A");
    expect(mine.components.map((c: { name: string }) => c.name)).not.toContain("PBX cluster B");
  });

  it("a manual override shows until it expires", async () => {
    const until = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const set = await call("PUT", `/api/v1/components/${ids.calls}/override`, admin, {
      status: "partial_outage",
      until,
      reason: "carrier",
    });
    expect(set.statusCode, set.body).toBe(200);
    const statusOf = async () =>
      (await call("GET", "/api/v1/status", {})).json().components.find((c: { id: string }) => c.id === ids.calls)
        .status;
    expect(await statusOf()).toBe("partial_outage");
    const past = await call("PUT", `/api/v1/components/${ids.calls}/override`, admin, {
      status: "degraded",
      until: "2020-01-01T00:00:00Z",
    });
    expect(past.statusCode).toBe(400);
    clock.advance(3_600_000);
    await t.services.status.page.refresh();
    expect(await statusOf()).toBe("operational");
  });

  it("refuses bad windows with the field at fault and changes nothing; warns against the plan", async () => {
    const before = await count("maintenance_windows");
    const window = (x: Record<string, unknown>) =>
      call("POST", "/api/v1/maintenance-windows", admin, {
        title: "Atualização do Asterisk",
        startsAt: "2026-12-10T05:00:00Z",
        endsAt: "2026-12-10T08:00:00Z",
        componentIds: [ids.sip],
        ...x,
      });
    for (const [x, pointer] of [
      [{ endsAt: "2026-12-10T04:00:00Z" }, "/endsAt"],
      [{ rrule: "FREQ=DAILY;UNTIL=20261201" }, "/rrule"],
      [{ rrule: "FREQ=MINUTELY" }, "/rrule"],
      [{ rrule: "FREQ=DAILY;COUNT=99999" }, "/rrule"],
      [{ timezone: "Nowhere/City" }, "/timezone"],
      [{ componentIds: ["0190c0de-0000-7000-8000-000000000000"] }, "/componentIds/0"],
      [{ startsAt: "2026-12-01T05:00:00Z", endsAt: "2026-12-01T08:00:00Z" }, "/endsAt"],
    ] as const) {
      const res = await window(x);
      expect(res.statusCode, JSON.stringify(x)).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json().errors[0].pointer, JSON.stringify(x)).toBe(pointer);
    }
    expect(await count("maintenance_windows")).toBe(before);

    const ok = await window({ rrule: "FREQ=WEEKLY;BYDAY=TH;COUNT=4" });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({
      state: "scheduled",
      warnings: [],
      announcedInTime: true,
      timezone: "America/Sao_Paulo",
    });
    const late = await window({ startsAt: "2026-12-07T09:00:00Z", endsAt: "2026-12-07T10:00:00Z" });
    expect(
      late
        .json()
        .warnings.map((w: { code: string }) => w.code)
        .sort(),
    ).toEqual(["outside-plan-window", "short-notice"]);
    expect(late.json().announcedInTime).toBe(false);
    const occ = await call(
      "GET",
      "/api/v1/maintenance-windows/occurrences?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z",
    );
    expect(occ.json().items.filter((o: { windowId: string }) => o.windowId === ok.json().id)).toHaveLength(4);
    const cancelled = await call("POST", `/api/v1/maintenance-windows/${late.json().id}/cancel`);
    expect(cancelled.json().state).toBe("cancelled");
    expect((await call("GET", "/api/v1/maintenance-windows", customerA)).statusCode).toBe(403);
  });

  it("subscriptions: invalid address 400, double opt-in, one-click unsubscribe", async () => {
    expect(
      (await call("POST", "/api/v1/status-subscriptions", {}, { email: "nope", componentIds: [ids.sip] })).statusCode,
    ).toBe(400);
    expect(
      (
        await call(
          "POST",
          "/api/v1/status-subscriptions",
          {},
          { email: "a@example.com", componentIds: ["0190c0de-0000-7000-8000-000000000000"] },
        )
      ).statusCode,
    ).toBe(400);
    expect(await count("status_subscriptions")).toBe(0);
    const res = await call(
      "POST",
      "/api/v1/status-subscriptions",
      {},
      { email: "Ana@Example.com", componentIds: [ids.sip], locale: "en" },
    );
    expect(res.statusCode).toBe(202);
    const mail = await t.platform.db
      .selectFrom("notifications")
      .selectAll()
      .where("template", "=", "status.subscription-confirm")
      .executeTakeFirstOrThrow();
    expect(mail.recipient).toBe("ana@example.com");
    const token = decodeURIComponent(/token=([^"&]+)/.exec(mail.params)![1]!);
    const list = async () => (await call("GET", "/api/v1/status-subscriptions")).json().items;
    expect((await list())[0].status).toBe("pending");
    // The page's button (a form post) confirms; a GET only shows the button.
    const page = await t.app.inject({ url: `/status/confirm?token=${encodeURIComponent(token)}` });
    expect(page.body).toContain('<form method="post"');
    expect((await list())[0].status).toBe("pending");
    const confirm = await t.app.inject({
      method: "POST",
      url: `/status/confirm?token=${encodeURIComponent(token)}&lang=en`,
    });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain("Subscription confirmed");
    expect((await list())[0].status).toBe("confirmed");
    // RFC 8058 one-click: a POST with List-Unsubscribe=One-Click.
    const off = await t.app.inject({
      method: "POST",
      url: `/status/unsubscribe?token=${encodeURIComponent(token)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "List-Unsubscribe=One-Click",
    });
    expect(off.statusCode).toBe(200);
    expect((await list())[0].status).toBe("unsubscribed");
    // RFC 8058's own example posts multipart/form-data, as mail providers may: read the same way.
    await t.platform.db.updateTable("status_subscriptions").set({ unsubscribed_at: null }).execute();
    expect((await list())[0].status).toBe("confirmed");
    const boundary = "---FormBoundaryjWmhtjORrn";
    const multipart = await t.app.inject({
      method: "POST",
      url: `/status/unsubscribe?token=${encodeURIComponent(token)}`,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
    });
    expect(multipart.statusCode, multipart.body).toBe(200);
    expect((await list())[0].status).toBe("unsubscribed");
    const broken = await t.app.inject({
      method: "POST",
      url: `/status/unsubscribe?token=${encodeURIComponent(token)}`,
      headers: { "content-type": "multipart/form-data; boundary=x" },
      payload: "not a multipart body",
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers["content-type"]).toContain("application/problem+json");
    expect(
      (await call("POST", "/api/v1/status-subscriptions/confirm", {}, { token: "sub_notarealtoken" })).statusCode,
    ).toBe(404);
    // The page's own form, without JavaScript.
    const form = await t.app.inject({
      method: "POST",
      url: "/status/subscribe",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `email=bia%40example.com&componentIds=${ids.sip}&componentIds=${ids.calls}&lang=pt-BR`,
    });
    expect(form.statusCode, form.body).toBe(200);
    expect(form.body).toContain("Confira seu e-mail");
    const badForm = await t.app.inject({
      method: "POST",
      url: "/status/subscribe",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      payload: "email=x",
    });
    expect(badForm.statusCode).toBe(400);
    expect(badForm.body).toContain("Pedido inválido");
  });

  it("serves /status as HTML in pt-BR and English, the JSON and the Atom feed, public components only", async () => {
    await t.services.status.page.refresh();
    const pt = await t.app.inject({ url: "/status" });
    expect(pt.statusCode).toBe(200);
    expect(pt.headers["content-type"]).toContain("text/html");
    expect(pt.body).toContain('lang="pt-BR"');
    expect(pt.body).toContain("Registro SIP");
    expect(pt.body).toContain("Atualização do Asterisk");
    expect(pt.body).not.toContain("PBX cluster");
    expect(pt.body).not.toContain("<script");
    const en = await t.app.inject({ url: "/status", headers: { "accept-language": "en-US,en;q=0.9" } });
    expect(en.body).toContain("All systems operational");
    expect((await t.app.inject({ url: "/status?lang=en", headers: { "accept-language": "pt-BR" } })).body).toContain(
      "Service status",
    );
    const json = (await t.app.inject({ url: "/api/v1/status" })).json();
    expect(json.components.map((c: { name: string }) => c.name)).toEqual(["Registro SIP", "Chamadas de saída"]);
    expect(json.components[0].bars).toHaveLength(90);
    expect(json.maintenance[0]).toMatchObject({ title: "Atualização do Asterisk", state: "scheduled" });
    const atom = await t.app.inject({ url: "/status/feed.atom" });
    expect(atom.headers["content-type"]).toContain("application/atom+xml");
    expect(atom.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(atom.body).toContain("Atualização do Asterisk");

    // Entity tags per version of the rendered page, language and encoding: a client holding it gets a 304.
    const tag = pt.headers.etag as string;
    expect(tag).toMatch(/^"[\w-]+"$/);
    const again = await t.app.inject({ url: "/status", headers: { "if-none-match": tag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    expect(en.headers.etag).not.toBe(tag);
    const gz = await t.app.inject({ url: "/status", headers: { "accept-encoding": "gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers.etag).toBe(`${tag.slice(0, -1)}-gz"`);
    expect((await t.app.inject({ url: "/status", headers: { "if-none-match": `"other", ${tag}` } })).statusCode).toBe(
      304,
    );
    expect((await t.app.inject({ url: "/status", headers: { "if-none-match": '"stale"' } })).statusCode).toBe(200);
    // A refresh with nothing changed keeps the tag.
    await t.services.status.page.refresh();
    expect((await t.app.inject({ url: "/status" })).headers.etag).toBe(tag);
  });

  it("change records: outside a window needs a reason; cadence findings on /api/v1/plan/findings", async () => {
    const before = await count("change_records");
    const noReason = await call("POST", "/api/v1/changes", admin, {
      title: "Correção do roteamento",
      kind: "fix",
      validation: "passed",
      appliedAt: "2026-12-06T15:00:00Z",
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].pointer).toBe("/outsideWindowReason");
    expect(await count("change_records")).toBe(before);
    const withReason = await call("POST", "/api/v1/changes", admin, {
      title: "Correção do roteamento",
      kind: "fix",
      validation: "passed",
      appliedAt: "2026-12-06T15:00:00Z",
      outsideWindowReason: "chamadas caindo",
    });
    expect(withReason.statusCode, withReason.body).toBe(201);
    const security = await call("POST", "/api/v1/changes", admin, {
      title: "CVE-2026-0001 no Asterisk",
      kind: "security",
      validation: "passed",
      validatedAt: "2026-12-01T12:00:00Z",
    });
    expect(security.statusCode).toBe(201);
    const findings = (await call("GET", "/api/v1/plan/findings")).json().items.map((f: { id: string }) => f.id);
    expect(findings).toContain(`update-security-overdue:${security.json().id}`);
    const patched = await call("PATCH", `/api/v1/changes/${security.json().id}`, admin, {
      appliedAt: "2026-12-06T13:00:00Z",
      outcome: "succeeded",
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const after = (await call("GET", "/api/v1/plan/findings")).json().items.map((f: { id: string }) => f.id);
    expect(after).not.toContain(`update-security-overdue:${security.json().id}`);
  });

  it("keeps answering /status with the last known state while the database is unavailable", async () => {
    const page = t.services.status.page;
    await page.refresh();
    const before = (await t.app.inject({ url: "/status" })).body;
    // PostgreSQL really goes away: it refuses connections and drops the open ones.
    const outage = await unavailable(t);
    try {
      await expect(page.refresh()).rejects.toThrow();
      const during = await t.app.inject({ url: "/status" });
      expect(during.statusCode).toBe(200);
      expect(during.body).toBe(before);
      expect((await t.app.inject({ url: "/api/v1/status" })).statusCode).toBe(200);
    } finally {
      await outage.end();
    }
    await page.refresh();
    expect((await t.app.inject({ url: "/status" })).statusCode).toBe(200);
  }, 60_000);
});
