import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { probeTypes } from "../../../src/modules/monitoring/checks/index.js";
import { check } from "./run.js";

const tcp = probeTypes.tcp!;
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(onConnection: (socket: net.Socket) => void, port = 0): Promise<number> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

describe("tcp probe", () => {
  it("is UP when the port accepts the connection", async () => {
    const port = await serve((s) => s.end());
    const r = await check(tcp, `127.0.0.1:${port}`);
    expect(r).toMatchObject({ status: "up", reason: null });
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it("sends a line and expects a banner", async () => {
    const port = await serve((s) => s.once("data", (d) => s.end(`+OK ${d.toString().trim()} ready\r\n`)));
    expect(await check(tcp, `127.0.0.1:${port}`, { send: "HELLO\r\n", expect: "+OK HELLO" })).toMatchObject({
      status: "up",
    });
    const r = await check(tcp, `127.0.0.1:${port}`, { send: "HELLO\r\n", expect: "220 smtp" });
    expect(r).toMatchObject({ status: "down", reason: "banner_mismatch", details: { banner: "+OK HELLO ready\r\n" } });
  });

  it("is DOWN (timeout) when the expected banner never comes, and frees the socket", async () => {
    let closed = false;
    const port = await serve((s) => s.on("close", () => (closed = true)));
    const r = await check(tcp, `127.0.0.1:${port}`, { expect: "SSH-" }, 600);
    expect(r).toMatchObject({ status: "down", reason: "timeout" });
    await expect.poll(() => closed, { timeout: 2000 }).toBe(true);
  });

  it("goes DOWN (connection_refused) with nobody listening and back UP when the service returns", async () => {
    const port = await serve(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await check(tcp, `127.0.0.1:${port}`)).toMatchObject({ status: "down", reason: "connection_refused" });
    await serve((s) => s.end(), port);
    expect(await check(tcp, `127.0.0.1:${port}`)).toMatchObject({ status: "up" });
  });

  it("validates host:port targets", () => {
    expect(tcp.validateTarget("pbx.example.com:5060")).toBeNull();
    expect(tcp.validateTarget("[::1]:22")).toBeNull();
    expect(tcp.validateTarget("pbx.example.com")).toMatch(/host:port/);
    expect(tcp.validateTarget("pbx.example.com:0")).not.toBeNull();
    expect(tcp.validateTarget("::1:22")).not.toBeNull();
  });
});
