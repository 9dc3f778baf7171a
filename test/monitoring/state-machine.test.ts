import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CheckStatus } from "../../src/modules/monitoring/checks/types.js";
import {
  changeRate,
  derive,
  effective,
  FLAP_WINDOW,
  gateOf,
  groupStatus,
  initialMemory,
  type Memory,
  observe,
  type Policy,
  type Status,
} from "../../src/modules/monitoring/state-machine.js";

const policy = (p: Partial<Policy> = {}): Policy => ({ retries: 0, failureThreshold: 1, successThreshold: 1, ...p });
const result = (status: CheckStatus, reason: string | null = status === "up" ? null : `r-${status}`) => ({
  status,
  reason,
  message: reason ? `${reason} detail` : null,
});

/** Feeds results and returns the own status after each. */
function run(p: Policy, seq: string, from: Memory = initialMemory): { states: (string | null)[]; memory: Memory } {
  const byLetter: Record<string, CheckStatus> = { u: "up", g: "degraded", d: "down" };
  let m = from;
  const states: (string | null)[] = [];
  for (const c of seq) {
    m = observe(m, result(byLetter[c]!), p);
    states.push(m.own);
  }
  return { states, memory: m };
}
const ok = { maintenance: null, parent: "ok" as const };

describe("monitor state machine: retries", () => {
  it("goes DOWN at once without retries", () => {
    expect(run(policy(), "d").states).toEqual(["DOWN"]);
    expect(run(policy(), "ud").states).toEqual(["UP", "DOWN"]);
  });

  it("holds failures as PENDING until the retries are used up", () => {
    expect(run(policy({ retries: 2 }), "uddd").states).toEqual(["UP", "PENDING", "PENDING", "DOWN"]);
    expect(run(policy({ retries: 2 }), "ddd").states).toEqual(["PENDING", "PENDING", "DOWN"]);
  });

  it("returns from PENDING to where it stood when the failure is not confirmed", () => {
    expect(run(policy({ retries: 2 }), "uddu").states).toEqual(["UP", "PENDING", "PENDING", "UP"]);
    expect(run(policy({ retries: 1 }), "gdg").states).toEqual(["DEGRADED", "PENDING", "DEGRADED"]);
    // A DEGRADED monitor needs the success threshold to become UP, also through a PENDING.
    expect(run(policy({ retries: 1, successThreshold: 2 }), "gduu").states).toEqual([
      "DEGRADED",
      "PENDING",
      "DEGRADED",
      "UP",
    ]);
  });

  it("stays DOWN through failures and partial recoveries", () => {
    expect(run(policy({ retries: 1, successThreshold: 3 }), "dduudd").states).toEqual([
      "PENDING",
      "DOWN",
      "DOWN",
      "DOWN",
      "DOWN",
      "DOWN",
    ]);
  });
});

