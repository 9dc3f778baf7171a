import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { Value } from "typebox/value";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeTypes } from "../../../src/modules/monitoring/checks/index.js";
import { selfSignedCertificate } from "../../fixtures/tls-cert.js";
import { check } from "./run.js";

const http = probeTypes.http!;

function routes(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://x");
  const redirect = /^\/redirect\/(\d+)$/.exec(url.pathname);
  if (url.pathname === "/ok") res.end("hello world, all systems operational");
  else if (url.pathname === "/error") {
    res.statusCode = 500;
    res.end("boom");
  } else if (url.pathname === "/json") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: "ok", items: [{ state: "green" }], n: 3, flag: true, "a-b": null }));
  } else if (url.pathname === "/slow") setTimeout(() => res.end("late"), 600);
  else if (url.pathname === "/hang") {
    /* never answers */
  } else if (url.pathname === "/big") res.end(`${"a".repeat(200 * 1024)}needle`);
  else if (redirect) {
    const n = Number(redirect[1]);
    res.statusCode = 302;
    res.setHeader("location", n > 1 ? `/redirect/${n - 1}` : "/ok");
    res.end();
  } else if (url.pathname === "/echo") {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => res.end(JSON.stringify({ method: req.method, header: req.headers["x-probe"], body })));
  } else {
    res.statusCode = 404;
    res.end();
  }
}

