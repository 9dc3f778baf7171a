import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  AlertGroupTable,
  AlertReceiverTable,
  AlertRuleTable,
  AlertTable,
  DB,
  SilenceTable,
} from "../../platform/db/schema.js";
import { uuidv7 } from "../../platform/ids.js";

export type RuleRow = Selectable<AlertRuleTable>;
export type AlertRow = Selectable<AlertTable>;
export type SilenceRow = Selectable<SilenceTable>;
export type ReceiverRow = Selectable<AlertReceiverTable>;
export type GroupRow = Selectable<AlertGroupTable>;

const JSON_RULE = ["expression", "labels", "annotations"] as const;

export class AlertsRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  #json<T extends Record<string, unknown>>(row: T, keys: readonly string[]): T {
    const out: Record<string, unknown> = { ...row };
    for (const k of keys) if (out[k] !== undefined && out[k] !== null) out[k] = this.dialect.json(out[k]);
    return out as T;
  }

  // rules ------------------------------------------------------------------------------------------------

  listRules(): Promise<RuleRow[]> {
    return this.db.selectFrom("alert_rules").selectAll().orderBy("name").execute();
  }
  findRule(id: string) {
    return this.db.selectFrom("alert_rules").selectAll().where("id", "=", id).executeTakeFirst();
  }
  findRuleByName(name: string) {
    return this.db.selectFrom("alert_rules").selectAll().where("name", "=", name).executeTakeFirst();
  }
  async insertRule(v: Record<string, unknown>) {
    await this.db
      .insertInto("alert_rules")
      .values(this.#json(v, JSON_RULE) as any)
      .execute();
  }
  async updateRule(id: string, v: Record<string, unknown>) {
    await this.db
      .updateTable("alert_rules")
      .set(this.#json(v, JSON_RULE) as any)
      .where("id", "=", id)
      .execute();
  }
  async deleteRule(id: string) {
    await this.db.deleteFrom("alert_rules").where("id", "=", id).execute();
  }
  /** Marks rules evaluated without error, in statements of 500 ids. */
  async rulesEvaluated(ids: readonly string[], at: string) {
    for (let i = 0; i < ids.length; i += 500)
      await this.db
        .updateTable("alert_rules")
        .set({ last_evaluated_at: at, last_error: null })
        .where("id", "in", ids.slice(i, i + 500))
        .execute();
  }
  async ruleEvaluated(id: string, at: string, error: string | null) {
    await this.db
      .updateTable("alert_rules")
      .set({ last_evaluated_at: at, last_error: error })
      .where("id", "=", id)
      .execute();
  }

  // alerts -----------------------------------------------------------------------------------------------

  listAlerts(): Promise<AlertRow[]> {
    return this.db.selectFrom("alerts").selectAll().orderBy("updated_at", "desc").execute();
  }
  findAlert(fingerprint: string) {
    return this.db.selectFrom("alerts").selectAll().where("fingerprint", "=", fingerprint).executeTakeFirst();
  }
  async upsertAlert(row: Omit<AlertRow, "labels" | "annotations"> & { labels: object; annotations: object }) {
    const values = this.#json(row as any, ["labels", "annotations"]);
    const { fingerprint: _f, ...set } = values as any;
    await this.db
      .insertInto("alerts")
      .values(values as any)
      .onConflict((oc) => oc.column("fingerprint").doUpdateSet(set))
      .execute();
  }
  /** Records a transition; returns the entry's id. */
  async addHistory(fingerprint: string, state: string, value: number | null, at: string) {
    const id = uuidv7();
    await this.db.insertInto("alert_history").values({ id, fingerprint, state, value, at }).execute();
    return id;
  }
  /** The id of the alert's latest `firing` entry: the episode a resolution ends. */
  async lastFiring(fingerprint: string) {
    const row = await this.db
      .selectFrom("alert_history")
      .select("id")
      .where("fingerprint", "=", fingerprint)
      .where("state", "=", "firing")
      .orderBy("id", "desc")
      .executeTakeFirst();
    return row?.id ?? null;
  }
  history(fingerprint: string) {
    return this.db
      .selectFrom("alert_history")
      .selectAll()
      .where("fingerprint", "=", fingerprint)
      .orderBy("id")
      .execute();
  }
  async deleteAlertsOfRule(ruleId: string) {
    await this.db.deleteFrom("alerts").where("rule_id", "=", ruleId).execute();
  }

  // silences ---------------------------------------------------------------------------------------------

  listSilences(): Promise<SilenceRow[]> {
    return this.db.selectFrom("silences").selectAll().orderBy("id", "desc").execute();
  }
  findSilence(id: string) {
    return this.db.selectFrom("silences").selectAll().where("id", "=", id).executeTakeFirst();
  }
  async insertSilence(v: Omit<SilenceRow, "matchers"> & { matchers: object }) {
    await this.db
      .insertInto("silences")
      .values(this.#json(v as any, ["matchers"]))
      .execute();
  }
  async updateSilence(id: string, v: Partial<SilenceRow>) {
    await this.db.updateTable("silences").set(v).where("id", "=", id).execute();
  }

  // receivers and routing --------------------------------------------------------------------------------

  listReceivers(): Promise<ReceiverRow[]> {
    return this.db.selectFrom("alert_receivers").selectAll().orderBy("name").execute();
  }
  findReceiver(id: string) {
    return this.db.selectFrom("alert_receivers").selectAll().where("id", "=", id).executeTakeFirst();
  }
  findReceiverByName(name: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("alert_receivers").selectAll().where("name", "=", name).executeTakeFirst();
  }
  async insertReceiver(v: Omit<ReceiverRow, "targets"> & { targets: object }) {
    await this.db
      .insertInto("alert_receivers")
      .values(this.#json(v as any, ["targets"]))
      .execute();
  }
  async updateReceiver(id: string, v: Record<string, unknown>) {
    await this.db
      .updateTable("alert_receivers")
      .set(this.#json(v, ["targets"]) as any)
      .where("id", "=", id)
      .execute();
  }
  async deleteReceiver(id: string) {
    await this.db.deleteFrom("alert_receivers").where("id", "=", id).execute();
  }
  routing() {
    return this.db.selectFrom("alert_routing").selectAll().where("id", "=", "default").executeTakeFirst();
  }
  async saveRouting(v: { route: object; inhibit_rules: object; mute_intervals: object; updated_at: string }) {
    const values = { id: "default", ...this.#json(v as any, ["route", "inhibit_rules", "mute_intervals"]) };
    const { id: _id, ...set } = values;
    await this.db
      .insertInto("alert_routing")
      .values(values as any)
      .onConflict((oc) => oc.column("id").doUpdateSet(set as any))
      .execute();
  }

  // groups -----------------------------------------------------------------------------------------------

  listGroups(): Promise<GroupRow[]> {
    return this.db.selectFrom("alert_groups").selectAll().execute();
  }
  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /**
   * Writes a group's flush only if nobody flushed it since `before` was read (another node routing at the same
   * time, a tick beside a group's own flush): false when someone did, and this flush must send nothing.
   */
  async claimGroup(
    trx: Kysely<DB>,
    before: Pick<GroupRow, "created_at" | "last_flush_at"> | undefined,
    row: Omit<GroupRow, "labels" | "notified_firing"> & { labels: object; notified_firing: string[] },
  ): Promise<boolean> {
    const values = this.#json(row as any, ["labels", "notified_firing"]);
    if (!before) {
      const inserted = await trx
        .insertInto("alert_groups")
        .values(values as any)
        .onConflict((oc) => oc.column("key").doNothing())
        .returning("key")
        .executeTakeFirst();
      return inserted !== undefined;
    }
    const { key, ...set } = values as any;
    const updated = await trx
      .updateTable("alert_groups")
      .set(set)
      .where("key", "=", key)
      .where("created_at", "=", before.created_at)
      .where("last_flush_at", before.last_flush_at === null ? "is" : "=", before.last_flush_at)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }
  async deleteGroup(key: string) {
    await this.db.deleteFrom("alert_groups").where("key", "=", key).execute();
  }
}
