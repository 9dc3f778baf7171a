import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("incidents")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("stage", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("source_ref", "text")
    .addColumn("alert_group_key", "text")
    // Set while the incident is unresolved: one open incident per alert group, whichever node creates it.
    .addColumn("open_alert_group", "text", (c) => c.unique())
    .addColumn("details", types.json, (c) => c.notNull())
    .addColumn("acknowledged_at", types.timestamp)
    .addColumn("acknowledged_by", "text")
    .addColumn("resolved_at", types.timestamp)
    .addColumn("closed_at", types.timestamp)
    .addColumn("response_due_at", types.timestamp)
    .addColumn("resolution_due_at", types.timestamp)
    .addColumn("response_breached_at", types.timestamp)
    .addColumn("resolution_breached_at", types.timestamp)
    .addColumn("created_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("incidents_kind_created").on("incidents").columns(["kind", "created_at"]).execute();
  await db.schema.createIndex("incidents_kind_id").on("incidents").columns(["kind", "id"]).execute();

  await db.schema
    .createTable("incident_stages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("stage", "text", (c) => c.notNull())
    .addColumn("entered_at", types.timestamp, (c) => c.notNull())
    .addColumn("by_user_id", "text")
    .addColumn("fields", types.json, (c) => c.notNull())
    .addColumn("reason", "text")
    .execute();
  await db.schema
    .createIndex("incident_stages_incident")
    .on("incident_stages")
    .columns(["incident_id", "id"])
    .execute();

  await db.schema
    .createTable("incident_components")
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("component_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("incident_components_pk", ["incident_id", "component_id"])
    .execute();
  await db.schema
    .createIndex("incident_components_component")
    .on("incident_components")
    .column("component_id")
    .execute();

  await db.schema
    .createTable("incident_organizations")
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("organization_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("incident_organizations_pk", ["incident_id", "organization_id"])
    .execute();

  await db.schema
    .createTable("incident_tickets")
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("ticket_id", "text", (c) => c.notNull())
    .addColumn("linked_by", "text")
    .addColumn("linked_at", types.timestamp, (c) => c.notNull())
    .addColumn("resolved_at", types.timestamp)
    .addPrimaryKeyConstraint("incident_tickets_pk", ["incident_id", "ticket_id"])
    .execute();
  await db.schema.createIndex("incident_tickets_ticket").on("incident_tickets").column("ticket_id").execute();

  await db.schema
    .createTable("incident_updates")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("visibility", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("author_user_id", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("incident_updates_incident")
    .on("incident_updates")
    .columns(["incident_id", "id"])
    .execute();

  await db.schema
    .createTable("incident_alerts")
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("alert_id", "text", (c) => c.notNull())
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("rule_name", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("starts_at", types.timestamp, (c) => c.notNull())
    .addColumn("ends_at", types.timestamp)
    .addPrimaryKeyConstraint("incident_alerts_pk", ["incident_id", "alert_id"])
    .execute();

  await db.schema
    .createTable("incident_postmortems")
    .addColumn("incident_id", "text", (c) => c.primaryKey().references("incidents.id").onDelete("cascade"))
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("impact", "text", (c) => c.notNull())
    .addColumn("timeline", "text", (c) => c.notNull())
    .addColumn("root_cause", "text", (c) => c.notNull())
    .addColumn("went_well", "text", (c) => c.notNull())
    .addColumn("went_badly", "text", (c) => c.notNull())
    .addColumn("updated_by", "text")
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("incident_action_items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("owner_user_id", "text")
    .addColumn("due_at", types.timestamp)
    .addColumn("done_at", types.timestamp)
    .addColumn("ticket_id", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("incident_action_items_incident")
    .on("incident_action_items")
    .columns(["incident_id", "id"])
    .execute();

  await db.schema
    .createTable("incident_evidence")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("uploaded_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("incident_evidence_incident")
    .on("incident_evidence")
    .columns(["incident_id", "id"])
    .execute();

  await db.schema
    .createTable("incident_accounts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("ref_id", "text", (c) => c.notNull())
    .addColumn("note", "text", (c) => c.notNull())
    .addColumn("action", "text")
    .addColumn("action_at", types.timestamp)
    .addColumn("action_by", "text")
    .addColumn("linked_at", types.timestamp, (c) => c.notNull())
    .addUniqueConstraint("incident_accounts_ref", ["incident_id", "kind", "ref_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "incident_accounts",
    "incident_evidence",
    "incident_action_items",
    "incident_postmortems",
    "incident_alerts",
    "incident_updates",
    "incident_tickets",
    "incident_organizations",
    "incident_components",
    "incident_stages",
    "incidents",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
