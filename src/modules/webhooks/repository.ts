import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { DB, EventTable, WebhookDeliveryTable, WebhookTable } from "../../platform/db/schema.js";

export type WebhookRow = Selectable<WebhookTable>;
export type DeliveryRow = Selectable<WebhookDeliveryTable>;
export type EventRow = Selectable<EventTable>;
export type DeliveryStatus = DeliveryRow["status"];
/** A webhook as written: the event types as a list, stored as JSON. */
export type WebhookValues = Omit<WebhookRow, "event_types"> & { event_types: string[] };

/** The only SQL over webhooks and their delivery log. */
export class WebhookRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // webhooks ------------------------------------------------------------------------------------
  async insert(row: WebhookValues, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .insertInto("webhooks")
      .values({ ...row, event_types: this.dialect.json(row.event_types) })
      .execute();
  }

  async update(id: string, patch: Partial<WebhookValues>, executor: Kysely<DB> = this.db): Promise<void> {
    const { event_types, ...rest } = patch;
    await executor
      .updateTable("webhooks")
      .set({ ...rest, ...(event_types ? { event_types: this.dialect.json(event_types) } : {}) })
      .where("id", "=", id)
      .execute();
  }

  find(id: string, executor: Kysely<DB> = this.db): Promise<WebhookRow | undefined> {
    return executor.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  list(): Promise<WebhookRow[]> {
    return this.db.selectFrom("webhooks").selectAll().orderBy("id").execute();
  }

  /** Inside the fan-out's transaction, which on SQLite is the only connection. */
  enabled(executor: Kysely<DB> = this.db): Promise<WebhookRow[]> {
    return executor.selectFrom("webhooks").selectAll().where("enabled", "=", true).orderBy("id").execute();
  }

  /** Deletes the webhook and its delivery log; queued jobs of those deliveries then find nothing to send. */
  async delete(id: string, executor: Kysely<DB>): Promise<void> {
    await executor.deleteFrom("webhook_deliveries").where("webhook_id", "=", id).execute();
    await executor.deleteFrom("webhooks").where("id", "=", id).execute();
  }

  async organizationExists(id: string): Promise<boolean> {
    const row = await this.db.selectFrom("organizations").select("id").where("id", "=", id).executeTakeFirst();
    return row !== undefined;
  }

  // deliveries ----------------------------------------------------------------------------------
  /** False when this webhook already has a delivery of this event (another node fanned it out first). */
  async insertDelivery(row: DeliveryRow, executor: Kysely<DB>): Promise<boolean> {
    const result = await executor
      .insertInto("webhook_deliveries")
      .values(row)
      .onConflict((oc) => oc.columns(["webhook_id", "event_id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  findDelivery(id: string, webhookId?: string): Promise<DeliveryRow | undefined> {
    let q = this.db.selectFrom("webhook_deliveries").selectAll().where("id", "=", id);
    if (webhookId) q = q.where("webhook_id", "=", webhookId);
    return q.executeTakeFirst();
  }

  /** Newest first, below `before` when given (keyset pagination). */
  listDeliveries(
    webhookId: string,
    page: { limit: number; before?: string; status?: DeliveryStatus },
  ): Promise<DeliveryRow[]> {
    let q = this.db.selectFrom("webhook_deliveries").selectAll().where("webhook_id", "=", webhookId);
    if (page.before !== undefined) q = q.where("id", "<", page.before);
    if (page.status) q = q.where("status", "=", page.status);
    return q.orderBy("id", "desc").limit(page.limit).execute();
  }

  /** Records one attempt's outcome; counts it. */
  async recordAttempt(
    id: string,
    outcome: Pick<
      DeliveryRow,
      "status" | "last_status_code" | "last_error" | "response_ms" | "next_attempt_at" | "updated_at"
    >,
  ): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set((eb) => ({ ...outcome, attempts: eb("attempts", "+", 1) }))
      .where("id", "=", id)
      .execute();
  }

  /** A finished delivery goes back to `pending`; false when it is not finished (or not there). */
  async requeue(id: string, now: string, executor: Kysely<DB>): Promise<boolean> {
    const result = await executor
      .updateTable("webhook_deliveries")
      .set({ status: "pending", next_attempt_at: null, updated_at: now })
      .where("id", "=", id)
      .where("status", "in", ["succeeded", "dead"])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  // events --------------------------------------------------------------------------------------
  findEvent(id: number): Promise<EventRow | undefined> {
    return this.db.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirst();
  }
}
