/**
 * What a page is, pure: what starts one, its row and events, the order of its steps, and the rows of its
 * messages; shared by the escalations (escalations.ts) and the first-step paging (first-steps.ts).
 */
import { uuidv7 } from "../../platform/ids.js";
import type { Recipients } from "./recipients.js";
import type { DeliveryRow, PageRow, PolicyRow } from "./repository.js";
import type { Step } from "./schemas.js";

export interface PageSubject {
  type: string;
  id: string;
}

export interface PageInput {
  subject: PageSubject;
  /** The plan's default policy of the severity when null or absent. */
  policyId?: string | null;
  severity: string;
  title: string;
  url?: string | null;
  summary?: string | null;
  /** Affected customers' addresses, told by steps that target `customers` (first pass only). */
  customers?: { email: string; locale?: "pt-BR" | "en" }[];
}

/** Timers of pages: `page`/`escalate` fires the next step. */
export const TIMER = "escalate";

export type Reason = "start" | "timeout" | "channel-failed" | "nobody";
export interface EscalatePayload {
  /** Where the page was when the timer was armed; the step after it runs. */
  from: { step: number; round: number };
  reason: Reason;
}

export interface Position {
  step: number;
  round: number;
}

/**
 * A page's first step prepared before the caller's transaction (its policy, and who the step reaches now), so
 * `page` runs that step in the same transaction instead of through a timer job. Reading recipients inside it
 * is not possible: on SQLite the transaction holds the only connection the directory and rotations read with.
 */
export interface FirstStep {
  policyId: string;
  /** The policy's steps as read; a policy edited meanwhile makes `page` fall back to the timer. */
  steps: string;
  recipients: Recipients;
}

export const stepsOf = (page: PageRow) => JSON.parse(page.steps) as Step[];
const conditionHolds = (step: Step, status: PageRow["status"]) =>
  status === "resolved" ? false : (step.condition ?? "notAcknowledged") === "notResolved" || status === "triggered";

/** The next step after `from` whose condition holds for `status`, through the repeats; null when none is left. */
export function nextStep(steps: Step[], repeat: number, from: Position, status: PageRow["status"]): Position | null {
  let { step, round } = from;
  for (let guard = 0; guard < steps.length * (repeat + 1) + 1; guard++) {
    step++;
    if (step >= steps.length) {
      step = 0;
      round++;
    }
    if (round > repeat) return null;
    if (conditionHolds(steps[step]!, status)) return { step, round };
  }
  return null;
}

/** A page about to be inserted, before its first step. */
export function newPage(input: PageInput, policy: PolicyRow, now: Date): PageRow {
  return {
    id: uuidv7(),
    subject_type: input.subject.type,
    subject_id: input.subject.id,
    open_key: `${input.subject.type}:${input.subject.id}`,
    policy_id: policy.id,
    severity: input.severity,
    title: input.title,
    url: input.url ?? null,
    summary: input.summary ?? null,
    customers: JSON.stringify(input.customers ?? []),
    steps: policy.steps,
    repeat: policy.repeat,
    status: "triggered",
    step: -1,
    round: 0,
    escalated_at: null,
    exhausted_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
}

export const triggered = (row: PageRow) =>
  ({
    type: "page.triggered",
    organizationId: null,
    subjectId: row.id,
    payload: {
      pageId: row.id,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      policyId: row.policy_id,
      severity: row.severity,
    },
  }) as const;

export const escalated = (page: PageRow, target: Position, reason: Reason) =>
  ({
    type: "page.escalated",
    organizationId: null,
    subjectId: page.id,
    payload: {
      pageId: page.id,
      subjectType: page.subject_type,
      subjectId: page.subject_id,
      step: target.step,
      round: target.round,
      reason,
    },
  }) as const;

export function delivery(
  id: string,
  pageId: string,
  at: Position,
  userId: string | null,
  target: string,
  ids: string[],
  now: Date,
): DeliveryRow {
  return {
    id,
    page_id: pageId,
    step: at.step,
    round: at.round,
    user_id: userId,
    target,
    notification_ids: JSON.stringify(ids),
    link_used_at: null,
    created_at: now.toISOString(),
  };
}
