import { createHash } from "node:crypto";
import type { AuditLogTable } from "../../platform/db/schema.js";

export const GENESIS_HASH = "0".repeat(64);

type Linked = Omit<AuditLogTable, "hash">;

/** The hash of one audit row: its fields in a fixed order, chained to the previous row's hash. */
export function auditHash(row: Linked): string {
  const fields = [
    row.seq,
    row.at,
    row.action,
    row.outcome,
    row.actor_user_id,
    row.actor_token_id,
    row.actor_label,
    row.organization_id,
    row.target_type,
    row.target_id,
    row.ip,
    row.user_agent,
    row.details,
  ];
  return createHash("sha256").update(row.prev_hash).update("\n").update(JSON.stringify(fields)).digest("hex");
}

export type ChainBreak = { seq: number; reason: "hash-mismatch" | "prev-hash-mismatch" | "gap" };

/** Walks rows in `seq` order and names the first row that does not follow from the one before. */
export function firstBreak(
  rows: Iterable<AuditLogTable>,
  start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): ChainBreak | null {
  let prev = start;
  for (const row of rows) {
    const seq = Number(row.seq);
    if (seq !== prev.seq + 1) return { seq, reason: "gap" };
    if (row.prev_hash !== prev.hash) return { seq, reason: "prev-hash-mismatch" };
    if (auditHash({ ...row, seq }) !== row.hash) return { seq, reason: "hash-mismatch" };
    prev = { seq, hash: row.hash };
  }
  return null;
}
