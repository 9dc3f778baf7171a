import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, actorOfUser, forbidden } from "./actor.js";
import { hashPassword, newSecret, safeEqual, sha256 } from "./credentials.js";
import { canManageUser } from "./policy.js";
import { presentOrganization, presentToken, presentUser } from "./presenters.js";
import type { IdentityRepository, OrganizationRow, Page, UserRow } from "./repository.js";
import { isStaff, type Role, staffRoles, type Tier } from "./roles.js";
import type { AuthenticationService } from "./service.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

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

export interface DirectoryDeps {
  repo: IdentityRepository;
  audit: AuditService;
  clock: Clock;
  /** Mails a password link to users created without a password, and forgets tokens when a user changes. */
  authentication: AuthenticationService;
  /** Base URL of the first administrator's setup link. */
  publicUrl?: string;
}

/** The directory: the provider and customer organizations and their users, with the rules of who manages whom. */
export class DirectoryService {
  private readonly repo: IdentityRepository;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly authentication: AuthenticationService;
  private readonly publicUrl: string;

  constructor(deps: DirectoryDeps) {
    this.repo = deps.repo;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.authentication = deps.authentication;
    this.publicUrl = deps.publicUrl ?? "http://localhost:8080";
  }

  private nowIso() {
    return this.clock.now().toISOString();
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
      throw new Problem(
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
    if (!input.password) await this.authentication.requestPasswordReset(row.email, req ?? { ip: "", headers: {} });
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
    this.authentication.forgetTokens();
    return presentUser(after);
  }

  /**
   * Containment of a security incident: the security role (or an admin) disables an account, never an admin's
   * unless an admin does it, never their own. Sessions end at once; audited with the incident.
   */
  async disableForIncident(actor: Actor, id: string, incidentId: string, req: RequestInfo) {
    if (actor.role !== "admin" && actor.role !== "security")
      throw forbidden("Only security and admins contain accounts");
    const before = await this.repo.findUser(id);
    if (!before) throw Problem.notFound("User");
    if (actor.userId === id) throw forbidden("You cannot disable yourself");
    if (before.role === "admin" && actor.role !== "admin") throw forbidden("Only an admin disables an admin");
    if (before.disabled) return presentUser(before);
    const after: UserRow = { ...before, disabled: true, updated_at: this.nowIso() };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.updateUser(id, after, trx);
      await this.repo.deleteSessionsOf(id, trx);
      await this.audit.record(
        {
          action: "user.disabled-by-incident",
          actor,
          organizationId: before.organization_id,
          target: { type: "user", id },
          request: req,
          details: { incidentId },
          change: { before: presentUser(before), after: presentUser(after) },
        },
        trx,
      );
    });
    this.authentication.forgetTokens();
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

  /**
   * The teams that exist: those active staff users belong to, sorted by name with each one's member count.
   * Staff only: team names are the provider's internal organization.
   */
  async listTeams(actor: Actor): Promise<{ name: string; members: number }[]> {
    if (!isStaff(actor.role)) throw forbidden("Only staff see the teams");
    const members = new Map<string, number>();
    for (const list of await this.repo.staffTeamLists(staffRoles))
      for (const team of JSON.parse(list) as string[]) members.set(team, (members.get(team) ?? 0) + 1);
    return [...members]
      .map(([name, count]) => ({ name, members: count }))
      .sort((a, b) => a.name.localeCompare(b.name, "pt-BR"));
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
        for await (const u of this.usersWithRole("agent")) if (u.tier === kind) add(u);
      } else if (kind === "emergencyContacts") {
        const provider = await this.repo.providerOrganization();
        const contacts = JSON.parse(provider?.contacts ?? "[]") as { name: string; email?: string }[];
        for (const c of contacts) if (c.email) add({ email: c.email, name: c.name, locale: "pt-BR" });
      } else {
        for await (const u of this.usersWithRole(kind)) add(u);
      }
    }
    return [...out.values()];
  }
  /** Every user with `role`, a page at a time: a recipient list is never cut short. */
  private async *usersWithRole(role: string) {
    const limit = 500;
    let after: string | undefined;
    for (;;) {
      const page = await this.repo.listUsers({ limit, after }, { role });
      yield* page;
      if (page.length < limit) return;
      after = page.at(-1)!.id;
    }
  }

  async findUserByEmail(email: string) {
    const u = await this.repo.findUserByEmail(email);
    return u ? actorOfUser(u, {}) : undefined;
  }

  async findOrganizationBySlugOrId(ref: string) {
    return (await this.repo.findOrganizationBySlug(ref)) ?? (await this.repo.findOrganization(ref));
  }
}
