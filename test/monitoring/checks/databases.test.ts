import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeTypes, secretSettings } from "../../../src/modules/monitoring/checks/index.js";
import { postgresUrl } from "../../harness.js";
import { check } from "./run.js";

const postgres = probeTypes.postgres!;
const mysql = probeTypes.mysql!;
/** MariaDB runs on the project's machines (root, empty password, database test); .ci/run starts it. */
const mysqlUrl = process.env.PLANTAO_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

/** A database URL split into the probe's target (no password) and its password setting. */
function split(url: string): { target: string; password: string } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { target: u.href, password };
}

/** A TCP port that accepts connections and never says a word (a hung database). */
let silentPort = 0;
let closedPort = 0;
const silent = net.createServer(() => {});
beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
  silentPort = (silent.address() as net.AddressInfo).port;
  const temp = net.createServer();
  await new Promise<void>((resolve) => temp.listen(0, "127.0.0.1", () => resolve()));
  closedPort = (temp.address() as net.AddressInfo).port;
  await new Promise((resolve) => temp.close(resolve));
});
afterAll(async () => {
  silent.close();
});

describe.skipIf(!postgresUrl)("postgres probe against PostgreSQL", () => {
  const { target, password } = split(postgresUrl ?? "postgres://x@127.0.0.1/x");

  it("is UP: connects, runs the query, reports latency and the database size", async () => {
    const r = await check(postgres, target, { password });
    expect(r).toMatchObject({ status: "up", reason: null, details: { rows: 1 } });
    expect(r.details?.databaseSizeBytes).toBeGreaterThan(0);
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it("is DOWN (query_failed) when the query fails, DEGRADED (slow) above the threshold", async () => {
    const failed = await check(postgres, target, { password, query: "select * from no_such_table_here" });
    expect(failed).toMatchObject({ status: "down", reason: "query_failed" });
    expect(failed.message).toContain("42P01");
    const slow = await check(postgres, target, { password, query: "select pg_sleep(0.4)", degradedAboveMs: 200 });
    expect(slow).toMatchObject({ status: "degraded", reason: "slow" });
  });

  it("is DOWN (auth_failed) for an unknown role", async () => {
    const u = new URL(target);
    u.username = "no_such_role";
    expect(await check(postgres, u.href, { password })).toMatchObject({ status: "down", reason: "auth_failed" });
  });

  it("is DOWN (timeout) on a query past the timeout, and on a server that never answers", async () => {
    const started = performance.now();
    const r = await check(postgres, target, { password, query: "select pg_sleep(5)" }, 800);
    expect(r).toMatchObject({ status: "down", reason: "timeout" });
    expect(performance.now() - started).toBeLessThan(3000);
    const hung = await check(postgres, `postgres://monitor@127.0.0.1:${silentPort}/app`, {}, 800);
    expect(hung).toMatchObject({ status: "down", reason: "timeout" });
  });

  it("is DOWN (connection_refused) with nobody on the port", async () => {
    expect(await check(postgres, `postgres://monitor@127.0.0.1:${closedPort}/app`)).toMatchObject({
      reason: "connection_refused",
    });
  });
});

describe("mysql probe against MariaDB", () => {
  const { target, password } = split(mysqlUrl);

  it("is UP: connects, runs the query, reports latency and the database size", async () => {
    const r = await check(mysql, target, { password });
    expect(r).toMatchObject({ status: "up", reason: null, details: { rows: 1 } });
    expect(typeof r.details?.databaseSizeBytes).toBe("number");
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it("is DOWN (auth_failed) with a wrong password", async () => {
    const r = await check(mysql, target, { password: `${password}-wrong` });
    expect(r).toMatchObject({ status: "down", reason: "auth_failed" });
    expect(r.message).toContain("ER_ACCESS_DENIED_ERROR");
  });

  it("is DOWN (query_failed) when the query fails, DEGRADED (slow) above the threshold", async () => {
    const failed = await check(mysql, target, { password, query: "select * from no_such_table_here" });
    expect(failed).toMatchObject({ status: "down", reason: "query_failed" });
    expect(failed.message).toContain("ER_NO_SUCH_TABLE");
    const slow = await check(mysql, target, { password, query: "select sleep(0.4)", degradedAboveMs: 200 });
    expect(slow).toMatchObject({ status: "degraded", reason: "slow" });
  });

  it("is DOWN (timeout) on a query past the timeout, and on a server that never answers", async () => {
    const r = await check(mysql, target, { password, query: "select sleep(5)" }, 800);
    expect(r).toMatchObject({ status: "down", reason: "timeout" });
    const hung = await check(mysql, `mysql://monitor@127.0.0.1:${silentPort}/app`, {}, 800);
    expect(hung).toMatchObject({ status: "down", reason: "timeout" });
  });

  it("is DOWN (connection_refused) with nobody on the port", async () => {
    expect(await check(mysql, `mysql://monitor@127.0.0.1:${closedPort}/app`)).toMatchObject({
      reason: "connection_refused",
    });
  });
});

describe("database targets and secrets", () => {
  it("validates the URLs and keeps passwords out of them", () => {
    expect(postgres.validateTarget("postgres://monitor@db.example.com:5432/app")).toBeNull();
    expect(postgres.validateTarget("postgresql://monitor@[::1]/app")).toBeNull();
    expect(postgres.validateTarget("postgres://monitor:pw@db/app")).toMatch(/password in the settings/);
    expect(postgres.validateTarget("postgres://db/app")).toMatch(/no user/);
    expect(postgres.validateTarget("postgres://monitor@db")).toMatch(/no database/);
    expect(postgres.validateTarget("mysql://monitor@db/app")).toMatch(/postgres/);
    expect(mysql.validateTarget("mysql://monitor@db:3306/app")).toBeNull();
    expect(mysql.validateTarget("mariadb://monitor@db/app")).toBeNull();
  });

  it("marks every password setting as secret", () => {
    expect(secretSettings(postgres)).toEqual(["password"]);
    expect(secretSettings(mysql)).toEqual(["password"]);
    expect(secretSettings(probeTypes["sip-register"]!)).toEqual(["password"]);
    expect(secretSettings(probeTypes.http!)).toEqual([]);
  });
});
