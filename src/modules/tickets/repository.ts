import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  SlaEventTable,
  TicketHistoryTable,
  TicketMessageTable,
  TicketTable,
} from "../../platform/db/schema.js";
import { QueueRepository } from "./queue-repository.js";

export type TicketRow = Selectable<TicketTable>;
export type MessageRow = Selectable<TicketMessageTable>;
export type HistoryRow = Selectable<TicketHistoryTable>;
export type SlaEventRow = Selectable<SlaEventTable>;

export interface TicketFilter {
  /** Tenant filter: a customer's organization; another tenant's tickets do not exist for it. */
  tenant?: string;
  status?: string[];
  severity?: string[];
  tier?: string[];
  team?: string;
  assignee?: string;
  organization?: string;
  /** Keywords in the subject, description or messages (accents and case ignored, last word as a prefix), or `#123`. */
  q?: string;
  breached?: boolean;
  /** Tickets whose earliest SLA breach still ahead is before this instant. */
  dueBefore?: string;
  /** Keyset: tickets with id below this (newest first). */
  before?: string;
  limit: number;
}

/**
 * Every column of a ticket row, named so reads leave out the search document PostgreSQL stores beside them;
 * the `Record` makes the compiler list a new column here.
 */
const ticketColumns = Object.keys({
  id: 1,
  number: 1,
  organization_id: 1,
  requester_user_id: 1,
  requester_contact: 1,
  subject: 1,
  description: 1,
  channel: 1,
  type: 1,
  severity: 1,
  tier: 1,
  status: 1,
  assignee_user_id: 1,
  team: 1,
  tags: 1,
  merged_into_id: 1,
  first_response_at: 1,
  resolved_at: 1,
  closed_at: 1,
  sla_due_at: 1,
  sla_breached: 1,
  created_at: 1,
  updated_at: 1,
  sla_calendar: 1,
} satisfies Record<keyof TicketTable, 1>) as (keyof TicketTable)[];

/** The only SQL over tickets, their messages and history. */
export class TicketRepository {
  constructor(
    readonly db: Kysely<DB>,
    readonly dialect: Dialect,
  ) {}

  async nextNumber(trx: Kysely<DB>): Promise<number> {
    return this.dialect.nextCounter(trx, "ticket_number");
  }

  async insert(row: TicketRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("tickets").values(row).execute();
  }

  async update(id: string, patch: Partial<TicketRow>, trx: Kysely<DB>): Promise<void> {
    await trx.updateTable("tickets").set(patch).where("id", "=", id).execute();
  }

  /**
   * Writes the columns of `after` that differ from `before`, nothing else: rewriting the subject, description or
   * number would make SQLite's full-text triggers re-index the ticket's text (at 200,000 tickets a status change
   * took about 230 ms that way, nearly all of it re-indexing).
   */
  async updateChanged(before: TicketRow, after: TicketRow, trx: Kysely<DB>): Promise<void> {
    const changed = changedColumns(before, after);
    if (Object.keys(changed).length) await this.update(before.id, changed, trx);
  }

  async find(id: string, tenant?: string, executor: Kysely<DB> = this.db): Promise<TicketRow | undefined> {
    let q = executor.selectFrom("tickets").select(ticketColumns).where("id", "=", id);
    if (tenant) q = q.where("organization_id", "=", tenant);
    return q.executeTakeFirst();
  }

  async findByNumber(number: number, tenant?: string): Promise<TicketRow | undefined> {
    let q = this.db.selectFrom("tickets").select(ticketColumns).where("number", "=", number);
    if (tenant) q = q.where("organization_id", "=", tenant);
    return q.executeTakeFirst();
  }

  /** Several tickets in one read (those of the tenant only, when given); missing ones are left out. */
  async findMany(ids: readonly string[], tenant: string | undefined, executor: Kysely<DB>): Promise<TicketRow[]> {
    if (!ids.length) return [];
    let q = executor.selectFrom("tickets").select(ticketColumns).where("id", "in", ids);
    if (tenant) q = q.where("organization_id", "=", tenant);
    return q.execute();
  }

  /** Writes the columns a change and its SLA recomputation set, each ticket its own values, in one statement. */
  async updateMany(rows: readonly TicketRow[], trx: Kysely<DB>): Promise<void> {
    if (!rows.length) return;
    const v = this.dialect.jsonRows(
      {
        id: "text",
        severity: "text",
        tier: "text",
        status: "text",
        assignee_user_id: "text",
        team: "text",
        tags: "json",
        resolved_at: "timestamp",
        closed_at: "timestamp",
        sla_due_at: "timestamp",
        sla_breached: "boolean",
        updated_at: "timestamp",
      },
      rows.map((r) => ({
        id: r.id,
        severity: r.severity,
        tier: r.tier,
        status: r.status,
        assignee_user_id: r.assignee_user_id,
        team: r.team,
        tags: JSON.parse(r.tags) as string[],
        resolved_at: r.resolved_at,
        closed_at: r.closed_at,
        sla_due_at: r.sla_due_at,
        sla_breached: Boolean(r.sla_breached),
        updated_at: r.updated_at,
      })),
    );
    await sql`
      UPDATE tickets SET severity = v.severity, tier = v.tier, status = v.status, assignee_user_id = v.assignee_user_id,
        team = v.team, tags = v.tags, resolved_at = v.resolved_at, closed_at = v.closed_at, sla_due_at = v.sla_due_at,
        sla_breached = v.sla_breached, updated_at = v.updated_at
      FROM ${v} AS v
      WHERE tickets.id = v.id`.execute(trx);
  }

