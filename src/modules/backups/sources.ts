import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import SqliteDatabase from "better-sqlite3";
import mysql, { type RowDataPacket } from "mysql2/promise";
import pg from "pg";
import { BackupError } from "./restic.js";
import type { CheckResult } from "./verify.js";

export type SourceSpec =
  | { kind: "plantao-db" }
  | { kind: "files"; paths: string[]; excludes?: string[] }
  | { kind: "postgres"; url: string }
  | { kind: "mysql"; url: string };

export interface ManifestDatabase {
  engine: "sqlite" | "postgres" | "mysql";
  /** The dump inside the snapshot. */
  file: string;
  /** Rows per table: read in the very snapshot the copy or dump holds (SQLite, PostgreSQL), or from the dump (MySQL). */
  tables: Record<string, number>;
}

/**
 * What a backup recorded beside its snapshot for the restore test: the dumps' row counts. File contents need no
 * copy here: the snapshot's trees record the sha256 of every chunk of every file, as restic read it.
 */
export interface Manifest {
  databases: ManifestDatabase[];
}

export interface PreparedSource {
  paths: string[];
  excludes: string[];
  databases: ManifestDatabase[];
}

export interface SourceContext {
  /** A directory of this job's own, the same on every run so restic groups its snapshots together. */
  stagingDir: string;
  /** Plantão's own database URL (`sqlite:<file>` or a PostgreSQL URL). */
  plantaoDatabaseUrl: string;
}

/** libpq's environment for a PostgreSQL URL: the password never appears in an argument list. */
export function pgEnv(url: string, database?: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: decodeURIComponent(u.hostname) || "localhost",
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username) || "postgres",
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: database ?? decodeURIComponent(u.pathname.slice(1)),
  };
}

/** Runs a tool to completion; a non-zero exit is a BackupError with the tool's last words. */
export function runTool(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  reason: "dump-failed" | "hook-failed" | "verification-failed",
  timeoutMs = 6 * 3_600_000,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolvePromise(stdout);
      const why = (stderr || err.message).trim().split("\n").slice(-3).join("; ");
      reject(new BackupError(reason, `${cmd} failed: ${why}`));
    });
  });
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function pgCounts(client: pg.Client): Promise<Record<string, number>> {
  const tables = await client.query<{ schemaname: string; tablename: string }>(
    "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
  );
  const out: Record<string, number> = {};
  for (const t of tables.rows) {
    const r = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quoteIdent(t.schemaname)}.${quoteIdent(t.tablename)}`,
    );
    out[`${t.schemaname}.${t.tablename}`] = Number(r.rows[0]!.n);
  }
  return out;
}

/**
 * `pg_dump -Fc` inside an exported snapshot: the row counts are read in the very transaction the dump sees,
 * so the restore test can demand equality, not roughly equal.
 */
async function dumpPostgres(url: string, file: string): Promise<ManifestDatabase> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError("dump-failed", `cannot connect to PostgreSQL: ${(err as Error).message}`);
  }
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const snap = (await client.query<{ s: string }>("SELECT pg_export_snapshot() AS s")).rows[0]!.s;
    const tables = await pgCounts(client);
    await runTool("pg_dump", ["-Fc", "--no-owner", `--snapshot=${snap}`, "-f", file], pgEnv(url), "dump-failed");
    await client.query("COMMIT");
    return { engine: "postgres", file, tables };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The client's connection options and environment for a MySQL URL: the password only in `MYSQL_PWD`. */
function mysqlClient(url: string): { args: string[]; env: NodeJS.ProcessEnv; database: string } {
  const u = new URL(url);
  return {
    args: [
      `--host=${decodeURIComponent(u.hostname) || "localhost"}`,
      `--port=${u.port || "3306"}`,
      `--user=${decodeURIComponent(u.username) || "root"}`,
    ],
    env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) },
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

/**
 * Rows per table as the dump holds them: the tuples of its `INSERT INTO` statements (on one line, or one tuple
 * a line as MariaDB's mysqldump writes them; strings escaped with backslashes), and 0 for a table without rows.
 */
export async function mysqlDumpCounts(file: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const name = (quoted: string) => quoted.replace(/``/g, "`");
  // Inside an INSERT statement: its table, the parenthesis depth and the open quote, across lines.
  let table: string | null = null;
  let depth = 0;
  let quote = "";
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    let i = 0;
    if (table === null) {
      const created = /^CREATE TABLE `((?:[^`]|``)+)`/.exec(line);
      if (created) counts[name(created[1]!)] ??= 0;
      const insert = /^INSERT INTO `((?:[^`]|``)+)` VALUES/.exec(line);
      if (!insert) continue;
      table = name(insert[1]!);
      counts[table] ??= 0;
      i = insert[0].length;
    }
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === "\\") i++;
        else if (c === quote) quote = "";
      } else if (c === "'" || c === '"') quote = c;
      else if (c === "(") {
        if (depth++ === 0) counts[table]!++;
      } else if (c === ")") depth--;
      else if (c === ";" && depth === 0) {
        table = null;
        break;
      }
    }
  }
  return counts;
}

