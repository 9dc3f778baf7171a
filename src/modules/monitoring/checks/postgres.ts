import pg from "pg";
import { type DatabaseSettings, parseDatabaseTarget, DatabaseSettings as Settings } from "./database.js";
import { down, networkFailure, since, slowOrUp, timedOut, withAbort } from "./outcome.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

const settings = Settings("select 1");

const target = (t: string) => parseDatabaseTarget(t, ["postgres", "postgresql"], 5432);

/** SQLSTATE classes 28 (invalid authorization) and 3D (unknown database) are credential problems. */
const authStates = new Set(["28000", "28P01", "3D000"]);

async function run(raw: string, s: DatabaseSettings, ctx: CheckContext): Promise<CheckResult> {
  const t = target(raw);
  if (typeof t === "string") return down(null, "invalid_target", t);
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    user: t.user,
    database: t.database,
    password: s.password,
    ssl: s.tls === "disable" ? false : { rejectUnauthorized: s.tls === "verify" },
    connectionTimeoutMillis: ctx.timeoutMs,
    application_name: "plantao-monitor",
  });
  // A dead connection must not throw from an event emitter after the check is over.
  client.on("error", () => {});
  const start = performance.now();
  let phase = "connect";
  return withAbort(
    ctx,
    () => {
      // end() waits for the server; destroying the socket frees it now, mid-handshake or mid-query.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    },
    async (aborted) => {
      try {
        await client.connect();
        const connectMs = since(start);
        phase = "query";
        const result = await client.query({ text: s.query, rowMode: "array" });
        const queryMs = since(start) - connectMs;
        const latencyMs = since(start);
        const size = await client.query<{ size: string; version: string }>(
          "select pg_database_size(current_database())::text as size, current_setting('server_version') as version",
        );
        return slowOrUp(latencyMs, s.degradedAboveMs, "connect plus query", {
          connectMs,
          queryMs: Math.round(queryMs * 100) / 100,
          rows: result.rowCount,
          databaseSizeBytes: Number(size.rows[0]?.size ?? 0),
          serverVersion: size.rows[0]?.version ?? "",
        });
      } catch (error) {
        if (aborted()) return timedOut(ctx, `no ${phase === "connect" ? "connection" : "query result"}`);
        const code = (error as { code?: string }).code ?? "";
        const message = (error as Error).message;
        if (authStates.has(code)) return down(null, "auth_failed", `${code}: ${message}`);
        if (/^[0-9A-Z]{5}$/.test(code)) return down(since(start), "query_failed", `${code}: ${message}`);
        if (message.includes("timeout"))
          return timedOut(ctx, `no ${phase === "connect" ? "connection" : "query result"}`);
        return networkFailure(error);
      } finally {
        client.end().catch(() => {});
      }
    },
  );
}

export const postgres: ProbeType<DatabaseSettings> = {
  type: "postgres",
  settings,
  validateTarget: (t) => {
    const parsed = target(t);
    return typeof parsed === "string" ? parsed : null;
  },
  run,
};