describe("monitor state machine: hysteresis", () => {
  it("recovers from DOWN after successThreshold good checks in a row", () => {
    expect(run(policy({ successThreshold: 3 }), "duuu").states).toEqual(["DOWN", "DOWN", "DOWN", "UP"]);
    expect(run(policy({ successThreshold: 3 }), "duuduuu").states.at(-1)).toBe("UP");
    expect(run(policy({ successThreshold: 3 }), "duudu").states.at(-1)).toBe("DOWN");
  });

  it("counts degraded answers as reachable when leaving DOWN, and lands in DEGRADED", () => {
    expect(run(policy({ successThreshold: 2 }), "dgg").states).toEqual(["DOWN", "DOWN", "DEGRADED"]);
    expect(run(policy({ successThreshold: 2 }), "dgu").states).toEqual(["DOWN", "DOWN", "UP"]);
  });

  it("becomes DEGRADED after failureThreshold degraded checks, and UP after successThreshold good ones", () => {
    const p = policy({ failureThreshold: 3, successThreshold: 2 });
    expect(run(p, "ugggg").states).toEqual(["UP", "UP", "UP", "DEGRADED", "DEGRADED"]);
    expect(run(p, "uggug").states).toEqual(["UP", "UP", "UP", "UP", "UP"]);
    expect(run(p, "ugggugu").states.slice(3)).toEqual(["DEGRADED", "DEGRADED", "DEGRADED", "DEGRADED"]);
    expect(run(p, "ugggguu").states.slice(-2)).toEqual(["DEGRADED", "UP"]);
  });

  it("takes the first result as it is", () => {
    expect(run(policy({ failureThreshold: 5, successThreshold: 5 }), "u").states).toEqual(["UP"]);
    expect(run(policy({ failureThreshold: 5, successThreshold: 5 }), "g").states).toEqual(["DEGRADED"]);
  });

  it("keeps the reason of the failure until the monitor is UP again", () => {
    let m = observe(
      initialMemory,
      { status: "down", reason: "timeout", message: "no answer" },
      policy({ successThreshold: 2 }),
    );
    expect([m.reason, m.message]).toEqual(["timeout", "no answer"]);
    m = observe(m, result("up"), policy({ successThreshold: 2 }));
    expect([m.own, m.reason]).toEqual(["DOWN", "timeout"]);
    m = observe(m, result("up"), policy({ successThreshold: 2 }));
    expect([m.own, m.reason, m.message]).toEqual(["UP", null, null]);
    m = observe(m, { status: "degraded", reason: null, message: null }, policy());
    expect(m.reason).toBe("degraded");
  });
});

describe("monitor state machine: flapping", () => {
  it("detects a monitor that changes status too often, and calms down with hysteresis", () => {
    const p = policy();
    let { memory } = run(p, "udududud");
    expect(memory.flapping).toBe(false); // too few results to judge
    memory = run(p, "ud", memory).memory;
    expect(memory.flapping).toBe(true);
    // Steady results lower the change rate; flapping ends only at or below the low mark.
    const steps: boolean[] = [];
    for (let i = 0; i < FLAP_WINDOW; i++) {
      memory = observe(memory, result("up"), p);
      steps.push(memory.flapping);
    }
    const stopped = steps.indexOf(false);
    expect(stopped).toBeGreaterThan(0);
    expect(steps.slice(stopped).every((f) => !f)).toBe(true);
    expect(changeRate(memory.history)).toBeLessThanOrEqual(0.25);
  });

  it("keeps a bounded window of results", () => {
    expect(run(policy(), "u".repeat(100)).memory.history).toHaveLength(FLAP_WINDOW);
    expect(changeRate("uuuu")).toBe(0);
    expect(changeRate("udududududu")).toBe(1);
  });
});

describe("monitor state machine: effective status", () => {
  const down = run(policy(), "d").memory;
  const pending = run(policy({ retries: 3 }), "d").memory;
  const up = run(policy(), "u").memory;

  it("is null before the first result, MAINTENANCE over everything", () => {
    expect(effective(initialMemory, ok)).toBeNull();
    expect(effective(down, { maintenance: "paused", parent: "blocked" })).toEqual({
      status: "MAINTENANCE",
      reason: "paused",
      message: null,
    });
  });

  it("makes a failing child of a down parent UNREACHABLE, not DOWN", () => {
    for (const parent of ["DOWN", "UNREACHABLE", "MAINTENANCE"] as const) {
      expect(effective(down, { maintenance: null, parent: gateOf(parent), parentId: "p" })).toMatchObject({
        status: "UNREACHABLE",
        reason: "parent_down",
      });
      expect(effective(pending, { maintenance: null, parent: gateOf(parent) })?.status).toBe("UNREACHABLE");
    }
    // A child that still answers is what it is.
    expect(effective(up, { maintenance: null, parent: "blocked" })?.status).toBe("UP");
  });

  it("holds a failing child in PENDING while its parent's failure is unconfirmed", () => {
    expect(effective(down, { maintenance: null, parent: gateOf("PENDING") })).toMatchObject({
      status: "PENDING",
      reason: "r-down",
    });
    for (const parent of ["UP", "DEGRADED", null, undefined] as const) {
      expect(effective(down, { maintenance: null, parent: gateOf(parent) })?.status).toBe("DOWN");
    }
  });

  it("derives a monitor's own status without retries (groups)", () => {
    const m = derive(initialMemory, { status: "DOWN", reason: "member_down", message: "1 of 2 members DOWN" });
    expect(effective(m, ok)).toEqual({ status: "DOWN", reason: "member_down", message: "1 of 2 members DOWN" });
    expect(derive(m, { status: "PENDING", reason: "member_pending", message: null }).settled).toBe("DOWN");
  });
});

