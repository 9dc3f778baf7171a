import { type Kysely, sql } from "kysely";
import { dialectOf, type FullTextIndex } from "../dialect.js";

/** Keyword search over a ticket's public messages, keyed by the ticket number (customers search these). */
export const ticketPublicTextSearch: FullTextIndex = {
  name: "ticket_texts_public",
  table: "ticket_texts",
  key: "ticket_number",
  columns: ["public_text"],
};

/** Keyword search over a ticket's internal notes (staff only). */
export const ticketInternalTextSearch: FullTextIndex = {
  name: "ticket_texts_internal",
  table: "ticket_texts",
  key: "ticket_number",
  columns: ["internal_text"],
};

/** The open statuses of `openStatuses` (tickets/model.ts), spelled out: a migration never changes with the code. */
const OPEN = ["new", "open", "pending_customer", "pending_vendor", "on_hold"];

/** The plan's tier examples as routing rules (its defaults); critical and high run their tier clocks 24x7. */
const DEFAULT_RULES = [
  {
    name: "Dúvidas de uso, login e configurações básicas → N1",
    conditions: { types: ["usage_question", "login_problem", "extension_trunk_configuration"] },
    tier: "L1",
  },
  {
    name: "Troncos SIP, falhas de funcionalidades e monitoramento → N2",
    conditions: { types: ["sip_trunk_integration", "feature_failure", "monitoring_configuration"] },
    tier: "L2",
  },
  { name: "Bugs, desempenho e segurança → N3", conditions: { types: ["bug", "performance", "security"] }, tier: "L3" },
  {
    name: "Crítico e alto: relógio do nível 24x7",
    conditions: { severities: ["critical", "high"] },
    calendar: "24x7",
  },
];

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // The calendar a ticket's tier clocks run on when its routing rule named one (null: the tier's own).
  await db.schema.alterTable("tickets").addColumn("sla_calendar", "text").execute();
  // Queues sorted by urgency (next breach first) over open tickets only, from any cursor.
  await db.schema
    .createIndex("tickets_open_due")
    .on("tickets")
    .columns(["sla_due_at", "id"])
    .where(sql.ref("status"), "in", sql`(${sql.join(OPEN.map((s) => sql.lit(s)))})`)
    .execute();
  await db.schema
    .createIndex("tickets_open_team")
    .on("tickets")
    .columns(["team", "sla_due_at", "id"])
    .where(sql.ref("status"), "in", sql`(${sql.join(OPEN.map((s) => sql.lit(s)))})`)
    .execute();

  // The open queue newest first (and any cursor of it) without walking closed tickets.
  await db.schema
    .createIndex("tickets_open_id")
    .on("tickets")
    .columns(["id"])
    .where(sql.ref("status"), "in", sql`(${sql.join(OPEN.map((s) => sql.lit(s)))})`)
    .execute();
  // A reader's watched queue starts from their watch list.
  await db.schema.createIndex("ticket_watchers_user").on("ticket_watchers").columns(["user_id", "ticket_id"]).execute();

  await db.schema
    .createTable("ticket_routing_rules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("conditions", types.json, (c) => c.notNull())
    .addColumn("tier", "text")
    .addColumn("team", "text")
    .addColumn("assignee_user_id", "text", (c) => c.references("users.id"))
    .addColumn("calendar", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  const now = new Date().toISOString();
  for (const [i, r] of DEFAULT_RULES.entries()) {
    await db
      .insertInto("ticket_routing_rules")
      .values({
        id: `00000000-0000-7000-8000-${String(i + 1).padStart(12, "0")}`,
        position: i,
        name: r.name,
        conditions: JSON.stringify(r.conditions),
        tier: r.tier ?? null,
        team: null,
        assignee_user_id: null,
        calendar: r.calendar ?? null,
        created_at: now,
      })
      .execute();
  }

  await db.schema
    .createTable("ticket_views")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner_user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("shared", types.boolean, (c) => c.notNull())
    .addColumn("filters", types.json, (c) => c.notNull())
    .addColumn("sort", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("ticket_views_organization").on("ticket_views").columns(["organization_id"]).execute();

  // Every message's words, gathered per ticket, so search covers replies and notes (one row per ticket keeps
  // the search key the ticket number on both engines).
  await db.schema
    .createTable("ticket_texts")
    .addColumn("ticket_number", "bigint", (c) => c.primaryKey())
    .addColumn("public_text", "text", (c) => c.notNull())
    .addColumn("internal_text", "text", (c) => c.notNull())
    .execute();
  const texts = new Map<number, { pub: string[]; int: string[] }>();
  const rows = await db
    .selectFrom("ticket_messages as m")
    .innerJoin("tickets as t", "t.id", "m.ticket_id")
    .select(["t.number", "m.visibility", "m.body"])
    .where("m.kind", "<>", "system")
    .orderBy("m.id")
    .execute();
  for (const r of rows as { number: number | string; visibility: string; body: string }[]) {
    const n = Number(r.number);
    const t = texts.get(n) ?? { pub: [], int: [] };
    (r.visibility === "public" ? t.pub : t.int).push(r.body);
    texts.set(n, t);
  }
  const values = [...texts].map(([n, t]) => ({
    ticket_number: n,
    public_text: t.pub.join("\n"),
    internal_text: t.int.join("\n"),
  }));
  for (let i = 0; i < values.length; i += 500) {
    await db
      .insertInto("ticket_texts")
      .values(values.slice(i, i + 500))
      .execute();
  }
  await dialectOf(db).fullText.create(db, ticketPublicTextSearch);
  await dialectOf(db).fullText.create(db, ticketInternalTextSearch);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dialectOf(db).fullText.drop(db, ticketInternalTextSearch);
  await dialectOf(db).fullText.drop(db, ticketPublicTextSearch);
  await db.schema.dropTable("ticket_texts").execute();
  await db.schema.dropTable("ticket_views").execute();
  await db.schema.dropTable("ticket_routing_rules").execute();
  await db.schema.dropIndex("ticket_watchers_user").execute();
  await db.schema.dropIndex("tickets_open_id").execute();
  await db.schema.dropIndex("tickets_open_team").execute();
  await db.schema.dropIndex("tickets_open_due").execute();
  await db.schema.alterTable("tickets").dropColumn("sla_calendar").execute();
}
