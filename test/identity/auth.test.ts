import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/modules/identity/credentials.js";
import { SESSION_COOKIE } from "../../src/modules/identity/service.js";
import { ManualClock } from "../../src/platform/clock.js";
import { startSmtp } from "../fixtures/smtp.js";
import {
  createOrganization,
  createUser,
  engines,
  sessionFor,
  TEST_PASSWORD,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";

describe.each(engines)("authentication on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = new ManualClock("2026-11-25T12:00:00Z");

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await testApp(engine, { clock, config: { smtpUrl: smtp.url } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it("logs in with a session cookie, serves /me and logs out", async () => {
    const user = await createUser(t, "agent", { tier: "L2" });
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: user.email.toUpperCase(), password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Lax");
    const headers = { cookie: `${SESSION_COOKIE}=${cookie.value}` };
    const me = await t.app.inject({ url: "/api/v1/me", headers });
    expect(me.json()).toMatchObject({ via: "session", user: { email: user.email, role: "agent", tier: "L2" } });
    expect(me.json().csrfToken).toBe(login.json().csrfToken);

    // A cookie-authenticated write without the CSRF token is refused and changes nothing.
    const noCsrf = await t.app.inject({ method: "PATCH", url: "/api/v1/me", headers, payload: { name: "Hacked" } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().type).toBe("urn:plantao:problem:csrf-failed");
    const withCsrf = await t.app.inject({
      method: "PATCH",
      url: "/api/v1/me",
      headers: { ...headers, "x-csrf-token": login.json().csrfToken },
      payload: { name: "Renamed" },
    });
    expect(withCsrf.json().name).toBe("Renamed");

    const out = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { ...headers, "x-csrf-token": login.json().csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: "/api/v1/me", headers })).statusCode).toBe(401);
  });

  it("treats forged cookies as anonymous and bad tokens as 401", async () => {
    const forged = await t.app.inject({ url: "/api/v1/me", headers: { cookie: `${SESSION_COOKIE}=forged-value` } });
    expect(forged.statusCode).toBe(401);
    const bad = await t.app.inject({ url: "/api/v1/me", headers: { authorization: "Bearer plt_nope" } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().type).toBe("urn:plantao:problem:invalid-token");
  });

  it("logs out everywhere", async () => {
    const user = await createUser(t, "noc");
    const a = await sessionFor(t, user.email);
    const b = await sessionFor(t, user.email);
    const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout-all", headers: a });
    expect(res.statusCode).toBe(204);
    expect((await t.app.inject({ url: "/api/v1/me", headers: { cookie: b.cookie } })).statusCode).toBe(401);
  });

  it("expires idle sessions", async () => {
    const user = await createUser(t, "noc");
    const s = await sessionFor(t, user.email);
    clock.advance(13 * 3_600_000);
    expect((await t.app.inject({ url: "/api/v1/me", headers: { cookie: s.cookie } })).statusCode).toBe(401);
  });

  it("issues tokens shown once, enforces scopes, revokes and expires them", async () => {
    const { headers, user } = await tokenFor(t, "manager");
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers,
      payload: {
        name: "read-only",
        scopes: ["organizations:read"],
        expiresAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
      },
    });
    expect(created.statusCode).toBe(201);
    const { token, id, prefix } = created.json();
    expect(token.startsWith(prefix)).toBe(true);
    const ro = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: "/api/v1/organizations", headers: ro })).statusCode).toBe(200);
    const write = await t.app.inject({
      method: "POST",
      url: "/api/v1/organizations",
      headers: ro,
      payload: { name: "X" },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().detail).toContain("organizations:write");
    // The list never shows secrets.
    const list = await t.app.inject({ url: "/api/v1/tokens", headers });
    expect(JSON.stringify(list.json())).not.toContain(token);
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(id);

    // A role cannot grant more than it has.
    const agent = await tokenFor(t, "agent");
    const tooMuch = await t.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: agent.headers,
      payload: { name: "x", scopes: ["users:write"] },
    });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().errors[0].pointer).toBe("/scopes/0");

    // Expiry, then revocation.
    clock.advance(2 * 3_600_000);
    expect((await t.app.inject({ url: "/api/v1/organizations", headers: ro })).statusCode).toBe(401);
    const del = await t.app.inject({ method: "DELETE", url: `/api/v1/tokens/${id}`, headers });
    expect(del.statusCode).toBe(204);
    expect(user.role).toBe("manager");
  });

  it("locks an account after repeated failures and throttles the address, while others still log in", async () => {
    const victim = await createUser(t, "agent");
    const other = await createUser(t, "agent");
    const attacker = "203.0.113.7";
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        remoteAddress: attacker,
        payload: { email: victim.email, password: `wrong-${i}` },
      });
      statuses.push(r.statusCode);
      clock.advance(1000);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 423)).toBe(true);
    // The right password does not open a locked account, from anywhere, and the message says why.
    const locked = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress: "198.51.100.1",
      payload: { email: victim.email, password: TEST_PASSWORD },
    });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().detail).toMatch(/locked after too many failed logins/);
    // The attacking address is throttled even for another account.
    const throttled = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress: attacker,
      payload: { email: other.email, password: TEST_PASSWORD },
    });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().detail).toContain(attacker);
    // Another user elsewhere is not affected.
    const fine = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress: "198.51.100.2",
      payload: { email: other.email, password: TEST_PASSWORD },
    });
    expect(fine.statusCode).toBe(200);
    // Every attempt is in the audit trail with its address.
    const admin = await tokenFor(t, "admin");
    const audit = await t.app.inject({
      url: `/api/v1/audit?action=auth.login&outcome=failure&limit=500`,
      headers: admin.headers,
    });
    expect(audit.json().items.filter((e: { ip: string }) => e.ip === attacker).length).toBeGreaterThanOrEqual(21);
    // After the lock expires the right password works again.
    clock.advance(16 * 60_000);
    const after = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress: "198.51.100.3",
      payload: { email: victim.email, password: TEST_PASSWORD },
    });
    expect(after.statusCode).toBe(200);
  });

  it("resets a password through an emailed link that works once", async () => {
    const user = await createUser(t, "customer-admin", { organizationId: (await createOrganization(t)).id });
    const req = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/password-reset",
      payload: { email: user.email },
    });
    expect(req.statusCode).toBe(202);
    const unknown = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/password-reset",
      payload: { email: "nobody@example.com" },
    });
    expect(unknown.statusCode).toBe(202);
    await t.platform.jobs.drain(); // the notification outbox sends it
    await expect.poll(() => smtp.inbox.find((m) => m.to === user.email), { timeout: 5000 }).toBeTruthy();
    const mail = smtp.inbox.find((m) => m.to === user.email)!;
    expect(mail.text).toContain("nova senha");
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const newPassword = "a brand new passphrase";
    const ok = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/password-reset/confirm",
      payload: { token, password: newPassword },
    });
    expect(ok.statusCode).toBe(204);
    const again = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/password-reset/confirm",
      payload: { token, password: newPassword },
    });
    expect(again.statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email: user.email, password: newPassword },
        })
      ).statusCode,
    ).toBe(200);
  });

  it("enrols TOTP and then requires the code at login", async () => {
    const user = await createUser(t, "security");
    const s = await sessionFor(t, user.email);
    const begin = await t.app.inject({ method: "POST", url: "/api/v1/me/totp", headers: s });
    expect(begin.statusCode).toBe(200);
    const { secret, otpauthUri } = begin.json();
    expect(otpauthUri).toContain(`secret=${secret}`);
    const current = totpCode(secret, clock.now());
    const wrongCode = String((Number(current) + 500_000) % 1_000_000).padStart(6, "0");
    const wrong = await t.app.inject({
      method: "POST",
      url: "/api/v1/me/totp/confirm",
      headers: s,
      payload: { code: wrongCode },
    });
    expect(wrong.statusCode).toBe(400);
    const on = await t.app.inject({
      method: "POST",
      url: "/api/v1/me/totp/confirm",
      headers: s,
      payload: { code: totpCode(secret, clock.now()) },
    });
    expect(on.statusCode).toBe(204);
    const noCode = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().type).toBe("urn:plantao:problem:totp-required");
    const withCode = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: user.email, password: TEST_PASSWORD, totpCode: totpCode(secret, clock.now()) },
    });
    expect(withCode.statusCode).toBe(200);
  });
});
