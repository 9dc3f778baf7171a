import { describe, expect, it } from "vitest";
import { defaultPlan } from "../../src/modules/plan/document.js";
import { type ChangeRecord, cadenceFindings } from "../../src/modules/status/changes.js";
import {
  barLevel,
  type ComponentStatus,
  componentStatus,
  componentStatuses,
  fromMonitors,
  type IncidentSeverity,
  incidentSeverities,
  type MonitorStatus,
  overall,
} from "../../src/modules/status/core.js";
import { narrow } from "../../src/modules/status/page.js";
import { occurrences, parseRrule, RruleError } from "../../src/modules/status/rrule.js";
import { checkWindow, currentOrNext, insidePlanWindow, planWarnings } from "../../src/modules/status/windows.js";

const now = new Date("2026-12-06T12:00:00Z");
const monitorStatuses: (MonitorStatus | null)[] = [
  "UP",
  "DEGRADED",
  "DOWN",
  "PENDING",
  "MAINTENANCE",
  "UNREACHABLE",
  null,
];

describe("component status", () => {
  it("derives from every pair of monitor statuses as the rules say", () => {
    const failing = (m: MonitorStatus | null) => m === "DOWN" || m === "UNREACHABLE";
    for (const a of monitorStatuses)
      for (const b of monitorStatuses) {
        const known = [a, b].filter((m) => m !== null);
        const counted = known.filter((m) => m !== "MAINTENANCE");
        const expected: ComponentStatus | null = !known.length
          ? null
          : !counted.length
            ? "maintenance"
            : counted.every(failing)
              ? "major_outage"
              : counted.some(failing)
                ? "partial_outage"
                : counted.includes("DEGRADED")
                  ? "degraded"
                  : "operational";
        expect(fromMonitors([a, b]), `${a},${b}`).toBe(expected);
      }
    expect(fromMonitors([])).toBeNull();
  });

  it("applies override, incidents, maintenance and monitors in that order, over every combination", () => {
    const overrides = [
      null,
      { status: "degraded" as const, until: "2026-12-06T13:00:00Z" },
      { status: "major_outage" as const, until: "2026-12-06T11:00:00Z" },
    ];
    const incidentSets: IncidentSeverity[][] = [[], ["low"], ["medium", "critical"], ["high"]];
    for (const override of overrides)
      for (const incidents of incidentSets)
        for (const inMaintenance of [false, true])
          for (const m of monitorStatuses) {
            const d = componentStatus({ monitors: [m], incidents, inMaintenance, override, now });
            if (override && Date.parse(override.until) > now.getTime())
              expect(d).toEqual({ status: "degraded", source: "override" });
            else if (incidents.includes("critical")) expect(d).toEqual({ status: "major_outage", source: "incident" });
            else if (incidents.includes("high")) expect(d).toEqual({ status: "partial_outage", source: "incident" });
            else if (incidents.length) expect(d).toEqual({ status: "degraded", source: "incident" });
            else if (inMaintenance) expect(d).toEqual({ status: "maintenance", source: "maintenance" });
            else if (m === null) expect(d).toEqual({ status: "operational", source: "none" });
            else expect(d).toEqual({ status: fromMonitors([m]), source: "monitors" });
          }
    // An override expires at its instant exactly.
    expect(
      componentStatus({
        monitors: ["DOWN"],
        incidents: [],
        inMaintenance: false,
        override: { status: "operational", until: now.toISOString() },
        now,
      }).status,
    ).toBe("major_outage");
  });

  it("the headline is the worst; maintenance only beats operational", () => {
    expect(overall([])).toBe("operational");
    expect(overall(["operational", "maintenance"])).toBe("maintenance");
    expect(overall(["maintenance", "degraded"])).toBe("degraded");
    for (const s of componentStatuses) expect(overall([s, "major_outage"])).toBe("major_outage");
    expect(incidentSeverities).toHaveLength(4);
    expect([barLevel(null), barLevel(1), barLevel(0.995), barLevel(0.96), barLevel(0.5)]).toEqual([
      "none",
      "operational",
      "degraded",
      "partial_outage",
      "major_outage",
    ]);
  });

  it("narrows a view to an audience: incidents and windows name only its components", () => {
    const bars: never[] = [];
    const v = {
      generatedAt: now.toISOString(),
      timezone: "America/Sao_Paulo",
      status: "major_outage" as const,
      components: [
        { id: "a", name: "A", group: null, status: "operational" as const, uptime: 1, bars },
        { id: "b", name: "B", group: null, status: "major_outage" as const, uptime: 1, bars },
      ],
      incidents: [
        {
          id: "i",
          title: "x",
          severity: "high",
          componentIds: ["a", "b"],
          startedAt: now.toISOString(),
          resolvedAt: null,
          updates: [],
        },
      ],
      maintenance: [
        {
          id: "w",
          title: "w",
          description: "",
          state: "scheduled" as const,
          startsAt: now.toISOString(),
          endsAt: now.toISOString(),
          componentIds: ["b"],
        },
      ],
      history: [],
    };
    const a = narrow(v, (c) => c.id === "a");
    expect(a.status).toBe("operational");
    expect(a.incidents[0]!.componentIds).toEqual(["a"]);
    expect(a.maintenance).toEqual([]);
  });
});

