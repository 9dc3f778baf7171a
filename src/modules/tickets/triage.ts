import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { PlanDocument } from "../plan/document.js";
import type { PlanService } from "../plan/service.js";
import type { RequestInfo } from "./activity.js";

/**
 * Triage: ordered routing rules place a new ticket. Each of tier, team, assignee and tier-clock calendar comes
 * from the first matching rule that sets it, so one rule can route by type and another pick the calendar by
 * severity; what staff set on the form wins over the rules. The defaults (migration 0023) are the plan's tier
 * examples, and critical and high tickets run their tier clocks 24x7. Pure but for the rules' storage.
 */

export type TierId = "L1" | "L2" | "L3";

export interface RoutingConditions {
  types?: string[];
  severities?: string[];
  organizationIds?: string[];
  channels?: string[];
}

export interface RoutingRule {
  id: string;
  name: string;
  conditions: RoutingConditions;
  tier: TierId | null;
  team: string | null;
  assigneeId: string | null;
  calendar: string | null;
}

export interface RoutingSubject {
  type: string;
  severity: string;
  organizationId: string;
  channel: string;
}

export interface Routed {
  tier: TierId;
  team: string | null;
  assigneeId: string | null;
  calendar: string | null;
  /** Rules that set at least one of the values, in order. */
  ruleIds: string[];
}

const holds = (allowed: string[] | undefined, value: string) => allowed === undefined || allowed.includes(value);

export function ruleMatches(rule: RoutingRule, s: RoutingSubject): boolean {
  const c = rule.conditions;
  return (
    holds(c.types, s.type) &&
    holds(c.severities, s.severity) &&
    holds(c.organizationIds, s.organizationId.toLowerCase()) &&
    holds(c.channels, s.channel)
  );
}

/** Where the rules place a ticket; with no rule setting the tier, it starts at L1. */
export function route(rules: readonly RoutingRule[], subject: RoutingSubject): Routed {
  const out: Routed = { tier: "L1", team: null, assigneeId: null, calendar: null, ruleIds: [] };
  const set = { tier: false, team: false, assigneeId: false, calendar: false };
  for (const rule of rules) {
    if (!ruleMatches(rule, subject)) continue;
    let used = false;
    for (const key of ["tier", "team", "assigneeId", "calendar"] as const) {
      const value = rule[key];
      if (value === null || set[key]) continue;
      (out as unknown as Record<string, string>)[key] = value;
      set[key] = true;
      used = true;
    }
    if (used) out.ruleIds.push(rule.id);
  }
  return out;
}

/** The plan with every tier clock on `calendar` (a ticket's routed calendar); unknown ids leave it as is. */
export function withTierCalendar(plan: PlanDocument, calendar: string | null): PlanDocument {
  if (!calendar || !Object.hasOwn(plan.calendars, calendar)) return plan;
  const tiers = { ...plan.tiers };
  for (const id of Object.keys(tiers) as TierId[]) {
    tiers[id] = { ...tiers[id], responseTime: { ...tiers[id].responseTime, calendar } };
  }
  return { ...plan, tiers };
}

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

/** The routing rules: stored in order, replaced as a whole by staff who may change the plan. */
export class TicketTriage {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly directory: DirectoryService,
    private readonly plan: PlanService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async rules(executor: Kysely<DB> = this.db): Promise<RoutingRule[]> {
    const rows = await executor.selectFrom("ticket_routing_rules").selectAll().orderBy("position").execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      conditions: JSON.parse(r.conditions) as RoutingConditions,
      tier: r.tier as TierId | null,
      team: r.team,
      assigneeId: r.assignee_user_id,
      calendar: r.calendar,
    }));
  }

  async route(subject: RoutingSubject, executor?: Kysely<DB>): Promise<Routed> {
    return route(await this.rules(executor), subject);
  }

  /** Replaces every rule, in the order given; assignees must be active staff and calendars the plan's. */
  async replace(actor: Actor, input: Omit<RoutingRule, "id">[], req: RequestInfo): Promise<RoutingRule[]> {
    const calendars = (await this.plan.current()).document.calendars;
    for (const [i, rule] of input.entries()) {
      if (rule.calendar && !Object.hasOwn(calendars, rule.calendar))
        throw invalid(`/items/${i}/calendar`, "is not a calendar of the plan");
      if (rule.assigneeId) {
        const user = await this.directory.getUser(rule.assigneeId).catch(() => undefined);
        if (!user || !isStaff(user.role) || user.disabled)
          throw invalid(`/items/${i}/assigneeId`, "must be an active staff user");
      }
      if (!rule.tier && !rule.team && !rule.assigneeId && !rule.calendar)
        throw invalid(`/items/${i}`, "sets nothing: give a tier, team, assignee or calendar");
    }
    const now = this.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("ticket_routing_rules").execute();
      if (input.length) {
        await trx
          .insertInto("ticket_routing_rules")
          .values(
            input.map((r, position) => ({
              id: uuidv7(),
              position,
              name: r.name,
              conditions: JSON.stringify(r.conditions),
              tier: r.tier,
              team: r.team,
              assignee_user_id: r.assigneeId,
              calendar: r.calendar,
              created_at: now,
            })),
          )
          .execute();
      }
      await this.audit.record(
        {
          action: "ticket.routing_rules.replaced",
          actor,
          organizationId: actor.organizationId,
          target: { type: "ticket_routing_rules", id: "all" },
          request: req,
          details: { count: input.length },
        },
        trx,
      );
    });
    return this.rules();
  }
}
