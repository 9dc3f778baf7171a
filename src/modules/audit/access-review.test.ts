import { describe, expect, it } from "vitest";
import type { AuditLogTable } from "../../platform/db/schema.js";
import { accessReview, weekBounds } from "./access-review.js";

const row = (over: Partial<AuditLogTable>): AuditLogTable => ({
  seq: 1,
  at: "2026-11-24T12:00:00.000Z",
  action: "auth.login",
  outcome: "failure",
  actor_user_id: null,
  actor_token_id: null,
  actor_label: "ana@example.com",
  organization_id: null,
  target_type: null,
  target_id: null,
  ip: "203.0.113.9",
  user_agent: null,
  details: null,
  prev_hash: "",
  hash: "",
  ...over,
});

const user = (over: Record<string, unknown>) => ({
  id: "u1",
  email: "ana@example.com",
  name: "Ana",
  role: "agent",
  organizationId: "p",
  disabled: false,
  totpEnabled: true,
  lastLoginAt: "2026-11-24T10:00:00.000Z",
  createdAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

describe("weekBounds", () => {
  it("spans Monday 00:00 to the next Monday in São Paulo", () => {
    expect(weekBounds("2026-W48", "America/Sao_Paulo")).toEqual({
      from: "2026-11-23T03:00:00.000Z",
      to: "2026-11-30T03:00:00.000Z",
    });
  });
  it("rejects a week that does not exist", () => {
    expect(weekBounds("2026-W54", "America/Sao_Paulo")).toBeNull();
  });
});

describe("accessReview", () => {
  const bounds = weekBounds("2026-W48", "America/Sao_Paulo")!;

  it("groups roles, finds dormant accounts, unused tokens and staff without 2FA", () => {
    const r = accessReview({
      week: "2026-W48",
      ...bounds,
      users: [
        user({}),
        user({ id: "u2", email: "old@example.com", lastLoginAt: "2026-09-01T00:00:00.000Z", totpEnabled: false }),
        user({
          id: "u3",
          email: "never@example.com",
          role: "customer",
          lastLoginAt: null,
          createdAt: "2026-06-01T00:00:00.000Z",
        }),
        user({ id: "u4", email: "gone@example.com", disabled: true, lastLoginAt: null }),
      ],
      tokens: [
        {
          id: "t1",
          userId: "u1",
          name: "unused",
          revokedAt: null,
          expiresAt: null,
          lastUsedAt: null,
          createdAt: "2026-11-01T00:00:00.000Z",
        },
        {
          id: "t2",
          userId: "u1",
          name: "used",
          revokedAt: null,
          expiresAt: null,
          lastUsedAt: "2026-11-24T00:00:00.000Z",
          createdAt: "2026-11-01T00:00:00.000Z",
        },
        {
          id: "t3",
          userId: "u1",
          name: "revoked",
          revokedAt: "2026-11-02T00:00:00.000Z",
          expiresAt: null,
          lastUsedAt: null,
          createdAt: "2026-11-01T00:00:00.000Z",
        },
      ],
      entries: [],
    });
    expect(r.roles.map((x) => [x.role, x.users.length])).toEqual([
      ["agent", 2],
      ["customer", 1],
    ]);
    expect(r.dormantAccounts.map((u) => u.email)).toEqual(["old@example.com", "never@example.com"]);
    expect(r.tokensNeverUsed.map((t) => t.name)).toEqual(["unused"]);
    expect(r.staffWithoutTwoFactor.map((u) => u.email)).toEqual(["old@example.com"]);
  });

  it("reports bursts of failed logins by address and account, not scattered failures", () => {
    const burst = Array.from({ length: 6 }, (_, i) =>
      row({ seq: i + 1, at: new Date(Date.UTC(2026, 10, 24, 12, i)).toISOString() }),
    );
    const scattered = Array.from({ length: 6 }, (_, i) =>
      row({
        seq: 10 + i,
        ip: "198.51.100.1",
        actor_label: "bia@example.com",
        at: new Date(Date.UTC(2026, 10, 24, i * 2)).toISOString(),
      }),
    );
    const r = accessReview({ week: "2026-W48", ...bounds, users: [], tokens: [], entries: [...burst, ...scattered] });
    expect(r.failedLoginBursts).toEqual([
      {
        by: "ip",
        key: "203.0.113.9",
        failures: 6,
        firstAt: "2026-11-24T12:00:00.000Z",
        lastAt: "2026-11-24T12:05:00.000Z",
      },
      {
        by: "account",
        key: "ana@example.com",
        failures: 6,
        firstAt: "2026-11-24T12:00:00.000Z",
        lastAt: "2026-11-24T12:05:00.000Z",
      },
    ]);
  });

  it("lists new privileges from creations and role changes", () => {
    const r = accessReview({
      week: "2026-W48",
      ...bounds,
      users: [user({ id: "u9", email: "novo@example.com", role: "admin" })],
      tokens: [],
      entries: [
        row({
          action: "user.role-changed",
          outcome: "success",
          target_id: "u9",
          actor_label: "boss@example.com",
          details: JSON.stringify({ changes: [{ path: "/role", before: "agent", after: "admin" }] }),
        }),
      ],
    });
    expect(r.newPrivileges).toEqual([
      {
        at: "2026-11-24T12:00:00.000Z",
        action: "user.role-changed",
        userId: "u9",
        email: "novo@example.com",
        role: "admin",
        previousRole: "agent",
        by: "boss@example.com",
      },
    ]);
  });
});
