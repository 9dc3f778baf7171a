import type { Kysely } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { AuditLogTable, DB } from "../../platform/db/schema.js";
import { auditHash, GENESIS_HASH } from "./chain.js";

const APPEND_LOCK = 0x41554449; // "AUDI"

export interface AuditFilter {
  action?: string;
  actorUserId?: string;
  organizationId?: string;
  targetType?: string;
  targetId?: string;
  outcome?: "success" | "failure";
  from?: string;
  to?: string;
  /** Rows with seq below this (keyset pagination, newest first). */
  beforeSeq?: number;
  limit: number;
}

export class AuditRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  /** Appends one row at the end of the chain. Runs in the caller's transaction when given one. */
  async append(row: Omit<AuditLogTable, "seq" | "prev_hash" | "hash">, executor?: Kysely<DB>): Promise<number> {
    return (await this.appendMany([row], executor))[0]!;
  }

  /** Appends rows at the end of the chain in order, in one insert; returns their sequence numbers. */
  async appendMany(
    rows: readonly Omit<AuditLogTable, "seq" | "prev_hash" | "hash">[],
    executor?: Kysely<DB>,
  ): Promise<number[]> {
    if (!rows.length) return [];
    const write = async (trx: Kysely<DB>) => {
      await this.dialect.lockForAppend(trx, APPEND_LOCK);
      const last = await trx
        .selectFrom("audit_log")
        .select(["seq", "hash"])
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      let prev = { seq: Number(last?.seq ?? 0), hash: last?.hash ?? GENESIS_HASH };
      const chained = rows.map((row) => {
        const linked = { ...row, seq: prev.seq + 1, prev_hash: prev.hash };
        const hashed = { ...linked, hash: auditHash(linked) };
        prev = { seq: hashed.seq, hash: hashed.hash };
        return hashed;
      });
      await trx.insertInto("audit_log").values(chained).execute();
      return chained.map((r) => r.seq);
    };
    return executor?.isTransaction ? write(executor) : this.db.transaction().execute(write);
  }

  async list(f: AuditFilter): Promise<AuditLogTable[]> {
    let q = this.db.selectFrom("audit_log").selectAll();
    if (f.action)
      q = f.action.endsWith("*")
        ? q.where("action", "like", `${f.action.slice(0, -1)}%`)
        : q.where("action", "=", f.action);
    if (f.actorUserId) q = q.where("actor_user_id", "=", f.actorUserId);
    if (f.organizationId) q = q.where("organization_id", "=", f.organizationId);
    if (f.targetType) q = q.where("target_type", "=", f.targetType);
    if (f.targetId) q = q.where("target_id", "=", f.targetId);
    if (f.outcome) q = q.where("outcome", "=", f.outcome);
    if (f.from) q = q.where("at", ">=", f.from);
    if (f.to) q = q.where("at", "<", f.to);
    if (f.beforeSeq !== undefined) q = q.where("seq", "<", f.beforeSeq);
    return q.orderBy("seq", "desc").limit(f.limit).execute();
  }

  /** Every row in chain order, in pages, for verification without loading the table at once. */
  async *all(pageSize = 5000): AsyncGenerator<AuditLogTable> {
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", ">", after)
        .orderBy("seq")
        .limit(pageSize)
        .execute();
      for (const r of rows) yield r;
      if (rows.length < pageSize) return;
      after = Number(rows.at(-1)!.seq);
    }
  }

  async countFailuresSince(by: { ip?: string; userId?: string }, action: string, since: string): Promise<number> {
    let q = this.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "=", action)
      .where("outcome", "=", "failure")
      .where("at", ">=", since);
    if (by.ip) q = q.where("ip", "=", by.ip);
    if (by.userId) q = q.where("target_id", "=", by.userId);
    const row = await q.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async inWindow(from: string, to: string, actions: string[]): Promise<AuditLogTable[]> {
    return this.db
      .selectFrom("audit_log")
      .selectAll()
      .where("at", ">=", from)
      .where("at", "<", to)
      .where("action", "in", actions)
      .orderBy("seq")
      .execute();
  }
}
