import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { ApiTokenTable, DB, OrganizationTable, SessionTable, UserTable } from "../../platform/db/schema.js";

export type UserRow = Selectable<UserTable>;
export type OrganizationRow = Selectable<OrganizationTable>;
export type SessionRow = Selectable<SessionTable>;
export type TokenRow = Selectable<ApiTokenTable>;

export interface Page {
  limit: number;
  /** Id after which the page starts (keyset on the time-ordered uuidv7 id). */
  after?: string;
}

/** The only SQL over organizations, users, sessions, tokens, password resets and settings. */
export class IdentityRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  // organizations -----------------------------------------------------------------------------
  async insertOrganization(row: OrganizationRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.insertInto("organizations").values(row).execute();
  }

  async updateOrganization(id: string, patch: Partial<OrganizationRow>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("organizations").set(patch).where("id", "=", id).execute();
  }

  /** `tenant` limits the lookup to one organization: another tenant's id is simply not found. */
  async findOrganization(id: string, tenant?: string): Promise<OrganizationRow | undefined> {
    let q = this.db.selectFrom("organizations").selectAll().where("id", "=", id);
    if (tenant) q = q.where("id", "=", tenant);
    return q.executeTakeFirst();
  }

  async findOrganizationBySlug(slug: string): Promise<OrganizationRow | undefined> {
    return this.db.selectFrom("organizations").selectAll().where("slug", "=", slug).executeTakeFirst();
  }

  async providerOrganization(): Promise<OrganizationRow | undefined> {
    return this.db.selectFrom("organizations").selectAll().where("kind", "=", "provider").executeTakeFirst();
  }

  async listOrganizations(page: Page, filter: { tenant?: string; q?: string }): Promise<OrganizationRow[]> {
    let q = this.db.selectFrom("organizations").selectAll();
    if (filter.tenant) q = q.where("id", "=", filter.tenant);
    if (filter.q)
      q = q.where((eb) => eb.or([eb("name", "like", `%${filter.q}%`), eb("slug", "like", `%${filter.q}%`)]));
    if (page.after) q = q.where("id", ">", page.after);
    return q.orderBy("id").limit(page.limit).execute();
  }

  // users ------------------------------------------------------------------------------------------
  async insertUser(row: UserRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.insertInto("users").values(row).execute();
  }

  async updateUser(id: string, patch: Partial<UserRow>, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.updateTable("users").set(patch).where("id", "=", id).execute();
  }

  async findUser(id: string, tenant?: string): Promise<UserRow | undefined> {
    let q = this.db.selectFrom("users").selectAll().where("id", "=", id);
    if (tenant) q = q.where("organization_id", "=", tenant);
    return q.executeTakeFirst();
  }

  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("email", "=", email.toLowerCase()).executeTakeFirst();
  }

  async countUsers(): Promise<number> {
    const r = await this.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async listUsers(page: Page, filter: { tenant?: string; organizationId?: string; role?: string; q?: string }) {
    let q = this.db.selectFrom("users").selectAll();
    if (filter.tenant) q = q.where("organization_id", "=", filter.tenant);
    if (filter.organizationId) q = q.where("organization_id", "=", filter.organizationId);
    if (filter.role) q = q.where("role", "=", filter.role);
    if (filter.q)
      q = q.where((eb) => eb.or([eb("email", "like", `%${filter.q}%`), eb("name", "like", `%${filter.q}%`)]));
    if (page.after) q = q.where("id", ">", page.after);
    return q.orderBy("id").limit(page.limit).execute();
  }

  async allUsers(): Promise<UserRow[]> {
    return this.db.selectFrom("users").selectAll().orderBy("email").execute();
  }

  /** Atomic increment, so concurrent failed logins on several nodes all count. */
  async recordFailedLogin(id: string, lockAt: number, lockUntil: string, now: string): Promise<UserRow | undefined> {
    await this.db
      .updateTable("users")
      .set((eb) => ({ failed_logins: eb("failed_logins", "+", 1), updated_at: now }))
      .where("id", "=", id)
      .execute();
    await this.db
      .updateTable("users")
      .set({ locked_until: lockUntil, failed_logins: 0 })
      .where("id", "=", id)
      .where("failed_logins", ">=", lockAt)
      .execute();
    return this.findUser(id);
  }

  // sessions -----------------------------------------------------------------------------------------
  async insertSession(row: SessionRow): Promise<void> {
    await this.db.insertInto("sessions").values(row).execute();
  }

  async findSession(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async touchSession(id: string, at: string): Promise<void> {
    await this.db.updateTable("sessions").set({ last_seen_at: at }).where("id", "=", id).execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", id).execute();
  }

  async deleteSessionsOf(userId: string, executor: Kysely<DB> = this.db): Promise<number> {
    const r = await executor.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // tokens -------------------------------------------------------------------------------------------
  async insertToken(row: TokenRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.insertInto("api_tokens").values(row).execute();
  }

  async findTokenByHash(hash: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom("api_tokens").selectAll().where("token_hash", "=", hash).executeTakeFirst();
  }

  async findToken(id: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom("api_tokens").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async listTokens(filter: { userId?: string }, page: Page): Promise<TokenRow[]> {
    let q = this.db.selectFrom("api_tokens").selectAll();
    if (filter.userId) q = q.where("user_id", "=", filter.userId);
    if (page.after) q = q.where("id", ">", page.after);
    return q.orderBy("id").limit(page.limit).execute();
  }

  /** Every user's tokens with their owner, searched by token name or prefix or owner name or email. */
  async listTokensWithOwners(
    filter: { q?: string; active?: { at: string } },
    page: Page,
  ): Promise<(TokenRow & { owner_name: string; owner_email: string })[]> {
    let q = this.db
      .selectFrom("api_tokens")
      .innerJoin("users", "users.id", "api_tokens.user_id")
      .selectAll("api_tokens")
      .select(["users.name as owner_name", "users.email as owner_email"]);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase()}%`;
      q = q.where((eb) =>
        eb.or([
          eb(eb.fn("lower", ["api_tokens.name"]), "like", like),
          eb(eb.fn("lower", ["api_tokens.prefix"]), "like", like),
          eb(eb.fn("lower", ["users.name"]), "like", like),
          eb(eb.fn("lower", ["users.email"]), "like", like),
        ]),
      );
    }
    if (filter.active) {
      const at = filter.active.at;
      q = q
        .where("api_tokens.revoked_at", "is", null)
        .where((eb) => eb.or([eb("api_tokens.expires_at", "is", null), eb("api_tokens.expires_at", ">", at)]));
    }
    if (page.after) q = q.where("api_tokens.id", ">", page.after);
    return q.orderBy("api_tokens.id").limit(page.limit).execute();
  }

  /** The team list of each active staff user who has one (a team is a label its members carry). */
  async staffTeamLists(staff: readonly string[]): Promise<string[]> {
    const rows = await this.db
      .selectFrom("users")
      .select("teams")
      .where("role", "in", [...staff])
      .where("disabled", "=", false)
      .where("teams", "!=", "[]")
      .execute();
    return rows.map((r) => r.teams);
  }

  async allTokens(): Promise<TokenRow[]> {
    return this.db.selectFrom("api_tokens").selectAll().orderBy("id").execute();
  }

  async revokeToken(id: string, at: string, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.updateTable("api_tokens").set({ revoked_at: at }).where("id", "=", id).execute();
  }

  async markTokenUsed(id: string, at: string): Promise<void> {
    await this.db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
  }

  // password resets --------------------------------------------------------------------------------------
  async insertReset(row: { token_hash: string; user_id: string; expires_at: string; created_at: string }) {
    await this.db
      .insertInto("password_resets")
      .values({ ...row, used_at: null })
      .execute();
  }

  /** Marks the reset used and returns it, only if it was unused and unexpired: a link works once. */
  async consumeReset(hash: string, now: string, executor: Kysely<DB>) {
    const row = await executor
      .selectFrom("password_resets")
      .selectAll()
      .where("token_hash", "=", hash)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    if (!row) return undefined;
    await executor.updateTable("password_resets").set({ used_at: now }).where("token_hash", "=", hash).execute();
    return row;
  }

  // settings ---------------------------------------------------------------------------------------------
  async getSetting(key: string): Promise<string | undefined> {
    const r = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return r?.value;
  }

  async putSetting(key: string, value: string, at: string, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .insertInto("settings")
      .values({ key, value, updated_at: at })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: at }))
      .execute();
  }

  async deleteSetting(key: string, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.deleteFrom("settings").where("key", "=", key).execute();
  }

  json(value: unknown) {
    return this.dialect.json(value);
  }
}
