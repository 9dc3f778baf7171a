import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // An L2/L3 engineer's booking settings: which plan calendar gives their working hours, and the slot length.
  await db.schema
    .createTable("call_hosts")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id"))
    .addColumn("calendar_id", "text", (c) => c.notNull())
    .addColumn("slot_minutes", "integer", (c) => c.notNull())
    .addColumn("active", types.boolean, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("scheduled_calls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("ticket_number", "bigint", (c) => c.notNull())
    .addColumn("engineer_user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("booked_by_user_id", "text", (c) => c.notNull())
    .addColumn("attendee_user_id", "text")
    .addColumn("attendee_email", "text", (c) => c.notNull())
    .addColumn("attendee_name", "text", (c) => c.notNull())
    .addColumn("time_zone", "text", (c) => c.notNull())
    .addColumn("topic", "text", (c) => c.notNull())
    .addColumn("starts_at", types.timestamp, (c) => c.notNull())
    .addColumn("ends_at", types.timestamp, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("sequence", "integer", (c) => c.notNull())
    .addColumn("reminder_minutes", types.json, (c) => c.notNull())
    .addColumn("outcome_note", "text")
    .addColumn("outcome_at", types.timestamp)
    .addColumn("outcome_by_user_id", "text")
    .addColumn("cancelled_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  // One booked call per engineer and start, whatever races past the service's own check.
  await db.schema
    .createIndex("scheduled_calls_engineer_booked")
    .unique()
    .on("scheduled_calls")
    .columns(["engineer_user_id", "starts_at"])
    .where(sql.ref("status"), "=", sql.lit("booked"))
    .execute();
  await db.schema
    .createIndex("scheduled_calls_engineer_start")
    .on("scheduled_calls")
    .columns(["engineer_user_id", "starts_at"])
    .execute();
  await db.schema
    .createIndex("scheduled_calls_organization_start")
    .on("scheduled_calls")
    .columns(["organization_id", "starts_at"])
    .execute();
  await db.schema.createIndex("scheduled_calls_ticket").on("scheduled_calls").columns(["ticket_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("scheduled_calls").execute();
  await db.schema.dropTable("call_hosts").execute();
}
