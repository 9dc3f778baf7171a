import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import type { Notifier } from "../notifications/service.js";
import { type Actor, forbidden } from "./actor.js";
import {
  hashPassword,
  newSecret,
  newTotpSecret,
  safeEqual,
  sha256,
  verifyPassword,
  verifyTotp,
} from "./credentials.js";
import { canManageToken, canManageUser } from "./policy.js";
import { presentOrganization, presentToken, presentUser } from "./presenters.js";
import type { IdentityRepository, OrganizationRow, Page, UserRow } from "./repository.js";
import { type Area, isStaff, type Role, roleAllows, type Tier } from "./roles.js";

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

const problem = (status: number, type: string, title: string, detail: string) =>
  new Problem(status, type, title, detail);

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  organizationId?: string;
  tier?: Tier;
  teams?: string[];
  password?: string;
  locale?: string;
  timezone?: string;
}

export interface NewOrganization {
  name: string;
  slug?: string;
  serviceTier?: string | null;
  calendar?: string | null;
  contacts?: { name: string; email?: string; phone?: string; role?: string }[];
  phoneNumbers?: string[];
  sipIdentities?: string[];
}

function slugify(name: string): string {
  const s = name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return s || "org";
}

/** Sessions, tokens, logins and the directory of organizations and users, with their rules. */
export class IdentityService {
  /** Token lookups are cached briefly so an API token costs no query per request; revocation clears it. */
  readonly #tokenCache = new Map<string, { actor: Actor | null; until: number }>();
  readonly #tokenUseMarked = new Map<string, number>();

  constructor(
    private readonly repo: IdentityRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    private readonly notifier: Notifier,
    private readonly log: Logger,
    private readonly policy: LoginPolicy = defaultLoginPolicy,
    private readonly publicUrl = "http://localhost:8080",
  ) {}

  private nowIso() {
    return this.clock.now().toISOString();
  }

  private actorOf(u: UserRow, extra: Partial<Actor>): Actor {
    return {
      userId: u.id,
      email: u.email,
      name: u.name,
      role: u.role as Role,
      organizationId: u.organization_id,
      tier: (u.tier as Tier | null) ?? null,
      teams: JSON.parse(u.teams),
      via: "session",
      ...extra,
    };
  }

  // bootstrap -------------------------------------------------------------------------------------------

  /**
   * First start: creates the provider organization; with no users, creates the admin from the
   * environment or returns a one-time setup URL for the log.
   */
  async bootstrap(env: { adminEmail?: string; adminPassword?: string; providerName?: string }): Promise<string | null> {
    let provider = await this.repo.providerOrganization();
    if (!provider) {
      const now = this.nowIso();
      provider = {
        id: uuidv7(),
        name: env.providerName || "Provedor",
        slug: "provedor",
        kind: "provider",
        service_tier: null,
        calendar: null,
        contacts: "[]",
        phone_numbers: "[]",
        sip_identities: "[]",
        created_at: now,
        updated_at: now,
      };
      await this.repo.insertOrganization(provider);
    }
    if ((await this.repo.countUsers()) > 0) return null;
    if (env.adminEmail && env.adminPassword) {
      await this.createUserUnchecked(
        { email: env.adminEmail, name: "Admin", role: "admin", password: env.adminPassword },
        { label: "bootstrap" },
      );
      return null;
    }
    const token = newSecret();
    await this.repo.putSetting("setup_token", sha256(token), this.nowIso());
    return `${this.publicUrl}/setup?token=${token}`;
  }

