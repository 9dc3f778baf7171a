import { applyPolicy, type PolicySnapshot, type ResticDuration, type RetentionPolicy } from "./retention.js";

/** The kinds of backup run; each is a restic tag and a retention tier of its own. */
export const backupKinds = ["full", "incremental", "frequent"] as const;
export type BackupKind = (typeof backupKinds)[number];

export interface Tier {
  tag: BackupKind;
  policy: RetentionPolicy;
}

export interface TierVerdict {
  id: string;
  keep: boolean;
  reasons: string[];
  /** The tier whose policy decided; null for a snapshot of no tier, which is never pruned. */
  tier: BackupKind | null;
}

interface Period {
  value: number;
  unit: "days" | "weeks" | "months" | "years";
}

const toDuration = (p: Period): ResticDuration => ({
  years: p.unit === "years" ? p.value : 0,
  months: p.unit === "months" ? p.value : 0,
  days: p.unit === "days" ? p.value : p.unit === "weeks" ? p.value * 7 : 0,
  hours: 0,
});

/** Incrementals are a short-term layer over the fulls: a week of them is enough to pick a point in time. */
export const INCREMENTAL_WITHIN: ResticDuration = { years: 0, months: 0, days: 7, hours: 0 };
/** Frequent copies (the RPO layer) thin out to one an hour, for two days. */
export const FREQUENT_WITHIN_HOURLY: ResticDuration = { years: 0, months: 0, days: 2, hours: 0 };

/**
 * The plan's retention, per tier. restic keeps the newest snapshot of each day, which on a mixed history is
 * a 4-hourly incremental, not the nightly full the plan means; so the calendar rules (daily, weekly,
 * monthly) apply to the `full` tag alone, and the other tags keep only a short window of their own.
 */
export function planRetention(retention: { daily: Period; weekly: Period; monthly: Period }): Tier[] {
  return [
    {
      tag: "full",
      policy: {
        withinDaily: toDuration(retention.daily),
        withinWeekly: toDuration(retention.weekly),
        withinMonthly: toDuration(retention.monthly),
      },
    },
    { tag: "incremental", policy: { within: INCREMENTAL_WITHIN } },
    { tag: "frequent", policy: { withinHourly: FREQUENT_WITHIN_HOURLY } },
  ];
}

/** restic's default grouping (`--group-by host,paths`): the policy applies to each group alone. */
function groups(snapshots: PolicySnapshot[]): PolicySnapshot[][] {
  const byKey = new Map<string, PolicySnapshot[]>();
  for (const s of snapshots) {
    const key = JSON.stringify([s.hostname ?? "", [...(s.paths ?? [])].sort()]);
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }
  return [...byKey.values()];
}

/** The verdict of every snapshot: each tier's policy over that tier's snapshots, as `forget --tag <tier>`. */
export function verdicts(snapshots: PolicySnapshot[], tiers: Tier[]): TierVerdict[] {
  const out = new Map<string, TierVerdict>();
  for (const tier of tiers) {
    const mine = snapshots.filter((s) => s.tags?.includes(tier.tag) && !out.has(s.id));
    for (const group of groups(mine)) {
      for (const v of applyPolicy(group, tier.policy)) out.set(v.id, { ...v, tier: tier.tag });
    }
  }
  return snapshots.map(
    (s) => out.get(s.id) ?? { id: s.id, keep: true, reasons: ["no retention tier: never pruned"], tier: null },
  );
}
