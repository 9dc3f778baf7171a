import type { Kysely } from "kysely";

/**
 * A monitor's severity: what its default DOWN alert fires with (and what incidents opened from it take).
 * The plan's "Crítico" is "system unavailable", which is what a monitor DOWN past its retries says.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("monitors")
    .addColumn("severity", "text", (c) => c.notNull().defaultTo("critical"))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("monitors").dropColumn("severity").execute();
}
