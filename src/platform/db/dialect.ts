import {
  type ColumnDataType,
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Expression,
  type Kysely,
  PostgresAdapter,
  type RawBuilder,
  type SqlBool,
  sql,
} from "kysely";

export type Engine = "sqlite" | "postgres";

/**
 * Everything that differs between SQLite and PostgreSQL, one concern per member, both engines side
 * by side. Code elsewhere asks the dialect; it never branches on the engine itself.
 */
export interface Dialect {
  engine: Engine;
  /** Column types: instants are `timestamptz` on PostgreSQL and ISO-8601 UTC text on SQLite (sorts as time). */
  types: { timestamp: ColumnDataType; json: ColumnDataType; boolean: ColumnDataType; bytes: ColumnDataType };
  /** An auto-incrementing 64-bit primary key named `id`. */
  serialId<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, "id">;
  /**
   * Numeric columns as a row source bound as one parameter per column (not per value), for bulk inserts
   * of hundreds of thousands of rows: `SELECT c1, c2… FROM <source>`. Values must be finite numbers.
   */
  numericRows(
    columns: readonly { name: string; type: "bigint" | "double" }[],
    values: readonly number[][],
  ): RawBuilder<unknown>;
  /**
   * Rows of mixed values as a row source bound as one JSON parameter, for one `UPDATE … FROM` over a batch
   * whose rows each get their own values: `SELECT c1, c2… FROM <source>`. Missing or null values are NULL.
   * A `json` value is an object or array (stored as the column's JSON), a `boolean` one true or false.
   */
  jsonRows(
    columns: Readonly<Record<string, "text" | "integer" | "bigint" | "timestamp" | "boolean" | "json">>,
    rows: readonly Record<string, unknown>[],
  ): RawBuilder<unknown>;
  /**
   * Cast a bound JSON text parameter so the engine stores it as JSON. Lone surrogates in its strings become
   * U+FFFD, as text columns store them: PostgreSQL's jsonb refuses the `\ud800` escapes JSON.stringify writes.
   */
  json(value: unknown): RawBuilder<string>;
  /**
   * Slices of a byte string (one or more; 0-based byte offsets; shorter or empty past its end), concatenated,
   * so a query returns a few bytes of large values, reading each value about once. SQLite `substr` (it keeps a
   * value over 4,000 bytes of the row at hand for the next use); PostgreSQL `substring`, over the value detoasted
   * once in a subquery when there are several slices, as each `substring` of a TOASTed value would fetch and
   * decompress it again.
   */
  bytesSlices(
    value: Expression<unknown>,
    slices: readonly { offset: number; length: number }[],
  ): RawBuilder<Uint8Array>;
  /** Start of the time bucket of `seconds` width holding the instant column (for charts and roll-ups). */
  timeBucket(column: Expression<unknown>, seconds: number): RawBuilder<string>;
  /** Row-lock clause for claiming work rows so concurrent nodes skip each other's rows. */
  skipLocked: RawBuilder<unknown>;
  /**
   * Table option (for `modifyEnd`) that stores a high-volume table's rows in primary-key order, so an insert
   * writes one b-tree and a range read of one key prefix is contiguous: SQLite `WITHOUT ROWID` (else a rowid
   * table plus a separate key index). PostgreSQL: none, a heap with its key index is the only layout.
   */
  rowsInKeyOrder: RawBuilder<unknown>;
  /**
   * Whether write transactions that span awaits must queue in-process first. SQLite: a second connection to
   * the same file in this process (two nodes in a test) would busy-wait synchronously for the write lock,
   * blocking the event loop the holder needs to commit. PostgreSQL: no, nodes claim in parallel.
   */
  queueWriteTransactions: boolean;
  /**
   * Serialises the rest of the transaction with every other one taking the same key, across nodes: appends to a
   * chained table (the audit log), one engineer's bookings, one sender's mail. A text key is hashed by the
   * database into the 64-bit key space. SQLite transactions already exclude each other; PostgreSQL takes a
   * transaction-scoped advisory lock.
   */
  lockForAppend(trx: Kysely<any>, key: number | string): Promise<void>;
  /**
   * Next value of a named counter (`counters` row on SQLite, `<name>_seq` sequence on PostgreSQL). PostgreSQL
   * uses a sequence so concurrent transactions do not queue behind a row lock held until commit; a
   * rolled-back transaction leaves a gap there. SQLite has a single writer, so the row costs nothing.
   */
  nextCounter(trx: Kysely<any>, name: string): Promise<number>;
  /** Set a counter so the next value is `value + 1` (seeding and imports). */
  setCounter(db: Kysely<any>, name: string, value: number): Promise<void>;
  /**
   * A RETURNING column that does what `notify` does for each inserted row, saving a round trip on hot inserts
   * (PostgreSQL runs `pg_notify`; SQLite, which has no listeners, returns null).
   */
  notifyReturning(channel: string, payload: RawBuilder<unknown>): RawBuilder<unknown>;
  /**
   * A condition, always true, to AND into a write statement run on its own (not in a transaction) so that its
   * commit does not wait for the disk: for bookkeeping whose loss in a crash of the database server (not of a
   * node) only repeats work, a message sent twice, and never loses any. PostgreSQL: `synchronous_commit` off
   * for that statement's transaction, set in the statement itself to spare the round trips of a transaction
   * block. SQLite (WAL, `synchronous = NORMAL`) commits like that already.
   */
  relaxedCommit: RawBuilder<SqlBool>;
  /** Wake listeners on other nodes; delivered only when the surrounding transaction commits. */
  notify(db: Kysely<any>, channel: string, payload: string): Promise<void>;
  /**
   * The database server's clock in epoch milliseconds, the one clock every node of a cluster shares
   * (PostgreSQL); null on SQLite, whose single node has only its own.
   */
  clockMs(db: Kysely<any>): Promise<number | null>;
  /**
   * A number that changes whenever another connection commits to the database (SQLite's data_version), so a
   * poll for what other processes wrote skips its read when nothing was; null where it is not known (PostgreSQL,
   * which announces its writes with NOTIFY instead).
   */
  commitsElsewhere(db: Kysely<any>): Promise<number | null>;
  /**
   * Gives the query planner statistics for the tables that lack or outgrew them, cheaply (SQLite's
   * `PRAGMA optimize`, bounded by `analysis_limit`): without them SQLite reads an open-ticket index's table rows
   * instead of the index alone (a second at 1M tickets). PostgreSQL's autovacuum keeps its own.
   */
  refreshStatistics(db: Kysely<any>): Promise<void>;
  /** Full-text search over a table's text columns; see `FullTextIndex`. */
  fullText: {
    create(db: Kysely<any>, index: FullTextIndex): Promise<void>;
    drop(db: Kysely<any>, index: FullTextIndex): Promise<void>;
    /**
     * The row holds every word, the last one also as a prefix ("tron" finds "tronco"). Words must be
     * letters and digits only, so nothing in them is query syntax on either engine. SQLite first counts
     * the matches (up to a bound) to pick how the condition is written.
     */
    matches(db: Kysely<any>, index: FullTextIndex, words: string[]): Promise<RawBuilder<SqlBool>>;
  };
  /** Ranked search over app-normalised text (the knowledge base); see `RankedTextIndex`. */
  rankedText: {
    create(db: Kysely<any>, index: RankedTextIndex): Promise<void>;
    drop(db: Kysely<any>, index: RankedTextIndex): Promise<void>;
    /**
     * Row source `(key, score)` of the rows holding any of the terms, higher score better (BM25 on SQLite,
     * `ts_rank_cd` on PostgreSQL), the heading weighing more than the body. Terms must be letters and digits
     * only (the app's normalised terms); with `prefixLast` the last one also matches as a prefix. `bound`
     * limits the ranking's cost when a term is common, each engine the way its index allows: SQLite ranks every
     * match inside FTS5 (bm25 is cheap there) and keeps the best `top`, as a rowid filter would make FTS5 run
     * the query again for each row; PostgreSQL computes ts_rank_cd, which reads each row's tsvector, only for
     * the keys in `among` (a subquery of candidate keys).
     */
    ranked(
      index: RankedTextIndex,
      terms: string[],
      prefixLast: boolean,
      bound?: { top: number; among: Expression<unknown> },
    ): RawBuilder<unknown>;
  };
  /**
   * Table and column list for schema comparison and the data dictionary. The full-text machinery (FTS5
   * tables on SQLite, `tsvector` columns and their GIN indexes on PostgreSQL) differs by nature between
   * engines and is left out.
   */
  describeSchema(db: Kysely<any>): Promise<SchemaTable[]>;
}