describe("RRULE expansion", () => {
  const zone = "America/Sao_Paulo";
  it("a weekly Sunday 02:00 window stays at 02:00 local, COUNT and UNTIL bound it", () => {
    const start = new Date("2026-12-06T05:00:00Z"); // Sunday 02:00 −03
    const list = occurrences(parseRrule("FREQ=WEEKLY;BYDAY=SU;COUNT=3"), start, zone, {
      from: start,
      to: new Date("2027-12-31T00:00:00Z"),
    });
    expect(list.map((d) => d.toISOString())).toEqual([
      "2026-12-06T05:00:00.000Z",
      "2026-12-13T05:00:00.000Z",
      "2026-12-20T05:00:00.000Z",
    ]);
    const until = occurrences(parseRrule("FREQ=DAILY;INTERVAL=2;UNTIL=20261211T000000Z"), start, zone, {
      from: start,
      to: new Date("2027-01-01T00:00:00Z"),
    });
    expect(until.map((d) => d.toISOString().slice(0, 10))).toEqual(["2026-12-06", "2026-12-08", "2026-12-10"]);
  });

  it("keeps wall-clock time across a DST change (New York, March 2027)", () => {
    const start = new Date("2027-03-07T07:00:00Z"); // Sunday 02:00 EST
    const [a, b] = occurrences(parseRrule("FREQ=WEEKLY"), start, "America/New_York", {
      from: start,
      to: new Date("2027-03-20T00:00:00Z"),
    });
    expect(a!.toISOString()).toBe("2027-03-07T07:00:00.000Z");
    // 2027-03-14 02:00 does not exist in New York: luxon moves it to 03:00 EDT (07:00Z).
    expect(b!.toISOString()).toBe("2027-03-14T07:00:00.000Z");
    const [, c] = occurrences(parseRrule("FREQ=DAILY"), new Date("2027-11-06T06:30:00Z"), "America/New_York", {
      from: new Date(0),
      to: new Date("2027-11-08T00:00:00Z"),
    });
    expect(c!.toISOString()).toBe("2027-11-07T07:30:00.000Z"); // 01:30 EST after the fall back
  });

  it("monthly with ordinals: the first Sunday and the last Friday", () => {
    const start = new Date("2027-01-03T05:00:00Z"); // Sunday 3 January 02:00
    const firstSundays = occurrences(parseRrule("FREQ=MONTHLY;BYDAY=1SU;COUNT=3"), start, zone, {
      from: start,
      to: new Date("2028-01-01T00:00:00Z"),
    });
    expect(firstSundays.map((d) => d.toISOString().slice(0, 10))).toEqual(["2027-01-03", "2027-02-07", "2027-03-07"]);
    const lastFridays = occurrences(parseRrule("FREQ=MONTHLY;BYDAY=-1FR"), new Date("2027-01-29T05:00:00Z"), zone, {
      from: new Date(0),
      to: new Date("2027-04-01T00:00:00Z"),
    });
    expect(lastFridays.map((d) => d.toISOString().slice(0, 10))).toEqual(["2027-01-29", "2027-02-26", "2027-03-26"]);
    // Day 31 skips the months without one.
    const d31 = occurrences(parseRrule("FREQ=MONTHLY"), new Date("2027-01-31T05:00:00Z"), zone, {
      from: new Date(0),
      to: new Date("2027-06-01T00:00:00Z"),
    });
    expect(d31.map((d) => d.toISOString().slice(5, 10))).toEqual(["01-31", "03-31", "05-31"]);
  });

  it("refuses what it cannot or should not expand", () => {
    for (const bad of [
      "FREQ=HOURLY",
      "FREQ=SECONDLY",
      "BYDAY=MO",
      "FREQ=WEEKLY;BYSETPOS=1",
      "FREQ=DAILY;COUNT=0",
      "FREQ=DAILY;COUNT=100000",
      "FREQ=DAILY;INTERVAL=0",
      "FREQ=WEEKLY;BYDAY=XX",
      "FREQ=WEEKLY;BYDAY=1MO",
      "FREQ=DAILY;COUNT=2;UNTIL=20270101",
      "FREQ=DAILY;UNTIL=nope",
      "FREQ=DAILY;FREQ=WEEKLY",
      "garbage",
    ])
      expect(() => parseRrule(bad), bad).toThrow(RruleError);
  });

  it("caps occurrences of an unbounded rule", () => {
    const list = occurrences(parseRrule("FREQ=DAILY"), new Date("2020-01-01T05:00:00Z"), zone, {
      from: new Date(0),
      to: new Date("2099-01-01T00:00:00Z"),
    });
    expect(list.length).toBe(1000);
  });
});

