import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // Versions are numbered 1..n and never change. The document is JSON kept as text (not jsonb) so its
  // key order, and so its YAML export, stays the way its author wrote it.
  await db.schema
    .createTable("plan_versions")
    .addColumn("version", "integer", (c) => c.primaryKey())
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("author_user_id", "text")
    .addColumn("author_label", "text")
    .addColumn("comment", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("plan_versions").execute();
}
