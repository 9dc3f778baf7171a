import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { CallEventTable, CallTable, DB, PbxConnectionTable } from "../../platform/db/schema.js";

export type PbxConnectionRow = Selectable<PbxConnectionTable>;
export type CallRow = Selectable<CallTable>;
export type CallEventRow = Selectable<CallEventTable>;

export interface CallFilter {
  organizationId?: string;
  ticketId?: string;
  status?: string;
  callback?: string;
  /** Keyset: calls with id below this (newest first). */
  before?: string;
  limit: number;
}

/** The only SQL of telephony: PBX connections and their lease, calls and their steps. */
export class TelephonyRepository {
  constructor(
    readonly db: Kysely<DB>,
    readonly dialect: Dialect,
  ) {}

  // PBX connections --------------------------------------------------------------------------------------

  async insertConnection(row: PbxConnectionRow, trx: Kysely<DB> = this.db): Promise<void> {
    await trx
      .insertInto("pbx_connections")
      .values({ ...row, extensions: this.dialect.json(JSON.parse(row.extensions)) })
      .execute();
  }

  async updateConnection(id: string, patch: Partial<PbxConnectionRow>, trx: Kysely<DB> = this.db): Promise<void> {
    const { extensions, ...rest } = patch;
    await trx
      .updateTable("pbx_connections")
      .set({ ...rest, ...(extensions !== undefined ? { extensions: this.dialect.json(JSON.parse(extensions)) } : {}) })
      .where("id", "=", id)
      .execute();
  }

  async deleteConnection(id: string, trx: Kysely<DB> = this.db): Promise<void> {
    await trx.updateTable("calls").set({ pbx_connection_id: null }).where("pbx_connection_id", "=", id).execute();
    await trx.deleteFrom("pbx_connections").where("id", "=", id).execute();
  }

  findConnection(id: string, trx: Kysely<DB> = this.db): Promise<PbxConnectionRow | undefined> {
    return trx.selectFrom("pbx_connections").selectAll().where("id", "=", id).executeTakeFirst();
  }

  listConnections(page: { limit: number; after?: string }): Promise<PbxConnectionRow[]> {
    let q = this.db.selectFrom("pbx_connections").selectAll().orderBy("id").limit(page.limit);
    if (page.after) q = q.where("id", ">", page.after);
    return q.execute();
  }

  enabledConnections(): Promise<PbxConnectionRow[]> {
    return this.db.selectFrom("pbx_connections").selectAll().where("enabled", "=", true).execute();
  }

  /**
   * Takes or renews the connection's lease for `nodeId` until `until`: when free, expired, or already its own.
   * One conditional UPDATE, so two nodes racing for it cannot both win. Returns the previous holder when it won.
   */
  async claimLease(
    id: string,
    nodeId: string,
    now: string,
    until: string,
  ): Promise<{ won: boolean; previous: string | null }> {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom("pbx_connections")
        .select(["lease_owner", "lease_until"])
        .where("id", "=", id)
        .executeTakeFirst();
      if (!before) return { won: false, previous: null };
      const result = await trx
        .updateTable("pbx_connections")
        .set({ lease_owner: nodeId, lease_until: until })
        .where("id", "=", id)
        .where((eb) =>
          eb.or([
            eb("lease_owner", "is", null),
            eb("lease_owner", "=", nodeId),
            eb("lease_until", "is", null),
            eb("lease_until", "<", now),
          ]),
        )
        .executeTakeFirst();
      return { won: Number(result.numUpdatedRows) === 1, previous: before.lease_owner };
    });
  }

  async releaseLease(id: string, nodeId: string): Promise<void> {
    await this.db
      .updateTable("pbx_connections")
      .set({ lease_owner: null, lease_until: null, state: "disconnected" })
      .where("id", "=", id)
      .where("lease_owner", "=", nodeId)
      .execute();
  }

  /** The session state, written only by the node holding the lease (a node that lost it writes nothing). */
  async setState(
    id: string,
    nodeId: string,
    patch: Pick<Partial<PbxConnectionRow>, "state" | "last_error" | "connected_at">,
  ): Promise<void> {
    await this.db
      .updateTable("pbx_connections")
      .set(patch)
      .where("id", "=", id)
      .where("lease_owner", "=", nodeId)
      .execute();
  }

  // calls ------------------------------------------------------------------------------------------------

  /** The call with this PBX id, created from `row` when new; the row read back is the one that won a race. */
  async upsertCall(row: CallRow, trx: Kysely<DB>): Promise<CallRow> {
    await trx
      .insertInto("calls")
      .values({ ...row, contact: row.contact === null ? null : this.dialect.json(JSON.parse(row.contact)) })
      .onConflict((oc) => oc.column("external_id").doNothing())
      .execute();
    // Locked on PostgreSQL: the steps of one call apply one after the other, each seeing what the last left.
    let q = trx.selectFrom("calls").selectAll().where("external_id", "=", row.external_id);
    if (this.dialect.engine === "postgres") q = q.forUpdate();
    return (await q.executeTakeFirst())!;
  }

  /** Records a step once: false when the call already had a step with this key (a retry, a replay). */
  async insertStep(row: CallEventRow, trx: Kysely<DB>): Promise<boolean> {
    const inserted = await trx
      .insertInto("call_events")
      .values({ ...row, payload: this.dialect.json(JSON.parse(row.payload)) })
      .onConflict((oc) => oc.columns(["call_id", "event_key"]).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async updateCall(id: string, patch: Partial<CallRow>, trx: Kysely<DB> = this.db): Promise<void> {
    const { contact, ...rest } = patch;
    await trx
      .updateTable("calls")
      .set({
        ...rest,
        ...(contact !== undefined ? { contact: contact === null ? null : this.dialect.json(JSON.parse(contact)) } : {}),
      })
      .where("id", "=", id)
      .execute();
  }

  findCall(id: string, tenant?: string, trx: Kysely<DB> = this.db): Promise<CallRow | undefined> {
    let q = trx.selectFrom("calls").selectAll().where("id", "=", id);
    if (tenant) q = q.where("organization_id", "=", tenant);
    return q.executeTakeFirst();
  }

  findCallByExternalId(externalId: string, trx: Kysely<DB> = this.db): Promise<CallRow | undefined> {
    return trx.selectFrom("calls").selectAll().where("external_id", "=", externalId).executeTakeFirst();
  }

  listCalls(filter: CallFilter): Promise<CallRow[]> {
    let q = this.db.selectFrom("calls").selectAll().orderBy("id", "desc").limit(filter.limit);
    if (filter.organizationId) q = q.where("organization_id", "=", filter.organizationId);
    if (filter.ticketId) q = q.where("ticket_id", "=", filter.ticketId);
    if (filter.status) q = q.where("status", "=", filter.status as CallRow["status"]);
    if (filter.callback)
      q = q.where("callback_status", "=", filter.callback as NonNullable<CallRow["callback_status"]>);
    if (filter.before) q = q.where("id", "<", filter.before);
    return q.execute();
  }

  /** Calls of a ticket whose callback is still owed: a call that reached the customer settles them. */
  pendingCallbacks(ticketId: string, trx: Kysely<DB>): Promise<CallRow[]> {
    return trx
      .selectFrom("calls")
      .selectAll()
      .where("ticket_id", "=", ticketId)
      .where("callback_status", "in", ["pending", "overdue"])
      .execute();
  }

  steps(callId: string): Promise<CallEventRow[]> {
    return this.db.selectFrom("call_events").selectAll().where("call_id", "=", callId).orderBy("at").execute();
  }
}