const servers: Server[] = [];
let base = "";
let connections = 0;
const listen = async (server: Server, port = 0) => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  const server = createServer(routes);
  server.on("connection", () => connections++);
  base = `http://127.0.0.1:${await listen(server)}`;
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("http probe against a local server", () => {
  it("is UP on 200 with the latency, on a fresh connection per check when reuse is off", async () => {
    const before = connections;
    for (let i = 0; i < 3; i++) {
      const r = await check(http, `${base}/ok`, { reuseConnections: false });
      expect(r).toMatchObject({ status: "up", reason: null, details: { statusCode: 200 } });
      expect(r.latencyMs).toBeGreaterThan(0);
    }
    expect(connections - before).toBe(3);
  });

  it("reuses one idle connection for the next checks of the same origin, GET and HEAD", async () => {
    const server = createServer(routes);
    let opened = 0;
    server.on("connection", () => opened++);
    const origin = `http://127.0.0.1:${await listen(server)}`;
    for (let i = 0; i < 3; i++) expect(await check(http, `${origin}/ok`)).toMatchObject({ status: "up" });
    expect(await check(http, `${origin}/ok`, { method: "HEAD" })).toMatchObject({ status: "up" });
    // A redirect's own body is read, so the hop after it goes over the same connection.
    expect(await check(http, `${origin}/redirect/2`)).toMatchObject({ status: "up" });
    expect(opened).toBe(1);
    // A monitor stored before the setting existed reuses too (its default).
    const { reuseConnections: _, ...stored } = Value.Default(http.settings, {}) as Record<string, unknown>;
    expect(
      await http.run(`${origin}/ok`, stored, { signal: AbortSignal.timeout(5000), timeoutMs: 5000 }),
    ).toMatchObject({
      status: "up",
    });
    expect(opened).toBe(1);
    // What cannot be reused is closed: a body past 64 KiB, a POST, a chunked body.
    expect(await check(http, `${origin}/big`)).toMatchObject({ status: "up" });
    expect(await check(http, `${origin}/ok`)).toMatchObject({ status: "up" });
    expect(opened).toBe(2);
    expect(await check(http, `${origin}/echo`, { method: "POST", body: "x" })).toMatchObject({ status: "up" });
    expect(opened).toBe(3);
    server.closeAllConnections();
  });

  it("opens a fresh connection when the reused one is closed by the server, idle or unanswered", async () => {
    // A raw server: on each connection answers its first request and keeps it open; a second request on the
    // same connection is dropped unanswered (as a server closing an idle connection does, racing the write).
    let opened = 0;
    const accepted: Socket[] = [];
    const raw = createTcpServer((socket: Socket) => {
      opened++;
      accepted.push(socket);
      let requests = 0;
      socket.on("data", (chunk) => {
        if (!chunk.toString("latin1").includes("\r\n\r\n")) return;
        if (++requests > 1) return socket.destroy();
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", () => resolve()));
    const origin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    expect(await check(http, `${origin}/a`)).toMatchObject({ status: "up" });
    expect(await check(http, `${origin}/b`)).toMatchObject({ status: "up", details: { statusCode: 200 } });
    expect(opened).toBe(2);
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => raw.close(resolve));

    // The server gone after a check: its idle connection ends, the next check finds the port closed.
    const server = createServer(routes);
    const port = await listen(server);
    expect(await check(http, `http://127.0.0.1:${port}/ok`)).toMatchObject({ status: "up" });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    expect(await check(http, `http://127.0.0.1:${port}/ok`)).toMatchObject({
      status: "down",
      reason: "connection_refused",
    });
  });

  it("is DOWN on a status outside the accepted ranges, UP when the range accepts it", async () => {
    const r = await check(http, `${base}/error`);
    expect(r).toMatchObject({ status: "down", reason: "status_not_accepted", details: { statusCode: 500 } });
    expect(r.message).toBe("HTTP 500 Internal Server Error (accepted: 200-299)");
    expect(await check(http, `${base}/error`, { acceptedStatus: ["200-299", "500"] })).toMatchObject({ status: "up" });
  });

  it("asserts a keyword present or absent, within the first 64 KiB", async () => {
    expect(await check(http, `${base}/ok`, { keyword: "operational" })).toMatchObject({ status: "up" });
    expect(await check(http, `${base}/ok`, { keyword: "maintenance" })).toMatchObject({
      status: "down",
      reason: "keyword_missing",
    });
    expect(await check(http, `${base}/ok`, { keyword: "maintenance", keywordAbsent: true })).toMatchObject({
      status: "up",
    });
    expect(await check(http, `${base}/ok`, { keyword: "hello", keywordAbsent: true })).toMatchObject({
      reason: "keyword_present",
    });
    const big = await check(http, `${base}/big`, { keyword: "needle" });
    expect(big).toMatchObject({ status: "down", reason: "keyword_missing" });
    expect(big.message).toContain("65536");
  });

  it("asserts a JSON path and its value", async () => {
    const json = `${base}/json`;
    expect(await check(http, json, { jsonPath: "$.status", jsonExpected: "ok" })).toMatchObject({ status: "up" });
    expect(await check(http, json, { jsonPath: "$.items[0].state", jsonExpected: "green" })).toMatchObject({
      status: "up",
    });
    expect(await check(http, json, { jsonPath: "$.n", jsonExpected: "3" })).toMatchObject({ status: "up" });
    expect(await check(http, json, { jsonPath: "$.flag", jsonExpected: "true" })).toMatchObject({ status: "up" });
    expect(await check(http, json, { jsonPath: '$["a-b"]' })).toMatchObject({ status: "up" });
    const mismatch = await check(http, json, { jsonPath: "$.items[0].state", jsonExpected: "red" });
    expect(mismatch).toMatchObject({ status: "down", reason: "json_path_mismatch" });
    expect(mismatch.message).toBe("$.items[0].state is green, expected red");
    expect(await check(http, json, { jsonPath: "$.items[3]" })).toMatchObject({ reason: "json_path_mismatch" });
    expect(await check(http, `${base}/ok`, { jsonPath: "$.status" })).toMatchObject({ reason: "json_invalid" });
  });

  it("is DEGRADED (slow) above the latency threshold", async () => {
    const r = await check(http, `${base}/slow`, { degradedAboveMs: 300 });
    expect(r).toMatchObject({ status: "degraded", reason: "slow" });
    expect(r.latencyMs).toBeGreaterThanOrEqual(550);
  });

  it("is DOWN (timeout) on a hanging server, promptly at the timeout", async () => {
    const started = performance.now();
    const r = await check(http, `${base}/hang`, {}, 800);
    expect(r).toMatchObject({ status: "down", reason: "timeout", latencyMs: null });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("follows redirects up to the limit", async () => {
    expect(await check(http, `${base}/redirect/3`)).toMatchObject({
      status: "up",
      details: { finalUrl: `${base}/ok` },
    });
    expect(await check(http, `${base}/redirect/3`, { maxRedirects: 2 })).toMatchObject({
      status: "down",
      reason: "too_many_redirects",
    });
    expect(await check(http, `${base}/redirect/1`, { maxRedirects: 0 })).toMatchObject({
      reason: "status_not_accepted",
      details: { statusCode: 302 },
    });
  });

  it("sends the method, headers and body", async () => {
    const r = await check(http, `${base}/echo`, {
      method: "POST",
      headers: { "x-probe": "yes" },
      body: "ping",
      jsonPath: "$.body",
      jsonExpected: "ping",
    });
    expect(r).toMatchObject({ status: "up" });
    expect(
      await check(http, `${base}/echo`, {
        method: "PUT",
        headers: { "x-probe": "yes" },
        jsonPath: "$.header",
        jsonExpected: "yes",
      }),
    ).toMatchObject({ status: "up" });
  });

  it("goes DOWN (connection_refused) when the server is gone and back UP when it returns", async () => {
    const server = createServer(routes);
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const target = `http://127.0.0.1:${port}/ok`;
    const r = await check(http, target);
    expect(r).toMatchObject({ status: "down", reason: "connection_refused" });
    expect(r.message).toContain("ECONNREFUSED");
    await listen(createServer(routes), port);
    expect(await check(http, target)).toMatchObject({ status: "up" });
  });

  it("reads what a bare request sees as Node's client would: headers sent, 1xx skipped, garbage, hang-ups", async () => {
    // A raw server answers by the first line of the request, and records what arrived.
    const seen: string[] = [];
    const raw = createTcpServer((socket: Socket) => {
      let data = "";
      socket.on("data", (chunk) => {
        // One request per connection: it ends after its answer, so a request sent again on it goes unanswered.
        if (socket.writableEnded) return;
        data += chunk.toString("latin1");
        if (!data.includes("\r\n\r\n")) return;
        seen.push(data);
        const path = data.split(" ")[1];
        if (path === "/continue") socket.end("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
        else if (path === "/garbage") socket.end("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        else if (path === "/hangup") socket.destroy();
        else if (path === "/split") {
          socket.write("HTTP/1.1 301 Moved\r\nLoc");
          setTimeout(() => socket.end("ation: /continue\r\nContent-Length: 0\r\n\r\n"), 20);
        } else socket.end("HTTP/1.0 200 OK\r\n\r\n");
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", () => resolve()));
    const origin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;

    expect(await check(http, `${origin}/plain?x=1`, { headers: { "X-Probe": "é" } })).toMatchObject({
      status: "up",
      details: { statusCode: 200 },
    });
    expect(seen.at(-1)).toMatch(/^GET \/plain\?x=1 HTTP\/1\.1\r\n/);
    expect(seen.at(-1)).toContain(`Host: 127.0.0.1:${(raw.address() as AddressInfo).port}\r\n`);
    expect(seen.at(-1)).toContain("User-Agent: Plantao-Monitor/1\r\n");
    expect(seen.at(-1)).toContain("X-Probe: \u00e9\r\n");
    expect(await check(http, `${origin}/plain`, { headers: { "user-agent": "mine" } })).toMatchObject({ status: "up" });
    expect(seen.at(-1)).not.toContain("Plantao-Monitor");
    expect(await check(http, `${origin}/continue`)).toMatchObject({ status: "up", details: { statusCode: 204 } });
    expect(await check(http, `${origin}/garbage`)).toMatchObject({ status: "down", reason: "http_bad_response" });
    expect(await check(http, `${origin}/hangup`)).toMatchObject({ status: "down", reason: "connection_reset" });
    expect(await check(http, `${origin}/split`)).toMatchObject({
      status: "up",
      details: { statusCode: 204, finalUrl: `${origin}/continue` },
    });
    // A header value with a line break would split the request: refused, never sent as two headers.
    const injected = await check(http, `${origin}/plain`, { headers: { "x-probe": "a\r\nX-Evil: 1" } });
    expect(injected.status).toBe("down");
    expect(seen.some((r) => r.includes("X-Evil"))).toBe(false);
    await new Promise((resolve) => raw.close(resolve));
  });

  it("reports an unknown host as dns_not_found", async () => {
    expect(await check(http, "http://nosuch.invalid/")).toMatchObject({ status: "down", reason: "dns_not_found" });
  });

  it("validates the target URL", () => {
    expect(http.validateTarget("https://example.com/health")).toBeNull();
    expect(http.validateTarget("ftp://example.com")).toMatch(/unsupported scheme/);
    expect(http.validateTarget("not a url")).toMatch(/not a valid URL/);
  });
});

describe("https probe with self-signed certificates", () => {
  let expiring = "";
  let lasting = "";
  beforeAll(async () => {
    const soon = selfSignedCertificate(5);
    const later = selfSignedCertificate(400);
    expiring = `https://localhost:${await listen(createTlsServer(soon, routes))}/ok`;
    lasting = `https://127.0.0.1:${await listen(createTlsServer(later, routes))}/ok`;
  });

  it("is DOWN (tls_error) on an untrusted certificate", async () => {
    const r = await check(http, lasting);
    expect(r).toMatchObject({ status: "down", reason: "tls_error" });
    expect(r.message).toMatch(/self[- ]signed/i);
  });

  it("is UP when TLS errors are ignored and the certificate has time left", async () => {
    const r = await check(http, lasting, { ignoreTls: true });
    expect(r).toMatchObject({ status: "up" });
    expect(Date.parse(r.details?.tlsCertificateExpiresAt as string)).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it("is DEGRADED (tls_certificate_expiring) inside the warning window, with the expiry date", async () => {
    const r = await check(http, expiring, { ignoreTls: true });
    expect(r).toMatchObject({ status: "degraded", reason: "tls_certificate_expiring" });
    const expiresAt = r.details?.tlsCertificateExpiresAt as string;
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThan(6 * 86_400_000);
    expect(r.message).toContain(expiresAt);
    expect(await check(http, expiring, { ignoreTls: true, tlsExpiryWarningDays: 3 })).toMatchObject({ status: "up" });
    expect(await check(http, expiring, { ignoreTls: true, tlsExpiryWarningDays: 0 })).toMatchObject({ status: "up" });
  });
});