  /** Creates the first admin with the one-time setup token; refused once any user exists. */
  async completeSetup(token: string, input: { email: string; name: string; password: string }, req: RequestInfo) {
    const stored = await this.repo.getSetting("setup_token");
    if (!stored || (await this.repo.countUsers()) > 0 || !safeEqual(stored, sha256(token))) {
      throw problem(
        403,
        ProblemType.forbidden,
        "Setup is closed",
        "The setup token is wrong or setup was already done",
      );
    }
    const user = await this.createUserUnchecked({ ...input, role: "admin" }, { label: "setup", request: req });
    await this.repo.deleteSetting("setup_token");
    return user;
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
    const actor = this.actorOf(user, {});
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
    return { actor: this.actorOf(user, { via: "session", sessionId: id }), csrfToken: s.csrf_token };
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
          actor = this.actorOf(user, { via: "token", tokenId: t.id, scopes: JSON.parse(t.scopes) });
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

  // organizations -----------------------------------------------------------------------------------------

  async createOrganization(actor: Actor, input: NewOrganization, req: RequestInfo) {
    const now = this.nowIso();
    const slug = input.slug ?? slugify(input.name);
    if (await this.repo.findOrganizationBySlug(slug))
      throw Problem.invalid({ in: "body", pointer: "/slug", message: `slug "${slug}" is taken` });
    const row: OrganizationRow = {
      id: uuidv7(),
      name: input.name,
      slug,
      kind: "customer",
      service_tier: input.serviceTier ?? null,
      calendar: input.calendar ?? null,
      contacts: JSON.stringify(input.contacts ?? []),
      phone_numbers: JSON.stringify(input.phoneNumbers ?? []),
      sip_identities: JSON.stringify(input.sipIdentities ?? []),
      created_at: now,
      updated_at: now,
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.insertOrganization(row, trx);
      await this.audit.record(
        {
          action: "organization.created",
          actor,
          organizationId: row.id,
          target: { type: "organization", id: row.id },
          request: req,
          change: { before: null, after: presentOrganization(row) },
        },
        trx,
      );
    });
    return presentOrganization(row);
  }

