import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  MonitorIntervalTable,
  MonitorNodeTable,
  MonitorPushTable,
  MonitorShardTable,
  MonitorStateTable,
  MonitorTable,
} from "../../platform/db/schema.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AggregateRow, Resolution } from "./aggregates.js";
import type { Effective } from "./state-machine.js";

export type MonitorRow = Selectable<MonitorTable>;
export type StateRow = Selectable<MonitorStateTable>;
export type IntervalRow = Selectable<MonitorIntervalTable>;
export type PushRow = Selectable<MonitorPushTable>;
export type ShardRow = Selectable<MonitorShardTable>;

/** Checks and failures of one monitor and minute, added to what is stored. */
export interface CountRow {
  monitorId: string;
  bucket: string;
  checks: number;
  failures: number;
}
/** A monitor as written: settings as an object, stored as JSON. */
export type MonitorValues = Omit<MonitorRow, "settings"> & { settings: Record<string, unknown> };

export const aggregateTables = { minute: "monitor_minutes", hour: "monitor_hours", day: "monitor_days" } as const;
type AggregateTable = (typeof aggregateTables)[Resolution];

/** Rows per multi-row statement: 9 parameters a row stays under SQLite's and PostgreSQL's limits. */
const BATCH = 1000;

export interface ListFilter {
  limit: number;
  after?: string;
  type?: string;
  status?: string;
  groupId?: string;
  parentId?: string;
  organizationId?: string;
  enabled?: boolean;
}

export interface LastCheck {
  monitorId: string;
  /** When the check started. */
  at: string;
  latencyMs: number | null;
}

export interface StateChange {
  monitorId: string;
  /** The version read before; 0 when the monitor has no state row yet. */
  version: number;
  next: Effective & { flapping: boolean };
  /** Whether the status changes (a new interval) or only the flapping flag. */
  statusChanged: boolean;
  at: string;
  /** The check that led to the change, written along with it; none for changes not caused by a check. */
  lastCheck?: LastCheck;
}

/** A minute of one monitor, as the dashboard cards draw it. */
export interface MinutePoint {
  monitorId: string;
  bucket: string;
  latencyAvg: number | null;
  failures: number;
}

