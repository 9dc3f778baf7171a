import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { AuditLogTable, DB } from "../../platform/db/schema.js";
import type { Actor } from "../identity/actor.js";
import { type ChainBreak, firstBreak } from "./chain.js";
import { jsonDiff } from "./diff.js";
import type { AuditFilter, AuditRepository } from "./repository.js";

export interface AuditEntry {
  action: string;
  outcome?: "success" | "failure";
  actor?: Actor | null;
  /** Who acted when there is no actor (e.g. the email typed at a failed login, "system", "cli"). */
  actorLabel?: string;
  organizationId?: string | null;
  target?: { type: string; id: string };
  /** Request context: IP and user agent. */
  request?: Pick<FastifyRequest, "ip" | "headers">;
  /** Before and after of a configuration change; stored as a leaf-by-leaf diff. */
  change?: { before: unknown; after: unknown };
  details?: Record<string, unknown>;
}

/** One row of the trail as the API shows it. */
export function presentEntry(r: AuditLogTable) {
  return {
    seq: Number(r.seq),
    at: r.at,
    action: r.action,
    outcome: r.outcome,
    actorUserId: r.actor_user_id,
    actorTokenId: r.actor_token_id,
    actorLabel: r.actor_label,
    organizationId: r.organization_id,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    userAgent: r.user_agent,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    hash: r.hash,
  };
}

/** The append-only, hash-chained record of logins, token use and every write. */
export class AuditService {
  private readonly repo: AuditRepository;
  private readonly clock: Clock;

  constructor(deps: { repo: AuditRepository; clock: Clock }) {
    this.repo = deps.repo;
    this.clock = deps.clock;
  }

  async record(entry: AuditEntry, executor?: Kysely<DB>): Promise<number> {
    return (await this.recordMany([entry], executor))[0]!;
  }

  /** Several entries appended in order in one insert (a bulk change's rows), in `executor`'s transaction. */
  async recordMany(entries: readonly AuditEntry[], executor?: Kysely<DB>): Promise<number[]> {
    const at = this.clock.now().toISOString();
    return this.repo.appendMany(
      entries.map((entry) => {
        const details: Record<string, unknown> = { ...entry.details };
        if (entry.change) details.changes = jsonDiff(entry.change.before, entry.change.after);
        const ua = entry.request?.headers["user-agent"];
        return {
          at,
          action: entry.action,
          outcome: entry.outcome ?? "success",
          actor_user_id: entry.actor?.userId ?? null,
          actor_token_id: entry.actor?.tokenId ?? null,
          actor_label: entry.actor?.email ?? entry.actorLabel ?? null,
          organization_id: entry.organizationId ?? entry.actor?.organizationId ?? null,
          target_type: entry.target?.type ?? null,
          target_id: entry.target?.id ?? null,
          ip: entry.request?.ip ?? null,
          user_agent: typeof ua === "string" ? ua.slice(0, 512) : null,
          details: Object.keys(details).length ? JSON.stringify(details) : null,
        };
      }),
      executor,
    );
  }

  /** Failed attempts of `action` since an instant, by source IP or target user (login throttling). */
  countFailures(by: { ip?: string; userId?: string }, action: string, since: string): Promise<number> {
    return this.repo.countFailuresSince(by, action, since);
  }

  /** Entries matching the filter, newest first. */
  async list(filter: AuditFilter): Promise<ReturnType<typeof presentEntry>[]> {
    return (await this.repo.list(filter)).map(presentEntry);
  }

  /** Rows of these actions within [from, to): what the access review reads. */
  inWindow(from: string, to: string, actions: string[]): Promise<AuditLogTable[]> {
    return this.repo.inWindow(from, to, actions);
  }

  /** The first row whose hash or link does not hold, or null when the whole chain verifies. */
  async verify(): Promise<{ rows: number; firstBreak: ChainBreak | null }> {
    let rows = 0;
    let page: AuditLogTable[] = [];
    let start: { seq: number; hash: string } | undefined;
    // Verify page by page so a large log never sits in memory at once.
    for await (const row of this.repo.all()) {
      page.push(row);
      rows++;
      if (page.length === 5000) {
        const broken = firstBreak(page, start);
        if (broken) return { rows, firstBreak: broken };
        const last = page.at(-1)!;
        start = { seq: Number(last.seq), hash: last.hash };
        page = [];
      }
    }
    return { rows, firstBreak: firstBreak(page, start) };
  }
}
