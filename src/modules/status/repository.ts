import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  ChangeRecordTable,
  DB,
  MaintenanceWindowTable,
  StatusComponentTable,
  StatusSubscriptionTable,
} from "../../platform/db/schema.js";

export type ComponentRow = Selectable<StatusComponentTable>;
export type WindowRow = Selectable<MaintenanceWindowTable>;
export type SubscriptionRow = Selectable<StatusSubscriptionTable>;
export type ChangeRow = Selectable<ChangeRecordTable>;

const JSON_COLUMNS = ["monitor_ids", "organization_ids", "component_ids", "warnings"];

/** Every SQL of the status module: components, maintenance windows, subscriptions and change records. */
export class StatusRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  #json<T extends Record<string, unknown>>(row: T): any {
    const out: Record<string, unknown> = { ...row };
    for (const k of JSON_COLUMNS) if (out[k] !== undefined && out[k] !== null) out[k] = this.dialect.json(out[k]);
    return out;
  }

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // components --------------------------------------------------------------------------------------------

  components(executor: Kysely<DB> = this.db): Promise<ComponentRow[]> {
    return executor.selectFrom("status_components").selectAll().orderBy("position").orderBy("id").execute();
  }
  component(id: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("status_components").selectAll().where("id", "=", id).executeTakeFirst();
  }
  async existingComponents(ids: readonly string[], executor: Kysely<DB> = this.db): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await executor
      .selectFrom("status_components")
      .select("id")
      .where("id", "in", [...ids])
      .execute();
    return new Set(rows.map((r) => r.id));
  }
  async nextPosition(executor: Kysely<DB> = this.db): Promise<number> {
    const r = await executor
      .selectFrom("status_components")
      .select((eb) => eb.fn.max("position").as("p"))
      .executeTakeFirst();
    return Number(r?.p ?? 0) + 1;
  }
  async insertComponent(row: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor.insertInto("status_components").values(this.#json(row)).execute();
  }
  async updateComponent(id: string, values: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("status_components").set(this.#json(values)).where("id", "=", id).execute();
  }
  /** Each component's last published status. */
  async publishedStatuses(executor: Kysely<DB> = this.db): Promise<Map<string, string | null>> {
    const rows = await executor.selectFrom("status_components").select(["id", "status"]).execute();
    return new Map(rows.map((r) => [r.id, r.status]));
  }
  /** Moves a component's published status from `from` to `to`; false when another node moved it first. */
  async moveComponentStatus(id: string, from: string | null, to: string, at: string, executor: Kysely<DB> = this.db) {
    const r = await executor
      .updateTable("status_components")
      .set({ status: to, status_changed_at: at })
      .where("id", "=", id)
      .where((eb) => (from === null ? eb("status", "is", null) : eb("status", "=", from)))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
  async deleteComponent(id: string, executor: Kysely<DB> = this.db) {
    await executor.deleteFrom("status_components").where("id", "=", id).execute();
  }

  // maintenance windows -----------------------------------------------------------------------------------

  windows(filter: { limit: number; after?: string }, executor: Kysely<DB> = this.db): Promise<WindowRow[]> {
    let q = executor.selectFrom("maintenance_windows").selectAll().orderBy("id", "desc").limit(filter.limit);
    if (filter.after) q = q.where("id", "<", filter.after);
    return q.execute();
  }
  /** Windows not completed nor cancelled: what the page, the monitors' gate and the alerts' silences look at. */
  liveWindows(executor: Kysely<DB> = this.db): Promise<WindowRow[]> {
    return executor
      .selectFrom("maintenance_windows")
      .selectAll()
      .where("state", "in", ["scheduled", "in_progress"])
      .orderBy("occurrence_start")
      .execute();
  }
  /** Windows whose first start is before `to` (the completed ones too: history and the uptime bars). */
  windowsBefore(to: string, executor: Kysely<DB> = this.db): Promise<WindowRow[]> {
    return executor
      .selectFrom("maintenance_windows")
      .selectAll()
      .where("starts_at", "<", to)
      .where("state", "!=", "cancelled")
      .execute();
  }
  window(id: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("maintenance_windows").selectAll().where("id", "=", id).executeTakeFirst();
  }
  async insertWindow(row: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor.insertInto("maintenance_windows").values(this.#json(row)).execute();
  }
  async updateWindow(id: string, values: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("maintenance_windows").set(this.#json(values)).where("id", "=", id).execute();
  }

  // subscriptions -----------------------------------------------------------------------------------------

  async insertSubscription(row: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor.insertInto("status_subscriptions").values(this.#json(row)).execute();
  }
  subscriptionByToken(hash: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("status_subscriptions").selectAll().where("token_hash", "=", hash).executeTakeFirst();
  }
  subscriptions(filter: { limit: number; after?: string }, executor: Kysely<DB> = this.db) {
    let q = executor.selectFrom("status_subscriptions").selectAll().orderBy("id", "desc").limit(filter.limit);
    if (filter.after) q = q.where("id", "<", filter.after);
    return q.execute();
  }
  /** Confirmed, not unsubscribed: who may be told anything. */
  activeSubscriptions(executor: Kysely<DB> = this.db): Promise<SubscriptionRow[]> {
    return executor
      .selectFrom("status_subscriptions")
      .selectAll()
      .where("confirmed_at", "is not", null)
      .where("unsubscribed_at", "is", null)
      .execute();
  }
  async updateSubscription(id: string, values: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("status_subscriptions").set(this.#json(values)).where("id", "=", id).execute();
  }
  async deleteSubscription(id: string, executor: Kysely<DB> = this.db) {
    await executor.deleteFrom("status_subscriptions").where("id", "=", id).execute();
  }

  // change records ----------------------------------------------------------------------------------------

  changes(filter: { limit: number; after?: string }, executor: Kysely<DB> = this.db): Promise<ChangeRow[]> {
    let q = executor.selectFrom("change_records").selectAll().orderBy("id", "desc").limit(filter.limit);
    if (filter.after) q = q.where("id", "<", filter.after);
    return q.execute();
  }
  /** Every change record since `from` (by creation or application), for the cadence findings. */
  changesSince(from: string, executor: Kysely<DB> = this.db): Promise<ChangeRow[]> {
    return executor
      .selectFrom("change_records")
      .selectAll()
      .where((eb) => eb.or([eb("created_at", ">=", from), eb("applied_at", ">=", from), eb("applied_at", "is", null)]))
      .execute();
  }
  change(id: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("change_records").selectAll().where("id", "=", id).executeTakeFirst();
  }
  async insertChange(row: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor
      .insertInto("change_records")
      .values(row as any)
      .execute();
  }
  async updateChange(id: string, values: Record<string, unknown>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("change_records").set(values).where("id", "=", id).execute();
  }
}
