import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addBusinessMinutes, businessMinutesBetween } from "../../src/modules/sla/business-time.js";
import {
  computeClocks,
  nextBreach,
  policyFromPlan,
  type SlaClock,
  SlaInputError,
  type TicketEvent,
} from "../../src/modules/sla/clocks.js";
import { calendars, local, plan, show, week } from "./fixtures.js";

const policy = policyFromPlan(plan);
const sp = (t: number | null) => (t === null ? null : show(t));

function clocksAt(now: string, events: TicketEvent[], p = policy): Record<string, SlaClock> {
  const out: Record<string, SlaClock> = {};
  for (const c of computeClocks({ events, policy: p, now: local(now) })) {
    const key = c.kind === "tier_response" ? `tier_response:${c.tier}` : c.kind;
    out[out[key] ? `${key}#2` : key] = c;
  }
  return out;
}

const opened = (
  when: string,
  severity: "critical" | "high" | "medium" | "low",
  tier: "L1" | "L2" | "L3" = "L1",
): TicketEvent => ({
  type: "opened",
  at: local(when),
  severity,
  tier,
});
const ev = {
  reply: (when: string, tier?: "L1" | "L2" | "L3"): TicketEvent => ({ type: "agent_reply", at: local(when), tier }),
  customer: (when: string): TicketEvent => ({ type: "customer_message", at: local(when) }),
  status: (
    when: string,
    status: "open" | "pending_customer" | "pending_vendor" | "on_hold" | "resolved" | "closed",
  ): TicketEvent => ({
    type: "status_changed",
    at: local(when),
    status,
  }),
};

describe("the worked example", () => {
  it("L1, low, opened Friday 2026-11-27 17:00: tier_response target Monday 09:00, breach Monday 11:00", () => {
    const c = clocksAt("2026-11-27 17:00", [opened("2026-11-27 17:00", "low")]);
    expect(c["tier_response:L1"]).toMatchObject({ tier: "L1", calendar: "comercial", status: "running" });
    expect(sp(c["tier_response:L1"]!.targetAt)).toBe("2026-11-30 09:00 -03:00");
    expect(sp(c["tier_response:L1"]!.breachAt)).toBe("2026-11-30 11:00 -03:00");
    expect(sp(c.first_response!.breachAt)).toBe("2026-11-30 15:00 -03:00");
    expect(sp(c.resolution!.breachAt)).toBe("2026-12-09 09:00 -03:00");
    expect(c.resolution).toMatchObject({
      elapsedBusinessMinutes: 0,
      remainingBusinessMinutes: 72 * 60,
      breachBusinessMinutes: 72 * 60,
    });
    expect(c.next_response).toBeUndefined();
  });

  it("critical at night runs on 24x7 while the L1 clock waits for Monday", () => {
    const c = clocksAt("2026-11-28 23:50", [opened("2026-11-28 23:50", "critical")]);
    expect(c.first_response!.calendar).toBe("24x7");
    expect(sp(c.first_response!.breachAt)).toBe("2026-11-29 00:20 -03:00");
    expect(sp(c.resolution!.breachAt)).toBe("2026-11-29 03:50 -03:00");
    expect(sp(c["tier_response:L1"]!.targetAt)).toBe("2026-11-30 10:00 -03:00");
  });
});

