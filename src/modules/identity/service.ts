import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import type { Notifier } from "../notifications/service.js";
import { type Actor, actorOfUser, forbidden } from "./actor.js";
import { hashPassword, newSecret, newTotpSecret, sha256, verifyPassword, verifyTotp } from "./credentials.js";
import { canManageToken } from "./policy.js";
import { presentToken, presentTokenWithOwner, presentUser } from "./presenters.js";
import type { IdentityRepository, Page } from "./repository.js";
import { type Area, roleAllows } from "./roles.js";

export const SESSION_COOKIE = "plantao_session";

export interface LoginPolicy {
  /** Failed logins in a row that lock an account. */
  accountLockAfter: number;
  accountLockMs: number;
  /** Failed logins from one IP within `ipWindowMs` after which that IP is throttled. */
  ipLimit: number;
  ipWindowMs: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
}

export const defaultLoginPolicy: LoginPolicy = {
  accountLockAfter: 10,
  accountLockMs: 15 * 60_000,
  ipLimit: 20,
  ipWindowMs: 60_000,
  sessionIdleMs: 12 * 3_600_000,
  sessionMaxMs: 30 * 86_400_000,
};

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export interface AuthenticationDeps {
  repo: IdentityRepository;
  audit: AuditService;
  clock: Clock;
  secrets: SecretBox;
  notifier: Notifier;
  log: Logger;
  policy?: LoginPolicy;
  /** Base URL of the links in mail. */
  publicUrl?: string;
}

/** Logins, sessions, API tokens, password reset and two-factor authentication. */
export class AuthenticationService {
  /** Token lookups are cached briefly so an API token costs no query per request; revocation clears it. */
  readonly #tokenCache = new Map<string, { actor: Actor | null; until: number }>();
  readonly #tokenUseMarked = new Map<string, number>();
  private readonly repo: IdentityRepository;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly secrets: SecretBox;
  private readonly notifier: Notifier;
  private readonly log: Logger;
  private readonly policy: LoginPolicy;
  private readonly publicUrl: string;

  constructor(deps: AuthenticationDeps) {
    this.repo = deps.repo;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.secrets = deps.secrets;
    this.notifier = deps.notifier;
    this.log = deps.log;
    this.policy = deps.policy ?? defaultLoginPolicy;
    this.publicUrl = deps.publicUrl ?? "http://localhost:8080";
  }

  private nowIso() {
    return this.clock.now().toISOString();
  }

  // login and sessions -------------------------------------------------------------------------------------

  async login(input: { email: string; password: string; totpCode?: string }, req: RequestInfo) {
    const now = this.clock.now();
    const email = input.email.trim().toLowerCase();
    const since = new Date(now.getTime() - this.policy.ipWindowMs).toISOString();
    const ipFailures = await this.audit.countFailures({ ip: req.ip }, "auth.login", since);
    if (ipFailures >= this.policy.ipLimit) {
      await this.audit.record({
        action: "auth.login",
        outcome: "failure",
        actorLabel: email,
        request: req,
        details: { reason: "ip-throttled" },
      });
      throw new Problem(
        429,
        ProblemType.rateLimited,
        "Too many failed logins from this address",
        `Too many failed logins from ${req.ip}; wait ${Math.ceil(this.policy.ipWindowMs / 1000)} seconds and try again`,
      );
    }
    const user = await this.repo.findUserByEmail(email);
    if (user?.locked_until && user.locked_until > now.toISOString()) {
      await this.audit.record({
        action: "auth.login",
        outcome: "failure",
        actorLabel: email,
        target: { type: "user", id: user.id },
        request: req,
        details: { reason: "locked" },
      });
      throw new Problem(
        423,
        "account-locked",
        "Account locked",
        `This account is locked after too many failed logins until ${user.locked_until}; reset the password or ask an administrator`,
      );
    }
    const ok = await verifyPassword(user?.password_hash ?? null, input.password);
    if (!user || !ok || user.disabled) {
      const reason = !user ? "unknown-email" : user.disabled ? "disabled" : "wrong-password";
      if (user && !user.disabled) {
        await this.countFailedLogin(user.id, now);
      }
      await this.audit.record({
        action: "auth.login",
        outcome: "failure",
        actorLabel: email,
        target: user ? { type: "user", id: user.id } : undefined,
        organizationId: user?.organization_id,
        request: req,
        details: { reason },
      });
      throw new Problem(401, "invalid-credentials", "Wrong email or password", "The email or the password is wrong");
    }
    if (user.totp_enabled) {
      if (!input.totpCode) {
        throw new Problem(
          401,
          "totp-required",
          "Two-factor code required",
          "Send the 6-digit code from your authenticator app as totpCode",
        );
      }
      if (!verifyTotp(this.secrets.open(user.totp_secret!), input.totpCode, now)) {
        await this.countFailedLogin(user.id, now);
        await this.audit.record({
          action: "auth.login",
          outcome: "failure",
          actorLabel: email,
          target: { type: "user", id: user.id },
          organizationId: user.organization_id,
          request: req,
          details: { reason: "wrong-totp" },
        });
        throw new Problem(401, "invalid-totp", "Wrong two-factor code", "The two-factor code is wrong or expired");
      }
    }
    const secret = newSecret();
    const csrf = newSecret();
    const iso = now.toISOString();
    const expiresAt = new Date(now.getTime() + this.policy.sessionMaxMs).toISOString();
    await this.repo.insertSession({
      id: sha256(secret),
      user_id: user.id,
      csrf_token: csrf,
      ip: req.ip ?? null,
      user_agent: String(req.headers["user-agent"] ?? "").slice(0, 512) || null,
      created_at: iso,
      last_seen_at: iso,
      expires_at: expiresAt,
    });
    await this.repo.updateUser(user.id, { failed_logins: 0, locked_until: null, last_login_at: iso });
    const actor = actorOfUser(user, {});
    await this.audit.record({ action: "auth.login", actor, target: { type: "user", id: user.id }, request: req });
    return {
      secret,
      csrfToken: csrf,
      expiresAt,
      user: presentUser({ ...user, last_login_at: iso, failed_logins: 0, locked_until: null }),
    };
  }

