import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import pino from "pino";
import { buildApp } from "../src/app.js";
import type { Clock } from "../src/platform/clock.js";
import { type Config, loadConfig } from "../src/platform/config.js";
import type { Engine } from "../src/platform/db/dialect.js";
import { createPlatform, type Platform } from "../src/platform/runtime.js";

/** PostgreSQL for tests: set PLANTAO_TEST_POSTGRES_URL (CI does, and sets PLANTAO_TEST_REQUIRE_POSTGRES=1). */
export const postgresUrl = process.env.PLANTAO_TEST_POSTGRES_URL;
if (process.env.PLANTAO_TEST_REQUIRE_POSTGRES === "1" && !postgresUrl) {
  throw new Error("PLANTAO_TEST_REQUIRE_POSTGRES=1 but PLANTAO_TEST_POSTGRES_URL is not set");
}

/** The engines every storage-touching suite runs on. */
export const engines: Engine[] = postgresUrl ? ["sqlite", "postgres"] : ["sqlite"];

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new empty database: a temporary SQLite file, or a fresh PostgreSQL database on the test server. */
export async function scratchDatabase(engine: Engine): Promise<ScratchDatabase> {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "plantao-test-"));
    return { url: `sqlite:${join(dir, "plantao.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!postgresUrl) throw new Error("PLANTAO_TEST_POSTGRES_URL is not set");
  const name = `plantao_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestContext {
  engine: Engine;
  platform: Platform;
  app: FastifyInstance;
  config: Config;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A migrated platform and app on a scratch database. Background work stays off unless `start` is set. */
export async function testApp(
  engine: Engine,
  opts: { clock?: Clock; start?: boolean; config?: Partial<Config> } = {},
): Promise<TestContext> {
  const scratch = await scratchDatabase(engine);
  const config = loadConfig(
    { PLANTAO_LOG_LEVEL: "silent" },
    { databaseUrl: scratch.url, webDir: join(tmpdir(), "plantao-no-web"), ...opts.config },
  );
  const platform = await createPlatform({ config, clock: opts.clock, logger: pino({ level: "silent" }) });
  const app = await buildApp(platform);
  await app.ready();
  if (opts.start) await platform.start();
  return {
    engine,
    platform,
    app,
    config,
    databaseUrl: scratch.url,
    async close() {
      await app.close();
      await platform.close();
      await scratch.drop();
    },
  };
}
