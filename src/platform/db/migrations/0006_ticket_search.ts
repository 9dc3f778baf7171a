import type { Kysely } from "kysely";
import { dialectOf, type FullTextIndex } from "../dialect.js";

/** Keyword search over a ticket's subject and description, keyed by the ticket number. */
export const ticketSearch: FullTextIndex = {
  name: "tickets_search",
  table: "tickets",
  key: "number",
  columns: ["subject", "description"],
};

export async function up(db: Kysely<any>): Promise<void> {
  await dialectOf(db).fullText.create(db, ticketSearch);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dialectOf(db).fullText.drop(db, ticketSearch);
}
