import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("organizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("service_tier", "text")
    .addColumn("calendar", "text")
    .addColumn("contacts", types.json, (c) => c.notNull())
    .addColumn("phone_numbers", types.json, (c) => c.notNull())
    .addColumn("sip_identities", types.json, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("tier", "text")
    .addColumn("teams", types.json, (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addColumn("totp_secret", "text")
    .addColumn("totp_enabled", types.boolean, (c) => c.notNull())
    .addColumn("disabled", types.boolean, (c) => c.notNull())
    .addColumn("failed_logins", "integer", (c) => c.notNull())
    .addColumn("locked_until", types.timestamp)
    .addColumn("last_login_at", types.timestamp)
    .addColumn("role_changed_at", types.timestamp, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_organization").on("users").columns(["organization_id", "id"]).execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("csrf_token", "text", (c) => c.notNull())
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("last_seen_at", types.timestamp, (c) => c.notNull())
    .addColumn("expires_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("scopes", types.json, (c) => c.notNull())
    .addColumn("expires_at", types.timestamp)
    .addColumn("last_used_at", types.timestamp)
    .addColumn("revoked_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("api_tokens_user").on("api_tokens").column("user_id").execute();

  await db.schema
    .createTable("password_resets")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("expires_at", types.timestamp, (c) => c.notNull())
    .addColumn("used_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();

  // Append-only and hash-chained: `seq` is assigned under a lock so the chain has no forks or gaps.
  await db.schema
    .createTable("audit_log")
    .addColumn("seq", "bigint", (c) => c.primaryKey())
    .addColumn("at", types.timestamp, (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("actor_user_id", "text")
    .addColumn("actor_token_id", "text")
    .addColumn("actor_label", "text")
    .addColumn("organization_id", "text")
    .addColumn("target_type", "text")
    .addColumn("target_id", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("details", "text")
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
  await db.schema.createIndex("audit_log_action_at").on("audit_log").columns(["action", "at"]).execute();
  await db.schema.createIndex("audit_log_ip_at").on("audit_log").columns(["ip", "at"]).execute();
  await db.schema.createIndex("audit_log_actor").on("audit_log").columns(["actor_user_id", "seq"]).execute();

  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["settings", "audit_log", "password_resets", "api_tokens", "sessions", "users", "organizations"]) {
    await db.schema.dropTable(t).execute();
  }
}
