import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT } from "../../src/app.js";
import { listOperations, type OpenApiDocument, type Operation } from "../fuzz/openapi-cases.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

const TWO_MIB = 2 * 1024 * 1024;

/**
 * Sends one request over a fresh socket the way many clients do: the whole body first, piece by piece as a
 * network slower than loopback would carry it, reading only once it is sent; then the status line, or how the
 * connection failed (a server that closes while the body still comes resets it, and the answer is lost).
 */
function rawRequest(port: number, head: string, body: Buffer[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.pause();
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const line = received.indexOf("\r\n");
      if (line >= 0) {
        resolve(received.slice(0, line));
        socket.destroy();
      }
    });
    socket.on("error", (err) => resolve(`error: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    socket.on("close", () => resolve(received ? received.slice(0, 40) : "closed without an answer"));
    const send = (i: number) => {
      if (i === body.length) socket.resume();
      else if (!socket.destroyed) socket.write(body[i]!, () => setTimeout(() => send(i + 1), 1));
    };
    socket.write(head, () => send(0));
  });
}

describe.each(engines)("HTTP edges on %s", (engine) => {
  let t: TestContext;
  let doc: OpenApiDocument;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await testApp(engine);
    doc = (await t.app.inject("/api/openapi.json")).json();
    admin = (await tokenFor(t, "admin")).headers;
  });
  afterAll(() => t?.close());

  // Ids are random; a parameter with a pattern of its own gets a well-formed value, so only "not found" is left.
  const wellFormed: Record<string, string> = { lang: "pt-BR", type: "ticket", kind: "article" };
  const url = (op: Operation) => op.path.replace(/\{([^}]+)\}/g, (_, name: string) => wellFormed[name] ?? randomUUID());

  it("accepts action POSTs without a body where the body has no required field, found from the document", async () => {
    const optional = listOperations(doc).filter((op) => op.method === "POST" && op.body && !op.body.required);
    expect(optional.map((op) => op.id)).toEqual(
      expect.arrayContaining([
        "POST /api/v1/backup-jobs/{id}/run",
        "POST /api/v1/backup-jobs/{id}/restore-tests",
        "POST /api/v1/drills/{id}/finish",
        "POST /api/v1/tickets/{id}/watchers",
      ]),
    );
    const bodyless = listOperations(doc).filter((op) => !op.body && op.method !== "GET" && !op.streaming);
    for (const op of [...optional, ...bodyless]) {
      for (const headers of [admin, { ...admin, "content-type": "application/json" }]) {
        const res = await t.app.inject({ method: op.method as "POST", url: url(op), headers, payload: "" });
        // The ids are random: what is left to say is that the resource does not exist.
        const answer = `${op.id} ${JSON.stringify(headers)}: ${res.statusCode} ${res.body}`;
        expect(res.statusCode, answer).not.toBe(400);
        expect(res.statusCode, answer).toBeLessThan(500);
      }
    }
  });

  it("adds a watcher with `curl -X POST`, and still refuses a missing body the route needs", async () => {
    const ticket = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: admin,
      payload: {
        subject: "Sem áudio",
        description: "Chamadas mudas",
        organizationId: t.providerId,
        type: "feature_failure",
        severity: "medium",
      },
    });
    expect(ticket.statusCode, ticket.body).toBe(201);
    const id = ticket.json().id;
    for (const headers of [admin, { ...admin, "content-type": "application/json" }]) {
      const watch = await t.app.inject({ method: "POST", url: `/api/v1/tickets/${id}/watchers`, headers });
      expect(watch.statusCode, watch.body).toBe(201);
      expect(watch.json().items).toHaveLength(1);
    }
    for (const headers of [admin, { ...admin, "content-type": "application/json" }]) {
      const missing = await t.app.inject({ method: "POST", url: `/api/v1/tickets/${id}/escalate`, headers });
      expect(missing.statusCode).toBe(400);
      expect(missing.headers["content-type"]).toContain("application/problem+json");
    }
    const patch = await t.app.inject({ method: "PATCH", url: `/api/v1/tickets/${id}`, headers: admin });
    expect(patch.statusCode).toBe(400);
  });

  it("answers 50 raw requests with a 2 MiB body each with a readable 413, by Content-Length and chunked", async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = t.app.server.address() as { port: number };
    const body = Buffer.alloc(TWO_MIB, "a");
    const pieces: Buffer[] = [];
    const byLength = (path: string) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${TWO_MIB}\r\n\r\n`;
    const chunked = (path: string) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunks: Buffer[] = [];
    for (let at = 0; at < TWO_MIB; at += 64 * 1024) {
      const part = body.subarray(at, at + 64 * 1024);
      pieces.push(part);
      chunks.push(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]));
    }
    chunks.push(Buffer.from("0\r\n\r\n"));
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) {
      lines.push(await rawRequest(port, byLength("/api/v1/auth/login"), pieces));
      lines.push(await rawRequest(port, chunked("/api/v1/auth/login"), chunks));
    }
    expect(new Set(lines)).toEqual(new Set(["HTTP/1.1 413 Payload Too Large"]));
    expect(BODY_LIMIT).toBeLessThan(TWO_MIB);

    // A refusal before the body is read (no such user, an unsupported type) reads just as well.
    const refused = [
      await rawRequest(port, byLength("/api/v1/organizations"), pieces),
      await rawRequest(port, chunked("/api/v1/organizations"), chunks),
      await rawRequest(
        port,
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${TWO_MIB}\r\n\r\n`,
        pieces,
      ),
    ];
    expect(refused).toEqual([
      "HTTP/1.1 401 Unauthorized",
      "HTTP/1.1 401 Unauthorized",
      "HTTP/1.1 415 Unsupported Media Type",
    ]);
  });

  it("still answers 413 as problem+json naming the limit", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: `{"email":"${"a".repeat(BODY_LIMIT)}"}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ type: "urn:plantao:problem:body-too-large" });
  });
});
