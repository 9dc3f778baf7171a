import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

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
    const q = await t.app.inject({
      method: "GET",
      url: "/api/v1/metrics/query?metric=up&from=2026-12-01T00:00:00Z&to=2026-12-01T01:00:00Z&step=60&fn=avg",
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
    expect(preview.json()).toEqual({ items: [] });
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
});
