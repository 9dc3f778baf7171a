import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * Samples and roll-ups stored in key order (series, time): on SQLite each sample was a row plus an entry of
 * the separate key index, two b-tree writes per sample at ingest and two lookups per point read by a
 * range query; in key order it is one of each. The tables are rebuilt with their rows; their columns are
 * unchanged. The keys get new names, since PostgreSQL names them schema-wide and both tables exist meanwhile.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await rebuild(db, "_by_series_time");
}

export async function down(db: Kysely<any>): Promise<void> {
  await rebuild(db, "_pk");
}

async function rebuild(db: Kysely<any>, keySuffix: string): Promise<void> {
  const { rowsInKeyOrder } = dialectOf(db);
  await db.schema
    .createTable("metric_samples_rebuilt")
    .addColumn("series_id", "bigint", (c) => c.notNull())
    .addColumn("t", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint(`metric_samples${keySuffix}`, ["series_id", "t"])
    .modifyEnd(rowsInKeyOrder)
    .execute();
  await db.schema
    .createTable("metric_rollups_rebuilt")
    .addColumn("series_id", "bigint", (c) => c.notNull())
    .addColumn("resolution", "integer", (c) => c.notNull())
    .addColumn("t", "bigint", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("sum", "double precision", (c) => c.notNull())
    .addColumn("min", "double precision", (c) => c.notNull())
    .addColumn("max", "double precision", (c) => c.notNull())
    .addColumn("last", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint(`metric_rollups${keySuffix}`, ["series_id", "resolution", "t"])
    .modifyEnd(rowsInKeyOrder)
    .execute();
  await sql`INSERT INTO metric_samples_rebuilt (series_id, t, value) SELECT series_id, t, value FROM metric_samples`.execute(
    db,
  );
  await sql`INSERT INTO metric_rollups_rebuilt (series_id, resolution, t, count, sum, min, max, last)
    SELECT series_id, resolution, t, count, sum, min, max, last FROM metric_rollups`.execute(db);
  for (const table of ["metric_samples", "metric_rollups"]) {
    await db.schema.dropTable(table).execute();
    await db.schema.alterTable(`${table}_rebuilt`).renameTo(table).execute();
  }
}
