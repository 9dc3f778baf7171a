import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { Tier } from "../identity/roles.js";
import type { PlanDocument } from "../plan/document.js";
import type { RequestInfo } from "../tickets/activity.js";
import type { CallHostRow, SchedulingRepository } from "./repository.js";

/** Engineers who take scheduled calls: agents of these tiers. */
export const hostTiers = ["L2", "L3"] as const;
export type HostTier = (typeof hostTiers)[number];
const isHostTier = (tier: Tier | null): tier is HostTier => tier === "L2" || tier === "L3";
export const DEFAULT_SLOT_MINUTES = 30;

export interface Engineer {
  id: string;
  name: string;
  email: string;
  locale: string;
  tier: HostTier;
  calendarId: string;
  slotMinutes: number;
  active: boolean;
}

export interface UserInfo {
  id: string;
  name: string;
  email: string;
  locale: string;
  timezone: string;
  role: string;
  tier: Tier | null;
  disabled: boolean;
}

/** The directory as scheduled calls read it. */
export interface Directory {
  get(id: string): Promise<UserInfo | undefined>;
  agents(): Promise<UserInfo[]>;
}

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

/**
 * The engineers who take scheduled calls (active agents of tier L2 or L3) and their booking settings: the plan
 * calendar of their working hours (their tier's response calendar by default) and the slot length.
 */
export class Engineers {
  constructor(
    private readonly deps: {
      repo: SchedulingRepository;
      users: Directory;
      plan: () => Promise<PlanDocument>;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  /** Every L2/L3 agent with their booking settings (their tier's calendar and 30-minute slots by default). */
  async all(): Promise<Engineer[]> {
    const [agents, plan] = await Promise.all([this.deps.users.agents(), this.deps.plan()]);
    const candidates = agents.filter((u) => !u.disabled && isHostTier(u.tier));
    const settings = new Map((await this.deps.repo.hosts(candidates.map((u) => u.id))).map((h) => [h.user_id, h]));
    return candidates
      .map((u) => this.engineerOf(u, settings.get(u.id), plan))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  private engineerOf(u: UserInfo, host: CallHostRow | undefined, plan: PlanDocument): Engineer {
    const tier = u.tier as HostTier;
    const fallback = plan.tiers[tier]?.responseTime.calendar ?? Object.keys(plan.calendars)[0]!;
    const calendarId = host && Object.hasOwn(plan.calendars, host.calendar_id) ? host.calendar_id : fallback;
    return {
      id: u.id,
      name: u.name,
      email: u.email,
      locale: u.locale,
      tier,
      calendarId,
      slotMinutes: host?.slot_minutes ?? DEFAULT_SLOT_MINUTES,
      active: host ? Boolean(host.active) : true,
    };
  }

  async taking(id: string, pointer = "/engineerId"): Promise<Engineer> {
    const e = (await this.all()).find((x) => x.id === id);
    if (!e?.active) throw invalid(pointer, "is not an engineer who takes scheduled calls");
    return e;
  }

  async save(
    actor: Actor,
    id: string,
    input: { calendarId: string; slotMinutes: number; active: boolean },
    req: RequestInfo,
  ): Promise<Engineer> {
    const plan = await this.deps.plan();
    if (!Object.hasOwn(plan.calendars, input.calendarId)) throw invalid("/calendarId", "is not a calendar of the plan");
    const u = await this.deps.users.get(id);
    if (!u || u.disabled || !isHostTier(u.tier) || u.role !== "agent") {
      throw Problem.notFound("Engineer");
    }
    const row: CallHostRow = {
      user_id: id,
      calendar_id: input.calendarId,
      slot_minutes: input.slotMinutes,
      active: input.active,
      updated_at: this.deps.clock.now().toISOString(),
    };
    await this.deps.repo.transaction(async (trx) => {
      await this.deps.repo.saveHost(row, trx);
      await this.deps.audit.record(
        {
          action: "scheduled_call.host.saved",
          actor,
          target: { type: "user", id },
          request: req,
          details: { calendarId: input.calendarId, slotMinutes: input.slotMinutes, active: input.active },
        },
        trx,
      );
    });
    return this.engineerOf(u, row, plan);
  }

  async holding(id: string): Promise<Engineer | undefined> {
    const u = await this.deps.users.get(id);
    if (!u) return undefined;
    const plan = await this.deps.plan();
    return this.engineerOf({ ...u, tier: isHostTier(u.tier) ? u.tier : "L2" }, undefined, plan);
  }
}