/**
 * A full-text index over `columns` of `table`, accents and case ignored on both engines, no stemming.
 * SQLite: an FTS5 external-content table named `name` (unicode61, remove_diacritics 2), kept in sync by
 * triggers so every writer updates it, with rows keyed by the integer `key` column: the rowid of a table
 * without an INTEGER PRIMARY KEY may change on VACUUM. PostgreSQL: a stored generated `tsvector` column
 * named `name`, 'simple' configuration over the text with Latin accents folded by translate() (unaccent is
 * an extension that may be missing; letters outside `ACCENTED` keep their accents), and a GIN index of the
 * same name. Stored, so a plan walking the table in id order tests a row without re-parsing its text.
 */
export interface FullTextIndex {
  name: string;
  table: string;
  key: string;
  columns: string[];
}

/**
 * Ranked search over two columns of text the app has already normalised (accents, case, stems, stop words
 * gone), so both engines index the same terms. SQLite: an FTS5 external-content table `name` kept in sync by
 * triggers, ranked by bm25 with the heading weighing ten times the body. PostgreSQL: a stored generated
 * `tsvector` column `name` ('simple' configuration: no further folding; heading weight A, body weight B) with a
 * GIN index of the same name, ranked by ts_rank_cd.
 */
export interface RankedTextIndex {
  name: string;
  table: string;
  /** Integer key of the table (FTS5 rowid). */
  key: string;
  heading: string;
  body: string;
}