describe("what fulfils a response", () => {
  const start = opened("2026-11-30 09:00", "medium");

  it("internal notes, automatic replies and unanswered calls do not; an answered call does", () => {
    const c = clocksAt("2026-11-30 10:30", [
      start,
      { type: "internal_note", at: local("2026-11-30 09:10") },
      { type: "automatic_reply", at: local("2026-11-30 09:11") },
      { type: "phone_call", at: local("2026-11-30 09:20"), answered: false },
    ]);
    expect(c.first_response!.status).toBe("running");
    const answered = clocksAt("2026-11-30 10:30", [
      start,
      { type: "phone_call", at: local("2026-11-30 09:40"), answered: true },
    ]);
    expect(answered.first_response).toMatchObject({
      status: "fulfilled",
      fulfilledAt: local("2026-11-30 09:40"),
      elapsedBusinessMinutes: 40,
    });
    expect(answered["tier_response:L1"]!.status).toBe("fulfilled");
  });

  it("next_response starts at the oldest unanswered customer message and the next public reply fulfils it", () => {
    const events = [
      start,
      ev.reply("2026-11-30 10:00"),
      ev.customer("2026-11-30 11:00"),
      ev.customer("2026-11-30 11:30"),
    ];
    const running = clocksAt("2026-11-30 11:45", events);
    expect(running.next_response).toMatchObject({
      startedAt: local("2026-11-30 11:00"),
      status: "running",
      elapsedBusinessMinutes: 45,
    });
    expect(sp(running.next_response!.breachAt)).toBe("2026-11-30 15:00 -03:00");
    const answered = clocksAt("2026-11-30 12:00", [...events, ev.reply("2026-11-30 12:00")]);
    expect(answered.next_response).toMatchObject({ status: "fulfilled", fulfilledAt: local("2026-11-30 12:00") });
    // A new question after the answer is a new cycle.
    const again = clocksAt("2026-11-30 13:00", [
      ...events,
      ev.reply("2026-11-30 12:00"),
      ev.customer("2026-11-30 12:30"),
    ]);
    expect(again["next_response#2"]).toMatchObject({ startedAt: local("2026-11-30 12:30"), status: "running" });
  });

  it("Zammad #5177: follow-ups before the first reply do not start an update clock nor move the first response", () => {
    const alone = clocksAt("2026-11-30 09:00", [start]);
    const c = clocksAt("2026-11-30 12:00", [start, ev.customer("2026-11-30 09:30"), ev.customer("2026-11-30 11:00")]);
    expect(c.next_response).toBeUndefined();
    expect(c.first_response!.breachAt).toBe(alone.first_response!.breachAt);
    expect(sp(c.first_response!.breachAt)).toBe("2026-11-30 13:00 -03:00");
  });

  it("Zammad #3140: an answered update clock never escalates, however late it is now", () => {
    const c = clocksAt("2026-12-15 12:00", [
      start,
      ev.reply("2026-11-30 10:00"),
      ev.customer("2026-11-30 11:00"),
      ev.reply("2026-11-30 11:30"),
    ]);
    expect(c.next_response).toMatchObject({ status: "fulfilled", breachedAt: null, elapsedBusinessMinutes: 30 });
    expect(c.first_response).toMatchObject({ status: "fulfilled", breachedAt: null });
  });

  it("Zammad #2082: the next deadline moves on as soon as the first reply fulfils the response clocks", () => {
    const events = [opened("2026-11-30 09:00", "low")];
    const before = computeClocks({ events, policy, now: local("2026-11-30 09:30") });
    expect(nextBreach(before)).toMatchObject({ kind: "tier_response", breachAt: local("2026-11-30 13:00") });
    const after = computeClocks({
      events: [...events, ev.reply("2026-11-30 09:30")],
      policy,
      now: local("2026-11-30 09:30"),
    });
    expect(nextBreach(after)).toMatchObject({ kind: "resolution", breachAt: local("2026-12-09 11:00") });
  });
});

