import { describe, expect, it } from "vitest";
import {
  drillTiming,
  markStep,
  openSteps,
  type StepMark,
  type StepStatus,
  type StepTimes,
  stepTiming,
  toMinutes,
} from "../../src/modules/runbooks/timing.js";

const T0 = "2026-04-01T02:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const pending = (expectedMinutes = 10): StepTimes => ({
  status: "pending",
  startedAt: null,
  finishedAt: null,
  expectedMinutes,
});

describe("marking a step", () => {
  const statuses: StepStatus[] = ["pending", "started", "done", "skipped"];
  const marks: StepMark[] = ["started", "done", "skipped"];
  const stepIn = (status: StepStatus): StepTimes => ({
    status,
    startedAt: status === "pending" ? null : at(1),
    finishedAt: status === "done" || status === "skipped" ? at(2) : null,
    expectedMinutes: 5,
  });

  // Every (status, mark) pair: what is allowed and what it records.
  const table: Record<StepStatus, Record<StepMark, StepTimes | string>> = {
    pending: {
      started: { status: "started", startedAt: at(3), finishedAt: null, expectedMinutes: 5 },
      done: { status: "done", startedAt: T0, finishedAt: at(3), expectedMinutes: 5 },
      skipped: { status: "skipped", startedAt: null, finishedAt: at(3), expectedMinutes: 5 },
    },
    started: {
      started: "step 0 is already started",
      done: { status: "done", startedAt: at(1), finishedAt: at(3), expectedMinutes: 5 },
      skipped: { status: "skipped", startedAt: at(1), finishedAt: at(3), expectedMinutes: 5 },
    },
    done: { started: "step 0 is already done", done: "step 0 is already done", skipped: "step 0 is already done" },
    skipped: {
      started: "step 0 is already skipped",
      done: "step 0 is already skipped",
      skipped: "step 0 is already skipped",
    },
  };
  for (const status of statuses) {
    for (const mark of marks) {
      it(`${status} → ${mark}`, () => {
        const expected = table[status][mark];
        const result = markStep([stepIn(status)], 0, mark, at(3), T0);
        expect(result).toEqual(
          typeof expected === "string" ? { ok: false, reason: expected } : { ok: true, step: expected },
        );
      });
    }
  }

  it("refuses a step the drill does not have", () => {
    expect(markStep([pending()], 1, "started", at(1), T0)).toEqual({ ok: false, reason: "the drill has no step 1" });
  });

  it("counts a step done straight from pending from the newest step finished before now", () => {
    const steps: StepTimes[] = [
      { status: "done", startedAt: at(0), finishedAt: at(7), expectedMinutes: 5 },
      { status: "skipped", startedAt: null, finishedAt: at(9), expectedMinutes: 5 },
      pending(),
    ];
    expect(markStep(steps, 2, "done", at(20), T0)).toEqual({
      ok: true,
      step: { status: "done", startedAt: at(9), finishedAt: at(20), expectedMinutes: 10 },
    });
    // A finish stamped after now (a clock step back between nodes) never makes a negative duration.
    const skewed: StepTimes[] = [
      { status: "done", startedAt: at(0), finishedAt: at(30), expectedMinutes: 5 },
      pending(),
    ];
    expect(markStep(skewed, 1, "done", at(20), T0)).toMatchObject({ ok: true, step: { startedAt: T0 } });
  });

  it("lists the steps still open", () => {
    expect(openSteps([stepIn("done"), stepIn("pending"), stepIn("skipped"), stepIn("started")])).toEqual([1, 3]);
    expect(openSteps([stepIn("done"), stepIn("skipped")])).toEqual([]);
  });
});

describe("timing a drill against the RTO", () => {
  const steps: StepTimes[] = [
    { status: "done", startedAt: at(0), finishedAt: at(12), expectedMinutes: 10 },
    { status: "skipped", startedAt: null, finishedAt: at(12), expectedMinutes: 30 },
    { status: "done", startedAt: at(12), finishedAt: at(20), expectedMinutes: 10 },
  ];

  it("measures every step and says which overran", () => {
    const timing = drillTiming(
      { status: "finished", startedAt: T0, finishedAt: at(20), rtoMinutes: 240 },
      steps,
      at(99),
    );
    expect(timing).toEqual({
      elapsedSeconds: 1200,
      expectedMinutes: 50,
      rtoMinutes: 240,
      expectedFitsRto: true,
      verdict: "within",
      steps: [
        { durationSeconds: 720, overran: true },
        { durationSeconds: null, overran: null },
        { durationSeconds: 480, overran: false },
      ],
    });
  });

  it("gives each status its verdict, exceeding the RTO first", () => {
    const verdict = (status: "running" | "finished" | "aborted", minutes: number) =>
      drillTiming(
        { status, startedAt: T0, finishedAt: status === "running" ? null : at(minutes), rtoMinutes: 60 },
        [],
        at(minutes),
      ).verdict;
    expect(verdict("running", 60)).toBe("on-track");
    expect(verdict("running", 60.02)).toBe("exceeded");
    expect(verdict("finished", 60)).toBe("within");
    expect(verdict("finished", 61)).toBe("exceeded");
    expect(verdict("aborted", 30)).toBe("incomplete");
    expect(verdict("aborted", 90)).toBe("exceeded");
  });

  it("counts a running step up to now, and a step left started by an abort up to the abort", () => {
    const started: StepTimes = { status: "started", startedAt: at(5), finishedAt: null, expectedMinutes: 10 };
    expect(stepTiming(started, at(10))).toEqual({ durationSeconds: 300, overran: false });
    expect(stepTiming(started, at(16))).toEqual({ durationSeconds: 660, overran: true });
    const aborted = drillTiming(
      { status: "aborted", startedAt: T0, finishedAt: at(8), rtoMinutes: 60 },
      [started],
      at(500),
    );
    expect(aborted.steps).toEqual([{ durationSeconds: 180, overran: false }]);
    expect(aborted.elapsedSeconds).toBe(480);
  });

  it("says when the runbook's own estimate does not fit in the RTO", () => {
    const long = [pending(200), pending(41)];
    expect(
      drillTiming({ status: "running", startedAt: T0, finishedAt: null, rtoMinutes: 240 }, long, T0),
    ).toMatchObject({ expectedMinutes: 241, expectedFitsRto: false, verdict: "on-track" });
  });

  it("converts the plan's durations to minutes", () => {
    expect(toMinutes({ value: 4, unit: "hours" })).toBe(240);
    expect(toMinutes({ value: 1.5, unit: "hours" })).toBe(90);
    expect(toMinutes({ value: 45, unit: "minutes" })).toBe(45);
  });
});
