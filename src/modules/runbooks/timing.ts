/**
 * The pure rules of a drill: how a step may be marked and what that records, and how the times measured
 * compare with what the runbook expects and with the plan's RTO. Instants are ISO-8601 UTC strings.
 */

export type StepStatus = "pending" | "started" | "done" | "skipped";
export type DrillStatus = "running" | "finished" | "aborted";
/** on-track: running and still inside the RTO; incomplete: aborted inside it. */
export type RtoVerdict = "on-track" | "within" | "exceeded" | "incomplete";

export interface StepTimes {
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  expectedMinutes: number;
}

export type StepMark = "started" | "done" | "skipped";

export type MarkResult = { ok: true; step: StepTimes } | { ok: false; reason: string };

const ms = (iso: string) => new Date(iso).getTime();
const latest = (a: string, b: string) => (ms(a) >= ms(b) ? a : b);

/**
 * Marks step `index` of a running drill at `now`. A step goes pending → started → done, or straight to
 * done (it then counts from the moment the previous work ended: the drill's start or the newest step
 * finished before now), or to skipped from pending or started. A done or skipped step stays so.
 */
export function markStep(
  steps: readonly StepTimes[],
  index: number,
  mark: StepMark,
  now: string,
  drillStartedAt: string,
): MarkResult {
  const step = steps[index];
  if (!step) return { ok: false, reason: `the drill has no step ${index}` };
  if (step.status === "done" || step.status === "skipped") {
    return { ok: false, reason: `step ${index} is already ${step.status}` };
  }
  if (mark === "started") {
    if (step.status === "started") return { ok: false, reason: `step ${index} is already started` };
    return { ok: true, step: { ...step, status: "started", startedAt: now } };
  }
  if (mark === "skipped") return { ok: true, step: { ...step, status: "skipped", finishedAt: now } };
  if (step.status === "started") return { ok: true, step: { ...step, status: "done", finishedAt: now } };
  const since = steps.reduce(
    (at, s) => (s.finishedAt && ms(s.finishedAt) <= ms(now) ? latest(at, s.finishedAt) : at),
    drillStartedAt,
  );
  return { ok: true, step: { ...step, status: "done", startedAt: since, finishedAt: now } };
}

/** Steps still to be done or skipped, by index. */
export function openSteps(steps: readonly StepTimes[]): number[] {
  return steps.flatMap((s, i) => (s.status === "pending" || s.status === "started" ? [i] : []));
}

export interface StepTiming {
  /** Seconds from start to finish; a started step counts up to now; null when it never started. */
  durationSeconds: number | null;
  /** Whether it took (or, running, already takes) longer than expected; null when it never started. */
  overran: boolean | null;
}

export interface DrillTiming {
  /** Seconds from the drill's start to its end, or to now while it runs. */
  elapsedSeconds: number;
  /** What the steps add up to, as the runbook expects them. */
  expectedMinutes: number;
  rtoMinutes: number;
  /** Whether the runbook's expected total fits in the RTO at all. */
  expectedFitsRto: boolean;
  verdict: RtoVerdict;
  steps: StepTiming[];
}

const seconds = (from: string, to: string) => Math.max(0, Math.round((ms(to) - ms(from)) / 1000));

export function stepTiming(step: StepTimes, now: string): StepTiming {
  if (!step.startedAt) return { durationSeconds: null, overran: null };
  const end = step.finishedAt ?? (step.status === "started" ? now : null);
  if (!end) return { durationSeconds: null, overran: null };
  const durationSeconds = seconds(step.startedAt, end);
  return { durationSeconds, overran: durationSeconds > step.expectedMinutes * 60 };
}

export function drillTiming(
  drill: { status: DrillStatus; startedAt: string; finishedAt: string | null; rtoMinutes: number },
  steps: readonly StepTimes[],
  now: string,
): DrillTiming {
  const elapsedSeconds = seconds(drill.startedAt, drill.finishedAt ?? now);
  const expectedMinutes = steps.reduce((sum, s) => sum + s.expectedMinutes, 0);
  const exceeded = elapsedSeconds > drill.rtoMinutes * 60;
  const verdict: RtoVerdict = exceeded
    ? "exceeded"
    : drill.status === "running"
      ? "on-track"
      : drill.status === "finished"
        ? "within"
        : "incomplete";
  return {
    elapsedSeconds,
    expectedMinutes,
    rtoMinutes: drill.rtoMinutes,
    expectedFitsRto: expectedMinutes <= drill.rtoMinutes,
    verdict,
    // A step left started by an abort stops counting when the drill ended.
    steps: steps.map((s) => stepTiming(s, drill.finishedAt ?? now)),
  };
}

/** A plan duration in minutes. */
export function toMinutes(d: { value: number; unit: "minutes" | "hours" }): number {
  return d.unit === "hours" ? d.value * 60 : d.value;
}
