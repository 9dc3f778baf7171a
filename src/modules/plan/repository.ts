import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { DB, PlanVersionTable } from "../../platform/db/schema.js";

export type PlanVersionRow = Selectable<PlanVersionTable>;

const WRITE_LOCK = 0x504c414e; // "PLAN"

/** The only SQL over plan versions. */
export class PlanRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  /** Runs `fn` in a transaction that holds the plan's write lock, so two saves never take the same number. */
  writing<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.lockForAppend(trx, WRITE_LOCK);
      return fn(trx);
    });
  }

  latest(executor: Kysely<DB> = this.db): Promise<PlanVersionRow | undefined> {
    return executor.selectFrom("plan_versions").selectAll().orderBy("version", "desc").limit(1).executeTakeFirst();
  }

  /** The newest version number only: cheap enough to ask on every ticket write. */
  async latestVersion(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("plan_versions")
      .select("version")
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.version) : undefined;
  }

  find(version: number): Promise<PlanVersionRow | undefined> {
    return this.db.selectFrom("plan_versions").selectAll().where("version", "=", version).executeTakeFirst();
  }

  /** Every version, oldest first (there are a handful: one per review). */
  all(): Promise<PlanVersionRow[]> {
    return this.db.selectFrom("plan_versions").selectAll().orderBy("version").execute();
  }

  /** Newest first, below `before` when given (keyset pagination). */
  list(page: { limit: number; before?: number }): Promise<PlanVersionRow[]> {
    let q = this.db.selectFrom("plan_versions").selectAll();
    if (page.before !== undefined) q = q.where("version", "<", page.before);
    return q.orderBy("version", "desc").limit(page.limit).execute();
  }

  /** Inserts a version; false when that number exists already (another node seeded first). */
  async insert(row: PlanVersionRow, executor: Kysely<DB>): Promise<boolean> {
    const result = await executor
      .insertInto("plan_versions")
      .values(row)
      .onConflict((oc) => oc.column("version").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