describe("window checks and plan warnings", () => {
  const plan = defaultPlan(now).maintenanceWindow;
  const tz = "America/Sao_Paulo";
  it("rejects bad windows with the field at fault", () => {
    const base = { startsAt: "2026-12-10T05:00:00Z", endsAt: "2026-12-10T08:00:00Z", timezone: tz };
    const fault = (x: Partial<typeof base> & { rrule?: string }) => {
      const r = checkWindow({ ...base, ...x });
      return "fault" in r ? r.fault.pointer : null;
    };
    expect(fault({})).toBeNull();
    expect(fault({ endsAt: base.startsAt })).toBe("/endsAt");
    expect(fault({ endsAt: "2026-12-30T00:00:00Z" })).toBe("/endsAt");
    expect(fault({ timezone: "Mars/Olympus" })).toBe("/timezone");
    expect(fault({ rrule: "FREQ=DAILY;UNTIL=20261201" })).toBe("/rrule");
    expect(fault({ rrule: "FREQ=HOURLY" })).toBe("/rrule");
    expect(fault({ endsAt: "2026-12-11T08:00:00Z", rrule: "FREQ=DAILY" })).toBe("/rrule"); // overlapping occurrences
    expect(fault({ rrule: "FREQ=WEEKLY;BYDAY=TH" })).toBeNull();
  });

  it("warns on short notice and on occurrences outside 02:00–05:00 São Paulo", () => {
    const ok = checkWindow({ startsAt: "2026-12-10T05:00:00Z", endsAt: "2026-12-10T08:00:00Z", timezone: tz });
    if (!("shape" in ok)) throw new Error();
    expect(planWarnings(ok.shape, new Date("2026-12-06T12:00:00Z"), plan)).toEqual([]);
    expect(planWarnings(ok.shape, new Date("2026-12-09T12:00:00Z"), plan).map((w) => w.code)).toEqual(["short-notice"]);
    const late = checkWindow({ startsAt: "2026-12-10T06:00:00Z", endsAt: "2026-12-10T09:00:00Z", timezone: tz });
    if (!("shape" in late)) throw new Error();
    expect(planWarnings(late.shape, new Date("2026-12-01T00:00:00Z"), plan).map((w) => w.code)).toEqual([
      "outside-plan-window",
    ]);
    expect(
      insidePlanWindow({ start: new Date("2026-12-10T05:00:00Z"), end: new Date("2026-12-10T08:00:00Z") }, plan),
    ).toBe(true);
    expect(
      insidePlanWindow({ start: new Date("2026-12-10T04:59:00Z"), end: new Date("2026-12-10T07:00:00Z") }, plan),
    ).toBe(false);
  });

  it("finds the running or next occurrence", () => {
    const w = checkWindow({
      startsAt: "2026-12-06T05:00:00Z",
      endsAt: "2026-12-06T08:00:00Z",
      timezone: tz,
      rrule: "FREQ=WEEKLY",
    });
    if (!("shape" in w)) throw new Error();
    expect(currentOrNext(w.shape, new Date("2026-12-06T06:00:00Z"))!.start.toISOString()).toBe(
      "2026-12-06T05:00:00.000Z",
    );
    expect(currentOrNext(w.shape, new Date("2026-12-06T08:00:00Z"))!.start.toISOString()).toBe(
      "2026-12-13T05:00:00.000Z",
    );
  });
});

