import { describe, expect, it } from "vitest";
import { holidayCheck } from "../../src/modules/oncall/rotations.js";
import { type Layer, type Override, onCallAt, type RotationSpec, schedule } from "../../src/modules/oncall/schedule.js";
import { defaultPlan } from "../../src/modules/plan/document.js";

/** The schedule core: who is on call at an instant and over a span, across DST changes and holidays. */

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const none = () => false;
const brHolidays = holidayCheck(defaultPlan(new Date("2026-01-01")).calendars.comercial!.holidays);

const daily = (participants: string[], at: string, startsOn: string, extra: Partial<Layer> = {}): Layer => ({
  name: "L",
  participants,
  handoff: { every: "day", at },
  startsOn,
  ...extra,
});
const rotation = (timezone: string, ...layers: Layer[]): RotationSpec => ({ timezone, layers });
const who = (spec: RotationSpec, at: string, overrides: Override[] = [], holiday = none) =>
  onCallAt(spec, overrides, ms(at), holiday)?.userId ?? null;

describe("daily hand-off at a local time", () => {
  const spec = rotation("America/Sao_Paulo", daily(["ana", "bia", "caio"], "09:00", "2026-12-01"));

  it("cycles through the participants at 09:00 local (12:00 UTC), before the first day nobody", () => {
    expect(who(spec, "2026-12-01T11:59:59.999Z")).toBeNull();
    expect(who(spec, "2026-12-01T12:00:00.000Z")).toBe("ana");
    expect(who(spec, "2026-12-02T11:59:59.999Z")).toBe("ana");
    expect(who(spec, "2026-12-02T12:00:00.000Z")).toBe("bia");
    expect(who(spec, "2026-12-03T12:00:00.000Z")).toBe("caio");
    expect(who(spec, "2026-12-04T12:00:00.000Z")).toBe("ana");
    // Midnight changes nothing: the shift runs from hand-off to hand-off.
    expect(who(spec, "2026-12-02T03:00:00.000Z")).toBe("ana");
  });

  it("reports the shift's span", () => {
    const hit = onCallAt(spec, [], ms("2026-12-02T20:00:00.000Z"), none)!;
    expect({ start: iso(hit.start), end: iso(hit.end), userId: hit.userId }).toEqual({
      start: "2026-12-02T12:00:00.000Z",
      end: "2026-12-03T12:00:00.000Z",
      userId: "bia",
    });
  });
});

