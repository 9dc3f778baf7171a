import type { Kysely, Selectable } from "kysely";
import type { DB, TicketLinkTable } from "../../platform/db/schema.js";

export type LinkRow = Selectable<TicketLinkTable>;

/** The only SQL over links between tickets and over who watches a ticket. */
export class TicketLinkRepository {
  constructor(readonly db: Kysely<DB>) {}

  /** Inserts a link; false when the same link exists already. */
  async insert(row: LinkRow, trx: Kysely<DB>): Promise<boolean> {
    const r = await trx
      .insertInto("ticket_links")
      .values(row)
      .onConflict((oc) => oc.columns(["ticket_id", "other_ticket_id", "kind"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Links on either side of a ticket, each with the other ticket's number, subject and organization. */
  async of(ticketId: string) {
    const side = (here: "ticket_id" | "other_ticket_id", there: "ticket_id" | "other_ticket_id") =>
      this.db
        .selectFrom("ticket_links as l")
        .innerJoin("tickets as t", "t.id", `l.${there}`)
        .select([
          "l.id",
          "l.kind",
          "l.created_at",
          "t.id as other_id",
          "t.number",
          "t.subject",
          "t.status",
          "t.organization_id",
        ])
        .where(`l.${here}`, "=", ticketId)
        .execute();
    return { out: await side("ticket_id", "other_ticket_id"), into: await side("other_ticket_id", "ticket_id") };
  }

  async find(id: string): Promise<LinkRow | undefined> {
    return this.db.selectFrom("ticket_links").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async delete(id: string, trx: Kysely<DB>): Promise<void> {
    await trx.deleteFrom("ticket_links").where("id", "=", id).execute();
  }

  async watch(ticketId: string, userId: string, at: string, trx: Kysely<DB>): Promise<void> {
    await trx
      .insertInto("ticket_watchers")
      .values({ ticket_id: ticketId, user_id: userId, created_at: at })
      .onConflict((oc) => oc.columns(["ticket_id", "user_id"]).doNothing())
      .execute();
  }

  async unwatch(ticketId: string, userId: string, trx: Kysely<DB>): Promise<number> {
    const r = await trx
      .deleteFrom("ticket_watchers")
      .where("ticket_id", "=", ticketId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async watchers(ticketId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("ticket_watchers")
      .select("user_id")
      .where("ticket_id", "=", ticketId)
      .orderBy("created_at")
      .execute();
    return rows.map((r) => r.user_id);
  }
}