/** The only SQL of monitoring: monitors, their states and history, aggregates, push log and shard leases. */
export class MonitoringRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // monitors ------------------------------------------------------------------------------------
  async insert(row: MonitorValues, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .insertInto("monitors")
      .values({ ...row, settings: this.dialect.json(row.settings) })
      .execute();
  }

  async update(id: string, patch: Partial<MonitorValues>, executor: Kysely<DB> = this.db): Promise<void> {
    const { settings, ...rest } = patch;
    await executor
      .updateTable("monitors")
      .set({ ...rest, ...(settings ? { settings: this.dialect.json(settings) } : {}) })
      .where("id", "=", id)
      .execute();
  }

  find(id: string, executor: Kysely<DB> = this.db): Promise<MonitorRow | undefined> {
    return executor.selectFrom("monitors").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The stored last check of each of `ids` that exists (nulls before its first stored check). */
  async lastChecks(ids: string[]): Promise<Map<string, { at: string | null; latencyMs: number | null }>> {
    const rows = await this.db
      .selectFrom("monitors")
      .leftJoin("monitor_states", "monitor_states.monitor_id", "monitors.id")
      .select(["monitors.id", "monitor_states.last_check_at", "monitor_states.last_latency_ms"])
      .where("monitors.id", "in", ids)
      .execute();
    return new Map(rows.map((r) => [r.id, { at: r.last_check_at ?? null, latencyMs: r.last_latency_ms ?? null }]));
  }

  /** Every monitor's id. */
  async ids(): Promise<string[]> {
    return (await this.db.selectFrom("monitors").select("id").execute()).map((r) => r.id);
  }

  /** Which of `ids` exist. */
  async existing(ids: string[]): Promise<string[]> {
    const rows = await this.db.selectFrom("monitors").select("id").where("id", "in", ids).execute();
    return rows.map((r) => r.id);
  }

  findByTokenHash(hash: string): Promise<MonitorRow | undefined> {
    return this.db.selectFrom("monitors").selectAll().where("push_token_hash", "=", hash).executeTakeFirst();
  }

  /** Every monitor, for the engine's view of the topology (parents, groups) and its own shards. */
  all(): Promise<MonitorRow[]> {
    return this.db.selectFrom("monitors").selectAll().orderBy("id").execute();
  }

  /** Every monitor's name, type, severity and status, without settings: what alert rules read each tick. */
  statuses(): Promise<Array<{ id: string; name: string; type: string; severity: string; status: string | null }>> {
    return this.db
      .selectFrom("monitors")
      .leftJoin("monitor_states", "monitor_states.monitor_id", "monitors.id")
      .select(["monitors.id", "monitors.name", "monitors.type", "monitors.severity", "monitor_states.status"])
      .orderBy("monitors.id")
      .execute();
  }

  /** Keyset page by id, with each monitor's state; `limit` rows at most. */
  list(f: ListFilter): Promise<Array<MonitorRow & { state: StateRow | null }>> {
    let q = this.db
      .selectFrom("monitors")
      .leftJoin("monitor_states", "monitor_states.monitor_id", "monitors.id")
      .selectAll("monitors")
      .select([
        "monitor_states.status as s_status",
        "monitor_states.reason as s_reason",
        "monitor_states.message as s_message",
        "monitor_states.since as s_since",
        "monitor_states.flapping as s_flapping",
        "monitor_states.version as s_version",
        "monitor_states.updated_at as s_updated_at",
        "monitor_states.last_check_at as s_last_check_at",
        "monitor_states.last_latency_ms as s_last_latency_ms",
      ]);
    if (f.after !== undefined) q = q.where("monitors.id", ">", f.after);
    if (f.type) q = q.where("monitors.type", "=", f.type);
    if (f.groupId) q = q.where("monitors.group_id", "=", f.groupId);
    if (f.parentId) q = q.where("monitors.parent_id", "=", f.parentId);
    if (f.organizationId) q = q.where("monitors.organization_id", "=", f.organizationId);
    if (f.enabled !== undefined) q = q.where("monitors.enabled", "=", f.enabled);
    if (f.status) q = q.where("monitor_states.status", "=", f.status);
    return q
      .orderBy("monitors.id")
      .limit(f.limit)
      .execute()
      .then((rows) =>
        rows.map(
          ({
            s_status,
            s_reason,
            s_message,
            s_since,
            s_flapping,
            s_version,
            s_updated_at,
            s_last_check_at,
            s_last_latency_ms,
            ...m
          }) => ({
            ...m,
            state:
              s_status == null
                ? null
                : {
                    monitor_id: m.id,
                    status: s_status,
                    reason: s_reason,
                    message: s_message,
                    since: s_since!,
                    flapping: s_flapping!,
                    version: s_version!,
                    updated_at: s_updated_at!,
                    last_check_at: s_last_check_at ?? null,
                    last_latency_ms: s_last_latency_ms ?? null,
                  },
          }),
        ),
      );
  }

  /** The chain of parents (or enclosing groups) above a monitor, nearest first; bounded, so a cycle cannot loop. */
  async ancestors(id: string, link: "parent_id" | "group_id", limit = 64): Promise<string[]> {
    const chain: string[] = [];
    let current: string | null = id;
    while (current && chain.length < limit) {
      const row: { up: string | null } | undefined = await this.db
        .selectFrom("monitors")
        .select(`${link} as up`)
        .where("id", "=", current)
        .executeTakeFirst();
      current = row?.up ?? null;
      if (current) chain.push(current);
    }
    return chain;
  }

  /** Deletes the monitor with its history; dependents and members stay, without the link. */
  async delete(id: string, executor: Kysely<DB>): Promise<void> {
    await executor.updateTable("monitors").set({ parent_id: null }).where("parent_id", "=", id).execute();
    await executor.updateTable("monitors").set({ group_id: null }).where("group_id", "=", id).execute();
    for (const table of [
      "monitor_states",
      "monitor_intervals",
      "monitor_pushes",
      ...Object.values(aggregateTables),
    ] as const) {
      await executor.deleteFrom(table).where("monitor_id", "=", id).execute();
    }
    await executor.deleteFrom("monitors").where("id", "=", id).execute();
  }

  async organizationExists(id: string): Promise<boolean> {
    const row = await this.db.selectFrom("organizations").select("id").where("id", "=", id).executeTakeFirst();
    return row !== undefined;
  }

  // states and history --------------------------------------------------------------------------
  findState(id: string, executor: Kysely<DB> = this.db): Promise<StateRow | undefined> {
    return executor.selectFrom("monitor_states").selectAll().where("monitor_id", "=", id).executeTakeFirst();
  }

  /** The states of some monitors (a monitor without one yet is absent). */
  states(ids: readonly string[]): Promise<StateRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom("monitor_states")
      .selectAll()
      .where("monitor_id", "in", [...ids])
      .execute();
  }

  allStates(): Promise<StateRow[]> {
    return this.db.selectFrom("monitor_states").selectAll().execute();
  }

  /**
   * Writes a state change if the state row is still at `version`: bumps it, closes the open interval and opens
   * the new one. False when another writer got there first (the caller re-reads).
   */
  async changeState(c: StateChange, trx: Kysely<DB>): Promise<boolean> {
    const { next, at } = c;
    const values = {
      status: next.status,
      reason: next.reason,
      message: next.message,
      flapping: next.flapping,
      version: c.version + 1,
      updated_at: at,
      ...(c.lastCheck ? { last_check_at: c.lastCheck.at, last_latency_ms: c.lastCheck.latencyMs } : {}),
    };
    if (c.version === 0) {
      const inserted = await trx
        .insertInto("monitor_states")
        .values({ monitor_id: c.monitorId, since: at, ...values })
        .onConflict((oc) => oc.column("monitor_id").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    } else {
      const updated = await trx
        .updateTable("monitor_states")
        .set({ ...values, ...(c.statusChanged ? { since: at } : {}) })
        .where("monitor_id", "=", c.monitorId)
        .where("version", "=", c.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
    }
    if (c.statusChanged) {
      await trx
        .updateTable("monitor_intervals")
        .set({ ended_at: at })
        .where("monitor_id", "=", c.monitorId)
        .where("ended_at", "is", null)
        .execute();
      await trx
        .insertInto("monitor_intervals")
        .values({
          id: uuidv7(Date.parse(at)),
          monitor_id: c.monitorId,
          status: next.status,
          reason: next.reason,
          message: next.message,
          started_at: at,
          ended_at: null,
        })
        .execute();
    }
    return true;
  }

  /**
   * The last check of each monitor, many per statement (the minute flush). A row never goes back in time (two
   * nodes during a hand-over), and a monitor without a state row yet gets it with its first state.
   */
  async recordLastChecks(checks: readonly LastCheck[]): Promise<void> {
    // Bound parameters arrive untyped on PostgreSQL: cast them to the columns' types.
    const at = sql`CAST(v.column2 AS ${sql.raw(String(this.dialect.types.timestamp))})`;
    for (let i = 0; i < checks.length; i += BATCH) {
      const rows = checks.slice(i, i + BATCH).map((c) => sql`(${c.monitorId}, ${c.at}, ${c.latencyMs})`);
      await sql`UPDATE monitor_states SET last_check_at = ${at}, last_latency_ms = CAST(v.column3 AS real)
        FROM (VALUES ${sql.join(rows)}) AS v
        WHERE monitor_states.monitor_id = v.column1
          AND (monitor_states.last_check_at IS NULL OR monitor_states.last_check_at < ${at})`.execute(this.db);
    }
  }

  /** Minute rows of the monitors in [from, to), oldest first. */
  async minutes(ids: string[], from: string, to: string): Promise<MinutePoint[]> {
    const rows = await this.db
      .selectFrom("monitor_minutes")
      .select(["monitor_id", "bucket", "latency_avg", "failures"])
      .where("monitor_id", "in", ids)
      .where("bucket", ">=", from)
      .where("bucket", "<", to)
      .orderBy("bucket")
      .execute();
    return rows.map((r) => ({
      monitorId: r.monitor_id,
      bucket: r.bucket,
      latencyAvg: r.latency_avg,
      failures: Number(r.failures),
    }));
  }

  /** Intervals of the monitors overlapping [from, to). */
  intervals(ids: string[], from: string, to: string): Promise<IntervalRow[]> {
    return this.db
      .selectFrom("monitor_intervals")
      .selectAll()
      .where("monitor_id", "in", ids)
      .where("started_at", "<", to)
      .where((eb) => eb.or([eb("ended_at", "is", null), eb("ended_at", ">", from)]))
      .orderBy("started_at")
      .execute();
  }

  /** Newest first, below `before` when given (keyset pagination); only those overlapping [from, to) when given. */
  history(id: string, page: { limit: number; before?: string; from?: string; to?: string }): Promise<IntervalRow[]> {
    let q = this.db.selectFrom("monitor_intervals").selectAll().where("monitor_id", "=", id);
    if (page.before !== undefined) q = q.where("id", "<", page.before);
    if (page.to !== undefined) q = q.where("started_at", "<", page.to);
    const from = page.from;
    if (from !== undefined) q = q.where((eb) => eb.or([eb("ended_at", "is", null), eb("ended_at", ">", from)]));
    return q.orderBy("id", "desc").limit(page.limit).execute();
  }

  // pushes --------------------------------------------------------------------------------------
  async recordPush(row: PushRow): Promise<void> {
    const { monitor_id, ...rest } = row;
    await this.db
      .insertInto("monitor_pushes")
      .values(row)
      .onConflict((oc) => oc.column("monitor_id").doUpdateSet(rest))
      .execute();
  }

  /** Tells the other nodes a push arrived (the one running the heartbeat judges it at once). */
  announcePush(id: string, channel: string): Promise<void> {
    return this.dialect.notify(this.db, channel, id);
  }

  lastPush(id: string): Promise<PushRow | undefined> {
    return this.db.selectFrom("monitor_pushes").selectAll().where("monitor_id", "=", id).executeTakeFirst();
  }

  // aggregates ----------------------------------------------------------------------------------
  /**
   * Minute rows, many per statement. A minute already stored (a late result, or two nodes during a hand-over)
   * is merged: counts add up, extremes widen, averages are weighted.
   */
  async addMinutes(rows: readonly AggregateRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const values = rows.slice(i, i + BATCH).map((r) => ({
        monitor_id: r.monitorId,
        bucket: r.bucket,
        checks: r.checks,
        failures: r.failures,
        latency_count: r.latencyCount,
        latency_min: r.latencyMin,
        latency_avg: r.latencyAvg,
        latency_max: r.latencyMax,
        latency_p95: r.latencyP95,
      }));
      const t = "monitor_minutes";
      const weighted = (col: string) =>
        sql<number>`CASE WHEN ${sql.ref(`${t}.latency_count`)} + excluded.latency_count = 0 THEN NULL ELSE
          (COALESCE(${sql.ref(`${t}.${col}`)}, 0) * ${sql.ref(`${t}.latency_count`)} + COALESCE(excluded.${sql.raw(col)}, 0) * excluded.latency_count)
          / (${sql.ref(`${t}.latency_count`)} + excluded.latency_count) END`;
      await this.db
        .insertInto(t)
        .values(values)
        .onConflict((oc) =>
          oc.columns(["monitor_id", "bucket"]).doUpdateSet({
            checks: sql`${sql.ref(`${t}.checks`)} + excluded.checks`,
            failures: sql`${sql.ref(`${t}.failures`)} + excluded.failures`,
            latency_avg: weighted("latency_avg"),
            latency_p95: weighted("latency_p95"),
            latency_min: sql`CASE WHEN excluded.latency_min IS NULL THEN ${sql.ref(`${t}.latency_min`)}
              WHEN ${sql.ref(`${t}.latency_min`)} IS NULL OR excluded.latency_min < ${sql.ref(`${t}.latency_min`)}
              THEN excluded.latency_min ELSE ${sql.ref(`${t}.latency_min`)} END`,
            latency_max: sql`CASE WHEN excluded.latency_max IS NULL THEN ${sql.ref(`${t}.latency_max`)}
              WHEN ${sql.ref(`${t}.latency_max`)} IS NULL OR excluded.latency_max > ${sql.ref(`${t}.latency_max`)}
              THEN excluded.latency_max ELSE ${sql.ref(`${t}.latency_max`)} END`,
            latency_count: sql`${sql.ref(`${t}.latency_count`)} + excluded.latency_count`,
          }),
        )
        .execute();
    }
  }

  async aggregates(resolution: Resolution, id: string, from: string, to: string): Promise<AggregateRow[]> {
    const rows = await this.db
      .selectFrom(aggregateTables[resolution])
      .selectAll()
      .where("monitor_id", "=", id)
      .where("bucket", ">=", from)
      .where("bucket", "<", to)
      .orderBy("bucket")
      .execute();
    return rows.map((r) => ({
      monitorId: r.monitor_id,
      bucket: r.bucket,
      checks: Number(r.checks),
      failures: Number(r.failures),
      latencyCount: Number(r.latency_count),
      latencyMin: r.latency_min,
      latencyAvg: r.latency_avg,
      latencyMax: r.latency_max,
      latencyP95: r.latency_p95,
    }));
  }

  /**
   * Rebuilds the `target` buckets of `seconds` width in [from, to) from the finer `source` rows; rebuilding
   * replaces, so running it twice over the same window is harmless.
   */
  async rollUp(source: AggregateTable, target: AggregateTable, seconds: number, from: string, to: string) {
    const bucket = this.dialect.timeBucket(sql.ref("bucket"), seconds);
    const weighted = (col: string) =>
      sql<number>`SUM(${sql.ref(col)} * latency_count) / NULLIF(SUM(CASE WHEN ${sql.ref(col)} IS NULL THEN 0 ELSE latency_count END), 0)`;
    const select = this.db
      .selectFrom(source)
      .select([
        "monitor_id",
        bucket.as("bucket"),
        sql<number>`SUM(checks)`.as("checks"),
        sql<number>`SUM(failures)`.as("failures"),
        sql<number>`SUM(latency_count)`.as("latency_count"),
        sql<number>`MIN(latency_min)`.as("latency_min"),
        weighted("latency_avg").as("latency_avg"),
        sql<number>`MAX(latency_max)`.as("latency_max"),
        weighted("latency_p95").as("latency_p95"),
      ])
      .where("bucket", ">=", from)
      .where("bucket", "<", to)
      // By position: PostgreSQL would not match the bucket expression, bound with fresh parameters, to the select's.
      .groupBy([sql`1`, sql`2`]);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom(target).where("bucket", ">=", from).where("bucket", "<", to).execute();
      await trx
        .insertInto(target)
        .columns([
          "monitor_id",
          "bucket",
          "checks",
          "failures",
          "latency_count",
          "latency_min",
          "latency_avg",
          "latency_max",
          "latency_p95",
        ])
        .expression(select)
        .execute();
    });
  }

  /** Deletes rows older than `before`, a few monitors at a time so no statement holds the database long. */
  async prune(resolution: Resolution, before: string): Promise<number> {
    const table = aggregateTables[resolution];
    const ids = await this.db.selectFrom(table).select("monitor_id").distinct().execute();
    let removed = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const batch = ids.slice(i, i + 200).map((r) => r.monitor_id);
      const r = await this.db
        .deleteFrom(table)
        .where("monitor_id", "in", batch)
        .where("bucket", "<", before)
        .executeTakeFirst();
      removed += Number(r.numDeletedRows);
    }
    return removed;
  }

  // shard leases --------------------------------------------------------------------------------
  async ensureShards(count: number): Promise<void> {
    await this.db
      .insertInto("monitor_shards")
      .values(Array.from({ length: count }, (_, shard) => ({ shard, owner: null, lease_until: null })))
      .onConflict((oc) => oc.column("shard").doNothing())
      .execute();
  }

  /** The database's clock (shared by every node) in epoch ms; null where one node is alone (SQLite). */
  clockMs(): Promise<number | null> {
    return this.dialect.clockMs(this.db);
  }

  /**
   * One round's writes in one transaction: records that the node is alive, extends its leases, and returns every
   * shard row (whom each belongs to, until when) with how many nodes are alive (seen since `aliveSince`).
   */
  beat(nodeId: string, now: string, aliveSince: string, until: string): Promise<{ live: number; rows: ShardRow[] }> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("monitor_nodes")
        .values({ node_id: nodeId, seen_at: now, started_at: now })
        .onConflict((oc) => oc.column("node_id").doUpdateSet({ seen_at: now }))
        .execute();
      await trx.updateTable("monitor_shards").set({ lease_until: until }).where("owner", "=", nodeId).execute();
      const rows = await trx
        .selectFrom("monitor_shards")
        .selectAll()
        .select((eb) =>
          eb
            .selectFrom("monitor_nodes")
            .select((n) => n.fn.countAll<number>().as("n"))
            .where("seen_at", ">", aliveSince)
            .as("live"),
        )
        .orderBy("shard")
        .execute();
      return {
        live: Number(rows[0]?.live ?? 1),
        rows: rows.map(({ live: _, ...r }) => ({ ...r, shard: Number(r.shard) })),
      };
    });
  }

  async shards(): Promise<ShardRow[]> {
    const rows = await this.db.selectFrom("monitor_shards").selectAll().orderBy("shard").execute();
    return rows.map((r) => ({ ...r, shard: Number(r.shard) }));
  }

  /** Takes up to `count` free or expired shards; concurrent claimers skip each other's rows. Rows as they were. */
  claim(nodeId: string, count: number, now: string, until: string): Promise<ShardRow[]> {
    return this.db.transaction().execute(async (trx) => {
      const free = await sql<ShardRow>`
        SELECT shard, owner, lease_until, checked_through FROM monitor_shards
        WHERE owner IS NULL OR lease_until IS NULL OR lease_until < ${now}
        ORDER BY shard LIMIT ${count} ${this.dialect.skipLocked}`.execute(trx);
      const rows = free.rows.map((r) => ({ ...r, shard: Number(r.shard) }));
      if (!rows.length) return [];
      await trx
        .updateTable("monitor_shards")
        .set({ owner: nodeId, lease_until: until })
        .where(
          "shard",
          "in",
          rows.map((r) => r.shard),
        )
        .execute();
      return rows;
    });
  }

  /**
   * Before starting a batch of checks: records that every check of `shards` due up to `through` is started, on
   * those whose lease the node still holds at `now` (the fence: a node that lost a shard writes nothing for it),
   * and adds the batch's check counts. Returns the shards still held. A shard with nothing due in the batch keeps
   * its older mark: nothing of it was due in between, so the mark says the same.
   */
  async advance(
    nodeId: string,
    shards: readonly number[],
    through: string,
    now: string,
    counts: readonly CountRow[],
  ): Promise<number[]> {
    const held = await this.db
      .updateTable("monitor_shards")
      .set({ checked_through: through })
      .where("shard", "in", shards)
      .where("owner", "=", nodeId)
      .where("lease_until", ">", now)
      .returning("shard")
      .execute();
    if (counts.length) await this.addCounts(counts);
    return held.map((r) => Number(r.shard));
  }

  /** Adds checks and failures to minute rows, many per statement; latency figures come with the minute flush. */
  async addCounts(rows: readonly CountRow[]): Promise<void> {
    const t = "monitor_minutes";
    for (let i = 0; i < rows.length; i += BATCH) {
      await this.db
        .insertInto(t)
        .values(
          rows.slice(i, i + BATCH).map((r) => ({
            monitor_id: r.monitorId,
            bucket: r.bucket,
            checks: r.checks,
            failures: r.failures,
            latency_count: 0,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["monitor_id", "bucket"]).doUpdateSet({
            checks: sql`${sql.ref(`${t}.checks`)} + excluded.checks`,
            failures: sql`${sql.ref(`${t}.failures`)} + excluded.failures`,
          }),
        )
        .execute();
    }
  }

  async release(nodeId: string, shards?: number[]): Promise<void> {
    let q = this.db.updateTable("monitor_shards").set({ owner: null, lease_until: null }).where("owner", "=", nodeId);
    if (shards) {
      if (!shards.length) return;
      q = q.where("shard", "in", shards);
    }
    await q.execute();
  }

  /** Tells the other nodes that shards were given back, so one takes them at once rather than at its next round. */
  announceRelease(channel: string, nodeId: string): Promise<void> {
    return this.dialect.notify(this.db, channel, nodeId);
  }

  async leave(nodeId: string): Promise<void> {
    await this.db.deleteFrom("monitor_nodes").where("node_id", "=", nodeId).execute();
  }

  /** Forgets nodes silent since `before` (each restart is a new node id). */
  async forgetNodes(before: string): Promise<void> {
    await this.db.deleteFrom("monitor_nodes").where("seen_at", "<", before).execute();
  }

  nodes(): Promise<Array<Selectable<MonitorNodeTable>>> {
    return this.db.selectFrom("monitor_nodes").selectAll().orderBy("node_id").execute();
  }
}
