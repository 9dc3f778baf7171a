import dgram from "node:dgram";
import net from "node:net";
import { Value } from "typebox/value";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeTypes } from "../../../src/modules/monitoring/checks/index.js";
import { type DnsServer, startDnsServer } from "../../fixtures/dns-server.js";

/**
 * The contract's promise to the engine: whatever the target does, a probe settles soon after its signal
 * aborts (here long before its nominal timeout, as when the engine stops) and frees what it holds.
 */
let tcpPort = 0;
let udpPort = 0;
let dnsServer: DnsServer;
let open = 0;
const tcpServer = net.createServer((s) => {
  open++;
  s.resume();
  s.on("close", () => open--);
});
const udpSocket = dgram.createSocket("udp4");

beforeAll(async () => {
  await new Promise<void>((resolve) => tcpServer.listen(0, "127.0.0.1", () => resolve()));
  tcpPort = (tcpServer.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => udpSocket.bind(0, "127.0.0.1", () => resolve()));
  udpPort = udpSocket.address().port;
  dnsServer = await startDnsServer({ "silent.test": [] }, { silent: ["silent.test"] });
});
afterAll(async () => {
  tcpServer.close();
  udpSocket.close();
  await dnsServer.close();
});

describe("every probe settles promptly when its signal aborts", () => {
  const cases: [string, () => string, Record<string, unknown>][] = [
    ["http", () => `http://127.0.0.1:${tcpPort}/`, {}],
    ["tcp", () => `127.0.0.1:${tcpPort}`, { expect: "banner" }],
    ["dns", () => "silent.test", {}],
    ["icmp", () => "192.0.2.99", { count: 5 }],
    ["postgres", () => `postgres://monitor@127.0.0.1:${tcpPort}/app`, {}],
    ["mysql", () => `mysql://monitor@127.0.0.1:${tcpPort}/app`, {}],
    ["sip-options", () => `sip:probe@127.0.0.1:${udpPort}`, {}],
    ["sip-options", () => `sip:probe@127.0.0.1:${tcpPort};transport=tcp`, {}],
    ["sip-register", () => `sip:1001@127.0.0.1:${udpPort}`, { password: "x" }],
  ];
  for (const [type, target, settings] of cases) {
    it(`${type} ${settings.expect ? "(banner) " : ""}${target().includes("tcp") ? "over TCP" : ""}`, async () => {
      const probe = probeTypes[type]!;
      const resolved = Value.Default(
        probe.settings,
        structuredClone(type === "dns" ? { ...settings, server: dnsServer.address } : settings),
      );
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = performance.now();
      const r = await probe.run(target(), resolved as Record<string, unknown>, {
        signal: controller.signal,
        timeoutMs: 20_000,
      });
      expect(r).toMatchObject({ status: "down", reason: "timeout", latencyMs: null });
      expect(performance.now() - started).toBeLessThan(2500);
    });
  }

  it("frees the TCP connections it opened", async () => {
    await expect.poll(() => open, { timeout: 3000 }).toBe(0);
  });
});