  async list(f: TicketFilter): Promise<TicketRow[]> {
    let q = this.db.selectFrom("tickets").select(ticketColumns);
    if (f.tenant) q = q.where("organization_id", "=", f.tenant);
    if (f.organization) q = q.where("organization_id", "=", f.organization);
    if (f.status?.length) q = q.where("status", "in", f.status);
    if (f.severity?.length) q = q.where("severity", "in", f.severity);
    if (f.tier?.length) q = q.where("tier", "in", f.tier);
    if (f.team) q = q.where("team", "=", f.team);
    if (f.assignee) q = q.where("assignee_user_id", "=", f.assignee);
    if (f.q) {
      // Subject, description and every message (internal notes for staff only), or the number itself.
      const text = await new QueueRepository(this.db, this.dialect).textMatch(f.q, !f.tenant);
      // Nothing to look for (only punctuation): nothing matches.
      if (!text) return [];
      q = q.where(text);
    }
    if (f.breached !== undefined) q = q.where("sla_breached", "=", f.breached);
    if (f.dueBefore) q = q.where("sla_due_at", "<", f.dueBefore);
    if (f.before) q = q.where("id", "<", f.before);
    return q.orderBy("id", "desc").limit(f.limit).execute();
  }

  async insertMessage(row: MessageRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("ticket_messages").values(row).execute();
  }

  async messages(ticketId: string, includeInternal: boolean, executor: Kysely<DB> = this.db): Promise<MessageRow[]> {
    let q = executor.selectFrom("ticket_messages").selectAll().where("ticket_id", "=", ticketId);
    if (!includeInternal) q = q.where("visibility", "=", "public");
    return q.orderBy("id").execute();
  }

  /** The messages of several tickets (internal notes included), in one read, in order. */
  async messagesOfMany(ticketIds: readonly string[], executor: Kysely<DB>): Promise<MessageRow[]> {
    if (!ticketIds.length) return [];
    return executor
      .selectFrom("ticket_messages")
      .selectAll()
      .where("ticket_id", "in", ticketIds)
      .orderBy("id")
      .execute();
  }

  /** The history of several tickets, in one read, in order. */
  async historyOfMany(ticketIds: readonly string[], executor: Kysely<DB>): Promise<HistoryRow[]> {
    if (!ticketIds.length) return [];
    return executor
      .selectFrom("ticket_history")
      .selectAll()
      .where("ticket_id", "in", ticketIds)
      .orderBy("id")
      .execute();
  }

  /** The dedupe keys of the SLA events recorded for several tickets, in one read. */
  async slaEventKeysOfMany(
    ticketIds: readonly string[],
    executor: Kysely<DB>,
  ): Promise<{ ticket_id: string; dedupe_key: string }[]> {
    if (!ticketIds.length) return [];
    return executor
      .selectFrom("sla_events")
      .select(["ticket_id", "dedupe_key"])
      .where("ticket_id", "in", ticketIds)
      .execute();
  }

  async slaEvents(ticketId: string, executor: Kysely<DB> = this.db): Promise<SlaEventRow[]> {
    return executor
      .selectFrom("sla_events")
      .selectAll()
      .where("ticket_id", "=", ticketId)
      .orderBy("at")
      .orderBy("id")
      .execute();
  }

  /** Records SLA events once each; returns the dedupe keys of those that were new. */
  async insertSlaEvents(rows: Omit<SlaEventRow, "created_at">[], now: string, trx: Kysely<DB>): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const inserted = await trx
      .insertInto("sla_events")
      .values(rows.map((row) => ({ ...row, created_at: now })))
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning("dedupe_key")
      .execute();
    return new Set(inserted.map((r) => r.dedupe_key));
  }

  /** Records an SLA announcement once; false when it was already recorded. */
  async insertSlaEvent(row: Omit<SlaEventRow, "created_at">, now: string, trx: Kysely<DB>): Promise<boolean> {
    const r = await trx
      .insertInto("sla_events")
      .values({ ...row, created_at: now })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async insertHistory(rows: HistoryRow[], trx: Kysely<DB>): Promise<void> {
    if (rows.length) await trx.insertInto("ticket_history").values(rows).execute();
  }

  async history(ticketId: string, executor: Kysely<DB> = this.db): Promise<HistoryRow[]> {
    return executor.selectFrom("ticket_history").selectAll().where("ticket_id", "=", ticketId).orderBy("id").execute();
  }
}

/** The columns whose values differ between two versions of a ticket's row. */
export function changedColumns(before: TicketRow, after: TicketRow): Partial<TicketRow> {
  const changed: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(after))
    if (value !== before[column as keyof TicketRow]) changed[column] = value;
  return changed as Partial<TicketRow>;
}