  async updateOrganization(
    actor: Actor,
    id: string,
    patch: Partial<NewOrganization>,
    req: RequestInfo,
    tenant?: string,
  ) {
    const before = await this.repo.findOrganization(id, tenant);
    if (!before) throw Problem.notFound("Organization");
    if (patch.slug && patch.slug !== before.slug && (await this.repo.findOrganizationBySlug(patch.slug))) {
      throw Problem.invalid({ in: "body", pointer: "/slug", message: `slug "${patch.slug}" is taken` });
    }
    const after: OrganizationRow = {
      ...before,
      name: patch.name ?? before.name,
      slug: patch.slug ?? before.slug,
      service_tier: patch.serviceTier !== undefined ? patch.serviceTier : before.service_tier,
      calendar: patch.calendar !== undefined ? patch.calendar : before.calendar,
      contacts: patch.contacts ? JSON.stringify(patch.contacts) : before.contacts,
      phone_numbers: patch.phoneNumbers ? JSON.stringify(patch.phoneNumbers) : before.phone_numbers,
      sip_identities: patch.sipIdentities ? JSON.stringify(patch.sipIdentities) : before.sip_identities,
      updated_at: this.nowIso(),
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.updateOrganization(id, after, trx);
      await this.audit.record(
        {
          action: "organization.updated",
          actor,
          organizationId: id,
          target: { type: "organization", id },
          request: req,
          change: { before: presentOrganization(before), after: presentOrganization(after) },
        },
        trx,
      );
    });
    // After the commit, so a read during the transaction cannot leave the old row cached.
    this.#organizations.delete(id);
    return presentOrganization(after);
  }

  /**
   * Organizations are read on most requests (the organization page, every ticket created) and change
   * rarely, so they are kept for 5 s like tokens: a change shows at once on the node that made it and
   * within 5 s on the others.
   */
  readonly #organizations = new Map<string, { row: OrganizationRow; until: number }>();

  async getOrganization(id: string, tenant?: string) {
    if (tenant && tenant !== id) throw Problem.notFound("Organization");
    const nowMs = this.clock.now().getTime();
    const cached = this.#organizations.get(id);
    let row = cached && cached.until > nowMs ? cached.row : undefined;
    if (!row) {
      row = await this.repo.findOrganization(id);
      if (!row) throw Problem.notFound("Organization");
      if (this.#organizations.size > 10_000) this.#organizations.clear();
      this.#organizations.set(id, { row, until: nowMs + 5_000 });
    }
    return presentOrganization(row);
  }

  async listOrganizations(page: Page, filter: { tenant?: string; q?: string }) {
    return (await this.repo.listOrganizations(page, filter)).map(presentOrganization);
  }

  // users --------------------------------------------------------------------------------------------------

  /** Resolves the organization and checks the role fits it: staff belong to the provider, customers to a customer. */
  private async placeUser(
    role: Role,
    organizationId: string | undefined,
    tenant: string | undefined,
    pointer = "/organizationId",
  ) {
    const org = organizationId
      ? await this.repo.findOrganization(organizationId, tenant)
      : isStaff(role)
        ? await this.repo.providerOrganization()
        : undefined;
    if (!org) {
      if (organizationId) throw Problem.notFound("Organization");
      throw invalid(pointer, "a customer user needs organizationId");
    }
    if (isStaff(role) !== (org.kind === "provider")) {
      throw invalid(
        pointer,
        isStaff(role)
          ? `${role} users belong to the provider organization`
          : `${role} users belong to a customer organization`,
      );
    }
    return org;
  }

  private async createUserUnchecked(
    input: NewUser,
    by: { actor?: Actor; label?: string; request?: RequestInfo },
    tenant?: string,
  ) {
    const email = input.email.trim().toLowerCase();
    if (await this.repo.findUserByEmail(email)) throw invalid("/email", "a user with this email exists");
    const org = await this.placeUser(input.role, input.organizationId, tenant);
    if (input.tier && input.role !== "agent") throw invalid("/tier", "only agents have a tier");
    const now = this.nowIso();
    const row: UserRow = {
      id: uuidv7(),
      email,
      name: input.name,
      role: input.role,
      organization_id: org.id,
      tier: input.role === "agent" ? (input.tier ?? "L1") : null,
      teams: JSON.stringify(input.teams ?? []),
      locale: input.locale ?? "pt-BR",
      timezone: input.timezone ?? "America/Sao_Paulo",
      password_hash: input.password ? await hashPassword(input.password) : null,
      totp_secret: null,
      totp_enabled: false,
      disabled: false,
      failed_logins: 0,
      locked_until: null,
      last_login_at: null,
      role_changed_at: now,
      created_at: now,
      updated_at: now,
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.insertUser(row, trx);
      await this.audit.record(
        {
          action: "user.created",
          actor: by.actor,
          actorLabel: by.label,
          organizationId: org.id,
          target: { type: "user", id: row.id },
          request: by.request,
          change: { before: null, after: presentUser(row) },
        },
        trx,
      );
    });
    return row;
  }

  async createUser(actor: Actor | null, input: NewUser, req?: RequestInfo, tenant?: string) {
    const organizationId =
      actor?.role === "customer-admin" ? (input.organizationId ?? actor.organizationId) : input.organizationId;
    if (actor && !canManageUser(actor, { role: input.role, organizationId: organizationId ?? "" })) {
      if (actor.role === "customer-admin" && organizationId !== actor.organizationId)
        throw Problem.notFound("Organization");
      throw forbidden(`Your role cannot create ${input.role} users`);
    }
    const row = await this.createUserUnchecked(
      { ...input, organizationId },
      { actor: actor ?? undefined, label: actor ? undefined : "cli", request: req },
      tenant,
    );
    if (!input.password) await this.requestPasswordReset(row.email, req ?? { ip: "", headers: {} });
    return presentUser(row);
  }

  async updateUser(
    actor: Actor,
    id: string,
    patch: {
      name?: string;
      role?: Role;
      tier?: Tier | null;
      teams?: string[];
      disabled?: boolean;
      organizationId?: string;
      locale?: string;
      timezone?: string;
    },
    req: RequestInfo,
    tenant?: string,
  ) {
    const before = await this.repo.findUser(id, tenant);
    if (!before) throw Problem.notFound("User");
    const role = patch.role ?? (before.role as Role);
    const organizationId = patch.organizationId ?? before.organization_id;
    const self = actor.userId === id;
    const adminish =
      canManageUser(actor, { role: before.role as Role, organizationId: before.organization_id }) &&
      canManageUser(actor, { role, organizationId });
    const onlyOwnProfile =
      self &&
      patch.role === undefined &&
      patch.tier === undefined &&
      patch.teams === undefined &&
      patch.disabled === undefined &&
      patch.organizationId === undefined;
    if (!adminish && !onlyOwnProfile) throw forbidden("Your role cannot change this user that way");
    if (self && (patch.disabled || (patch.role && patch.role !== before.role)))
      throw forbidden("You cannot disable yourself or change your own role");
    const org = await this.placeUser(role, organizationId, tenant);
    if (patch.tier && role !== "agent") throw invalid("/tier", "only agents have a tier");
    const now = this.nowIso();
    const after: UserRow = {
      ...before,
      name: patch.name ?? before.name,
      role,
      organization_id: org.id,
      tier: role === "agent" ? (patch.tier ?? before.tier ?? "L1") : null,
      teams: patch.teams ? JSON.stringify(patch.teams) : before.teams,
      disabled: patch.disabled ?? Boolean(before.disabled),
      locale: patch.locale ?? before.locale,
      timezone: patch.timezone ?? before.timezone,
      role_changed_at: role !== before.role ? now : before.role_changed_at,
      updated_at: now,
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.updateUser(id, after, trx);
      if (after.disabled && !before.disabled) await this.repo.deleteSessionsOf(id, trx);
      await this.audit.record(
        {
          action: role !== before.role ? "user.role-changed" : "user.updated",
          actor,
          organizationId: org.id,
          target: { type: "user", id },
          request: req,
          change: { before: presentUser(before), after: presentUser(after) },
        },
        trx,
      );
    });
    this.#tokenCache.clear();
    return presentUser(after);
  }

  async getUser(id: string, tenant?: string) {
    const u = await this.repo.findUser(id, tenant);
    if (!u) throw Problem.notFound("User");
    return presentUser(u);
  }

  async listUsers(page: Page, filter: { tenant?: string; organizationId?: string; role?: string; q?: string }) {
    return (await this.repo.listUsers(page, filter)).map(presentUser);
  }

  /** Everything the weekly access review reads from the directory. */
  async directorySnapshot() {
    const [users, tokens] = await Promise.all([this.repo.allUsers(), this.repo.allTokens()]);
    return { users: users.map(presentUser), tokens: tokens.map(presentToken) };
  }

  /**
   * Who an escalation step reaches: the assignee, agents of a tier, every active user of a role, and the
   * provider organization's contacts with an email ("emergencyContacts"). Deduplicated by address.
   */
  async escalationRecipients(kinds: readonly string[], assigneeId: string | null) {
    const out = new Map<string, { email: string; name: string; locale: string }>();
    const add = (u: { email: string; name: string; locale: string; disabled?: boolean | number }) => {
      if (!u.disabled) out.set(u.email, { email: u.email, name: u.name, locale: u.locale });
    };
    for (const kind of kinds) {
      if (kind === "assignee") {
        const u = assigneeId ? await this.repo.findUser(assigneeId) : undefined;
        if (u) add(u);
      } else if (kind === "L1" || kind === "L2" || kind === "L3") {
        for (const u of await this.repo.listUsers({ limit: 500 }, { role: "agent" })) if (u.tier === kind) add(u);
      } else if (kind === "emergencyContacts") {
        const provider = await this.repo.providerOrganization();
        const contacts = JSON.parse(provider?.contacts ?? "[]") as { name: string; email?: string }[];
        for (const c of contacts) if (c.email) add({ email: c.email, name: c.name, locale: "pt-BR" });
      } else {
        for (const u of await this.repo.listUsers({ limit: 500 }, { role: kind })) add(u);
      }
    }
    return [...out.values()];
  }

  async findUserByEmail(email: string) {
    const u = await this.repo.findUserByEmail(email);
    return u ? this.actorOf(u, {}) : undefined;
  }

  async findOrganizationBySlugOrId(ref: string) {
    return (await this.repo.findOrganizationBySlug(ref)) ?? (await this.repo.findOrganization(ref));
  }
}