/** Accented Latin letters (Portuguese, Spanish, French, German) and their plain forms, for PostgreSQL. */
const ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝ";
const PLAIN = "aaaaaaeeeeiiiiooooouuuucnyyAAAAAAEEEEIIIIOOOOOUUUUCNY";

/**
 * Under this many matches SQLite looks each matching row up by key (about 5 µs a row); from it on, it walks
 * the table in the query's order keeping the rows in the match set, which ends sooner the more rows match.
 */
const FEW_MATCHES = 5000;

export interface SchemaColumn {
  name: string;
  /** Folded by `canonicalType`: what the engine stores, so a timestamp is `text` on SQLite. */
  type: string;
  nullable: boolean;
}
/** An index made by `createIndex`; its name is ours, so it is the same on both engines. */
export interface SchemaIndex {
  name: string;
  columns: string[];
  unique: boolean;
}
export interface SchemaTable {
  name: string;
  columns: SchemaColumn[];
  indexes: SchemaIndex[];
  /** Column lists of UNIQUE constraints, whose index names each engine makes up. */
  uniques: string[][];
}

/** Engine type names folded to one vocabulary, so both schemas can be compared. */
export function canonicalType(raw: string): string {
  const t = raw.toLowerCase();
  if (t.includes("timestamp")) return "timestamp";
  if (t.includes("json")) return "json";
  if (t === "boolean" || t === "bool") return "boolean";
  if (t.includes("int") || t === "bigserial" || t === "serial") return "integer";
  if (t.includes("real") || t.includes("double") || t.includes("numeric") || t.includes("float")) return "real";
  if (t.includes("bytea") || t.includes("blob")) return "bytes";
  return "text";
}

function compareColumnLists(a: string[], b: string[]): number {
  return a.join(",") < b.join(",") ? -1 : 1;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** JSON text with lone surrogates as U+FFFD: PostgreSQL's jsonb refuses the `\ud800` escapes JSON.stringify writes. */
export const storableJson = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? v.replace(LONE_SURROGATE, "\uFFFD") : v));

