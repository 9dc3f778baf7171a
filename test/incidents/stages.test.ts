import { describe, expect, it } from "vitest";
import {
  type Details,
  decideMove,
  detailFields,
  type Kind,
  kinds,
  operationalStages,
  requirements,
  resolvedStage,
  type Stage,
  securityStages,
  stagesOf,
} from "../../src/modules/incidents/stages.js";

/** Every field a stage could need, filled. */
const full: Details = Object.fromEntries(detailFields.map((f) => [f, `${f} text`]));

describe("incident stage rules", () => {
  it("has the plan's six stages of each process, in order", () => {
    expect(operationalStages).toEqual([
      "identification",
      "classification",
      "diagnosis",
      "resolution",
      "verification",
      "documentation",
    ]);
    expect(securityStages).toEqual([
      "containment",
      "eradication",
      "recovery",
      "analysis",
      "documentation",
      "improvement",
    ]);
  });

  for (const kind of kinds) {
    const order = stagesOf(kind);
    describe(`${kind}: every pair of stages`, () => {
      for (const [i, from] of order.entries()) {
        for (const [j, to] of order.entries()) {
          it(`${from} → ${to}`, () => {
            const state = { kind, stage: from as Stage, details: {}, acknowledged: i > 0 };
            const given = { stage: to, severity: "high", details: full, reason: "verification failed" };
            const outcome = decideMove(state, given);
            if (i === j) {
              expect(outcome).toMatchObject({ ok: false, status: 409 });
            } else if (j > i + 1) {
              // Skipping: a conflict naming the stages skipped and the next one.
              expect(outcome.ok).toBe(false);
              if (outcome.ok) return;
              expect(outcome.status).toBe(409);
              expect(outcome.problems[0]!.message).toContain(order.slice(i + 1, j).join(", "));
              expect(outcome.problems[0]!.message).toContain(`the next stage is ${order[i + 1]}`);
            } else if (j === i + 1) {
              expect(outcome).toMatchObject({ ok: true, stage: to, backwards: false });
              if (!outcome.ok) return;
              expect(outcome.resolves).toBe(to === resolvedStage(kind));
              expect(outcome.closes).toBe(j === order.length - 1);
              expect(outcome.acknowledges).toBe(i === 0);
              // Without its fields, the move names each one missing.
              const needs = requirements[kind][to as Stage] ?? [];
              const bare = decideMove(state, { stage: to, details: {} });
              if (needs.length === 0) expect(bare.ok).toBe(true);
              else {
                expect(bare).toMatchObject({ ok: false, status: 400 });
                if (bare.ok) return;
                expect(bare.problems.map((p) => p.pointer).sort()).toEqual(needs.map((f) => `/${f}`).sort());
                for (const p of bare.problems) expect(p.message).toBe(`is required to enter ${to}`);
              }
            } else {
              // Going back needs a reason; it reopens when it leaves the resolved part of the process.
              expect(decideMove(state, { stage: to, details: {} })).toMatchObject({
                ok: false,
                status: 400,
                problems: [{ pointer: "/reason" }],
              });
              const resolvedAt = order.indexOf(resolvedStage(kind));
              expect(outcome).toMatchObject({
                ok: true,
                stage: to,
                backwards: true,
                reopens: i >= resolvedAt && j < resolvedAt,
              });
            }
          });
        }
      }
    });
  }

  it("accepts fields recorded by earlier moves and ignores blank ones", () => {
    const state = {
      kind: "operational" as Kind,
      stage: "verification" as Stage,
      details: { fix: "restarted" },
      acknowledged: true,
    };
    expect(decideMove(state, { stage: "documentation", details: { rootCause: "  " } })).toMatchObject({
      ok: false,
      problems: [{ pointer: "/rootCause" }],
    });
    expect(decideMove(state, { stage: "documentation", details: { rootCause: "disk full" } })).toMatchObject({
      ok: true,
      closes: true,
      details: { fix: "restarted", rootCause: "disk full" },
    });
  });

  it("refuses a stage of the other process or an unknown one", () => {
    const state = { kind: "operational" as Kind, stage: "identification" as Stage, details: {}, acknowledged: false };
    for (const stage of ["containment", "improvement", "nope"]) {
      expect(decideMove(state, { stage, details: full })).toMatchObject({
        ok: false,
        status: 400,
        problems: [{ pointer: "/stage" }],
      });
    }
    const sec = { kind: "security" as Kind, stage: "containment" as Stage, details: {}, acknowledged: false };
    expect(decideMove(sec, { stage: "classification", details: full })).toMatchObject({ ok: false, status: 400 });
  });

  it("walks each process end to end with only the required fields", () => {
    for (const kind of kinds) {
      let state = { kind, stage: stagesOf(kind)[0]!, details: {} as Details, acknowledged: false };
      for (const stage of stagesOf(kind).slice(1)) {
        const needs = requirements[kind][stage] ?? [];
        const details = Object.fromEntries(needs.filter((f) => f !== "severity").map((f) => [f, "x"]));
        const out = decideMove(state, { stage, severity: "critical", details });
        expect(out.ok, `${kind} ${stage}`).toBe(true);
        if (!out.ok) return;
        state = { kind, stage: out.stage, details: out.details, acknowledged: true };
      }
      expect(state.stage).toBe(stagesOf(kind).at(-1));
    }
  });
});
