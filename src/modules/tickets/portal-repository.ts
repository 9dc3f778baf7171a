import type { ExpressionBuilder, Kysely } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { DB } from "../../platform/db/schema.js";
import { QueueRepository } from "./queue-repository.js";

/** Who a portal reader is: customer-admins see their organization's tickets, customers theirs and those shared. */
export interface PortalReader {
  organizationId: string;
  /** Set for a plain customer: only tickets they requested or watch. */
  userId?: string;
}

export interface PortalFilter {
  statuses?: readonly string[];
  severities?: readonly string[];
  q?: string;
  /** Keyset: tickets numbered below this (newest first). */
  beforeNumber?: number;
  /** Only tickets others requested that the reader watches: shared with them. */
  sharedOnly?: boolean;
  /** Newest first by id rather than number: the staff routes' keyset (`beforeId`). */
  byId?: boolean;
  beforeId?: string;
  limit: number;
}

const columns = [
  "id",
  "number",
  "organization_id",
  "requester_user_id",
  "requester_contact",
  "subject",
  "description",
  "channel",
  "type",
  "severity",
  "status",
  "merged_into_id",
  "first_response_at",
  "resolved_at",
  "closed_at",
  "created_at",
  "updated_at",
] as const;

/** The portal's reads of tickets: what a customer may see, by number, newest first. */
export class PortalRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  private visible(reader: PortalReader) {
    let q = this.db.selectFrom("tickets").select(columns).where("organization_id", "=", reader.organizationId);
    const userId = reader.userId;
    if (userId) {
      q = q.where((eb) =>
        eb.or([
          eb("requester_user_id", "=", userId),
          eb.exists(
            eb
              .selectFrom("ticket_watchers")
              .select("ticket_watchers.ticket_id")
              .whereRef("ticket_watchers.ticket_id", "=", "tickets.id")
              .where("ticket_watchers.user_id", "=", userId),
          ),
        ]),
      );
    }
    return q;
  }

  async byNumber(reader: PortalReader, number: number) {
    return this.visible(reader).where("number", "=", number).executeTakeFirst();
  }

  private sharedWith(eb: ExpressionBuilder<DB, "tickets">, userId: string) {
    return eb.and([
      eb.or([eb("requester_user_id", "is", null), eb("requester_user_id", "!=", userId)]),
      eb.exists(
        eb
          .selectFrom("ticket_watchers")
          .select("ticket_watchers.ticket_id")
          .whereRef("ticket_watchers.ticket_id", "=", "tickets.id")
          .where("ticket_watchers.user_id", "=", userId),
      ),
    ]);
  }

  async byId(reader: PortalReader, id: string) {
    return this.visible(reader).where("id", "=", id).executeTakeFirst();
  }

  async list(reader: PortalReader, f: PortalFilter) {
    let q = this.visible(reader);
    if (f.statuses?.length) q = q.where("status", "in", f.statuses);
    if (f.severities?.length) q = q.where("severity", "in", f.severities);
    if (f.sharedOnly) q = q.where((eb) => this.sharedWith(eb, reader.userId ?? ""));
    if (f.q) {
      // Subject, description and the public messages (never internal notes), or the ticket's number.
      const text = await new QueueRepository(this.db, this.dialect).textMatch(f.q, false);
      if (!text) return [];
      q = q.where(text);
    }
    if (f.beforeNumber !== undefined) q = q.where("number", "<", f.beforeNumber);
    if (f.beforeId !== undefined) q = q.where("id", "<", f.beforeId);
    return q
      .orderBy(f.byId ? "id" : "number", "desc")
      .limit(f.limit)
      .execute();
  }
}
