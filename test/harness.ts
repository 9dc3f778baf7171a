import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import pino from "pino";
import { buildApp } from "../src/app.js";
import type { Actor } from "../src/modules/identity/actor.js";
import { type Role, roleScopes, type Tier } from "../src/modules/identity/roles.js";
import { SESSION_COOKIE } from "../src/modules/identity/service.js";
import type { Clock } from "../src/platform/clock.js";
import { type Config, loadConfig } from "../src/platform/config.js";
import type { Engine } from "../src/platform/db/dialect.js";
import { createPlatform, type Platform } from "../src/platform/runtime.js";
import { createServices, type Services } from "../src/services.js";

/** PostgreSQL for tests: set PLANTAO_TEST_POSTGRES_URL (CI does, and sets PLANTAO_TEST_REQUIRE_POSTGRES=1). */
export const postgresUrl = process.env.PLANTAO_TEST_POSTGRES_URL;
if (process.env.PLANTAO_TEST_REQUIRE_POSTGRES === "1" && !postgresUrl) {
  throw new Error("PLANTAO_TEST_REQUIRE_POSTGRES=1 but PLANTAO_TEST_POSTGRES_URL is not set");
}

/**
 * The engines every storage-touching suite runs on: both when PostgreSQL is there, unless PLANTAO_TEST_ENGINES
 * names fewer (CI's Node 24 run checks the runtime on SQLite; PostgreSQL still serves the tests that use it as
 * a peer, such as its backups and probes).
 */
const wanted = (process.env.PLANTAO_TEST_ENGINES || "sqlite,postgres").split(",");
export const engines: Engine[] = (postgresUrl ? (["sqlite", "postgres"] as const) : (["sqlite"] as const)).filter((e) =>
  wanted.includes(e),
);

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new empty database: a temporary SQLite file, or a fresh PostgreSQL database on the test server. */
export async function scratchDatabase(engine: Engine): Promise<ScratchDatabase> {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "plantao-test-"));
    return {
      url: `sqlite:${join(dir, "plantao.db")}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
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
  services: Services;
  /** The provider organization created by bootstrap. */
  providerId: string;
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
  const dataDir = mkdtempSync(join(tmpdir(), "plantao-data-"));
  const config = loadConfig(
    { PLANTAO_LOG_LEVEL: "silent" },
    { databaseUrl: scratch.url, dataDir, webDir: join(tmpdir(), "plantao-no-web"), ...opts.config },
  );
  const platform = await createPlatform({
    config,
    clock: opts.clock,
    logger: pino({ level: "silent" }),
    env: {},
    // A published type missing from the event catalogue, or a payload that drifted from it, fails the test.
    eventPayloadCheck: "throw",
  });
  const services = createServices(platform);
  const app = await buildApp(platform, services);
  await app.ready();
  await services.plan.ensureSeeded();
  await services.escalationPolicies.ensureSeeded();
  await services.directory.bootstrap({ providerName: "Provedor Teste" });
  const providerId = (await services.directory.listOrganizations({ limit: 1 }, {}))[0]!.id;
  if (opts.start) await platform.start();
  return {
    engine,
    platform,
    services,
    providerId,
    app,
    config,
    databaseUrl: scratch.url,
    async close() {
      await app.close();
      await platform.close();
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const TEST_PASSWORD = "correct horse battery staple";

let userSeq = 0;

/** Creates a user directly through the service (as the CLI would) and returns it. */
export async function createUser(
  t: TestContext,
  role: Role,
  opts: { organizationId?: string; tier?: Tier; email?: string; password?: string } = {},
) {
  userSeq++;
  return t.services.directory.createUser(null, {
    email: opts.email ?? `${role}-${userSeq}-${randomBytes(3).toString("hex")}@example.com`,
    name: `${role} ${userSeq}`,
    role,
    organizationId: opts.organizationId,
    tier: opts.tier,
    password: opts.password ?? TEST_PASSWORD,
  });
}

/** An admin actor for setting up fixtures through the services. */
export function harnessActor(t: TestContext): Actor {
  return {
    userId: "00000000-0000-7000-8000-000000000000",
    email: "harness@example.com",
    name: "harness",
    role: "admin",
    organizationId: t.providerId,
    tier: null,
    teams: [],
    via: "session",
  };
}

/** A customer organization created by the service. */
export async function createOrganization(t: TestContext, name = `Cliente ${++userSeq}`) {
  return t.services.directory.createOrganization(harnessActor(t), { name }, { ip: "127.0.0.1", headers: {} });
}

/** Bearer headers of a fresh user of `role` holding a token (by default with all its role's scopes). */
export async function tokenFor(t: TestContext, role: Role, opts: { organizationId?: string; scopes?: string[] } = {}) {
  const user = await createUser(t, role, opts);
  const actor = await t.services.directory.findUserByEmail(user.email);
  const { token } = await t.services.authentication.createToken(actor!, {
    name: "test",
    scopes: opts.scopes ?? roleScopes(role),
  });
  return { user, token, headers: { authorization: `Bearer ${token}` } };
}

/** Logs in through the API; returns headers carrying the session cookie and CSRF token. */
export async function sessionFor(t: TestContext, email: string, password = TEST_PASSWORD) {
  const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
  return { cookie: `${SESSION_COOKIE}=${cookie.value}`, "x-csrf-token": res.json().csrfToken as string };
}

/**
 * Removes the triage rules, so every new ticket starts at L1 on its tier's own calendar: for suites about the SLA
 * clocks themselves (triage has its own suite, test/tickets/console.test.ts).
 */
export async function withoutRoutingRules(t: TestContext): Promise<void> {
  await t.services.tickets.triage.replace(harnessActor(t), [], { ip: "127.0.0.1", headers: {} });
}
