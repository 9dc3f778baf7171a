import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * An incident's service, and a component's last published status: the node that first sees a component's derived status change moves it
 * here (compare-and-set) and publishes `status.component_changed` in the same transaction, so several nodes
 * building the page publish each change once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // The service an incident is about (the `service` label of the alert that opened it): figures group by it.
  await db.schema.alterTable("incidents").addColumn("service", "text").execute();
  await db.schema.alterTable("status_components").addColumn("status", "text").execute();
  await db.schema.alterTable("status_components").addColumn("status_changed_at", types.timestamp).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("status_components").dropColumn("status_changed_at").execute();
  await db.schema.alterTable("status_components").dropColumn("status").execute();
  await db.schema.alterTable("incidents").dropColumn("service").execute();
}
