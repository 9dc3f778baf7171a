import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coveredMs, groupFigures, stageFigures } from "../../src/modules/incidents/figures.js";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

const H = 3_600_000;

describe("incident figures (pure)", () => {
  it("counts the union of overlapping spans once, clipped to the period", () => {
    expect(
      coveredMs(
        [
          [0, 10],
          [5, 20],
          [30, 40],
          [35, 36],
        ],
        0,
        100,
      ),
    ).toBe(30);
    expect(
      coveredMs(
        [
          [-10, 10],
          [90, 200],
        ],
        0,
        100,
      ),
    ).toBe(20);
    expect(coveredMs([], 0, 100)).toBe(0);
  });

  it("gives no MTTA or MTTR without acknowledged or resolved incidents", () => {
    const [g] = groupFigures(
      [
        {
          id: "a",
          kind: "operational",
          severity: "low",
          createdAt: 0,
          acknowledgedAt: null,
          resolvedAt: null,
          componentIds: [],
          organizationIds: [],
          service: null,
          stages: [],
        },
      ],
      { from: 0, to: 10 * H },
      "none",
    );
    expect(g).toMatchObject({ count: 1, mttaMinutes: null, mttrMinutes: null, mtbfHours: 0, downtimeMinutes: 600 });
    expect(stageFigures([])).toEqual([]);
  });
});

/**
 * The fixture, in one day (2026-04-01, UTC):
 *   A: c1, critical, opened 01:00, acknowledged 01:10, resolved 02:00
 *   B: c1 and c2, high, opened 05:00, acknowledged 05:30, resolved 09:00
 *   C: c2, low, opened 20:00, acknowledged 20:20, still open at the end of the day
 * By hand: all three: MTTA (10+30+20)/3 = 20 min; MTTR (60+240)/2 = 150 min; down 60+240+240 = 540 min, so
 * MTBF (1440-540)/3 = 300 min = 5 h. c1 (A, B): MTTA 20, MTTR 150, down 300, MTBF (1440-300)/2 = 570 min = 9.5 h.
 * c2 (B, C): MTTA 25, MTTR 240, down 480, MTBF (1440-480)/2 = 480 min = 8 h. Stages: identification lasted 60
 * (A) and 240 (B) minutes: 150 on average; the moves to verification happen at once, so 0 for the others.
 */
describe.each(engines)("GET /api/v1/reports/incidents on %s equals hand-computed values", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-04-01T00:00:00Z");
  let noc: Record<string, string>;
  /** The status components' names by id (c1, c2). */
  const componentName: Record<string, string> = {};

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    noc = (await tokenFor(t, "noc")).headers;
    const at = (hhmm: string) => clock.set(`2026-04-01T${hhmm}:00Z`);
    const api = (method: string, url: string, payload?: unknown) =>
      t.app.inject({ method: method as "GET", url, headers: noc, payload: payload as object });
    for (const name of ["c1", "c2"]) {
      const id = (await api("POST", "/api/v1/components", { name })).json().id as string;
      componentName[id] = name;
    }
    const open = async (hhmm: string, severity: string, names: string[]) => {
      at(hhmm);
      const componentIds = names.map((n) => Object.keys(componentName).find((id) => componentName[id] === n)!);
      const res = await api("POST", "/api/v1/incidents", { title: `at ${hhmm}`, severity, componentIds });
      return res.json().id as string;
    };
    const ack = async (id: string, hhmm: string) => {
      at(hhmm);
      expect((await api("POST", `/api/v1/incidents/${id}/acknowledge`)).statusCode).toBe(200);
    };
    const resolve = async (id: string, hhmm: string, severity: string) => {
      at(hhmm);
      for (const s of [
        { stage: "classification", severity, impact: "i" },
        { stage: "diagnosis" },
        { stage: "resolution", diagnosis: "d" },
        { stage: "verification", fix: "f", evidence: "e" },
      ]) {
        expect((await api("POST", `/api/v1/incidents/${id}/stage`, s)).statusCode).toBe(200);
      }
    };
    const a = await open("01:00", "critical", ["c1"]);
    await ack(a, "01:10");
    await resolve(a, "02:00", "critical");
    const b = await open("05:00", "high", ["c1", "c2"]);
    await ack(b, "05:30");
    await resolve(b, "09:00", "high");
    const c = await open("20:00", "low", ["c2"]);
    await ack(c, "20:20");
    at("23:59");
  });
  afterAll(() => t?.close());

  const report = async (groupBy: string) => {
    const res = await t.app.inject({
      url: `/api/v1/reports/incidents?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z&groupBy=${groupBy}`,
      headers: noc,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it("for all incidents", async () => {
    const r = await report("none");
    expect(r.total).toBe(3);
    expect(r.groups).toEqual([
      {
        key: "all",
        count: 3,
        bySeverity: { critical: 1, high: 1, low: 1 },
        mttaMinutes: 20,
        mttrMinutes: 150,
        mtbfHours: 5,
        downtimeMinutes: 540,
      },
    ]);
    expect(r.stages).toEqual([
      { stage: "classification", count: 2, averageMinutes: 0 },
      { stage: "diagnosis", count: 2, averageMinutes: 0 },
      { stage: "identification", count: 2, averageMinutes: 150 },
      { stage: "resolution", count: 2, averageMinutes: 0 },
    ]);
  });

  it("per component", async () => {
    const r = await report("component");
    expect(r.groups.map((g: { key: string }) => ({ ...g, key: componentName[g.key] }))).toEqual([
      {
        key: "c1",
        count: 2,
        bySeverity: { critical: 1, high: 1 },
        mttaMinutes: 20,
        mttrMinutes: 150,
        mtbfHours: 9.5,
        downtimeMinutes: 300,
      },
      {
        key: "c2",
        count: 2,
        bySeverity: { high: 1, low: 1 },
        mttaMinutes: 25,
        mttrMinutes: 240,
        mtbfHours: 8,
        downtimeMinutes: 480,
      },
    ]);
  });

  it("per severity", async () => {
    const r = await report("severity");
    expect(r.groups.map((g: { key: string; mttrMinutes: number | null }) => [g.key, g.mttrMinutes])).toEqual([
      ["critical", 60],
      ["high", 240],
      ["low", null],
    ]);
  });
});
