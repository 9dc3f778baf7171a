import {
  DEFAULT_SLA_POLICY_ID,
  type PlanDocument,
  type SeverityId,
  type SlaPolicyDefinition,
  severityIds,
  type TierId,
  tierIds,
} from "../plan/document.js";

/**
 * Policy selection: the plan's `slaPolicies` are tried in order and the first whose conditions all hold
 * applies; when none does, the implicit last policy is the plan's own severities and tiers. Pure.
 */

/** What a policy's conditions look at. A value not given (a simulation without a channel) meets no condition on it. */
export interface PolicySubject {
  type?: string;
  severity: SeverityId;
  tier: TierId;
  organizationId?: string;
  channel?: string;
}

export interface ChosenPolicy {
  id: string;
  name: string;
}

/** The implicit last policy's name (the plan's own targets). */
export const DEFAULT_SLA_POLICY_NAME = "Padrão do plano";

const holds = (allowed: readonly string[] | undefined, value: string | undefined) =>
  allowed === undefined || (value !== undefined && allowed.includes(value));

/** Whether every condition of the policy holds for the subject; a policy without conditions matches all. */
export function policyMatches(policy: SlaPolicyDefinition, subject: PolicySubject): boolean {
  const c = policy.conditions;
  return (
    holds(c.types, subject.type) &&
    holds(c.severities, subject.severity) &&
    holds(c.tiers, subject.tier) &&
    holds(c.organizationIds, subject.organizationId?.toLowerCase()) &&
    holds(c.channels, subject.channel)
  );
}

/** The first of the plan's policies that matches, or null for the plan's own targets. */
export function selectPolicy(plan: PlanDocument, subject: PolicySubject): SlaPolicyDefinition | null {
  return (plan.slaPolicies ?? []).find((p) => policyMatches(p, subject)) ?? null;
}

export function describePolicy(policy: SlaPolicyDefinition | null): ChosenPolicy {
  return policy ? { id: policy.id, name: policy.name } : { id: DEFAULT_SLA_POLICY_ID, name: DEFAULT_SLA_POLICY_NAME };
}

/**
 * The plan as the policy sees it: its severities and tiers with the policy's targets in place of the plan's,
 * so clocks and escalation read one document whichever policy applies.
 */
export function planUnderPolicy(plan: PlanDocument, policy: SlaPolicyDefinition | null): PlanDocument {
  if (!policy || (!policy.severities && !policy.tiers)) return plan;
  const severities = { ...plan.severities };
  for (const id of severityIds) {
    const o = policy.severities?.[id];
    if (o) severities[id] = { ...severities[id], ...o };
  }
  const tiers = { ...plan.tiers };
  for (const id of tierIds) {
    const o = policy.tiers?.[id];
    if (o) tiers[id] = { ...tiers[id], responseTime: { ...tiers[id].responseTime, ...o } };
  }
  return { ...plan, severities, tiers };
}