const sqliteDialect: Dialect = {
  engine: "sqlite",
  types: { timestamp: "text", json: "text", boolean: "integer", bytes: "blob" },
  serialId: (table) => table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement()),
  // One JSON array of rows, parsed once by json_each in C: better-sqlite3 binds a single string.
  numericRows: (columns, values) => {
    const rows = values[0]!.map((_, r) => columns.map((_, c) => values[c]![r]));
    const select = columns.map(
      (c, i) =>
        sql`CAST(value ->> ${sql.lit(i)} AS ${sql.raw(c.type === "bigint" ? "INTEGER" : "REAL")}) AS ${sql.ref(c.name)}`,
    );
    return sql`(SELECT ${sql.join(select)} FROM json_each(${JSON.stringify(rows)}))`;
  },
  // Instants are ISO text already; ->> yields SQL integers for JSON integers, 1/0 for booleans (as stored), and
  // an object's or array's JSON text (as stored).
  jsonRows: (columns, rows) =>
    sql`(SELECT ${sql.join(Object.keys(columns).map((c) => sql`value ->> ${c} AS ${sql.ref(c)}`))} FROM json_each(${JSON.stringify(rows)}))`,
  json: (value) => sql<string>`${storableJson(value)}`,
  // `||` makes text of blobs, byte for byte in the database's UTF-8: the cast takes the same bytes back.
  bytesSlices: (value, slices) =>
    sql<Uint8Array>`CAST(${sql.join(
      slices.map((s) => sql`substr(${value}, ${sql.lit(Math.trunc(s.offset) + 1)}, ${sql.lit(Math.trunc(s.length))})`),
      sql` || `,
    )} AS BLOB)`,
  // The width is an integer literal: better-sqlite3 binds JS numbers as REAL, which would make the division exact.
  timeBucket: (column, seconds) =>
    sql<string>`strftime('%Y-%m-%dT%H:%M:%S.000Z', (CAST(strftime('%s', ${column}) AS INTEGER) / ${sql.lit(Math.trunc(seconds))}) * ${sql.lit(Math.trunc(seconds))}, 'unixepoch')`,
  // SQLite has a single writer, so a claim's UPDATE is already exclusive.
  skipLocked: sql``,
  rowsInKeyOrder: sql`WITHOUT ROWID`,
  queueWriteTransactions: true,
  lockForAppend: async () => {},
  async nextCounter(trx, name) {
    const { rows } = await sql<{ value: number }>`
      UPDATE counters SET value = value + 1 WHERE name = ${name} RETURNING value`.execute(trx);
    return Number(rows[0]!.value);
  },
  async setCounter(db, name, value) {
    await sql`UPDATE counters SET value = ${value} WHERE name = ${name}`.execute(db);
  },
  relaxedCommit: sql<SqlBool>`1 = 1`,
  notifyReturning: () => sql`NULL`,
  notify: async () => {},
  clockMs: async () => null,
  async commitsElsewhere(db) {
    const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(db);
    return Number(rows[0]!.data_version);
  },
  async refreshStatistics(db) {
    await sql`PRAGMA analysis_limit = 400`.execute(db);
    await sql`PRAGMA optimize = 0x10002`.execute(db);
  },
  fullText: {
    async create(db, { name, table, key, columns }) {
      const [t, n, k] = [sql.id(table), sql.id(name), sql.id(key)];
      const cols = sql.join(columns.map((c) => sql.id(c)));
      const values = (row: "new" | "old") =>
        sql.join([sql.raw(`${row}.${key}`), ...columns.map((c) => sql.raw(`${row}.${c}`))]);
      await sql`CREATE VIRTUAL TABLE ${n} USING fts5(${cols}, content=${sql.lit(table)}, content_rowid=${sql.lit(key)},
        tokenize='unicode61 remove_diacritics 2')`.execute(db);
      const add = (row: "new" | "old") => sql`INSERT INTO ${n}(rowid, ${cols}) VALUES (${values(row)});`;
      const remove = sql`INSERT INTO ${n}(${n}, rowid, ${cols}) VALUES ('delete', ${values("old")});`;
      await sql`CREATE TRIGGER ${sql.id(`${name}_insert`)} AFTER INSERT ON ${t} BEGIN ${add("new")} END`.execute(db);
      await sql`CREATE TRIGGER ${sql.id(`${name}_update`)} AFTER UPDATE OF ${cols}, ${k} ON ${t}
        BEGIN ${remove} ${add("new")} END`.execute(db);
      await sql`CREATE TRIGGER ${sql.id(`${name}_delete`)} AFTER DELETE ON ${t} BEGIN ${remove} END`.execute(db);
      await sql`INSERT INTO ${n}(${n}) VALUES ('rebuild')`.execute(db);
    },
    async drop(db, { name }) {
      for (const suffix of ["insert", "update", "delete"]) {
        await sql`DROP TRIGGER IF EXISTS ${sql.id(`${name}_${suffix}`)}`.execute(db);
      }
      await sql`DROP TABLE IF EXISTS ${sql.id(name)}`.execute(db);
    },
    async matches(db, { name, table, key }, words) {
      const query = words.map((w, i) => `"${w}"${i === words.length - 1 ? "*" : ""}`).join(" ");
      const matching = sql`SELECT rowid FROM ${sql.id(name)} WHERE ${sql.id(name)} MATCH ${query}`;
      const { rows } = await sql<{ n: number }>`
        SELECT count(*) AS n FROM (${matching} LIMIT ${FEW_MATCHES})`.execute(db);
      // Unary + keeps SQLite off the key's index, so the match set becomes a filter on the walk.
      return Number(rows[0]?.n) < FEW_MATCHES
        ? sql<SqlBool>`${sql.ref(`${table}.${key}`)} IN (${matching})`
        : sql<SqlBool>`+${sql.ref(`${table}.${key}`)} IN (${matching})`;
    },
  },
  rankedText: {
    async create(db, { name, table, key, heading, body }) {
      await sqliteDialect.fullText.create(db, { name, table, key, columns: [heading, body] });
    },
    async drop(db, { name, table, key, heading, body }) {
      await sqliteDialect.fullText.drop(db, { name, table, key, columns: [heading, body] });
    },
    ranked({ name }, terms, prefixLast, bound) {
      const query = terms.map((t, i) => `"${t}"${prefixLast && i === terms.length - 1 ? "*" : ""}`).join(" OR ");
      const score = sql`bm25(${sql.id(name)}, 10.0, 1.0)`;
      return sql`(SELECT rowid AS key, -${score} AS score FROM ${sql.id(name)}
        WHERE ${sql.id(name)} MATCH ${query}${bound ? sql` ORDER BY ${score} LIMIT ${sql.lit(bound.top)}` : sql``})`;
    },
  },
  async describeSchema(db) {
    // pragma_table_list tells the FTS5 virtual tables ('virtual') and their storage ('shadow') apart.
    const tables = await sql<{ name: string }>`
      SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
        AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name`.execute(db);
    const out: SchemaTable[] = [];
    for (const { name } of tables.rows) {
      const cols = await sql<{ name: string; type: string; notnull: number; pk: number }>`
        SELECT name, type, "notnull", pk FROM pragma_table_info(${name}) ORDER BY cid`.execute(db);
      const idx = await sql<{ name: string; origin: string; unique: number; columns: string }>`
        SELECT l.name, l.origin, l."unique",
          (SELECT json_group_array(name) FROM (SELECT name FROM pragma_index_info(l.name) ORDER BY seqno)) AS columns
        FROM pragma_index_list(${name}) l WHERE l.origin IN ('c', 'u') ORDER BY l.name`.execute(db);
      out.push({
        name,
        columns: cols.rows.map((c) => ({
          name: c.name,
          type: canonicalType(c.type),
          nullable: c.notnull === 0 && c.pk === 0,
        })),
        indexes: idx.rows
          .filter((i) => i.origin === "c")
          .map((i) => ({ name: i.name, columns: JSON.parse(i.columns), unique: i.unique === 1 })),
        uniques: idx.rows
          .filter((i) => i.origin === "u")
          .map((i) => JSON.parse(i.columns) as string[])
          .sort(compareColumnLists),
      });
    }
    return out;
  },
};