  /** One more failed login in a row; the account locks for `accountLockMs` once they reach `accountLockAfter`. */
  private async countFailedLogin(userId: string, now: Date): Promise<void> {
    await this.repo.recordFailedLogin(
      userId,
      this.policy.accountLockAfter,
      new Date(now.getTime() + this.policy.accountLockMs).toISOString(),
      now.toISOString(),
    );
  }

  /** The actor behind a session cookie, or null when absent, expired or idle too long. */
  async actorFromSession(secret: string): Promise<{ actor: Actor; csrfToken: string } | null> {
    const id = sha256(secret);
    const s = await this.repo.findSession(id);
    if (!s) return null;
    const now = this.clock.now();
    const idleSince = new Date(now.getTime() - this.policy.sessionIdleMs).toISOString();
    if (s.expires_at <= now.toISOString() || s.last_seen_at < idleSince) {
      await this.repo.deleteSession(id);
      return null;
    }
    const user = await this.repo.findUser(s.user_id);
    if (!user || user.disabled) return null;
    // Sliding idle timeout, written at most once a minute.
    if (now.getTime() - new Date(s.last_seen_at).getTime() > 60_000)
      await this.repo.touchSession(id, now.toISOString());
    return { actor: actorOfUser(user, { via: "session", sessionId: id }), csrfToken: s.csrf_token };
  }

  async logout(actor: Actor, req: RequestInfo): Promise<void> {
    if (actor.sessionId) await this.repo.deleteSession(actor.sessionId);
    await this.audit.record({ action: "auth.logout", actor, request: req });
  }

  async logoutEverywhere(actor: Actor, req: RequestInfo): Promise<number> {
    const n = await this.repo.deleteSessionsOf(actor.userId);
    await this.audit.record({ action: "auth.logout-all", actor, request: req, details: { sessions: n } });
    return n;
  }

  // tokens -----------------------------------------------------------------------------------------------

