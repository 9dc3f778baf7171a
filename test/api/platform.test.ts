import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestSchemaVersion } from "../../src/platform/db/migrate.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("platform HTTP on %s", (engine) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(() => t.close());

  it("answers liveness, readiness and version", async () => {
    expect((await t.app.inject("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await t.app.inject("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json().schemaVersion).toBe(latestSchemaVersion);
    const v = (await t.app.inject("/api/v1/version")).json();
    expect(v).toMatchObject({ databaseEngine: engine, schemaVersion: latestSchemaVersion });
    expect(typeof v.commit).toBe("string");
  });

  it("exposes Prometheus metrics with route latency and queue depth", async () => {
    await t.app.inject("/healthz");
    const res = await t.app.inject("/metrics");
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('plantao_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"');
    expect(res.body).toContain("plantao_jobs_due 0");
    expect(res.body).toContain("plantao_jobs_oldest_due_age_seconds");
    expect(res.body).toContain("plantao_nodejs_eventloop_lag_seconds");
  });

  it("answers unknown routes and malformed bodies with problem+json", async () => {
    const missing = await t.app.inject("/api/v1/nothing-here");
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toContain("application/problem+json");
    expect(missing.json()).toMatchObject({ type: "urn:plantao:problem:not-found", status: 404 });

    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/version",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    expect(bad.headers["content-type"]).toContain("application/problem+json");
  });

  it("validates query strings with per-field errors", async () => {
    const { headers } = await tokenFor(t, "admin");
    const res = await t.app.inject({ url: "/api/v1/events?after=abc&extra=1", headers });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.type).toBe("urn:plantao:problem:validation-failed");
    expect(body.errors.length).toBeGreaterThan(0);
    expect(body.errors[0]).toHaveProperty("pointer");
  });

  it("sets security headers and a request id", async () => {
    const res = await t.app.inject({ url: "/healthz", headers: { "x-request-id": "abc-123" } });
    expect(res.headers["x-request-id"]).toBe("abc-123");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
  });

  it("serves the OpenAPI 3.1 document", async () => {
    const doc = (await t.app.inject("/api/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/version", "/api/v1/events", "/healthz"]));
  });
});

describe("input the HTTP layer itself must refuse", () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await testApp("sqlite");
  });
  afterAll(() => t.close());

  it("refuses numbers that overflow to Infinity, bad URLs and over-long parameters as problem+json", async () => {
    const { headers } = await tokenFor(t, "admin");
    for (const [url, status] of [
      ["/api/v1/users?limit=1e400", 400],
      ["/api/v1/users/%zz", 400],
      [`/api/v1/users/${"a".repeat(300)}`, 414],
    ] as const) {
      const res = await t.app.inject({ url, headers });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers["content-type"]).toContain("application/problem+json");
    }
    const body = await t.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: { ...headers, "content-type": "application/json" },
      payload: '{"name":"x","scopes":["plan:read"],"n":1e400}',
    });
    expect(body.statusCode).toBe(400);
  });

  it("answers oversized headers with 431 problem+json", async () => {
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const res = await fetch(`${address}/healthz`, { headers: { "x-big": "a".repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
