import { describe, expect, it } from "vitest";
import type { AuditLogTable } from "../../platform/db/schema.js";
import { auditHash, firstBreak, GENESIS_HASH } from "./chain.js";
import { jsonDiff } from "./diff.js";

function chain(n: number): AuditLogTable[] {
  const rows: AuditLogTable[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const row = {
      seq,
      at: new Date(Date.UTC(2026, 10, 25, 12, 0, seq)).toISOString(),
      action: "user.updated",
      outcome: "success" as const,
      actor_user_id: "u1",
      actor_token_id: null,
      actor_label: "ana@example.com",
      organization_id: "o1",
      target_type: "user",
      target_id: `u${seq}`,
      ip: "127.0.0.1",
      user_agent: null,
      details: JSON.stringify({ n: seq }),
      prev_hash: prev,
    };
    const hash = auditHash(row);
    rows.push({ ...row, hash });
    prev = hash;
  }
  return rows;
}

describe("audit hash chain", () => {
  it("verifies an intact chain", () => {
    expect(firstBreak(chain(50))).toBeNull();
  });

  it("names an altered row", () => {
    const rows = chain(10);
    rows[6] = { ...rows[6]!, actor_label: "mallory" };
    expect(firstBreak(rows)).toEqual({ seq: 7, reason: "hash-mismatch" });
  });

  it("names the row after a deleted one", () => {
    const rows = chain(10);
    rows.splice(3, 1);
    expect(firstBreak(rows)).toEqual({ seq: 5, reason: "gap" });
  });

  it("names a row whose link was rewritten consistently with its own hash", () => {
    const rows = chain(5);
    const forged = { ...rows[2]!, prev_hash: "f".repeat(64) };
    rows[2] = { ...forged, hash: auditHash(forged) };
    expect(firstBreak(rows)).toEqual({ seq: 3, reason: "prev-hash-mismatch" });
  });

  it("continues from a checkpoint", () => {
    const rows = chain(6);
    expect(firstBreak(rows.slice(3), { seq: 3, hash: rows[2]!.hash })).toBeNull();
  });
});

describe("jsonDiff", () => {
  it("lists changed leaves with JSON pointers", () => {
    expect(jsonDiff({ a: 1, b: { c: 2, d: [1] }, e: "x" }, { a: 1, b: { c: 3, d: [1, 2] }, f: true })).toEqual([
      { path: "/b/c", before: 2, after: 3 },
      { path: "/b/d", before: [1], after: [1, 2] },
      { path: "/e", before: "x" },
      { path: "/f", after: true },
    ]);
  });

  it("treats creation as one change at the root and escapes pointer characters", () => {
    expect(jsonDiff(null, { x: 1 })).toEqual([{ path: "/", before: null, after: { x: 1 } }]);
    expect(jsonDiff({ "a/b~": 1 }, { "a/b~": 2 })).toEqual([{ path: "/a~1b~0", before: 1, after: 2 }]);
  });
});
