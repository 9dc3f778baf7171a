import { DateTime } from "luxon";
import type { AuditLogTable } from "../../platform/db/schema.js";

export interface ReviewUser {
  id: string;
  email: string;
  name: string;
  role: string;
  organizationId: string;
  disabled: boolean;
  totpEnabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface ReviewToken {
  id: string;
  userId: string;
  name: string;
  revokedAt: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export const DORMANT_DAYS = 30;
export const BURST_WINDOW_MS = 10 * 60_000;
export const BURST_MIN_FAILURES = 5;

/** The instants a `YYYY-Www` ISO week spans in a zone, or null when the week does not exist. */
export function weekBounds(week: string, zone: string): { from: string; to: string } | null {
  const start = DateTime.fromISO(week, { zone });
  if (!start.isValid) return null;
  return { from: start.toUTC().toISO()!, to: start.plus({ weeks: 1 }).toUTC().toISO()! };
}

function bursts(failures: AuditLogTable[], key: (r: AuditLogTable) => string | null) {
  const groups = new Map<string, AuditLogTable[]>();
  for (const r of failures) {
    const k = key(r);
    if (!k) continue;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: { key: string; failures: number; firstAt: string; lastAt: string }[] = [];
  for (const [k, rows] of groups) {
    // Largest number of failures inside any window of BURST_WINDOW_MS (two pointers over time order).
    let best = { n: 0, first: 0, last: 0 };
    let i = 0;
    const times = rows.map((r) => new Date(r.at).getTime()).sort((a, b) => a - b);
    for (let j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! > BURST_WINDOW_MS) i++;
      if (j - i + 1 > best.n) best = { n: j - i + 1, first: times[i]!, last: times[j]! };
    }
    if (best.n >= BURST_MIN_FAILURES) {
      out.push({
        key: k,
        failures: best.n,
        firstAt: new Date(best.first).toISOString(),
        lastAt: new Date(best.last).toISOString(),
      });
    }
  }
  return out.sort((a, b) => b.failures - a.failures || a.key.localeCompare(b.key));
}

/**
 * The weekly access review the plan asks for: who holds which role, privileges granted that week,
 * dormant accounts, failed-login bursts, tokens never used and staff without two-factor.
 */
export function accessReview(input: {
  week: string;
  from: string;
  to: string;
  users: ReviewUser[];
  tokens: ReviewToken[];
  /** Audit rows of the week: user creations, role changes and login attempts. */
  entries: AuditLogTable[];
}) {
  const { users, tokens, entries, to } = input;
  const active = users.filter((u) => !u.disabled);
  const dormantBefore = new Date(new Date(to).getTime() - DORMANT_DAYS * 86_400_000).toISOString();
  const byRole = new Map<string, ReviewUser[]>();
  for (const u of active) byRole.set(u.role, [...(byRole.get(u.role) ?? []), u]);
  const emailOf = new Map(users.map((u) => [u.id, u.email]));

  const newPrivileges = entries
    .filter((e) => e.action === "user.created" || e.action === "user.role-changed")
    .map((e) => {
      const changes = (JSON.parse(e.details ?? "{}").changes ?? []) as {
        path: string;
        before?: unknown;
        after?: unknown;
      }[];
      const role = changes.find((c) => c.path === "/role" || c.path === "/");
      const after =
        role?.path === "/" ? (role.after as { role?: string } | undefined)?.role : (role?.after as string | undefined);
      return {
        at: e.at,
        action: e.action,
        userId: e.target_id,
        email: e.target_id ? (emailOf.get(e.target_id) ?? null) : null,
        role: after ?? null,
        previousRole: role?.path === "/role" ? ((role.before as string | undefined) ?? null) : null,
        by: e.actor_label,
      };
    });

  const failures = entries.filter((e) => e.action === "auth.login" && e.outcome === "failure");
  return {
    week: input.week,
    from: input.from,
    to,
    roles: [...byRole.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([role, us]) => ({
        role,
        users: us.map((u) => ({ id: u.id, email: u.email, name: u.name, organizationId: u.organizationId })),
      })),
    newPrivileges,
    dormantAccounts: active
      .filter((u) => (u.lastLoginAt ?? u.createdAt) < dormantBefore)
      .map((u) => ({ id: u.id, email: u.email, role: u.role, lastLoginAt: u.lastLoginAt })),
    failedLoginBursts: [
      ...bursts(failures, (r) => r.ip).map((b) => ({ by: "ip" as const, ...b })),
      ...bursts(failures, (r) => r.actor_label).map((b) => ({ by: "account" as const, ...b })),
    ],
    tokensNeverUsed: tokens
      .filter((t) => !t.revokedAt && !t.lastUsedAt && t.createdAt < to && (!t.expiresAt || t.expiresAt > input.from))
      .map((t) => ({
        id: t.id,
        name: t.name,
        userId: t.userId,
        email: emailOf.get(t.userId) ?? null,
        createdAt: t.createdAt,
      })),
    staffWithoutTwoFactor: active
      .filter((u) => !["customer", "customer-admin"].includes(u.role) && !u.totpEnabled)
      .map((u) => ({ id: u.id, email: u.email, role: u.role })),
  };
}
