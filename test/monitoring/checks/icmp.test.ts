import { describe, expect, it } from "vitest";
import { parsePing } from "../../../src/modules/monitoring/checks/icmp.js";
import { probeTypes } from "../../../src/modules/monitoring/checks/index.js";
import { check } from "./run.js";

const icmp = probeTypes.icmp!;

describe("icmp probe through the system ping", () => {
  it("is UP pinging 127.0.0.1, with the average round trip", async () => {
    const r = await check(icmp, "127.0.0.1", { count: 2 });
    expect(r).toMatchObject({ status: "up", reason: null, details: { transmitted: 2, received: 2, lossPercent: 0 } });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.latencyMs).toBeLessThan(500);
  });

  it("is DOWN pinging an address nobody answers (timeout or an ICMP unreachable, depending on the network)", async () => {
    // 192.0.2.0/24 is TEST-NET-1: never a real host, so no echo reply comes back.
    const r = await check(icmp, "192.0.2.99", { count: 1 }, 2000);
    expect(r.status).toBe("down");
    expect(["timeout", "host_unreachable"]).toContain(r.reason);
    expect(r.latencyMs).toBeNull();
  });

  it("reports an unknown host as dns_not_found", async () => {
    expect(await check(icmp, "nosuch.invalid", { count: 1 })).toMatchObject({
      status: "down",
      reason: "dns_not_found",
    });
  });

  it("parses iputils and busybox summaries, loss and unreachable lines", () => {
    expect(
      parsePing(
        "3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms\nrtt min/avg/max/mdev = 0.030/0.045/0.060/0.012 ms\n",
      ),
    ).toEqual({
      transmitted: 3,
      received: 2,
      lossPercent: 33.3333,
      rtt: { min: 0.03, avg: 0.045, max: 0.06 },
      unreachable: null,
    });
    expect(
      parsePing(
        "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n\n--- x ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n",
      ),
    ).toMatchObject({ received: 0, rtt: null, unreachable: "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable" });
    expect(
      parsePing("2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms"),
    ).toMatchObject({ received: 2, rtt: { avg: 0.2 } });
    expect(parsePing("ping: nosuch: Name or service not known")).toBeNull();
  });

  it("validates the target", () => {
    expect(icmp.validateTarget("127.0.0.1")).toBeNull();
    expect(icmp.validateTarget("::1")).toBeNull();
    expect(icmp.validateTarget("-f")).not.toBeNull();
    expect(icmp.validateTarget("a b")).not.toBeNull();
  });
});
