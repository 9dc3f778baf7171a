import { describe, expect, it } from "vitest";
import type { Calendar } from "../../src/modules/plan/document.js";
import { freeSlots } from "../../src/modules/scheduling/slots.js";
import { compileCalendar } from "../../src/modules/sla/calendar.js";

const day = (start: string, end: string) => [{ start, end }];
const week = (intervals: { start: string; end: string }[]) => ({
  monday: intervals,
  tuesday: intervals,
  wednesday: intervals,
  thursday: intervals,
  friday: intervals,
  saturday: [],
  sunday: [],
});
const cal = (timezone: string, w: Calendar["week"], holidays?: Calendar["holidays"]): Calendar => ({
  name: "test",
  timezone,
  alwaysOpen: false,
  week: w,
  ...(holidays ? { holidays } : {}),
});
const at = (iso: string) => new Date(iso).getTime();
const starts = (slots: { start: number }[]) => slots.map((s) => new Date(s.start).toISOString());

/**
 * Free slots from an engineer's working hours: aligned to each interval's local start, whole slots only, none on
 * holidays or across a lunch break, none overlapping a booking or before the notice, DST-correct in a zone with
 * clock changes (America/New_York) and in São Paulo (no DST since 2019, but it had some before).
 */
describe("free slots", () => {
  const saoPaulo = compileCalendar(
    cal("America/Sao_Paulo", week([...day("09:00", "12:00"), ...day("13:00", "18:00")]), {
      country: "BR",
      types: ["public"],
      custom: [],
    }),
  );

  it("cuts a day's hours into whole slots at local times, skipping lunch", () => {
    // Wednesday 2026-11-11 (São Paulo, UTC-3).
    const slots = freeSlots({
      calendar: saoPaulo,
      slotMinutes: 60,
      from: at("2026-11-11T03:00:00Z"),
      to: at("2026-11-12T03:00:00Z"),
      busy: [],
      notBefore: 0,
    });
    expect(starts(slots)).toEqual([
      "2026-11-11T12:00:00.000Z",
      "2026-11-11T13:00:00.000Z",
      "2026-11-11T14:00:00.000Z",
      "2026-11-11T16:00:00.000Z",
      "2026-11-11T17:00:00.000Z",
      "2026-11-11T18:00:00.000Z",
      "2026-11-11T19:00:00.000Z",
      "2026-11-11T20:00:00.000Z",
    ]);
    expect(slots.every((s) => s.end - s.start === 3_600_000)).toBe(true);
  });

  it("a slot that does not fit before closing is not offered (45-minute slots in a 3-hour morning)", () => {
    const slots = freeSlots({
      calendar: saoPaulo,
      slotMinutes: 45,
      from: at("2026-11-11T11:00:00Z"),
      to: at("2026-11-11T15:30:00Z"),
      busy: [],
      notBefore: 0,
    });
    // 09:00 09:45 10:30 11:15 (ends 12:00); 13:00 starts the afternoon.
    expect(starts(slots)).toEqual([
      "2026-11-11T12:00:00.000Z",
      "2026-11-11T12:45:00.000Z",
      "2026-11-11T13:30:00.000Z",
      "2026-11-11T14:15:00.000Z",
    ]);
  });

  it("no slots on a national holiday (Proclamação da República, Friday 2024-11-15) nor at the weekend", () => {
    const slots = freeSlots({
      calendar: saoPaulo,
      slotMinutes: 30,
      from: at("2024-11-15T03:00:00Z"),
      to: at("2024-11-18T03:00:00Z"),
      busy: [],
      notBefore: 0,
    });
    expect(slots).toEqual([]);
  });

  it("bookings and the notice remove slots; a booking of another length blocks every slot it touches", () => {
    const slots = freeSlots({
      calendar: saoPaulo,
      slotMinutes: 30,
      from: at("2026-11-11T12:00:00Z"),
      to: at("2026-11-11T15:00:00Z"),
      busy: [{ start: at("2026-11-11T13:15:00Z"), end: at("2026-11-11T13:45:00Z") }],
      notBefore: at("2026-11-11T12:10:00Z"),
    });
    expect(starts(slots)).toEqual(["2026-11-11T12:30:00.000Z", "2026-11-11T14:00:00.000Z", "2026-11-11T14:30:00.000Z"]);
  });

  describe("America/New_York across its clock changes", () => {
    const ny = compileCalendar(
      cal(
        "America/New_York",
        { ...week(day("09:00", "17:00")), sunday: day("00:00", "04:00") },
        {
          country: "US",
          types: ["public"],
          custom: [],
        },
      ),
    );

    it("09:00 local is 14:00Z before the spring change and 13:00Z after it", () => {
      const before = freeSlots({
        calendar: ny,
        slotMinutes: 60,
        from: at("2026-03-06T00:00:00Z"),
        to: at("2026-03-07T00:00:00Z"),
        busy: [],
        notBefore: 0,
      });
      const after = freeSlots({
        calendar: ny,
        slotMinutes: 60,
        from: at("2026-03-09T00:00:00Z"),
        to: at("2026-03-10T00:00:00Z"),
        busy: [],
        notBefore: 0,
      });
      expect(starts(before)[0]).toBe("2026-03-06T14:00:00.000Z");
      expect(starts(after)[0]).toBe("2026-03-09T13:00:00.000Z");
      expect(before).toHaveLength(8);
      expect(after).toHaveLength(8);
    });

    it("the spring-forward night loses the skipped hour's slot; the fall-back night keeps whole real hours", () => {
      // Sunday 2026-03-08: 02:00 → 03:00. Open 00:00–04:00 local is 3 real hours: 00, 01, 03 (02:00 does not exist).
      const spring = freeSlots({
        calendar: ny,
        slotMinutes: 60,
        from: at("2026-03-08T04:00:00Z"),
        to: at("2026-03-08T12:00:00Z"),
        busy: [],
        notBefore: 0,
      });
      expect(starts(spring)).toEqual([
        "2026-03-08T05:00:00.000Z",
        "2026-03-08T06:00:00.000Z",
        "2026-03-08T07:00:00.000Z",
      ]);
      expect(spring.every((s) => s.end - s.start === 3_600_000)).toBe(true);
      // Sunday 2026-11-01: 02:00 → 01:00. Slots start at 00:00, 01:00 (first occurrence), 02:00, 03:00 local.
      const fall = freeSlots({
        calendar: ny,
        slotMinutes: 60,
        from: at("2026-11-01T03:00:00Z"),
        to: at("2026-11-01T12:00:00Z"),
        busy: [],
        notBefore: 0,
      });
      expect(starts(fall)).toEqual([
        "2026-11-01T04:00:00.000Z",
        "2026-11-01T05:00:00.000Z",
        "2026-11-01T07:00:00.000Z",
        "2026-11-01T08:00:00.000Z",
      ]);
    });

    it("Thanksgiving (a US public holiday) has no slots", () => {
      const slots = freeSlots({
        calendar: ny,
        slotMinutes: 30,
        from: at("2026-11-26T05:00:00Z"),
        to: at("2026-11-27T05:00:00Z"),
        busy: [],
        notBefore: 0,
      });
      expect(slots).toEqual([]);
    });
  });

  it("slots start at local midnight of the window's first day, not at the window's own start", () => {
    const slots = freeSlots({
      calendar: saoPaulo,
      slotMinutes: 60,
      from: at("2026-11-11T12:20:00Z"),
      to: at("2026-11-11T14:00:00Z"),
      busy: [],
      notBefore: 0,
    });
    expect(starts(slots)).toEqual(["2026-11-11T13:00:00.000Z"]);
  });
});