describe("hand-offs across a DST change", () => {
  it("São Paulo 2018: the shift over the spring-forward night lasts 23 hours; 09:00 moves from 12:00 to 11:00 UTC", () => {
    const spec = rotation("America/Sao_Paulo", daily(["ana", "bia"], "09:00", "2018-11-01"));
    const { segments } = schedule(spec, [], ms("2018-11-03T00:00:00Z"), ms("2018-11-06T00:00:00Z"), none);
    expect(segments.map((s) => [iso(s.start), iso(s.end), s.userId])).toEqual([
      ["2018-11-03T00:00:00.000Z", "2018-11-03T12:00:00.000Z", "bia"],
      ["2018-11-03T12:00:00.000Z", "2018-11-04T11:00:00.000Z", "ana"],
      ["2018-11-04T11:00:00.000Z", "2018-11-05T11:00:00.000Z", "bia"],
      ["2018-11-05T11:00:00.000Z", "2018-11-06T00:00:00.000Z", "ana"],
    ]);
    expect(segments[1]!.end - segments[1]!.start).toBe(23 * 3_600_000);
  });

  it("São Paulo 2018: a hand-off at a skipped local time (00:30 on 4 Nov) happens at the change itself", () => {
    const spec = rotation("America/Sao_Paulo", daily(["ana", "bia"], "00:30", "2018-11-01"));
    // 3 Nov 00:30 -03 = 03:30Z; 4 Nov 00:30 does not exist: the clocks went from 00:00 to 01:00 (03:00Z).
    expect(who(spec, "2018-11-04T02:59:59.999Z")).toBe("ana");
    expect(who(spec, "2018-11-04T03:00:00.000Z")).toBe("bia");
    // 5 Nov 00:30 -02 = 02:30Z.
    expect(who(spec, "2018-11-05T02:29:59.999Z")).toBe("bia");
    expect(who(spec, "2018-11-05T02:30:00.000Z")).toBe("ana");
  });

  it("São Paulo 2019: a hand-off at a repeated local time (23:30 on 16 Feb) happens at its first occurrence", () => {
    const spec = rotation("America/Sao_Paulo", daily(["ana", "bia"], "23:30", "2019-02-01"));
    // 16 Feb 23:30 -02 (first occurrence) = 17 Feb 01:30Z; the second one, an hour later, changes nothing.
    expect(who(spec, "2019-02-17T01:29:59.999Z")).toBe("ana");
    expect(who(spec, "2019-02-17T01:30:00.000Z")).toBe("bia");
    expect(who(spec, "2019-02-17T02:30:00.000Z")).toBe("bia");
    // 17 Feb 23:30 -03 = 18 Feb 02:30Z: that shift lasted 25 hours.
    const hit = onCallAt(spec, [], ms("2019-02-17T12:00:00Z"), none)!;
    expect([iso(hit.start), iso(hit.end)]).toEqual(["2019-02-17T01:30:00.000Z", "2019-02-18T02:30:00.000Z"]);
  });

  it("New York 2026: a weekly Sunday 02:30 hand-off on the spring-forward Sunday happens at 03:00 EDT", () => {
    const spec = rotation("America/New_York", {
      name: "weekly",
      participants: ["ana", "bia"],
      handoff: { every: "week", at: "02:30" },
      startsOn: "2026-03-01",
    });
    // 1 Mar 02:30 EST = 07:30Z; 8 Mar 02:30 is skipped: 03:00 EDT = 07:00Z; 15 Mar 02:30 EDT = 06:30Z.
    const { segments } = schedule(spec, [], ms("2026-03-01T00:00:00Z"), ms("2026-03-16T00:00:00Z"), none);
    expect(segments.map((s) => [iso(s.start), s.userId])).toEqual([
      ["2026-03-01T00:00:00.000Z", null],
      ["2026-03-01T07:30:00.000Z", "ana"],
      ["2026-03-08T07:00:00.000Z", "bia"],
      ["2026-03-15T06:30:00.000Z", "ana"],
    ]);
    expect(segments[1]!.end - segments[1]!.start).toBe(7 * 86_400_000 - 30 * 60_000);
  });

  it("New York 2026: the fall-back Sunday's week is 7 days and 1 hour", () => {
    const spec = rotation("America/New_York", {
      name: "weekly",
      participants: ["ana", "bia"],
      handoff: { every: "week", at: "09:00" },
      startsOn: "2026-10-25",
    });
    const hit = onCallAt(spec, [], ms("2026-10-28T12:00:00Z"), none)!;
    expect([iso(hit.start), iso(hit.end), hit.userId]).toEqual([
      "2026-10-25T13:00:00.000Z",
      "2026-11-01T14:00:00.000Z",
      "ana",
    ]);
  });
});

describe("holidays", () => {
  // A weekday layer, and a holiday layer above it that covers the whole holiday (local midnight to midnight).
  const spec = rotation(
    "America/Sao_Paulo",
    daily(["ana", "bia"], "09:00", "2026-11-16"),
    daily(["hugo"], "00:00", "2026-01-01", { name: "Feriados", days: "holidays" }),
  );

  it("the plan's calendar knows the Brazilian holidays, including Consciência Negra", () => {
    expect(brHolidays("2026-11-20")).toBe(true);
    expect(brHolidays("2026-12-25")).toBe(true);
    expect(brHolidays("2026-11-19")).toBe(false);
  });

  it("the holiday layer covers 20 Nov 2026 from local midnight to midnight; the rotation resumes its count after", () => {
    const { segments, warnings } = schedule(
      spec,
      [],
      ms("2026-11-19T12:00:00Z"),
      ms("2026-11-21T12:00:00Z"),
      brHolidays,
    );
    expect(segments.map((s) => [iso(s.start), iso(s.end), s.userId, s.source])).toEqual([
      ["2026-11-19T12:00:00.000Z", "2026-11-20T03:00:00.000Z", "bia", { type: "layer", index: 0 }],
      ["2026-11-20T03:00:00.000Z", "2026-11-21T03:00:00.000Z", "hugo", { type: "layer", index: 1 }],
      // The layer below kept counting under the holiday: 20 Nov's 09:00 hand-off passed the shift to ana.
      ["2026-11-21T03:00:00.000Z", "2026-11-21T12:00:00.000Z", "ana", { type: "layer", index: 0 }],
    ]);
    expect(warnings).toEqual([]);
  });

  it("a workdays-only layer leaves the holiday as a visible gap", () => {
    const workdays = rotation("America/Sao_Paulo", daily(["ana"], "09:00", "2026-12-01", { days: "workdays" }));
    const { warnings } = schedule(workdays, [], ms("2026-12-24T12:00:00Z"), ms("2026-12-26T12:00:00Z"), brHolidays);
    expect(warnings).toEqual([{ kind: "gap", start: ms("2026-12-25T03:00:00Z"), end: ms("2026-12-26T03:00:00Z") }]);
  });
});

