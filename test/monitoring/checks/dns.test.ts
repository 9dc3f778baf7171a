import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeTypes } from "../../../src/modules/monitoring/checks/index.js";
import { type DnsServer, startDnsServer } from "../../fixtures/dns-server.js";
import { check } from "./run.js";

const dns = probeTypes.dns!;
let server: DnsServer;

beforeAll(async () => {
  server = await startDnsServer(
    {
      "pbx.test": [
        { type: "A", value: "192.0.2.10" },
        { type: "AAAA", value: "2001:db8::10" },
        { type: "MX", priority: 10, exchange: "mail.pbx.test" },
        { type: "TXT", value: ["v=spf1 ", "-all"] },
        { type: "NS", value: "ns1.pbx.test" },
      ],
      "www.pbx.test": [{ type: "CNAME", value: "pbx.test" }],
      "_sip._udp.pbx.test": [{ type: "SRV", priority: 10, weight: 60, port: 5060, target: "sip1.pbx.test" }],
      "silent.test": [],
      "broken.test": [],
    },
    { silent: ["silent.test"], servfail: ["broken.test"] },
  );
});
afterAll(() => server.close());

const ask = (target: string, settings: Record<string, unknown>, timeoutMs = 3000) =>
  check(dns, target, { server: server.address, ...settings }, timeoutMs);

describe("dns probe against a test DNS server", () => {
  it("answers every record type and matches the expected value", async () => {
    const cases: [string, string, string][] = [
      ["pbx.test", "A", "192.0.2.10"],
      ["pbx.test", "AAAA", "2001:db8::10"],
      ["pbx.test", "MX", "10 mail.pbx.test"],
      ["pbx.test", "TXT", "v=spf1 -all"],
      ["pbx.test", "NS", "NS1.pbx.test."],
      ["www.pbx.test", "CNAME", "pbx.test"],
      ["_sip._udp.pbx.test", "SRV", "10 60 5060 sip1.pbx.test"],
    ];
    for (const [name, recordType, expected] of cases) {
      const r = await ask(name, { recordType, expected });
      expect(r, `${recordType} ${name}`).toMatchObject({ status: "up", reason: null });
      expect(r.latencyMs).toBeGreaterThan(0);
    }
  });

  it("is DOWN on a value mismatch, an unknown name, no records, and a server failure", async () => {
    const mismatch = await ask("pbx.test", { recordType: "A", expected: "192.0.2.99" });
    expect(mismatch).toMatchObject({
      status: "down",
      reason: "dns_value_mismatch",
      details: { answers: ["192.0.2.10"] },
    });
    expect(mismatch.message).toBe("A pbx.test is 192.0.2.10, expected 192.0.2.99");
    expect(await ask("nosuch.test", { recordType: "A" })).toMatchObject({ status: "down", reason: "dns_not_found" });
    expect(await ask("www.pbx.test", { recordType: "MX" })).toMatchObject({ status: "down", reason: "dns_no_records" });
    expect(await ask("broken.test", { recordType: "A" })).toMatchObject({
      status: "down",
      reason: "dns_server_failure",
    });
  });

  it("is DOWN (timeout) when the server does not answer, within the check timeout", async () => {
    const started = performance.now();
    const r = await ask("silent.test", { recordType: "A" }, 1000);
    expect(r).toMatchObject({ status: "down", reason: "timeout", latencyMs: null });
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it("validates the target and the server setting", () => {
    expect(dns.validateTarget("pbx.example.com")).toBeNull();
    expect(dns.validateTarget("192.0.2.1")).toMatch(/DNS name/);
    expect(dns.validateTarget("bad name")).not.toBeNull();
  });
});
