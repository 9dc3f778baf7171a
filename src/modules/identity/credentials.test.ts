import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, totpCode, verifyTotp } from "./credentials.js";
import { roleAllows, scopesAllow } from "./roles.js";

describe("TOTP (RFC 6238 test vectors, SHA-1)", () => {
  // The RFC's seed is the ASCII "12345678901234567890"; its 8-digit codes end in these 6 digits.
  const secret = base32Encode(Buffer.from("12345678901234567890"));
  it.each([
    ["1970-01-01T00:00:59Z", "287082"],
    ["2005-03-18T01:58:29Z", "081804"],
    ["2009-02-13T23:31:30Z", "005924"],
    ["2033-05-18T03:33:20Z", "279037"],
  ])("at %s the code is %s", (at, code) => {
    expect(totpCode(secret, new Date(at))).toBe(code);
  });

  it("accepts one step of drift either way and nothing else", () => {
    const at = new Date("2026-11-25T12:00:00Z");
    expect(verifyTotp(secret, totpCode(secret, at, -1), at)).toBe(true);
    expect(verifyTotp(secret, totpCode(secret, at, 1), at)).toBe(true);
    expect(verifyTotp(secret, totpCode(secret, at, 3), at)).toBe(false);
    expect(verifyTotp(secret, "12345", at)).toBe(false);
  });

  it("round-trips base32", () => {
    const buf = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 7]);
    expect(base32Decode(base32Encode(buf))).toEqual(buf);
  });
});

describe("grants and scopes", () => {
  it("write implies read, never the reverse", () => {
    expect(roleAllows("manager", "plan", "read")).toBe(true);
    expect(roleAllows("auditor", "plan", "write")).toBe(false);
    expect(roleAllows("customer", "audit", "read")).toBe(false);
    expect(scopesAllow(["*:read"], "users", "read")).toBe(true);
    expect(scopesAllow(["*:read"], "users", "write")).toBe(false);
    expect(scopesAllow(["users:write"], "users", "read")).toBe(true);
    expect(scopesAllow(["users:write"], "plan", "read")).toBe(false);
  });
});
