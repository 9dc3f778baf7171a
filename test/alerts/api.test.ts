import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, engines, harnessActor, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("alerts and metrics API on %s", (engine) => {
  let t: TestContext;
  let auth: { authorization: string };
  let customer: { authorization: string };
  beforeAll(async () => {
    t = await testApp(engine);
    auth = (await tokenFor(t, "admin")).headers;
    const org = await createOrganization(t);
    customer = (await tokenFor(t, "customer", { organizationId: org.id })).headers;
  }, 60_000);
  afterAll(async () => t?.close());

  it("creates scrape targets and answers queries, with clear 4xx on bad input", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/scrape-targets",
      headers: auth,
      payload: { name: "node", url: "http://127.0.0.1:9100/metrics", intervalSeconds: 15 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: "node", seriesCapped: false, lastError: null });
    const dup = await t.app.inject({
      method: "POST",
      url: "/api/v1/scrape-targets",
      headers: auth,
      payload: { name: "node", url: "http://127.0.0.1:9100/metrics" },
    });
    expect(dup.statusCode).toBe(409);
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/scrape-targets",
      headers: auth,
      payload: { name: "x", url: "gopher://x" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toContain("application/problem+json");
    // An hour ending now: within the raw samples' retention whatever the day the test runs.
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const from = new Date(to.getTime() - 3_600_000);
    const q = await t.app.inject({
      method: "GET",
      url: `/api/v1/metrics/query?metric=up&from=${from.toISOString()}&to=${to.toISOString()}&step=60&fn=avg`,
      headers: auth,
    });
    expect(q.statusCode).toBe(200);
    expect(q.json()).toEqual({ resolution: "raw", series: [] });
    const badMatch = await t.app.inject({
      method: "GET",
      url: "/api/v1/metrics/query?metric=up&match[]=x%3D~(&from=2026-12-01T00:00:00Z&to=2026-12-01T01:00:00Z&step=60",
      headers: auth,
    });
    expect(badMatch.statusCode).toBe(400);
    const tooMany = await t.app.inject({
      method: "GET",
      url: "/api/v1/metrics/query?metric=up&from=2020-01-01T00:00:00Z&to=2026-12-01T01:00:00Z&step=1",
      headers: auth,
    });
    expect(tooMany.statusCode).toBe(400);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/scrape-targets", headers: customer })).statusCode).toBe(
      403,
    );
  });

  it("speaks the Alertmanager v2 subset: alerts, silences, status", async () => {
    const ends = new Date(Date.now() + 3600_000).toISOString();
    const post = await t.app.inject({
      method: "POST",
      url: "/api/v2/alerts",
      headers: auth,
      payload: [
        { labels: { alertname: "TrunkDown", host: "pbx-01" }, annotations: { summary: "trunk down" }, endsAt: ends },
      ],
    });
    expect(post.statusCode).toBe(200);
    const list = await t.app.inject({ method: "GET", url: "/api/v2/alerts", headers: auth });
    expect(list.json()).toMatchObject([
      { labels: { alertname: "TrunkDown", host: "pbx-01" }, status: { state: "active" } },
    ]);
    const sil = await t.app.inject({
      method: "POST",
      url: "/api/v2/silences",
      headers: auth,
      payload: {
        matchers: [{ name: "host", value: "pbx-01", isRegex: false }],
        startsAt: new Date().toISOString(),
        endsAt: ends,
        createdBy: "amtool",
        comment: "work",
      },
    });
    expect(sil.statusCode).toBe(200);
    const id = sil.json().silenceID;
    expect(
      (await t.app.inject({ method: "GET", url: "/api/v2/alerts", headers: auth })).json()[0].status,
    ).toMatchObject({ state: "suppressed", silencedBy: [id] });
    expect((await t.app.inject({ method: "GET", url: "/api/v2/silences", headers: auth })).json()).toMatchObject([
      { id, createdBy: "amtool", status: { state: "active" } },
    ]);
    expect((await t.app.inject({ method: "DELETE", url: `/api/v2/silence/${id}`, headers: auth })).statusCode).toBe(
      200,
    );
    expect((await t.app.inject({ method: "GET", url: "/api/v2/status", headers: auth })).json()).toHaveProperty(
      "versionInfo",
    );
    const v1 = await t.app.inject({ method: "GET", url: "/api/v1/alerts", headers: auth });
    expect(v1.json().items).toMatchObject([{ state: "firing", silenced: false, inhibited: false }]);
  });

  it("validates rules, silences and routes", async () => {
    const rule = await t.app.inject({
      method: "POST",
      url: "/api/v1/alert-rules",
      headers: auth,
      payload: {
        name: "Cpu",
        kind: "metric",
        expression: { metric: "cpu", fn: "avg", windowSeconds: 60, op: ">", threshold: 70, recoveryThreshold: 90 },
      },
    });
    expect(rule.statusCode).toBe(400);
    expect(rule.json().errors[0].pointer).toBe("/expression/recoveryThreshold");
    const ok = await t.app.inject({
      method: "POST",
      url: "/api/v1/alert-rules",
      headers: auth,
      payload: {
        name: "Cpu",
        kind: "metric",
        forSeconds: 600,
        expression: { metric: "cpu", fn: "avg", windowSeconds: 60, op: ">", threshold: 70, recoveryThreshold: 60 },
      },
    });
    expect(ok.statusCode).toBe(201);
    const preview = await t.app.inject({
      method: "POST",
      url: "/api/v1/alert-rules/preview",
      headers: auth,
      payload: {
        name: "Cpu",
        kind: "metric",
        expression: { metric: "cpu", fn: "avg", windowSeconds: 60, op: ">", threshold: 70 },
      },
    });
    expect(preview.json()).toMatchObject({ stepSeconds: 60, items: [] });
    const route = await t.app.inject({
      method: "PUT",
      url: "/api/v1/routes",
      headers: auth,
      payload: { route: { id: "root", receiver: "nobody", matchers: [] }, inhibitRules: [], muteIntervals: {} },
    });
    expect(route.statusCode).toBe(400);
    expect(route.json().detail).toContain("no receiver named nobody");
    const silence = await t.app.inject({
      method: "POST",
      url: "/api/v1/silences",
      headers: auth,
      payload: {
        matchers: [{ name: "a", value: ".*", isRegex: true }],
        startsAt: "2026-12-01T00:00:00Z",
        endsAt: "2026-12-02T00:00:00Z",
        comment: "",
      },
    });
    expect(silence.statusCode).toBe(400);
  });

  it("previews a rule before it is named: the expression's values with its threshold's pending and firing intervals", async () => {
    const target = await t.services.metrics.createTarget(harnessActor(t), {
      name: "preview-host",
      url: "http://127.0.0.1:1/metrics",
      enabled: false,
    });
    const gauge = (instance: string, value: number) => ({
      name: "preview_cpu_percent",
      type: "gauge" as const,
      help: null,
      samples: [{ name: "preview_cpu_percent", labels: { instance }, value, timestampMs: null }],
    });
    // Two hours ago, an hour of samples a minute apart on two hosts: pbx-a at 90% for its first 30 minutes.
    const now = Date.now();
    const start = Math.floor((now - 2 * 3600_000) / 60_000) * 60_000;
    for (let minute = 0; minute < 60; minute++)
      for (const instance of ["pbx-a", "pbx-b"])
        await t.services.metrics.ingest(
          { id: target.id, max_series: 100 },
          [gauge(instance, instance === "pbx-a" && minute < 30 ? 90 : 20)],
          {},
          start + minute * 60_000,
        );
    const preview = (payload: object) =>
      t.app.inject({ method: "POST", url: "/api/v1/alert-rules/preview", headers: auth, payload });
    const rule = {
      kind: "metric",
      forSeconds: 300,
      expression: {
        metric: "preview_cpu_percent",
        fn: "max",
        windowSeconds: 60,
        by: ["instance"],
        op: ">",
        threshold: 70,
        recoveryThreshold: 60,
      },
    };
    const res = await preview(rule);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 3600_000);
    const byHost = Object.fromEntries(body.items.map((i: { labels: { instance: string } }) => [i.labels.instance, i]));
    expect(Object.keys(byHost).sort()).toEqual(["pbx-a", "pbx-b"]);
    const a = byHost["pbx-a"];
    // One value per minute with samples (a 60 s window holds the sample of that minute).
    expect(a.points.length).toBeGreaterThanOrEqual(59);
    expect(a.points.length).toBeLessThanOrEqual(61);
    expect(a.points.every(([t, v]: [number, number]) => t >= start && (v === 90 || v === 20))).toBe(true);
    // Pending 5 minutes (`for`), then firing until the samples fall to 20, about 25 minutes later.
    expect(a.pending).toHaveLength(1);
    expect(a.firing).toHaveLength(1);
    expect(a.pending[0].to).toBe(a.firing[0].from);
    expect(Date.parse(a.firing[0].from) - Date.parse(a.pending[0].from)).toBe(300_000);
    expect(Date.parse(a.firing[0].to) - Date.parse(a.firing[0].from)).toBeGreaterThanOrEqual(24 * 60_000);
    expect(byHost["pbx-b"]).toMatchObject({ pending: [], firing: [] });

    // Its problems come field by field, as when saving; a monitor rule has nothing to preview.
    const bad = await preview({ ...rule, expression: { ...rule.expression, recoveryThreshold: 80 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe("/expression/recoveryThreshold");
    const monitor = await preview({ kind: "monitor" });
    expect(monitor.statusCode).toBe(400);
    expect(monitor.json().errors[0].pointer).toBe("/kind");
  });

  it("filters alerts on /api/v1 and /api/v2 by matchers, silenced and inhibited, and lists receivers and groups", async () => {
    const put = (url: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: "PUT", url, headers: auth, payload });
    expect(
      (await put("/api/v1/receivers", { name: "noc", targets: [{ type: "email", to: "noc@x.example" }] })).statusCode,
    ).toBe(200);
    expect(
      (await put("/api/v1/receivers", { name: "voip", targets: [{ type: "email", to: "voip@x.example" }] })).statusCode,
    ).toBe(200);
    const routing = await put("/api/v1/routes", {
      route: {
        id: "root",
        receiver: "noc",
        matchers: [],
        groupBy: ["alertname"],
        routes: [{ id: "voip", receiver: "voip", matchers: [{ name: "team", value: "voip" }], groupBy: ["host"] }],
      },
      inhibitRules: [
        {
          sourceMatchers: [{ name: "alertname", value: "HostDown" }],
          targetMatchers: [{ name: "alertname", value: "SipTrunkDown" }],
          equal: ["host"],
        },
      ],
      muteIntervals: {},
    });
    expect(routing.statusCode, routing.body).toBe(200);
    const ends = new Date(Date.now() + 3600_000).toISOString();
    await t.app.inject({
      method: "POST",
      url: "/api/v2/alerts",
      headers: auth,
      payload: [
        { labels: { alertname: "HostDown", host: "pbx-02", team: "voip" }, endsAt: ends },
        { labels: { alertname: "SipTrunkDown", host: "pbx-02", team: "voip", trunk: "a" }, endsAt: ends },
        { labels: { alertname: "DiskFull", host: "db-01", severity: "medium" }, endsAt: ends },
      ],
    });
    await t.app.inject({
      method: "POST",
      url: "/api/v1/silences",
      headers: auth,
      payload: {
        matchers: [{ name: "host", value: "db-.*", isRegex: true }],
        startsAt: new Date().toISOString(),
        endsAt: ends,
        comment: "disk swap",
      },
    });
    const v1 = async (query: string) => {
      const res = await t.app.inject({ url: `/api/v1/alerts?${query}`, headers: auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as {
        items: { labels: Record<string, string>; receivers: string[] }[];
        nextCursor: string | null;
      };
    };
    const names = (items: { labels: Record<string, string> }[]) => items.map((a) => a.labels.alertname).sort();
    expect(names((await v1(`filter=${encodeURIComponent('host=~"pbx-0[2-9]"')}`)).items)).toEqual([
      "HostDown",
      "SipTrunkDown",
    ]);
    expect(names((await v1("silenced=true")).items)).toEqual(["DiskFull"]);
    expect(names((await v1("inhibited=true")).items)).toEqual(["SipTrunkDown"]);
    expect((await v1(`filter=${encodeURIComponent('alertname="HostDown"')}`)).items[0]!.receivers).toEqual(["voip"]);
    // Keyset pages: every alert once.
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = await v1(`limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((a) => JSON.stringify(a.labels)));
      cursor = page.nextCursor;
    }
    expect(seen.length).toBe(new Set(seen).size);
    expect(seen.length).toBe((await v1("limit=500")).items.length);
    const bad = await t.app.inject({ url: `/api/v1/alerts?filter=${encodeURIComponent("host=~(")}`, headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe("/filter/0");

    const v2 = async (path: string) => {
      const res = await t.app.inject({ url: path, headers: auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const v2names = (list: { labels: Record<string, string> }[]) => names(list);
    const pbx = (await v2(`/api/v2/alerts?filter=${encodeURIComponent('{host="pbx-02"}')}`)) as any[];
    expect(v2names(pbx)).toEqual(["HostDown", "SipTrunkDown"]);
    expect(pbx.find((a) => a.labels.alertname === "SipTrunkDown").status).toMatchObject({ state: "suppressed" });
    expect(pbx.every((a) => a.receivers[0].name === "voip")).toBe(true);
    expect(v2names(await v2("/api/v2/alerts?inhibited=false&silenced=false&filter=team%3Dvoip"))).toEqual(["HostDown"]);
    expect(v2names(await v2("/api/v2/alerts?active=false&filter=team%3Dvoip"))).toEqual(["SipTrunkDown"]);
    expect(v2names(await v2("/api/v2/alerts?receiver=vo.*"))).toEqual(["HostDown", "SipTrunkDown"]);
    expect((await v2("/api/v2/receivers")).map((r: { name: string }) => r.name)).toEqual(["noc", "voip"]);
    const groups = (await v2(`/api/v2/alerts/groups?filter=${encodeURIComponent('team="voip"')}`)) as any[];
    expect(groups).toEqual([
      expect.objectContaining({ labels: { host: "pbx-02" }, receiver: { name: "voip" }, alerts: expect.any(Array) }),
    ]);
    expect(groups[0].alerts).toHaveLength(2);
    const silences = (await v2(`/api/v2/silences?filter=${encodeURIComponent('host=~"db-.*"')}`)) as any[];
    expect(silences.map((s) => s.comment)).toEqual(["disk swap"]);
    expect((await v2(`/api/v2/silence/${silences[0].id}`)).status).toEqual({ state: "active" });
    expect((await t.app.inject({ url: "/api/v2/alerts?filter=%3D%3D", headers: auth })).statusCode).toBe(400);
  });

  it("keeps every alerts route from customers", async () => {
    for (const url of [
      "/api/v1/alerts",
      "/api/v1/alert-rules",
      "/api/v1/silences",
      "/api/v1/receivers",
      "/api/v1/routes",
      "/api/v2/alerts",
      "/api/v2/alerts/groups",
      "/api/v2/receivers",
      "/api/v2/silences",
    ])
      expect((await t.app.inject({ url, headers: customer })).statusCode, url).toBe(403);
  });
});