  async actorFromToken(token: string, req: RequestInfo): Promise<Actor | null> {
    const hash = sha256(token);
    const nowMs = this.clock.now().getTime();
    const cached = this.#tokenCache.get(hash);
    let actor: Actor | null;
    if (cached && cached.until > nowMs) actor = cached.actor;
    else {
      actor = null;
      const t = await this.repo.findTokenByHash(hash);
      const nowIso = new Date(nowMs).toISOString();
      if (t && !t.revoked_at && (!t.expires_at || t.expires_at > nowIso)) {
        const user = await this.repo.findUser(t.user_id);
        if (user && !user.disabled)
          actor = actorOfUser(user, { via: "token", tokenId: t.id, scopes: JSON.parse(t.scopes) });
      }
      if (this.#tokenCache.size > 10_000) this.#tokenCache.clear();
      this.#tokenCache.set(hash, { actor, until: nowMs + 5_000 });
    }
    if (actor?.tokenId) {
      // Token use is recorded at most once a minute per token and node: last use plus an audit row.
      const last = this.#tokenUseMarked.get(actor.tokenId) ?? 0;
      if (nowMs - last > 60_000) {
        this.#tokenUseMarked.set(actor.tokenId, nowMs);
        const at = new Date(nowMs).toISOString();
        void Promise.all([
          this.repo.markTokenUsed(actor.tokenId, at),
          this.audit.record({
            action: "token.used",
            actor,
            target: { type: "token", id: actor.tokenId },
            request: req,
          }),
        ]).catch((err) => this.log.warn({ err }, "could not record token use"));
      }
    }
    return actor;
  }

  async createToken(actor: Actor, input: { name: string; scopes: string[]; expiresAt?: string }, req?: RequestInfo) {
    input.scopes.forEach((scope, i) => {
      const [area, access] = scope.split(":") as [Area | "*", "read" | "write"];
      if (area !== "*" && !roleAllows(actor.role, area, access)) {
        throw invalid(`/scopes/${i}`, `your role (${actor.role}) cannot grant ${scope}`);
      }
    });
    if (input.expiresAt && input.expiresAt <= this.nowIso()) throw invalid("/expiresAt", "must be in the future");
    const secret = newSecret("plt_");
    const row = {
      id: uuidv7(),
      user_id: actor.userId,
      name: input.name,
      token_hash: sha256(secret),
      prefix: secret.slice(0, 12),
      scopes: JSON.stringify(input.scopes),
      expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
      last_used_at: null,
      revoked_at: null,
      created_at: this.nowIso(),
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.insertToken(row, trx);
      await this.audit.record(
        {
          action: "token.created",
          actor,
          actorLabel: req ? undefined : "cli",
          target: { type: "token", id: row.id },
          request: req,
          details: { name: row.name, scopes: input.scopes },
        },
        trx,
      );
    });
    return { token: secret, ...presentToken(row) };
  }

  async listTokens(actor: Actor, filter: { userId?: string }, page: Page) {
    const userId = filter.userId ?? actor.userId;
    if (!canManageToken(actor, userId)) throw forbidden("Only an administrator can list another user's tokens");
    return (await this.repo.listTokens({ userId }, page)).map(presentToken);
  }

  /**
   * Every user's tokens, for the people who revoke anyone's token when containing a security incident
   * (the security role and admins).
   */
  async listAllTokens(actor: Actor, filter: { q?: string; active?: boolean }, page: Page) {
    if (!roleAllows(actor.role, "security", "read")) throw forbidden("Only security and admins list every token");
    const rows = await this.repo.listTokensWithOwners(
      { q: filter.q, active: filter.active ? { at: this.nowIso() } : undefined },
      page,
    );
    return rows.map(presentTokenWithOwner);
  }