/**
 * `mysqldump --single-transaction`, whose snapshot no other session can share: the row counts are read from
 * the dump itself, so the restore test proves that every row it holds loads back.
 */
async function dumpMysql(url: string, file: string): Promise<ManifestDatabase> {
  const client = mysqlClient(url);
  const args = ["--single-transaction", "--routines", "--triggers", ...client.args, `--result-file=${file}`];
  await runTool("mysqldump", [...args, client.database], client.env, "dump-failed");
  return { engine: "mysql", file, tables: await mysqlDumpCounts(file) };
}

/** Row counts per table of an SQLite file (virtual tables left out: their content lives in shadow tables). */
export function sqliteCounts(db: SqliteDatabase.Database): Record<string, number> {
  const names = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    names.map((n) => [
      n,
      Number(
        db
          .prepare(`SELECT count(*) FROM ${quoteIdent(n)}`)
          .pluck()
          .get(),
      ),
    ]),
  );
}

/** A consistent online copy through SQLite's backup API, which steps without blocking the event loop. */
async function copySqlite(source: string, file: string): Promise<ManifestDatabase> {
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(file, { progress: () => 2000 });
  } finally {
    db.close();
  }
  const copy = new SqliteDatabase(file, { readonly: true });
  try {
    return { engine: "sqlite", file, tables: sqliteCounts(copy) };
  } finally {
    copy.close();
  }
}

/** Checks, before anything runs, that every path of a files source exists. */
export async function missingPaths(paths: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const p of paths) {
    try {
      await stat(p);
    } catch {
      missing.push(p);
    }
  }
  return missing;
}

/** Puts the source where restic reads it (a dump in the staging directory, or the paths themselves). */
export async function prepareSource(spec: SourceSpec, ctx: SourceContext): Promise<PreparedSource> {
  if (spec.kind === "files") {
    const paths = spec.paths.map((p) => resolve(p));
    const missing = await missingPaths(paths);
    if (missing.length) throw new BackupError("source-missing", `source path does not exist: ${missing.join(", ")}`);
    return { paths, excludes: spec.excludes ?? [], databases: [] };
  }
  await rm(ctx.stagingDir, { recursive: true, force: true });
  await mkdir(ctx.stagingDir, { recursive: true, mode: 0o700 });
  let database: ManifestDatabase;
  if (spec.kind === "plantao-db") {
    database = ctx.plantaoDatabaseUrl.startsWith("sqlite:")
      ? await copySqlite(ctx.plantaoDatabaseUrl.slice("sqlite:".length), join(ctx.stagingDir, "plantao.sqlite"))
      : await dumpPostgres(ctx.plantaoDatabaseUrl, join(ctx.stagingDir, "plantao.pgdump"));
  } else if (spec.kind === "postgres") {
    database = await dumpPostgres(spec.url, join(ctx.stagingDir, "database.pgdump"));
  } else {
    database = await dumpMysql(spec.url, join(ctx.stagingDir, "database.sql"));
  }
  return { paths: [ctx.stagingDir], excludes: [], databases: [database] };
}

// verification ------------------------------------------------------------------------------------