const postgresDialect: Dialect = {
  engine: "postgres",
  types: { timestamp: "timestamptz", json: "jsonb", boolean: "boolean", bytes: "bytea" },
  serialId: (table) =>
    table.addColumn("id", "bigint", (c: ColumnDefinitionBuilder) => c.primaryKey().generatedAlwaysAsIdentity()),
  numericRows: (columns, values) =>
    sql`(SELECT * FROM unnest(${sql.join(
      columns.map((c, i) => sql`${values[i]}::${sql.raw(c.type === "bigint" ? "bigint[]" : "float8[]")}`),
    )}) AS x(${sql.join(columns.map((c) => sql.ref(c.name)))}))`,
  jsonRows: (columns, rows) =>
    sql`(SELECT * FROM jsonb_to_recordset(${storableJson(rows)}::jsonb) AS x(${sql.join(
      Object.entries(columns).map(
        ([c, type]) =>
          sql`${sql.ref(c)} ${sql.raw({ timestamp: "timestamptz", integer: "integer", bigint: "bigint", boolean: "boolean", json: "jsonb", text: "text" }[type])}`,
      ),
    )}))`,
  json: (value) => sql<string>`${storableJson(value)}::jsonb`,
  bytesSlices: (value, slices) => {
    const sliced = (v: Expression<unknown>) =>
      sql.join(
        slices.map(
          (s) => sql`substring(${v} from ${sql.lit(Math.trunc(s.offset) + 1)} for ${sql.lit(Math.trunc(s.length))})`,
        ),
        sql` || `,
      );
    // OFFSET 0 keeps the subquery from being merged into the slices, which would detoast once per slice again.
    return slices.length === 1
      ? sql<Uint8Array>`(${sliced(value)})`
      : sql<Uint8Array>`(SELECT ${sliced(sql.ref("x.v"))} FROM (SELECT ${value} || ''::bytea AS v OFFSET 0) AS x)`;
  },
  timeBucket: (column, seconds) =>
    sql<string>`to_timestamp(floor(extract(epoch from ${column}) / ${seconds}) * ${seconds})`,
  skipLocked: sql`FOR UPDATE SKIP LOCKED`,
  rowsInKeyOrder: sql``,
  queueWriteTransactions: false,
  async lockForAppend(trx, key) {
    const lock = typeof key === "string" ? sql`hashtextextended(${key}, 0)` : sql`${key}`;
    await sql`SELECT pg_advisory_xact_lock(${lock})`.execute(trx);
  },
  async nextCounter(trx, name) {
    const { rows } = await sql<{ value: number }>`SELECT nextval(${sql.lit(`${name}_seq`)}::regclass) AS value`.execute(
      trx,
    );
    return Number(rows[0]!.value);
  },
  async setCounter(db, name, value) {
    await sql`SELECT setval(${sql.lit(`${name}_seq`)}::regclass, ${Math.max(value, 1)}, ${value > 0})`.execute(db);
  },
  // An uncorrelated subquery runs once, and a local setting lasts through the implicit transaction's commit.
  relaxedCommit: sql<SqlBool>`(SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL`,
  notifyReturning: (channel, payload) => sql`pg_notify(${channel}, (${payload})::text)`,
  async notify(db, channel, payload) {
    await sql`SELECT pg_notify(${channel}, ${payload})`.execute(db);
  },
  async clockMs(db) {
    const { rows } = await sql<{ ms: number }>`SELECT extract(epoch FROM clock_timestamp()) * 1000 AS ms`.execute(db);
    return Number(rows[0]!.ms);
  },
  commitsElsewhere: async () => null,
  refreshStatistics: async () => {},
  fullText: {
    async create(db, { name, table, columns }) {
      const text = sql.join(
        columns.map((c) => sql`coalesce(${sql.id(c)}, '')`),
        sql` || ' ' || `,
      );
      await sql`ALTER TABLE ${sql.id(table)} ADD COLUMN ${sql.id(name)} tsvector GENERATED ALWAYS AS
        (to_tsvector('simple'::regconfig, translate(${text}, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}))) STORED`.execute(
        db,
      );
      await sql`CREATE INDEX ${sql.id(name)} ON ${sql.id(table)} USING gin (${sql.id(name)})`.execute(db);
    },
    async drop(db, { name, table }) {
      await sql`ALTER TABLE ${sql.id(table)} DROP COLUMN IF EXISTS ${sql.id(name)}`.execute(db);
    },
    // ANALYZE keeps statistics of the column, so the planner picks between the index and the walk itself.
    async matches(_db, { name, table }, words) {
      const query = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(" & ");
      return sql<SqlBool>`${sql.ref(`${table}.${name}`)} @@ to_tsquery('simple'::regconfig, translate(${query}, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}))`;
    },
  },
  rankedText: {
    async create(db, { name, table, heading, body }) {
      await sql`ALTER TABLE ${sql.id(table)} ADD COLUMN ${sql.id(name)} tsvector GENERATED ALWAYS AS
        (setweight(to_tsvector('simple'::regconfig, ${sql.id(heading)}), 'A') ||
         setweight(to_tsvector('simple'::regconfig, ${sql.id(body)}), 'B')) STORED`.execute(db);
      await sql`CREATE INDEX ${sql.id(name)} ON ${sql.id(table)} USING gin (${sql.id(name)}) WITH (fastupdate = off)`.execute(
        db,
      );
    },
    async drop(db, { name, table }) {
      await sql`ALTER TABLE ${sql.id(table)} DROP COLUMN IF EXISTS ${sql.id(name)}`.execute(db);
    },
    ranked({ name, table, key }, terms, prefixLast, bound) {
      const query = terms.map((t, i) => (prefixLast && i === terms.length - 1 ? `${t}:*` : t)).join(" | ");
      return sql`(SELECT ${sql.id(key)} AS key, ts_rank_cd(${sql.id(name)}, q) AS score
        FROM ${sql.id(table)}, to_tsquery('simple'::regconfig, ${query}) AS q WHERE ${sql.id(name)} @@ q${
          bound ? sql` AND ${sql.id(key)} IN (${bound.among})` : sql``
        })`;
    },
  },
  async describeSchema(db) {
    const cols = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
      SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name NOT LIKE 'kysely_%' AND data_type <> 'tsvector'
      ORDER BY table_name, ordinal_position`.execute(db);
    // Every index but the primary keys and full-text ones; `constraint` marks those backing a UNIQUE constraint.
    const idx = await sql<{
      table_name: string;
      name: string;
      unique: boolean;
      constraint: boolean;
      columns: string[];
    }>`
      SELECT t.relname AS table_name, i.relname AS name, x.indisunique AS unique,
        EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'u') AS constraint,
        ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary AND t.relname NOT LIKE 'kysely_%'
        AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid
          AND a.attnum = ANY (x.indkey::int2[]) AND a.atttypid = 'tsvector'::regtype)
      ORDER BY i.relname COLLATE "C"`.execute(db);
    const byTable = new Map<string, SchemaTable>();
    for (const c of cols.rows) {
      let t = byTable.get(c.table_name);
      if (!t) {
        t = { name: c.table_name, columns: [], indexes: [], uniques: [] };
        byTable.set(c.table_name, t);
      }
      t.columns.push({ name: c.column_name, type: canonicalType(c.data_type), nullable: c.is_nullable === "YES" });
    }
    for (const i of idx.rows) {
      const t = byTable.get(i.table_name);
      if (i.constraint) t?.uniques.push(i.columns);
      else t?.indexes.push({ name: i.name, columns: i.columns, unique: i.unique });
    }
    for (const t of byTable.values()) t.uniques.sort(compareColumnLists);
    // Byte order, as SQLite's ORDER BY gives it.
    return [...byTable.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  },
};

export function dialectFor(engine: Engine): Dialect {
  return engine === "postgres" ? postgresDialect : sqliteDialect;
}

/** The dialect of a Kysely instance (migrations receive only the instance). */
export function dialectOf(db: Kysely<any>): Dialect {
  return dialectFor(db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite");
}
