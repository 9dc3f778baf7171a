import mysql, { type RowDataPacket } from "mysql2";
import { type DatabaseSettings, parseDatabaseTarget, DatabaseSettings as Settings } from "./database.js";
import { down, networkFailure, since, slowOrUp, timedOut, withAbort } from "./outcome.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

const settings = Settings("select 1");

const target = (t: string) => parseDatabaseTarget(t, ["mysql", "mariadb"], 3306);

const authErrors = new Set(["ER_ACCESS_DENIED_ERROR", "ER_DBACCESS_DENIED_ERROR", "ER_BAD_DB_ERROR"]);

async function run(raw: string, s: DatabaseSettings, ctx: CheckContext): Promise<CheckResult> {
  const t = target(raw);
  if (typeof t === "string") return down(null, "invalid_target", t);
  const start = performance.now();
  // The callback API hands over the connection before the handshake, so an abort can destroy it mid-connect.
  const connection = mysql.createConnection({
    host: t.host,
    port: t.port,
    user: t.user,
    database: t.database,
    password: s.password,
    connectTimeout: ctx.timeoutMs,
    ...(s.tls === "disable" ? {} : { ssl: { rejectUnauthorized: s.tls === "verify" } }),
  });
  connection.on("error", () => {});
  let abort: (e: Error) => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    abort = reject;
  });
  aborted.catch(() => {});
  let phase = "connect";
  return withAbort(
    ctx,
    () => {
      connection.destroy();
      abort(new Error("aborted"));
    },
    async (isAborted) => {
      try {
        await Promise.race([
          new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve()))),
          aborted,
        ]);
        const connectMs = since(start);
        phase = "query";
        const db = connection.promise();
        const [rows] = await Promise.race([db.query({ sql: s.query, timeout: ctx.timeoutMs }), aborted]);
        const latencyMs = since(start);
        const [size] = await Promise.race([
          db.query<RowDataPacket[]>(
            "select version() as version, coalesce(sum(data_length + index_length), 0) as size from information_schema.tables where table_schema = database()",
          ),
          aborted,
        ]);
        return slowOrUp(latencyMs, s.degradedAboveMs, "connect plus query", {
          connectMs,
          queryMs: Math.round((latencyMs - connectMs) * 100) / 100,
          rows: Array.isArray(rows) ? rows.length : null,
          databaseSizeBytes: Number(size[0]?.size ?? 0),
          serverVersion: String(size[0]?.version ?? ""),
        });
      } catch (error) {
        if (isAborted()) return timedOut(ctx, `no ${phase === "connect" ? "connection" : "query result"}`);
        const code = (error as { code?: string }).code ?? "";
        const message = (error as Error).message;
        if (authErrors.has(code)) return down(null, "auth_failed", `${code}: ${message}`);
        if (code.startsWith("ER_")) return down(since(start), "query_failed", `${code}: ${message}`);
        if (code === "PROTOCOL_SEQUENCE_TIMEOUT") return timedOut(ctx, "no query result");
        return networkFailure(error);
      } finally {
        connection.destroy();
      }
    },
  );
}

export const mysqlProbe: ProbeType<DatabaseSettings> = {
  type: "mysql",
  settings,
  validateTarget: (t) => {
    const parsed = target(t);
    return typeof parsed === "string" ? parsed : null;
  },
  run,
};
