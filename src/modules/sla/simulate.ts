import { Problem } from "../../platform/http/problems.js";
import type { PlanDocument, SeverityId, TierId } from "../plan/document.js";
import { type ClockKind, computeClocks, policyFromPlan, SlaInputError } from "./clocks.js";
import { type ChosenPolicy, describePolicy, planUnderPolicy, selectPolicy } from "./policies.js";

export interface SimulationInput {
  severity: SeverityId;
  tier: TierId;
  /** With severity and tier, what selects the SLA policy (the first of the plan's whose conditions hold). */
  type?: string;
  channel?: string;
  organizationId?: string;
  openedAt: string;
}

export interface SimulatedClock {
  kind: ClockKind;
  tier: TierId | null;
  calendar: string;
  startedAt: string;
  targetAt: string;
  breachAt: string;
  targetBusinessMinutes: number;
  breachBusinessMinutes: number;
}

/** Years the simulation accepts: beyond them holiday data and time zone rules are guesses. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;

const iso = (t: number) => new Date(t).toISOString();

/**
 * The deadlines a ticket opened at `openedAt` would get, creating nothing. next_response starts at a
 * customer message left unanswered after the first response; it is shown for such a message written at
 * `openedAt`, so a caller sees the follow-up deadline on the same calendar as the others. The clocks follow
 * the policy the input selects, which is returned with them.
 */
export function simulate(
  plan: PlanDocument,
  input: SimulationInput,
): { policy: ChosenPolicy; clocks: SimulatedClock[] } {
  const openedAt = Date.parse(input.openedAt);
  const year = new Date(openedAt).getUTCFullYear();
  if (!Number.isFinite(openedAt) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw Problem.invalid({
      in: "body",
      pointer: "/openedAt",
      message: `must be a date-time between ${FIRST_YEAR} and ${LAST_YEAR}`,
    });
  }
  let clocks: ReturnType<typeof computeClocks>;
  const chosen = selectPolicy(plan, { ...input, organizationId: input.organizationId?.toLowerCase() });
  try {
    const policy = policyFromPlan(planUnderPolicy(plan, chosen));
    const opened = { type: "opened", at: openedAt, severity: input.severity, tier: input.tier } as const;
    clocks = computeClocks({ events: [opened], policy, now: openedAt });
    const followUp = computeClocks({
      events: [opened, { type: "agent_reply", at: openedAt }, { type: "customer_message", at: openedAt }],
      policy,
      now: openedAt,
    }).filter((c) => c.kind === "next_response");
    clocks.splice(1, 0, ...followUp);
  } catch (err) {
    // A saved plan is validated, so this is a plan that slipped past validation: say which, as a conflict.
    if (err instanceof SlaInputError || err instanceof RangeError) {
      throw Problem.conflict(`The current plan cannot be simulated: ${err.message}`);
    }
    throw err;
  }
  return {
    policy: describePolicy(chosen),
    clocks: clocks.map((c) => ({
      kind: c.kind,
      tier: c.tier,
      calendar: c.calendar,
      startedAt: iso(c.startedAt),
      targetAt: iso(c.targetAt),
      breachAt: iso(c.breachAt),
      targetBusinessMinutes: c.targetBusinessMinutes,
      breachBusinessMinutes: c.breachBusinessMinutes,
    })),
  };
}