describe("layers, overrides, gaps and overlaps", () => {
  const day = daily(["ana", "bia"], "08:00", "2026-12-01", { between: { from: "08:00", to: "20:00" } });
  const night = daily(["nico"], "20:00", "2026-12-01", { name: "noite", between: { from: "20:00", to: "08:00" } });

  it("a layer limited to local hours leaves the rest as a gap, reported as a warning", () => {
    const { segments, warnings } = schedule(
      rotation("America/Sao_Paulo", day),
      [],
      ms("2026-12-02T11:00:00Z"),
      ms("2026-12-03T11:00:00Z"),
      none,
    );
    expect(segments.map((s) => [iso(s.start), s.userId])).toEqual([
      ["2026-12-02T11:00:00.000Z", "bia"],
      ["2026-12-02T23:00:00.000Z", null],
    ]);
    expect(warnings).toEqual([{ kind: "gap", start: ms("2026-12-02T23:00:00Z"), end: ms("2026-12-03T11:00:00Z") }]);
  });

  it("a night layer past midnight fills it: no warning", () => {
    const { warnings } = schedule(
      rotation("America/Sao_Paulo", day, night),
      [],
      ms("2026-12-02T00:00:00Z"),
      ms("2026-12-09T00:00:00Z"),
      none,
    );
    expect(warnings).toEqual([]);
  });

  it("an override is above every layer; two overlapping overrides that disagree are a warning, the later wins", () => {
    const spec = rotation("America/Sao_Paulo", daily(["ana"], "09:00", "2026-12-01"));
    const overrides: Override[] = [
      { id: "o1", userId: "bia", startsAt: ms("2026-12-02T15:00:00Z"), endsAt: ms("2026-12-02T19:00:00Z") },
      { id: "o2", userId: "caio", startsAt: ms("2026-12-02T18:00:00Z"), endsAt: ms("2026-12-02T20:00:00Z") },
    ];
    const { segments, warnings } = schedule(
      spec,
      overrides,
      ms("2026-12-02T14:00:00Z"),
      ms("2026-12-02T21:00:00Z"),
      none,
    );
    expect(segments.map((s) => [iso(s.start), s.userId])).toEqual([
      ["2026-12-02T14:00:00.000Z", "ana"],
      ["2026-12-02T15:00:00.000Z", "bia"],
      ["2026-12-02T18:00:00.000Z", "caio"],
      ["2026-12-02T20:00:00.000Z", "ana"],
    ]);
    expect(warnings).toEqual([
      {
        kind: "overlap",
        start: ms("2026-12-02T18:00:00Z"),
        end: ms("2026-12-02T19:00:00Z"),
        overrideIds: ["o1", "o2"],
      },
    ]);
    expect(who(spec, "2026-12-02T18:30:00Z", overrides)).toBe("caio");
  });

  it("refuses an empty or too long span rather than computing nonsense", () => {
    const spec = rotation("America/Sao_Paulo", daily(["ana"], "09:00", "2026-12-01"));
    expect(() => schedule(spec, [], 10, 10, none)).toThrow(RangeError);
    expect(() => schedule(spec, [], 0, 94 * 86_400_000, none)).toThrow(RangeError);
    expect(() => schedule(rotation("Mars/Olympus", day), [], 0, 1000, none)).toThrow(RangeError);
  });
});