describe("pauses (osTicket #3034: SLA delayed by status)", () => {
  const start = opened("2026-11-30 09:00", "medium");
  const paused = [start, ev.status("2026-11-30 14:00", "pending_customer")];

  it("pending_customer pauses resolution; the deadline moves by the paused business time and is never reset", () => {
    expect(sp(clocksAt("2026-11-30 09:00", [start]).resolution!.breachAt)).toBe("2026-12-02 13:00 -03:00");
    const during = clocksAt("2026-12-01 09:00", paused).resolution!;
    expect(during).toMatchObject({ status: "paused", elapsedBusinessMinutes: 300 });
    expect(during.pauses).toEqual([{ from: local("2026-11-30 14:00"), to: null, reason: "pending_customer" }]);
    expect(sp(during.breachAt)).toBe("2026-12-02 18:00 -03:00");
    const after = clocksAt("2026-12-01 12:00", [...paused, ev.status("2026-12-01 10:00", "open")]).resolution!;
    expect(after).toMatchObject({ status: "running", elapsedBusinessMinutes: 420, remainingBusinessMinutes: 1020 });
    expect(sp(after.breachAt)).toBe("2026-12-03 09:00 -03:00");
  });

  it("pending_vendor pauses too, on_hold does not (by default), and response clocks never pause", () => {
    const vendor = clocksAt("2026-11-30 16:00", [start, ev.status("2026-11-30 14:00", "pending_vendor")]);
    expect(vendor.resolution).toMatchObject({ status: "paused", elapsedBusinessMinutes: 300 });
    expect(vendor.first_response).toMatchObject({ status: "breached", breachedAt: local("2026-11-30 13:00") });
    const hold = clocksAt("2026-11-30 16:00", [start, ev.status("2026-11-30 14:00", "on_hold")]);
    expect(hold.resolution).toMatchObject({ status: "running", elapsedBusinessMinutes: 420 });
    const strict = policyFromPlan(plan, { pausingStatuses: ["pending_customer", "pending_vendor", "on_hold"] });
    expect(
      clocksAt("2026-11-30 16:00", [start, ev.status("2026-11-30 14:00", "on_hold")], strict).resolution!.status,
    ).toBe("paused");
  });

  it("a breach before the pause stays where it was", () => {
    const c = clocksAt("2026-12-10 10:00", [start, ev.status("2026-12-03 10:00", "pending_customer")]).resolution!;
    expect(c).toMatchObject({
      status: "breached",
      breachedAt: local("2026-12-02 13:00"),
      breachAt: local("2026-12-02 13:00"),
    });
  });

  it("property: one pause moves the breach by exactly its business time", () => {
    const cal = calendars.comercial;
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 1) }),
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        fc.integer({ min: 1, max: 20_000 }),
        (openedAt, pauseAfter, pauseMinutes) => {
          const from = addBusinessMinutes(cal, openedAt, pauseAfter) + 1;
          const to = from + pauseMinutes * 60_000;
          const [c] = computeClocks({
            events: [
              { type: "opened", at: openedAt, severity: "medium", tier: "L1" },
              { type: "status_changed", at: from, status: "pending_customer" },
              { type: "status_changed", at: to, status: "open" },
            ],
            policy,
            now: to,
          }).filter((x) => x.kind === "resolution");
          const paused = businessMinutesBetween(cal, from, to);
          expect(c!.breachAt).toBe(addBusinessMinutes(cal, openedAt, 24 * 60 + paused));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("resolution, reopening, severity and tier changes", () => {
  it("resolving fulfils resolution and stops open response clocks; reopening continues where it stopped", () => {
    const events = [opened("2026-11-30 09:00", "medium"), ev.status("2026-11-30 11:00", "resolved")];
    const resolved = clocksAt("2026-12-01 09:00", events);
    expect(resolved.resolution).toMatchObject({
      status: "fulfilled",
      fulfilledAt: local("2026-11-30 11:00"),
      elapsedBusinessMinutes: 120,
    });
    expect(resolved.first_response).toMatchObject({
      status: "stopped",
      stoppedAt: local("2026-11-30 11:00"),
      fulfilledAt: null,
    });
    const reopened = clocksAt("2026-12-01 10:00", [
      ...events,
      ev.status("2026-12-01 09:00", "open"),
      ev.customer("2026-12-01 09:00"),
    ]);
    expect(reopened.resolution).toMatchObject({ status: "running", fulfilledAt: null, elapsedBusinessMinutes: 180 });
    expect(reopened.resolution!.pauses).toEqual([
      { from: local("2026-11-30 11:00"), to: local("2026-12-01 09:00"), reason: "resolved" },
    ]);
    expect(reopened.next_response).toMatchObject({ startedAt: local("2026-12-01 09:00"), status: "running" });
  });

  it("a customer message while resolved waits from the reopen", () => {
    const c = clocksAt("2026-12-01 10:00", [
      opened("2026-11-30 09:00", "medium"),
      ev.reply("2026-11-30 09:30"),
      ev.status("2026-11-30 11:00", "resolved"),
      ev.customer("2026-11-30 20:00"),
      ev.status("2026-12-01 09:00", "open"),
    ]);
    expect(c.next_response!.startedAt).toBe(local("2026-12-01 09:00"));
  });

  it("raising the severity keeps the time used and counts the rest on the new severity's calendar", () => {
    const events = [
      opened("2026-11-27 17:00", "low"),
      { type: "severity_changed", at: local("2026-11-27 20:00"), severity: "critical" } as const,
    ];
    const c = clocksAt("2026-11-27 20:00", events);
    // 1 h used on the commercial calendar (17:00–18:00), 3 h left of critical's 4 h around the clock.
    expect(c.resolution).toMatchObject({ calendar: "24x7", elapsedBusinessMinutes: 60, breachBusinessMinutes: 240 });
    expect(sp(c.resolution!.breachAt)).toBe("2026-11-27 23:00 -03:00");
    // Already past critical's 30 min: due the moment the severity changed, not retroactively.
    expect(c.first_response).toMatchObject({
      breachAt: local("2026-11-27 20:00"),
      breachedAt: null,
      status: "running",
    });
    expect(clocksAt("2026-11-27 20:01", events).first_response!.breachedAt).toBe(local("2026-11-27 20:00"));
    expect(c["tier_response:L1"]!.calendar).toBe("comercial");
  });

  it("entering a tier stops the previous tier's clock and starts its own; only its replies fulfil it", () => {
    const events: TicketEvent[] = [
      opened("2026-11-30 09:00", "low"),
      { type: "tier_entered", at: local("2026-11-30 10:00"), tier: "L2" },
    ];
    const c = clocksAt("2026-11-30 11:00", [...events, ev.reply("2026-11-30 11:00", "L1")]);
    expect(c["tier_response:L1"]).toMatchObject({ status: "stopped", stoppedAt: local("2026-11-30 10:00") });
    expect(c["tier_response:L2"]).toMatchObject({ status: "running", tier: "L2" });
    expect(sp(c["tier_response:L2"]!.targetAt)).toBe("2026-11-30 14:00 -03:00");
    expect(sp(c["tier_response:L2"]!.breachAt)).toBe("2026-11-30 18:00 -03:00");
    expect(c.first_response!.status).toBe("fulfilled");
    const l2 = clocksAt("2026-11-30 12:00", [...events, ev.reply("2026-11-30 12:00", "L2")]);
    expect(l2["tier_response:L2"]).toMatchObject({ status: "fulfilled", fulfilledAt: local("2026-11-30 12:00") });
  });

  it("L3 counts business days: target next business day, breach the one after, skipping holidays", () => {
    const c = clocksAt("2026-11-19 10:00", [opened("2026-11-19 10:00", "high", "L3")]);
    expect(sp(c["tier_response:L3"]!.targetAt)).toBe("2026-11-23 10:00 -03:00");
    expect(sp(c["tier_response:L3"]!.breachAt)).toBe("2026-11-24 10:00 -03:00");
  });

  it("a warning percent puts the severity target before the breach; without it they coincide", () => {
    const events = [opened("2026-11-30 09:00", "medium")];
    const plain = clocksAt("2026-11-30 09:00", events).first_response!;
    expect(plain.targetAt).toBe(plain.breachAt);
    const warned = clocksAt("2026-11-30 09:00", events, policyFromPlan(plan, { warningPercent: 80 })).first_response!;
    expect(sp(warned.targetAt)).toBe("2026-11-30 12:12 -03:00");
    expect(sp(warned.breachAt)).toBe("2026-11-30 13:00 -03:00");
  });

  it("a running clock past its breach is breached and says how late it is", () => {
    const c = clocksAt("2026-11-30 14:00", [opened("2026-11-30 09:00", "medium")]).first_response!;
    expect(c).toMatchObject({
      status: "breached",
      breachedAt: local("2026-11-30 13:00"),
      remainingBusinessMinutes: -60,
    });
  });
});

describe("calendar changes (Zammad #534)", () => {
  it("time already used stays used; the rest is counted on the new hours", () => {
    const longer = week(
      "America/Sao_Paulo",
      Object.fromEntries(
        ["monday", "tuesday", "wednesday", "thursday", "friday"].map((d) => [d, [{ start: "07:00", end: "19:00" }]]),
      ),
      { name: "Horário estendido", holidays: { country: "BR", types: ["public"], custom: [] } },
    );
    const events: TicketEvent[] = [
      opened("2026-11-30 07:00", "medium"),
      { type: "calendar_changed", at: local("2026-11-30 13:00"), calendar: "comercial", definition: longer },
    ];
    const c = clocksAt("2026-12-01 08:00", events);
    // 08:00–13:00 on the old hours, 13:00–19:00 and Tuesday 07:00–08:00 on the new ones.
    expect(c.resolution!.elapsedBusinessMinutes).toBe((5 + 6 + 1) * 60);
    expect(sp(c.resolution!.breachAt)).toBe("2026-12-02 08:00 -03:00");
    // The first response fell due on the old hours, before they changed.
    expect(sp(c.first_response!.breachAt)).toBe("2026-11-30 12:00 -03:00");
    // A plan whose calendar differs from the start is recomputed from scratch: nothing is cached per ticket.
    const changedPlan = policyFromPlan({ ...plan, calendars: { ...plan.calendars, comercial: longer } });
    expect(sp(clocksAt("2026-11-30 07:00", [events[0]!], changedPlan).resolution!.breachAt)).toBe(
      "2026-12-01 19:00 -03:00",
    );
  });
});

describe("input", () => {
  it("rejects events out of order and a history that does not start with the opening", () => {
    const at = local("2026-11-30 09:00");
    expect(() => computeClocks({ events: [ev.customer("2026-11-30 09:00")], policy, now: at })).toThrow(SlaInputError);
    expect(() =>
      computeClocks({ events: [opened("2026-11-30 09:00", "low"), ev.reply("2026-11-30 08:00")], policy, now: at }),
    ).toThrow(/out of order/);
  });

  it("ignores events after now, and is deterministic", () => {
    const events = [opened("2026-11-30 09:00", "low"), ev.reply("2026-11-30 12:00")];
    const early = computeClocks({ events, policy, now: local("2026-11-30 10:00") });
    expect(early.find((c) => c.kind === "first_response")!.status).toBe("running");
    expect(computeClocks({ events, policy, now: new Date(local("2026-11-30 10:00")) })).toEqual(early);
  });
});
