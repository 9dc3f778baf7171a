import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  DrillStepTable,
  DrillTable,
  RunbookTable,
  RunbookVersionTable,
  UserTable,
} from "../../platform/db/schema.js";

export type RunbookRow = Selectable<RunbookTable>;
export type RunbookVersionRow = Selectable<RunbookVersionTable>;
export type DrillRow = Selectable<DrillTable>;
export type DrillStepRow = Selectable<DrillStepTable>;
/** A runbook or version as written: the steps as a list, stored as JSON. */
export type WithSteps<T> = Omit<T, "steps"> & { steps: unknown[] };

/** Settings row whose presence says the default runbooks were seeded once; deleting them does not bring them back. */
const SEEDED_KEY = "runbooks_seeded";

/** The only SQL over runbooks, their versions, drills and drill steps. */
export class RunbookRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** True for the one caller (across nodes) that marks the defaults as seeded; it seeds in the same transaction. */
  async claimSeeding(now: string, trx: Kysely<DB>): Promise<boolean> {
    const result = await trx
      .insertInto("settings")
      .values({ key: SEEDED_KEY, value: now, updated_at: now })
      .onConflict((oc) => oc.column("key").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  // runbooks ------------------------------------------------------------------------------------
  async insert(row: WithSteps<RunbookRow>, trx: Kysely<DB>): Promise<void> {
    await trx
      .insertInto("runbooks")
      .values({ ...row, steps: this.dialect.json(row.steps) })
      .execute();
  }

  /** Writes a new current version; false when the runbook is no longer at `fromVersion` (a concurrent edit). */
  async update(
    id: string,
    fromVersion: number,
    values: Omit<WithSteps<RunbookRow>, "id" | "created_at">,
    trx: Kysely<DB>,
  ): Promise<boolean> {
    const result = await trx
      .updateTable("runbooks")
      .set({ ...values, steps: this.dialect.json(values.steps) })
      .where("id", "=", id)
      .where("version", "=", fromVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async insertVersion(row: WithSteps<RunbookVersionRow>, trx: Kysely<DB>): Promise<void> {
    await trx
      .insertInto("runbook_versions")
      .values({ ...row, steps: this.dialect.json(row.steps) })
      .execute();
  }

  find(id: string, executor: Kysely<DB> = this.db): Promise<RunbookRow | undefined> {
    return executor.selectFrom("runbooks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Oldest first (the seeded defaults lead), after `after` when given (keyset pagination). */
  list(page: { limit: number; after?: string; kind?: RunbookRow["kind"] }): Promise<RunbookRow[]> {
    let q = this.db.selectFrom("runbooks").selectAll();
    if (page.after !== undefined) q = q.where("id", ">", page.after);
    if (page.kind) q = q.where("kind", "=", page.kind);
    return q.orderBy("id").limit(page.limit).execute();
  }

  /** Newest first, below `before` when given. */
  versions(runbookId: string, page: { limit: number; before?: number }): Promise<RunbookVersionRow[]> {
    let q = this.db.selectFrom("runbook_versions").selectAll().where("runbook_id", "=", runbookId);
    if (page.before !== undefined) q = q.where("version", "<", page.before);
    return q.orderBy("version", "desc").limit(page.limit).execute();
  }

  /** Deletes the runbook and its versions; its drills keep their own copy of what they ran. */
  async delete(id: string, trx: Kysely<DB>): Promise<void> {
    await trx.deleteFrom("runbook_versions").where("runbook_id", "=", id).execute();
    await trx.deleteFrom("runbooks").where("id", "=", id).execute();
  }

  /** Users among `ids` who exist, are enabled and are staff-side (of the provider organization). */
  async staffUsers(ids: string[]): Promise<Pick<Selectable<UserTable>, "id">[]> {
    if (!ids.length) return [];
    return this.db
      .selectFrom("users")
      .innerJoin("organizations", "organizations.id", "users.organization_id")
      .select("users.id")
      .where("users.id", "in", ids)
      .where("organizations.kind", "=", "provider")
      .where("users.disabled", "=", false)
      .execute();
  }

  // drills --------------------------------------------------------------------------------------
  async insertDrill(row: DrillRow, steps: DrillStepRow[], trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("drills").values(row).execute();
    await trx.insertInto("drill_steps").values(steps).execute();
  }

  findDrill(id: string, executor: Kysely<DB> = this.db): Promise<DrillRow | undefined> {
    return executor.selectFrom("drills").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The steps of each drill, in order. */
  steps(drillIds: string[], executor: Kysely<DB> = this.db): Promise<DrillStepRow[]> {
    if (!drillIds.length) return Promise.resolve([]);
    return executor
      .selectFrom("drill_steps")
      .selectAll()
      .where("drill_id", "in", drillIds)
      .orderBy("drill_id")
      .orderBy("position")
      .execute();
  }

  async hasRunningDrill(runbookId: string, executor: Kysely<DB>): Promise<boolean> {
    const row = await executor
      .selectFrom("drills")
      .select("id")
      .where("runbook_id", "=", runbookId)
      .where("status", "=", "running")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Newest first, below `before` when given. */
  listDrills(page: {
    limit: number;
    before?: string;
    runbookId?: string;
    status?: DrillRow["status"];
  }): Promise<DrillRow[]> {
    let q = this.db.selectFrom("drills").selectAll();
    if (page.before !== undefined) q = q.where("id", "<", page.before);
    if (page.runbookId) q = q.where("runbook_id", "=", page.runbookId);
    if (page.status) q = q.where("status", "=", page.status);
    return q.orderBy("id", "desc").limit(page.limit).execute();
  }

  /** Records a step's new state; false when someone changed it since it was read as `fromStatus`. */
  async updateStep(
    drillId: string,
    position: number,
    fromStatus: DrillStepRow["status"],
    values: Pick<DrillStepRow, "status" | "started_at" | "finished_at" | "note" | "marked_by_label">,
    trx: Kysely<DB>,
  ): Promise<boolean> {
    const result = await trx
      .updateTable("drill_steps")
      .set(values)
      .where("drill_id", "=", drillId)
      .where("position", "=", position)
      .where("status", "=", fromStatus)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends a running drill; false when it was not running any more. */
  async endDrill(
    id: string,
    values: Pick<DrillRow, "status" | "finished_at" | "notes">,
    trx: Kysely<DB>,
  ): Promise<boolean> {
    const result = await trx
      .updateTable("drills")
      .set(values)
      .where("id", "=", id)
      .where("status", "=", "running")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
