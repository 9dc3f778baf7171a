import { type PlanDocument, type SeverityId, severityIds } from "./document.js";

/**
 * The plan's escalation matrix, emergency contacts and notification procedure as default escalation policies,
 * one per severity (shapes of `modules/oncall/schemas.ts`). Each step of the matrix becomes a paging step that
 * tells the same people and then waits the severity's maximum time per level; the on-call is told first
 * (the matrix's "assignee" of an incident is whoever is on call). The procedure: affected customers hear of
 * critical and high incidents at the first step, and critical and high pages go through the steps again.
 */
export interface PlanPagingStep {
  targets: { kind: string; role?: string; tier?: string }[];
  channels: ("email" | "in_app")[];
  waitMinutes: number;
  condition: "notAcknowledged" | "notResolved";
}

export interface PlanPagingPolicy {
  name: string;
  description: string;
  defaultFor: SeverityId;
  steps: PlanPagingStep[];
  repeat: number;
}

const names: Record<SeverityId, string> = { critical: "Crítico", high: "Alto", medium: "Médio", low: "Baixo" };
const repeats: Record<SeverityId, number> = { critical: 2, high: 1, medium: 0, low: 0 };
const tellsCustomers: Record<SeverityId, boolean> = { critical: true, high: true, medium: false, low: false };

function minutesOf(d: { value: number; unit: string }): number {
  const m = d.unit === "minutes" ? d.value : d.unit === "hours" ? d.value * 60 : d.value * 24 * 60;
  return Math.max(1, Math.min(1440, Math.round(m)));
}

function targetOf(who: string): PlanPagingStep["targets"][number] | null {
  switch (who) {
    case "assignee":
    case "team":
      return { kind: "oncall" };
    case "L1":
    case "L2":
    case "L3":
      return { kind: "tier", tier: who };
    case "emergencyContacts":
      return { kind: "emergencyContacts" };
    case "customerContact":
      return { kind: "customers" };
    default:
      return { kind: "role", role: who };
  }
}

/**
 * The name and description a seeded policy is stored with (the plan's language). A policy still carrying them
 * is shown in the reader's language instead (`seededAs`); once a person renames it, their words are shown.
 */
export function seededText(severity: SeverityId, waitMinutes: number): { name: string; description: string } {
  return {
    name: `Plano: ${names[severity]}`,
    description: `Matriz de escalação do plano para a severidade ${names[severity]}: cada etapa espera ${waitMinutes} min (tempo máximo por nível).`,
  };
}

export function planPagingPolicies(doc: PlanDocument): PlanPagingPolicy[] {
  return severityIds.map((severity) => {
    const matrix = doc.escalation[severity];
    const wait = minutesOf(matrix.maxTimePerLevel);
    const steps: PlanPagingStep[] = matrix.steps.map((s) => {
      const targets = new Map<string, PlanPagingStep["targets"][number]>();
      for (const who of s.notify) {
        const t = targetOf(who);
        if (t) targets.set(JSON.stringify(t), t);
      }
      return {
        targets: [...targets.values()],
        channels: ["email", "in_app"],
        waitMinutes: wait,
        condition: "notAcknowledged",
      };
    });
    if (!steps.length)
      steps.push({ targets: [], channels: ["email", "in_app"], waitMinutes: wait, condition: "notAcknowledged" });
    const first = steps[0]!;
    if (!first.targets.some((t) => t.kind === "oncall")) first.targets.unshift({ kind: "oncall" });
    if (tellsCustomers[severity] && !first.targets.some((t) => t.kind === "customers")) {
      first.targets.push({ kind: "customers" });
    }
    return {
      ...seededText(severity, wait),
      defaultFor: severity,
      steps,
      repeat: repeats[severity],
    };
  });
}