describe("update cadence findings", () => {
  const doc = defaultPlan(now);
  const change = (x: Partial<ChangeRecord>): ChangeRecord => ({
    id: "c",
    title: "t",
    kind: "fix",
    description: "",
    validation: "pending",
    validatedAt: null,
    windowId: null,
    appliedAt: null,
    outcome: "pending",
    outsideWindowReason: null,
    createdAt: "2026-11-01T00:00:00.000Z",
    updatedAt: "2026-11-01T00:00:00.000Z",
    ...x,
  });
  it("on a fixture: an overdue security update, a fortnight without fixes, a month without improvements", () => {
    const fixture = [
      change({ id: "s1", kind: "security", validation: "passed", validatedAt: "2026-12-01T00:00:00.000Z" }),
      change({ id: "s2", kind: "security", validation: "passed", validatedAt: "2026-12-05T00:00:00.000Z" }),
      change({ id: "f1", kind: "fix", appliedAt: "2026-11-15T03:00:00.000Z", outcome: "succeeded" }),
      change({ id: "i1", kind: "improvement", appliedAt: "2026-11-20T03:00:00.000Z", outcome: "succeeded" }),
    ];
    const ids = cadenceFindings(fixture, doc, now, "en").map((f) => f.id);
    expect(ids).toEqual(["update-security-overdue:s1", "update-fix-cadence"]);
    // What a client words in its reader's language: the days as durations, the cadence by its id.
    const [security, fixes] = cadenceFindings(fixture, doc, now, "en");
    expect(security).toMatchObject({
      key: "updateSecurityOverdue",
      params: {
        title: { type: "text", value: "t" },
        validatedAt: { type: "instant", value: "2026-12-01T00:00:00.000Z" },
        allowed: { type: "duration", value: 3, unit: "days" },
        cadence: { type: "cadence", value: "immediate" },
      },
    });
    expect(fixes).toMatchObject({
      key: "updateFixCadence",
      params: { since: { type: "instant", value: "2026-11-15T03:00:00.000Z" }, cadence: { type: "cadence" } },
    });
    const later = cadenceFindings(fixture, doc, new Date("2026-12-25T00:00:00Z"), "pt-BR");
    expect(later.map((f) => f.id)).toContain("update-improvement-cadence");
    expect(later[0]!.title).toMatch(/segurança/);
    expect(cadenceFindings([], doc, now, "en")).toEqual([]);
  });
});
