import type { Kysely, Selectable } from "kysely";
import type { DB, TicketContactTable } from "../../platform/db/schema.js";

export type ContactRow = Selectable<TicketContactTable>;

/** A resolved ticket as the FCR report reads it. */
export interface ResolvedTicketRow {
  id: string;
  number: number;
  organization_id: string;
  type: string;
  tier: string;
  team: string | null;
  channel: string;
  resolved_at: string;
}

const CHUNK = 500;
const chunks = <T>(xs: readonly T[]) =>
  Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

/** The only SQL of first-contact resolution: contact sessions, and the ingredients of resolved tickets. */
export class FcrRepository {
  constructor(readonly db: Kysely<DB>) {}

  async insertContact(row: ContactRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("ticket_contacts").values(row).execute();
  }

  /** Tickets last resolved in [from, to), merged ones left out (they were closed, not resolved). */
  async resolved(from: string, to: string): Promise<ResolvedTicketRow[]> {
    const rows = await this.db
      .selectFrom("tickets")
      .select(["id", "number", "organization_id", "type", "tier", "team", "channel", "resolved_at"])
      .where("resolved_at", ">=", from)
      .where("resolved_at", "<", to)
      .where("merged_into_id", "is", null)
      .orderBy("resolved_at")
      .execute();
    return rows.map((r) => ({ ...r, number: Number(r.number), resolved_at: r.resolved_at! }));
  }

  async contacts(ticketIds: readonly string[]): Promise<ContactRow[]> {
    const out: ContactRow[] = [];
    for (const ids of chunks(ticketIds)) {
      out.push(...(await this.db.selectFrom("ticket_contacts").selectAll().where("ticket_id", "in", ids).execute()));
    }
    return out;
  }

  /** Openings by these organizations in [from, to]: the candidates for repeat contacts. */
  async openings(organizationIds: readonly string[], from: string, to: string): Promise<ContactRow[]> {
    const out: ContactRow[] = [];
    for (const ids of chunks(organizationIds)) {
      out.push(
        ...(await this.db
          .selectFrom("ticket_contacts")
          .selectAll()
          .where("organization_id", "in", ids)
          .where("kind", "=", "opened")
          .where("at", ">", from)
          .where("at", "<=", to)
          .execute()),
      );
    }
    return out;
  }

  /** Public staff replies per ticket. */
  async staffReplies(ticketIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const ids of chunks(ticketIds)) {
      const rows = await this.db
        .selectFrom("ticket_messages")
        .select(["ticket_id", (eb) => eb.fn.countAll<string>().as("n")])
        .where("ticket_id", "in", ids)
        .where("visibility", "=", "public")
        .where("author_kind", "=", "agent")
        .groupBy("ticket_id")
        .execute();
      for (const r of rows) counts.set(r.ticket_id, Number(r.n));
    }
    return counts;
  }

  /** Status and tier changes of these tickets, in order. */
  async changes(ticketIds: readonly string[]) {
    const out: { ticket_id: string; field: string; before_value: string | null; after_value: string | null }[] = [];
    for (const ids of chunks(ticketIds)) {
      out.push(
        ...(await this.db
          .selectFrom("ticket_history")
          .select(["ticket_id", "field", "before_value", "after_value"])
          .where("ticket_id", "in", ids)
          .where("field", "in", ["status", "tier"])
          .orderBy("id")
          .execute()),
      );
    }
    return out;
  }
}
