import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { type Dialect, dialectFor } from "./dialect.js";
import type { DB } from "./schema.js";

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** The URL with any password masked, for logs and errors. */
  safeUrl: string;
  /** A dedicated PostgreSQL connection for LISTEN; undefined on SQLite. */
  /** `onReconnect` runs after a dropped LISTEN connection is back, so the caller can catch up. */
  listen?: (
    channel: string,
    onMessage: (payload: string) => void,
    onReconnect?: () => void,
  ) => Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export class DatabaseError extends Error {}

export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)([^@]*)@/, "$1***@");
}

/** PostgreSQL returns instants as ISO-8601 UTC strings and JSON as text, exactly as SQLite does. */
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    switch (oid) {
      case 1184: // timestamptz
      case 1114: // timestamp
        return (v: string) =>
          new Date(v.endsWith("+00") ? `${v.replace(" ", "T")}Z`.replace("+00Z", "Z") : v).toISOString();
      case 20: // int8: our ids and counters stay far below 2^53
        return (v: string) => Number(v);
      case 1700: // numeric
        return (v: string) => Number(v);
      case 114: // json
      case 3802: // jsonb
        return (v: string) => v;
      default:
        return pg.types.getTypeParser(oid, format as "text");
    }
  },
};

/** better-sqlite3 binds neither booleans nor Dates; convert them the way PostgreSQL stores them. */
function sqliteParam(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return v;
}

function wrapSqlite(raw: SqliteDatabase.Database) {
  const map = (params: readonly unknown[]) => params.map(sqliteParam);
  // Kysely prepares every query anew; the same few hundred statements repeat, so keep them prepared.
  const prepared = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => raw.close(),
    prepare(query: string) {
      let stmt = prepared.get(query);
      if (!stmt) {
        stmt = raw.prepare(query);
        if (prepared.size >= 500) prepared.delete(prepared.keys().next().value!);
        prepared.set(query, stmt);
      }
      return {
        reader: stmt.reader,
        all: (params: readonly unknown[]) => stmt.all(...map(params)),
        run: (params: readonly unknown[]) => stmt.run(...map(params)),
        iterate: (params: readonly unknown[]) => stmt.iterate(...map(params)),
      };
    },
  };
}

export async function openDatabase(
  url: string,
  opts: { onConnectionLost?: (err: Error) => void } = {},
): Promise<Database> {
  const safeUrl = maskUrl(url);
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length);
    if (file !== ":memory:") mkdirSync(dirname(resolve(file)), { recursive: true });
    let raw: SqliteDatabase.Database;
    try {
      raw = new SqliteDatabase(file === ":memory:" ? ":memory:" : resolve(file));
    } catch (err) {
      throw new DatabaseError(`cannot open SQLite database ${safeUrl}: ${(err as Error).message}`);
    }
    raw.pragma("journal_mode = WAL");
    raw.pragma("foreign_keys = ON");
    raw.pragma("busy_timeout = 5000");
    // WAL with NORMAL survives a process crash (kill -9) without losing commits; only power loss may drop the last ones.
    raw.pragma("synchronous = NORMAL");
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: wrapSqlite(raw) as never }) });
    return { db, dialect: dialectFor("sqlite"), safeUrl, close: () => db.destroy() };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      types: pgTypes,
      options: "-c TimeZone=UTC",
      connectionTimeoutMillis: 5000,
    });
    // An idle client lost its connection (the server restarted or cut it): the pool replaces it on next use.
    pool.on("error", (err) => opts.onConnectionLost?.(err));
    try {
      const client = await pool.connect();
      client.release();
    } catch (err) {
      await pool.end().catch(() => {});
      throw new DatabaseError(`cannot connect to PostgreSQL at ${safeUrl}: ${(err as Error).message}`);
    }
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const listeners = new Set<{ stop(): Promise<void> }>();
    const listen = async (channel: string, onMessage: (payload: string) => void, onReconnect?: () => void) => {
      let client: pg.Client | undefined;
      let stopped = false;
      let retryMs = 500;
      const retry = () => {
        if (stopped) return;
        setTimeout(() => void connect().then(() => onReconnect?.(), retry), retryMs).unref();
        retryMs = Math.min(retryMs * 2, 30_000);
      };
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url, options: "-c TimeZone=UTC" });
        c.on("notification", (msg) => {
          if (msg.channel === channel) onMessage(msg.payload ?? "");
        });
        // A dropped LISTEN connection is re-opened with backoff; the subscriber then catches up on what it missed.
        c.on("error", () => {});
        c.on("end", () => {
          if (client === c) retry();
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        } catch (err) {
          await c.end().catch(() => {});
          throw err;
        }
        client = c;
        retryMs = 500;
      };
      await connect();
      const handle = {
        async stop() {
          stopped = true;
          listeners.delete(handle);
          await client?.end().catch(() => {});
        },
      };
      listeners.add(handle);
      return () => handle.stop();
    };
    return {
      db,
      dialect: dialectFor("postgres"),
      safeUrl,
      listen,
      async close() {
        await Promise.all([...listeners].map((l) => l.stop()));
        await db.destroy();
      },
    };
  }
  throw new DatabaseError(`PLANTAO_DATABASE_URL must start with sqlite: or postgres://, got ${safeUrl}`);
}
