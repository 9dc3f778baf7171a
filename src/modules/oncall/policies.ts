import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { type SeverityId, severityIds } from "../plan/document.js";
import { planPagingPolicies, seededText } from "../plan/paging.js";
import type { PlanService } from "../plan/service.js";
import type { OncallRepository, PolicyRow } from "./repository.js";
import type { PolicyInput, Step, Target } from "./schemas.js";

const parse = <T>(text: string) => JSON.parse(text) as T;

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

/**
 * Escalation policies: ordered steps, each telling its targets and then waiting, repeated, until acknowledged
 * or resolved. The plan's escalation matrix seeds one per severity (`defaultFor`); a severity has one default.
 */
export class EscalationPolicyService {
  private readonly repo: OncallRepository;
  private readonly plan: PlanService;
  private readonly audit: AuditService;
  private readonly clock: Clock;

  constructor(deps: { repo: OncallRepository; plan: PlanService; audit: AuditService; clock: Clock }) {
    this.repo = deps.repo;
    this.plan = deps.plan;
    this.audit = deps.audit;
    this.clock = deps.clock;
  }

  /** Seeds the plan's default policies (one per severity) when there is no policy yet; safe on every start. */
  async ensureSeeded(): Promise<void> {
    if (await this.repo.anyPolicy()) return;
    const doc = (await this.plan.current()).document;
    const now = this.clock.now().toISOString();
    await this.repo.transaction(async (trx) => {
      for (const p of planPagingPolicies(doc)) {
        await this.repo.insertPolicy(
          {
            id: uuidv7(),
            name: p.name,
            description: p.description,
            default_for: p.defaultFor,
            steps: JSON.stringify(p.steps),
            repeat: p.repeat,
            created_at: now,
            updated_at: now,
          },
          trx,
        );
      }
    });
  }

  async list(page: { limit: number; after?: string }) {
    await this.ensureSeeded();
    return (await this.repo.listPolicies(page)).map(presentPolicy);
  }

  async get(id: string) {
    return presentPolicy(await this.policyRow(id));
  }

  async create(actor: Actor, input: PolicyInput, req: RequestInfo) {
    await this.ensureSeeded();
    checkSteps(input.steps);
    const now = this.clock.now().toISOString();
    const row: PolicyRow = {
      id: uuidv7(),
      name: input.name,
      description: input.description ?? null,
      default_for: input.defaultFor ?? null,
      steps: JSON.stringify(input.steps),
      repeat: input.repeat ?? 0,
      created_at: now,
      updated_at: now,
    };
    await this.repo.transaction(async (trx) => {
      if (row.default_for) await this.repo.clearDefault(row.default_for, trx);
      await this.repo.insertPolicy(row, trx);
      await this.audit.record(
        { action: "oncall.policy.created", actor, target: { type: "escalation-policy", id: row.id }, request: req },
        trx,
      );
    });
    return presentPolicy(row);
  }

  async update(actor: Actor, id: string, patch: Partial<PolicyInput>, req: RequestInfo) {
    const before = await this.policyRow(id);
    if (patch.steps) checkSteps(patch.steps);
    const row: PolicyRow = {
      ...before,
      name: patch.name ?? before.name,
      description: patch.description === undefined ? before.description : patch.description,
      default_for: patch.defaultFor === undefined ? before.default_for : patch.defaultFor,
      steps: patch.steps ? JSON.stringify(patch.steps) : before.steps,
      repeat: patch.repeat ?? before.repeat,
      updated_at: this.clock.now().toISOString(),
    };
    await this.repo.transaction(async (trx) => {
      if (row.default_for && row.default_for !== before.default_for) await this.repo.clearDefault(row.default_for, trx);
      await this.repo.updatePolicy(id, row, trx);
      await this.audit.record(
        {
          action: "oncall.policy.updated",
          actor,
          target: { type: "escalation-policy", id },
          request: req,
          change: { before: presentPolicy(before), after: presentPolicy(row) },
        },
        trx,
      );
    });
    return presentPolicy(row);
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    await this.policyRow(id);
    await this.repo.transaction(async (trx) => {
      await this.repo.deletePolicy(id, trx);
      await this.audit.record(
        { action: "oncall.policy.deleted", actor, target: { type: "escalation-policy", id }, request: req },
        trx,
      );
    });
  }

  private async policyRow(id: string): Promise<PolicyRow> {
    const row = await this.repo.findPolicy(id);
    if (!row) throw Problem.notFound("Escalation policy");
    return row;
  }
}

/** Each target names what its kind needs. */
function checkSteps(steps: Step[]): void {
  const needs: Partial<Record<Target["kind"], keyof Target>> = {
    rotation: "rotationId",
    user: "userId",
    team: "team",
    role: "role",
    tier: "tier",
    webhook: "webhookId",
  };
  for (const [i, step] of steps.entries()) {
    for (const [j, t] of step.targets.entries()) {
      const field = needs[t.kind];
      if (field && t[field] === undefined) {
        throw Problem.invalid({
          in: "body",
          pointer: `/steps/${i}/targets/${j}/${field}`,
          message: `is required for ${t.kind}`,
        });
      }
    }
  }
}

/** The plan's seeded policy, still with the words it was seeded with: the web names it in the reader's language. */
function seededAs(row: PolicyRow, steps: Step[]) {
  const severity = row.default_for;
  const waitMinutes = steps[0]?.waitMinutes;
  if (!severity || !(severityIds as readonly string[]).includes(severity) || waitMinutes === undefined) return null;
  const seeded = seededText(severity as SeverityId, waitMinutes);
  return row.name === seeded.name && row.description === seeded.description ? { severity, waitMinutes } : null;
}

function presentPolicy(row: PolicyRow) {
  const steps = parse<Step[]>(row.steps);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    defaultFor: row.default_for,
    seededAs: seededAs(row, steps),
    steps,
    repeat: row.repeat,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
