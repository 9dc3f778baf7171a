import type { PlanDocument, SeverityId } from "../plan/document.js";
import { addBusinessMinutes, nextOpening } from "./business-time.js";
import { compileCalendar } from "./calendar.js";
import type { SlaClock } from "./clocks.js";

type Step = PlanDocument["escalation"][SeverityId]["steps"][number];
export type Recipient = Step["notify"][number];

export interface EscalationStepDue {
  /** Index of the step in the severity's escalation list. */
  step: number;
  clock: SlaClock;
  notify: Recipient[];
  reassignTo?: Step["reassignTo"];
  raiseSeverityTo?: Step["raiseSeverityTo"];
  /** When the step fires: the instant the clock's elapsed business time reaches the step's threshold. */
  at: number;
}

/**
 * The escalation matrix of a ticket's severity applied to its clocks at `now`: each step watches the response
 * (first_response) or resolution clock and fires when a share of the clock's budget has elapsed, or a number of
 * business minutes before its breach. Steps of clocks that were fulfilled or stopped never fire. A step already
 * reached has `at <= now`; a future one has its exact instant on the clock's calendar (a paused clock has no
 * future instant until it resumes). An `openHoursOnly` step waits for the severity's calendar to be open.
 */
export function escalationSteps(
  plan: PlanDocument,
  severity: SeverityId,
  clocks: readonly SlaClock[],
  now: number,
): EscalationStepDue[] {
  const steps = plan.escalation[severity]?.steps ?? [];
  const severityCalendar = plan.calendars[plan.severities[severity]?.calendar ?? ""];
  const due: EscalationStepDue[] = [];
  const push = (i: number, step: Step, clock: SlaClock, at: number) => {
    const when = step.openHoursOnly && severityCalendar ? nextOpening(compileCalendar(severityCalendar), at) : at;
    due.push({
      step: i,
      clock,
      notify: step.notify,
      reassignTo: step.reassignTo,
      raiseSeverityTo: step.raiseSeverityTo,
      at: when,
    });
  };
  steps.forEach((step, i) => {
    const kind = step.clock === "response" ? "first_response" : "resolution";
    const clock = clocks.find((c) => c.kind === kind);
    if (!clock || clock.status === "fulfilled" || clock.status === "stopped") return;
    const budget = clock.breachBusinessMinutes;
    const threshold =
      step.trigger === "percentElapsed" ? (budget * step.value) / 100 : Math.max(0, budget - step.value);
    if (clock.elapsedBusinessMinutes >= threshold) {
      push(i, step, clock, now);
      return;
    }
    const calendar = plan.calendars[clock.calendar];
    if (clock.status !== "running" || !calendar) return;
    due.push({
      step: i,
      clock,
      notify: step.notify,
      at: addBusinessMinutes(compileCalendar(calendar), now, threshold - clock.elapsedBusinessMinutes),
    });
  });
  return due;
}