  async revokeToken(actor: Actor, id: string, req: RequestInfo): Promise<void> {
    const t = await this.repo.findToken(id);
    if (!t || !canManageToken(actor, t.user_id)) throw Problem.notFound("Token");
    if (t.revoked_at) return;
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.revokeToken(id, this.nowIso(), trx);
      await this.audit.record({ action: "token.revoked", actor, target: { type: "token", id }, request: req }, trx);
    });
    this.#tokenCache.clear();
  }

  /** Containment of a security incident: the security role (or an admin) revokes anyone's token; audited with the incident. */
  async revokeForIncident(actor: Actor, id: string, incidentId: string, req: RequestInfo): Promise<void> {
    if (actor.role !== "admin" && actor.role !== "security") throw forbidden("Only security and admins contain tokens");
    const t = await this.repo.findToken(id);
    if (!t) throw Problem.notFound("Token");
    if (t.revoked_at) return;
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.revokeToken(id, this.nowIso(), trx);
      await this.audit.record(
        { action: "token.revoked", actor, target: { type: "token", id }, request: req, details: { incidentId } },
        trx,
      );
    });
    this.#tokenCache.clear();
  }

  /** Forgets cached token lookups, so a user's new role or disabling applies to their tokens at once. */
  forgetTokens(): void {
    this.#tokenCache.clear();
  }

  // password reset and two-factor --------------------------------------------------------------------------

  async requestPasswordReset(email: string, req: RequestInfo): Promise<void> {
    const user = await this.repo.findUserByEmail(email.trim());
    await this.audit.record({
      action: "auth.password-reset.requested",
      actorLabel: email,
      target: user ? { type: "user", id: user.id } : undefined,
      request: req,
    });
    if (!user || user.disabled) return; // same answer either way: no account enumeration
    const token = newSecret();
    const now = this.clock.now();
    await this.repo.insertReset({
      token_hash: sha256(token),
      user_id: user.id,
      expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
      created_at: now.toISOString(),
    });
    const link = `${this.publicUrl}/reset-password?token=${token}`;
    // Account mail: no opt-out, in the user's language; queued and retried by the notification outbox.
    await this.notifier.enqueue([
      {
        to: { userId: user.id },
        channel: "email",
        template: "identity.password-reset",
        params: { name: user.name, link },
      },
    ]);
  }

  async confirmPasswordReset(token: string, password: string, req: RequestInfo): Promise<void> {
    const hashed = await hashPassword(password);
    const now = this.nowIso();
    const done = await this.repo.db.transaction().execute(async (trx) => {
      const reset = await this.repo.consumeReset(sha256(token), now, trx);
      if (!reset) return false;
      await this.repo.updateUser(
        reset.user_id,
        { password_hash: hashed, failed_logins: 0, locked_until: null, updated_at: now },
        trx,
      );
      await this.repo.deleteSessionsOf(reset.user_id, trx);
      await this.audit.record(
        {
          action: "auth.password-reset.completed",
          actorLabel: "reset-link",
          target: { type: "user", id: reset.user_id },
          request: req,
        },
        trx,
      );
      return true;
    });
    if (!done) throw invalid("/token", "the reset link is invalid, used or expired");
  }

  async changePassword(actor: Actor, current: string, next: string, req: RequestInfo): Promise<void> {
    const user = await this.repo.findUser(actor.userId);
    if (!user || !(await verifyPassword(user.password_hash, current))) throw invalid("/currentPassword", "is wrong");
    await this.repo.updateUser(user.id, { password_hash: await hashPassword(next), updated_at: this.nowIso() });
    await this.audit.record({
      action: "user.password-changed",
      actor,
      target: { type: "user", id: user.id },
      request: req,
    });
  }

  /** Starts two-factor enrolment: a new secret, stored sealed, active only after a code confirms it. */
  async beginTotp(actor: Actor, req: RequestInfo) {
    const user = await this.repo.findUser(actor.userId);
    if (!user) throw Problem.notFound("User");
    if (user.totp_enabled) throw Problem.conflict("Two-factor authentication is already on; turn it off first");
    const secret = newTotpSecret();
    await this.repo.updateUser(user.id, { totp_secret: this.secrets.seal(secret), updated_at: this.nowIso() });
    await this.audit.record({
      action: "user.totp.enrolment-started",
      actor,
      target: { type: "user", id: user.id },
      request: req,
    });
    const label = encodeURIComponent(`Plantão:${user.email}`);
    return {
      secret,
      otpauthUri: `otpauth://totp/${label}?secret=${secret}&issuer=Plant%C3%A3o&algorithm=SHA1&digits=6&period=30`,
    };
  }

  async confirmTotp(actor: Actor, code: string, enable: boolean, req: RequestInfo): Promise<void> {
    const user = await this.repo.findUser(actor.userId);
    if (!user?.totp_secret) throw Problem.conflict("Start two-factor enrolment first");
    if (Boolean(user.totp_enabled) === enable)
      throw Problem.conflict(`Two-factor authentication is already ${enable ? "on" : "off"}`);
    if (!verifyTotp(this.secrets.open(user.totp_secret), code, this.clock.now()))
      throw invalid("/code", "the code is wrong or expired");
    await this.repo.updateUser(user.id, {
      totp_enabled: enable,
      totp_secret: enable ? user.totp_secret : null,
      updated_at: this.nowIso(),
    });
    await this.audit.record({
      action: enable ? "user.totp.enabled" : "user.totp.disabled",
      actor,
      target: { type: "user", id: user.id },
      request: req,
    });
  }
}
