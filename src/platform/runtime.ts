import type { Kysely } from "kysely";
import pino, { type Logger } from "pino";
import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { type Database, openDatabase } from "./db/database.js";
import type { Dialect } from "./db/dialect.js";
import { migrateToLatest } from "./db/migrate.js";
import type { DB } from "./db/schema.js";
import { EventBus, type PayloadCheck } from "./events/bus.js";
import { EventFanOut } from "./events/fanout.js";
import { FanOutRepository } from "./events/fanout-repository.js";
import { JobQueue } from "./jobs/queue.js";
import { JobRepository } from "./jobs/repository.js";
import { SecretBox, SecretKeyError } from "./secrets.js";

/** The shared services every module receives: database, clock, logger, jobs and events. */
export interface Platform {
  config: Config;
  clock: Clock;
  log: Logger;
  database: Database;
  db: Kysely<DB>;
  dialect: Dialect;
  jobs: JobQueue;
  events: EventBus;
  /** Turns each committed event into its jobs once across all nodes; modules register handlers. */
  fanOut: EventFanOut;
  secrets: SecretBox;
  /** Releases a module's resource (a connection pool) when the platform closes, after the jobs stopped. */
  onClose(release: () => void | Promise<void>): void;
  /** Starts background work (job claiming, event delivery). */
  start(): Promise<void>;
  /** Finishes or releases claimed jobs, stops listeners and closes the database. */
  close(): Promise<void>;
}

export interface PlatformOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** Run pending migrations on open (the server does; `plantao migrate` does it explicitly). */
  migrate?: boolean;
  /** Environment for the secret key (PLANTAO_SECRET_KEY); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** An event payload that does not fit the catalogue: `throw` in tests, `warn` (the default) in production. */
  eventPayloadCheck?: PayloadCheck;
}

/**
 * A known value sealed with the secret key on first start: opening it proves the key is the one that
 * sealed this database's secrets, so a lost or changed key fails at start, not at the first 2FA login.
 */
async function checkSecretKey(db: Kysely<DB>, secrets: SecretBox, now: Date): Promise<void> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", "secret_key_check").executeTakeFirst();
  if (!row) {
    await db
      .insertInto("settings")
      .values({ key: "secret_key_check", value: secrets.seal("plantao"), updated_at: now.toISOString() })
      .execute();
    return;
  }
  try {
    secrets.open(row.value);
  } catch {
    throw new SecretKeyError(
      "the secret key (PLANTAO_SECRET_KEY or <data>/secret.key) is not the one this database's secrets were sealed with; restore the original key",
    );
  }
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "plantao" }, timestamp: pino.stdTimeFunctions.isoTime });
}

export async function createPlatform(opts: PlatformOptions): Promise<Platform> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config.databaseUrl, {
    onConnectionLost: (err) =>
      log.warn({ err }, "a database connection was lost; the pool opens a new one on next use"),
  });
  let secrets: SecretBox;
  try {
    if (opts.migrate !== false) {
      const applied = await migrateToLatest(database.db);
      if (applied.length) log.info({ applied }, "database migrated");
    }
    await database.dialect.refreshStatistics(database.db);
    secrets = SecretBox.load(opts.env ?? process.env, config.dataDir);
    await checkSecretKey(database.db, secrets, clock.now());
  } catch (err) {
    await database.close();
    throw err;
  }
  const jobs = new JobQueue(
    new JobRepository(database.db, database.dialect),
    clock,
    log.child({ part: "jobs" }),
    {
      nodeId: config.nodeId,
      concurrency: config.jobConcurrency,
      leaseMs: config.jobLeaseMs,
      pollMs: config.jobPollMs,
    },
    database.listen,
  );
  const events = new EventBus(
    database.db,
    database.dialect,
    clock,
    log.child({ part: "events" }),
    database.listen,
    undefined,
    opts.eventPayloadCheck,
    config.nodeId,
  );
  const fanOut = new EventFanOut(
    new FanOutRepository(database.db, database.dialect),
    events,
    clock,
    log.child({ part: "fan-out" }),
    // Events are fanned out when heard; the sweep is for those a dead node's rolled-back claim left behind.
    { sweepMs: 5 * config.jobPollMs, nodeId: config.nodeId },
  );
  const releases: (() => void | Promise<void>)[] = [];
  let closed = false;
  return {
    config,
    clock,
    log,
    database,
    db: database.db,
    dialect: database.dialect,
    jobs,
    events,
    fanOut,
    secrets,
    onClose(release) {
      releases.push(release);
    },
    async start() {
      await events.start();
      // Every node fans out, whichever claims first: with jobs off it still turns events into jobs for others.
      fanOut.start();
      if (config.jobsEnabled) await jobs.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await jobs.stop();
      await fanOut.stop();
      await events.stop();
      for (const release of releases) await release();
      await database.close();
    },
  };
}