function compareCounts(name: string, expected: Record<string, number>, actual: Record<string, number>): CheckResult {
  const diffs = Object.entries(expected)
    .filter(([t, n]) => actual[t] !== n)
    .map(([t, n]) => `${t}: ${actual[t] ?? "missing"} rows, expected ${n}`);
  return diffs.length
    ? { name, status: "failed", detail: diffs.slice(0, 5).join("; ") }
    : {
        name,
        status: "passed",
        detail: `${Object.keys(expected).length} tables, row counts equal to the backup's`,
        key: "rowCounts.passed",
        params: { tables: Object.keys(expected).length },
      };
}

export function checkSqlite(file: string, db: ManifestDatabase): CheckResult[] {
  const conn = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = conn.pragma("integrity_check", { simple: true }) as string;
    return [
      integrity === "ok"
        ? {
            name: "sqlite-integrity",
            status: "passed",
            detail: "PRAGMA integrity_check: ok",
            key: "sqliteIntegrity.passed",
          }
        : { name: "sqlite-integrity", status: "failed", detail: `PRAGMA integrity_check: ${integrity}` },
      compareCounts("row-counts", db.tables, sqliteCounts(conn)),
    ];
  } finally {
    conn.close();
  }
}

/** Restores a dump into a new scratch database on `serverUrl`'s server, counts its rows, then drops it. */
export async function checkPostgres(file: string, db: ManifestDatabase, serverUrl: string): Promise<CheckResult[]> {
  const name = `plantao_restore_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const results: CheckResult[] = [];
    try {
      await runTool(
        "pg_restore",
        ["--no-owner", "--exit-on-error", "-d", name, file],
        pgEnv(serverUrl, name),
        "verification-failed",
      );
      results.push({
        name: "pg-restore",
        status: "passed",
        detail: `pg_restore into scratch database ${name}`,
        key: "pgRestore.passed",
        params: { database: name },
      });
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        results.push(compareCounts("row-counts", db.tables, await pgCounts(client)));
      } finally {
        await client.end();
      }
    } catch (err) {
      results.push({ name: "pg-restore", status: "failed", detail: (err as Error).message });
    }
    return results;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

/** Loads a MySQL dump into a new scratch database on `serverUrl`'s server, counts its rows, then drops it. */
export async function checkMysql(file: string, db: ManifestDatabase, serverUrl: string): Promise<CheckResult[]> {
  const name = `plantao_restore_${randomBytes(5).toString("hex")}`;
  const client = mysqlClient(serverUrl);
  const admin = await mysql.createConnection({ uri: serverUrl });
  try {
    await admin.query(`CREATE DATABASE \`${name}\``);
    const results: CheckResult[] = [];
    try {
      await pipeFileInto("mysql", [...client.args, name], client.env, file);
      results.push({
        name: "mysql-restore",
        status: "passed",
        detail: `dump loaded into scratch database ${name}`,
        key: "mysqlRestore.passed",
        params: { database: name },
      });
      const [tables] = await admin.query<RowDataPacket[]>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'",
        [name],
      );
      const counts: Record<string, number> = {};
      for (const { t } of tables) {
        const [rows] = await admin.query<RowDataPacket[]>(
          `SELECT count(*) AS n FROM \`${name}\`.\`${String(t).replace(/`/g, "``")}\``,
        );
        counts[t] = Number(rows[0]!.n);
      }
      results.push(compareCounts("row-counts", db.tables, counts));
    } catch (err) {
      results.push({ name: "mysql-restore", status: "failed", detail: (err as Error).message });
    }
    return results;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => {});
    await admin.end();
  }
}

/** Runs a hook command (argv, no shell) with the run's facts in its environment. */
export function runHook(argv: string[], env: Record<string, string>): Promise<string> {
  const [cmd, ...args] = argv;
  return runTool(cmd!, args, { ...process.env, ...env }, "hook-failed", 15 * 60_000);
}

/** Streams `cmd` into a file-less consumer; used by in-place database restores. */
export function pipeFileInto(cmd: string, args: string[], env: NodeJS.ProcessEnv, file: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr = (stderr + c).slice(-4000)));
    child.on("error", (err) => reject(new BackupError("restic-failed", `${cmd}: ${err.message}`)));
    child.on("close", (code) =>
      code === 0 ? resolvePromise() : reject(new BackupError("restic-failed", `${cmd} failed: ${stderr.trim()}`)),
    );
    createReadStream(file).pipe(child.stdin);
  });
}
