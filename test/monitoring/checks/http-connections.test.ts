import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpConnections, IDLE_MS, MAX_AGE_MS } from "../../../src/modules/monitoring/checks/http-connections.js";

const accepted: Socket[] = [];
const server = createServer((socket) => accepted.push(socket));
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of accepted) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const open = async () => {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve) => socket.once("connect", resolve));
  return socket;
};

describe("idle HTTP connections kept between checks", () => {
  it("gives back the most recent idle connection of an origin, within the idle time and the age limit", async () => {
    let now = 1_000_000;
    const pool = new HttpConnections(() => now);
    const a = await open();
    const b = await open();
    pool.give("o:1", { socket: a, openedAt: now });
    pool.give("o:1", { socket: b, openedAt: now });
    expect(pool.take("other:1")).toBeUndefined();
    expect(pool.take("o:1")?.socket).toBe(b);
    expect(pool.take("o:1")?.socket).toBe(a);
    expect(pool.take("o:1")).toBeUndefined();

    // Idle too long: closed, not reused.
    pool.give("o:1", { socket: a, openedAt: now });
    now += IDLE_MS;
    expect(pool.take("o:1")).toBeUndefined();
    expect(a.destroyed).toBe(true);

    // Opened too long ago: not even kept.
    const c = await open();
    pool.give("o:1", { socket: c, openedAt: now - MAX_AGE_MS });
    expect(pool.size).toBe(0);
    expect(c.destroyed).toBe(true);
    b.destroy();
  });

  it("drops an idle connection the server closes or writes to, without an unhandled error", async () => {
    const pool = new HttpConnections();
    const before = accepted.length;
    const a = await open();
    const b = await open();
    pool.give("o:1", { socket: a, openedAt: Date.now() });
    pool.give("o:1", { socket: b, openedAt: Date.now() });
    expect(pool.size).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    accepted[before]!.end();
    accepted[before + 1]!.write("HTTP/1.1 408 Request Timeout\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.size).toBe(0);
    expect(a.destroyed && b.destroyed).toBe(true);
  });

  it("sweeps idle connections of origins no check asks for any more", async () => {
    let now = 2_000_000;
    const pool = new HttpConnections(() => now);
    const a = await open();
    pool.give("gone:1", { socket: a, openedAt: now });
    now += 11_000;
    const b = await open();
    pool.give("o:1", { socket: b, openedAt: now });
    expect(a.destroyed).toBe(true);
    expect(pool.size).toBe(1);
    pool.close();
    expect(b.destroyed).toBe(true);
  });
});