describe("group status", () => {
  it("is the worst of its members not in maintenance", () => {
    expect(groupStatus(["UP", "UP"])).toEqual({ status: "UP", reason: null, message: null });
    expect(groupStatus(["UP", "DEGRADED", "MAINTENANCE"])).toMatchObject({
      status: "DEGRADED",
      message: "1 of 2 members DEGRADED",
    });
    expect(groupStatus(["UP", "PENDING", "DEGRADED"])?.status).toBe("PENDING");
    expect(groupStatus(["UP", "DOWN", "PENDING", "DOWN"])).toMatchObject({
      status: "DOWN",
      message: "2 of 4 members DOWN",
    });
    expect(groupStatus(["UP", "UNREACHABLE"])).toMatchObject({ status: "DOWN", reason: "member_unreachable" });
  });

  it("is MAINTENANCE when every known member is, and unknown without members' states", () => {
    expect(groupStatus(["MAINTENANCE", null])?.status).toBe("MAINTENANCE");
    expect(groupStatus([null, undefined])).toBeNull();
    expect(groupStatus([])).toBeNull();
    expect(groupStatus(["UP", null])?.status).toBe("UP");
  });
});

describe("state machine properties", () => {
  const results = fc.array(fc.constantFrom<CheckStatus>("up", "degraded", "down"), { maxLength: 60 });
  const policies = fc.record({
    retries: fc.integer({ min: 0, max: 5 }),
    failureThreshold: fc.integer({ min: 1, max: 5 }),
    successThreshold: fc.integer({ min: 1, max: 5 }),
  });

  it("enters DOWN only after more than `retries` failures in a row", () => {
    fc.assert(
      fc.property(policies, results, (p, seq) => {
        let m = initialMemory;
        for (const s of seq) {
          const before = m.own;
          m = observe(m, result(s), p);
          if (m.own === "DOWN" && before !== "DOWN") expect(m.downStreak).toBeGreaterThan(p.retries);
          if (m.own === "PENDING") expect(s).toBe("down");
        }
      }),
    );
  });

  it("always ends UP after successThreshold good checks, whatever came before", () => {
    fc.assert(
      fc.property(policies, results, (p, seq) => {
        let m = initialMemory;
        for (const s of seq) m = observe(m, result(s), p);
        for (let i = 0; i < p.successThreshold; i++) m = observe(m, result("up"), p);
        expect(m.own).toBe("UP");
        expect(effective(m, ok)).toEqual({ status: "UP", reason: null, message: null });
      }),
    );
  });

  it("never leaves UP on fewer than failureThreshold degraded checks", () => {
    fc.assert(
      fc.property(policies, (p) => {
        let m = observe(initialMemory, result("up"), p);
        for (let i = 1; i < p.failureThreshold; i++) m = observe(m, result("degraded"), p);
        expect(m.own).toBe("UP");
        m = observe(m, result("degraded"), p);
        expect(m.own).toBe("DEGRADED");
      }),
    );
  });

  it("an effective status is one of the six, and UNREACHABLE only under a blocked parent", () => {
    const statuses = new Set<Status>(["UP", "DEGRADED", "DOWN", "PENDING", "MAINTENANCE", "UNREACHABLE"]);
    fc.assert(
      fc.property(policies, results, fc.constantFrom("ok", "pending", "blocked" as const), (p, seq, parent) => {
        let m = initialMemory;
        for (const s of seq) m = observe(m, result(s), p);
        const e = effective(m, { maintenance: null, parent: parent as "ok" });
        if (!seq.length) {
          expect(e).toBeNull();
          return;
        }
        expect(statuses.has(e!.status)).toBe(true);
        if (e!.status === "UNREACHABLE") expect(parent).toBe("blocked");
      }),
    );
  });
});
