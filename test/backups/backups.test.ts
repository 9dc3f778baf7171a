import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Restic } from "../../src/modules/backups/restic.js";
import { ManualClock } from "../../src/platform/clock.js";
import {
  createOrganization,
  engines,
  harnessActor,
  postgresUrl,
  type ScratchDatabase,
  scratchDatabase,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";

type Headers = Record<string, string>;
/** MariaDB of the CI (`.ci/run` starts it): root with an empty password over TCP. */
const mysqlUrl = process.env.PLANTAO_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
const PASSWORD = "backup-test-password";
const req = { ip: "127.0.0.1", headers: {} };

/** Every file under `dir` with its bytes, for "nothing was touched" comparisons. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out[p] = readFileSync(p).toString("base64");
    }
  }
  return out;
}

describe.each(engines)("backups on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-03-02T12:00:00.000Z");
  let admin: Headers;
  let work: string;
  let source: string;
  let repoPath: string;

  beforeAll(async () => {
    t = await testApp(engine, { clock, config: { jobsEnabled: false } });
    admin = (await tokenFor(t, "admin")).headers;
    work = mkdtempSync(join(tmpdir(), "plantao-backups-"));
    source = join(work, "pbx");
    mkdirSync(join(source, "sip"), { recursive: true });
    writeFileSync(join(source, "sip", "peers.conf"), "[ramal100]\ntype=friend\n");
    writeFileSync(join(source, "extensions.conf"), "[default]\nexten => 100,1,Dial(PJSIP/100)\n");
    writeFileSync(join(source, "debug.log"), "excluded\n");
    repoPath = join(work, "repo");
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  const api = async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, headers = admin) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const createJob = async (body: Record<string, unknown>) => {
    const res = await api("POST", "/api/v1/backup-jobs", body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; name: string } & Record<string, any>;
  };
  const drained = () => t.platform.jobs.drain();
  const runOf = async (jobId: string, runId: string) =>
    (await api("GET", `/api/v1/backup-jobs/${jobId}/runs/${runId}`)).json();
  const eventsOf = async (type: string) => (await t.platform.events.since(0, 100_000)).filter((e) => e.type === type);

  let filesJob: { id: string; name: string };

  it("creates a files job with the plan's defaults and never shows a password", async () => {
    filesJob = await createJob({
      name: "pbx-config",
      source: { kind: "files", paths: [source], excludes: ["*.log"] },
      repository: { url: repoPath, password: PASSWORD },
      dataClass: "pbx-config",
    });
    expect(filesJob).toMatchObject({
      repository: { url: repoPath },
      schedule: { full: "0 2 * * *", incremental: "0 */4 * * *", frequent: null, timezone: "America/Sao_Paulo" },
      rpoMinutes: 60,
      rtoMinutes: 240,
      enabled: true,
    });
    expect(existsSync(join(repoPath, "config"))).toBe(true);
    // The repository's own key and Plantão's machine key (restic-key.ts), whose password is sealed like the job's.
    const keys = readdirSync(join(repoPath, "keys"));
    expect(keys).toHaveLength(2);
    const all = await api("GET", "/api/v1/backup-jobs");
    expect(all.body).not.toContain(PASSWORD);
    const rows = JSON.stringify(await t.platform.db.selectFrom("backup_jobs").selectAll().execute());
    expect(rows).not.toContain(PASSWORD);
    for (const id of keys) expect(rows).not.toContain(id);
  });

  it("refuses a wrong repository password with the field at fault, touching nothing", async () => {
    const before = tree(repoPath);
    const res = await api("POST", "/api/v1/backup-jobs", {
      name: "intruder",
      source: { kind: "files", paths: [source] },
      repository: { url: repoPath, password: "not-the-password" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ in: "body", pointer: "/repository/password" });
    expect(tree(repoPath)).toEqual(before);
    expect((await api("GET", "/api/v1/backup-jobs")).json().items).toHaveLength(1);
  });

  it("rejects bad input with 4xx naming the field", async () => {
    const bad = [
      [
        {
          name: "x",
          source: { kind: "files", paths: ["relative/path"] },
          repository: { url: repoPath, password: PASSWORD },
        },
        "/source/paths/0",
      ],
      [
        {
          name: "x",
          source: { kind: "postgres", url: "mysql://h/db" },
          repository: { url: repoPath, password: PASSWORD },
        },
        "/source/url",
      ],
      [
        {
          name: "pbx-config",
          source: { kind: "files", paths: [source] },
          repository: { url: repoPath, password: PASSWORD },
        },
        "/name",
      ],
      [
        { name: "x", source: { kind: "plantao-db" }, repository: { url: "relative-repo", password: PASSWORD } },
        "/repository/url",
      ],
      [
        {
          name: "x",
          source: { kind: "plantao-db" },
          repository: { url: repoPath, password: PASSWORD },
          schedule: { full: "abccccccc" },
        },
        "/schedule/full",
      ],
      [
        {
          name: "x",
          source: { kind: "plantao-db" },
          repository: { url: repoPath, password: PASSWORD },
          schedule: { timezone: "Mars/Base" },
        },
        "/schedule/timezone",
      ],
    ] as const;
    for (const [body, pointer] of bad) {
      const res = await api("POST", "/api/v1/backup-jobs", body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    const noop = await api("POST", `/api/v1/backup-jobs/${filesJob.id}/restores`, {
      snapshotId: "abcdef12",
      target: { kind: "in-place", confirm: "wrong name" },
    });
    expect(noop.statusCode).toBe(400);
    expect((await api("GET", `/api/v1/backup-jobs/${randomUUIDv7Like()}`)).statusCode).toBe(404);
  });

  it("keeps customers and roles without the backups area out", async () => {
    const org = await createOrganization(t);
    const customer = (await tokenFor(t, "customer-admin", { organizationId: org.id })).headers;
    const agent = (await tokenFor(t, "agent")).headers;
    for (const h of [customer, agent]) {
      for (const [method, url] of [
        ["GET", "/api/v1/backup-jobs"],
        ["GET", `/api/v1/backup-jobs/${filesJob.id}`],
        ["GET", `/api/v1/backup-jobs/${filesJob.id}/snapshots`],
        ["POST", `/api/v1/backup-jobs/${filesJob.id}/run`],
        ["GET", "/api/v1/backups/rpo"],
      ] as const) {
        const res = await api(method, url, method === "POST" ? {} : undefined, h);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.body).not.toContain(repoPath);
      }
    }
    const auditor = (await tokenFor(t, "auditor")).headers;
    expect((await api("GET", "/api/v1/backup-jobs", undefined, auditor)).statusCode).toBe(200);
    expect((await api("POST", `/api/v1/backup-jobs/${filesJob.id}/run`, {}, auditor)).statusCode).toBe(403);
    expect((await t.app.inject({ url: "/api/v1/backup-jobs" })).statusCode).toBe(401);
  });

  let fullSnapshot: string;

  it("runs a full and an incremental backup through the queue, with manifests and retention verdicts", async () => {
    const queued = await api("POST", `/api/v1/backup-jobs/${filesJob.id}/run`, { kind: "full" });
    expect(queued.statusCode, queued.body).toBe(202);
    expect(queued.json()).toMatchObject({ status: "queued", operation: "backup", kind: "full" });
    await drained();
    const full = await runOf(filesJob.id, queued.json().id);
    expect(full, JSON.stringify(full)).toMatchObject({ status: "succeeded", reason: null });
    expect(full.details.summary.files_new).toBe(2);
    fullSnapshot = full.snapshotId;

    appendFileSync(join(source, "extensions.conf"), "exten => 101,1,Dial(PJSIP/101)\n");
    const incr = await api("POST", `/api/v1/backup-jobs/${filesJob.id}/run`, {});
    await drained();
    const inc = await runOf(filesJob.id, incr.json().id);
    expect(inc).toMatchObject({ status: "succeeded", kind: "incremental" });
    expect(inc.details.summary).toMatchObject({ files_changed: 1, files_unmodified: 1 });

    const snaps = (await api("GET", `/api/v1/backup-jobs/${filesJob.id}/snapshots`)).json().items;
    expect(snaps).toHaveLength(2);
    expect(snaps[0]).toMatchObject({
      kind: "incremental",
      retention: { keep: true, tier: "incremental", reasons: ["within 7d"] },
    });
    expect(snaps[1]).toMatchObject({ kind: "full", retention: { keep: true, tier: "full" } });
    expect(snaps[1].retention.reasons).toEqual(["daily within 30d", "weekly within 3m", "monthly within 1y"]);
    expect(snaps[1].time).toMatch(/-03:00$/);

    const history = (await api("GET", `/api/v1/backup-jobs/${filesJob.id}/runs?limit=1`)).json();
    expect(history.items).toHaveLength(1);
    expect(history.nextCursor).toBeTruthy();
  }, 60_000);

  it("reports a missing source path before any snapshot is made", async () => {
    const job = await createJob({
      name: "recordings",
      source: { kind: "files", paths: [join(work, "does-not-exist")] },
      repository: { url: repoPath, password: PASSWORD },
    });
    const run = await t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
    expect(run).toMatchObject({ status: "failed", reason: "source-missing" });
    expect(run.error).toContain("does-not-exist");
    expect((await api("GET", `/api/v1/backup-jobs/${job.id}/snapshots`)).json().items).toEqual([]);
    expect((await eventsOf("backup.run_failed")).some((e) => (e.payload as any).runId === run.id)).toBe(true);
  });

  it("passes a restore test comparing checksums, and fails one loudly when the data differs", async () => {
    const started = await api("POST", `/api/v1/backup-jobs/${filesJob.id}/restore-tests`, {});
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json().status).toBe("running");
    await drained();
    const done = (await api("GET", `/api/v1/backup-jobs/${filesJob.id}/restore-tests/${started.json().id}`)).json();
    expect(done.status, JSON.stringify(done)).toBe("passed");
    expect(done.checks.map((c: { name: string }) => c.name)).toEqual(["restore", "checksums", "rto"]);
    expect(done.checks[1].detail).toContain("2 files match");
    // Beside the English detail, a message key and its values for clients in other languages.
    expect(done.checks[1]).toMatchObject({ key: "checksums.passed", params: { files: 2 } });
    expect(done.checks[2]).toMatchObject({
      key: "rto.passed",
      params: { ms: expect.any(Number), rto: expect.any(Number) },
    });
    expect(done.durationMs).toBeGreaterThan(0);

    // Damaged backup storage: one byte of the pack holding a recording's data flipped. restic restores what it
    // can, and the test fails naming the file that was lost, and raises the alert.
    const recordings = join(work, "recordings");
    mkdirSync(recordings);
    writeFileSync(join(recordings, "call-0001.wav"), randomBytes(3 * 1024 * 1024));
    writeFileSync(join(recordings, "call-0002.wav"), randomBytes(1000));
    const damagedRepo = join(work, "repo-damaged");
    const job = await createJob({
      name: "recordings-damaged",
      source: { kind: "files", paths: [recordings] },
      repository: { url: damagedRepo, password: PASSWORD },
    });
    const backup = await t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
    expect(backup.status).toBe("succeeded");
    const packs = readdirSync(join(damagedRepo, "data"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    // Trees live in packs of their own, of a few hundred bytes; the audio makes the largest one.
    const pack = packs.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]!;
    const bytes = readFileSync(pack);
    bytes[1000]! ^= 0xff;
    writeFileSync(pack, bytes);
    const failed = await t.services.backups.restoreTests.runNow(job.id, backup.snapshotId!);
    expect(failed.status).toBe("failed");
    expect(failed.checks.find((c) => c.name === "restore")).toMatchObject({ status: "failed" });
    expect(failed.checks.find((c) => c.name === "checksums")).toMatchObject({ status: "failed" });
    expect(failed.checks.find((c) => c.name === "checksums")!.detail).toMatch(
      /^1 of 2 files: \S+\/call-000[12]\.wav \((missing|content differs)\)$/,
    );
    const alerts = await eventsOf("backup.restore_test_failed");
    expect(alerts.at(-1)?.payload).toMatchObject({ jobId: job.id, testId: failed.id });
    await api("DELETE", `/api/v1/backup-jobs/${job.id}`);
  }, 60_000);

  it("restores a snapshot to another path through the API", async () => {
    const target = join(work, "restored");
    const res = await api("POST", `/api/v1/backup-jobs/${filesJob.id}/restores`, {
      snapshotId: fullSnapshot,
      target: { kind: "path", path: target },
    });
    expect(res.statusCode, res.body).toBe(202);
    await drained();
    expect(await runOf(filesJob.id, res.json().id)).toMatchObject({ status: "succeeded", operation: "restore" });
    expect(readFileSync(join(target, source, "sip", "peers.conf"), "utf8")).toContain("ramal100");
    expect(existsSync(join(target, source, "debug.log"))).toBe(false);
  }, 60_000);

  it("checks the repository by rotating read-data subsets and prunes only what restic agrees on", async () => {
    const check = await api("POST", `/api/v1/backup-jobs/${filesJob.id}/operations`, { operation: "check" });
    await drained();
    expect(await runOf(filesJob.id, check.json().id)).toMatchObject({
      status: "succeeded",
      details: { subset: "1/30" },
    });
    const again = await t.services.backups.runner.runNow(filesJob.id, { operation: "check" });
    expect(again.details).toMatchObject({ subset: "2/30" });

    const prune = await t.services.backups.runner.runNow(filesJob.id, { operation: "prune" });
    expect(prune, JSON.stringify(prune)).toMatchObject({ status: "succeeded", details: { removed: 0, kept: 2 } });
  }, 60_000);

  it("survives kill -9 of restic mid-backup: the run fails clearly and restic check passes", async () => {
    const big = join(work, "big");
    mkdirSync(big);
    for (let i = 0; i < 12; i++) writeFileSync(join(big, `rec-${i}.wav`), randomBytes(5 * 1024 * 1024));
    const job = await createJob({
      name: "big-recordings",
      source: { kind: "files", paths: [big] },
      repository: { url: repoPath, password: PASSWORD },
    });
    const restic = new Restic({
      repository: repoPath,
      password: PASSWORD,
      cacheDir: join(work, "cache"),
      timezone: "UTC",
    });
    const packsBefore = countFiles(join(repoPath, "data"));
    const running = t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
    // The restic process backing up into this test's repository, killed once it has written some data.
    let pid: number | undefined;
    for (let i = 0; i < 4000 && !(pid && countFiles(join(repoPath, "data")) > packsBefore); i++) {
      pid ??= resticOf(repoPath);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(pid).toBeDefined();
    process.kill(pid!, "SIGKILL");
    const run = await running;
    expect(run).toMatchObject({ status: "failed", reason: "interrupted" });
    expect(run.error).toContain("SIGKILL");

    const locks = (await api("GET", `/api/v1/backup-jobs/${job.id}/locks`)).json().items;
    expect(locks).toEqual([expect.objectContaining({ pid, stale: true, exclusive: false })]);
    // restic 0.14 will not take its exclusive lock past the stale one: Plantão reports it, and removes it
    // only when asked and while none of its runs works on the repository.
    await expect(restic.check()).rejects.toMatchObject({ reason: "repository-locked" });
    const queued = await api("POST", `/api/v1/backup-jobs/${job.id}/operations`, { operation: "unlock" });
    expect(queued.statusCode, queued.body).toBe(202);
    await drained();
    const unlock = await runOf(job.id, queued.json().id);
    expect(unlock).toMatchObject({ status: "succeeded", details: { removed: [expect.objectContaining({ pid })] } });
    expect(await restic.check()).toContain("no errors were found");
  }, 120_000);

  it("measures RPO per job and data class, alerting once when the newest backup is older than the target", async () => {
    clock.advance(30 * 60_000);
    await t.services.backups.rpo.evaluate();
    let rpo = (await api("GET", "/api/v1/backups/rpo")).json();
    const pbx = rpo.jobs.find((j: { jobId: string }) => j.jobId === filesJob.id);
    expect(pbx.rpo).toMatchObject({ targetMinutes: 60, status: "ok" });
    expect(pbx.rpo.measuredMinutes).toBeCloseTo(30, 0);
    expect(pbx.rto.status).toBe("ok");
    expect(rpo.jobs.find((j: { name: string }) => j.name === "recordings").rpo.status).toBe("no-backup");
    expect((await eventsOf("backup.rpo_exceeded")).map((e) => e.subjectId)).not.toContain(filesJob.id);

    clock.advance(31 * 60_000);
    await t.services.backups.rpo.evaluate();
    await t.services.backups.rpo.evaluate();
    rpo = (await api("GET", "/api/v1/backups/rpo")).json();
    expect(rpo.jobs.find((j: { jobId: string }) => j.jobId === filesJob.id).rpo.status).toBe("exceeded");
    expect(rpo.classes.find((c: { dataClass: string }) => c.dataClass === "pbx-config")).toMatchObject({
      rpoStatus: "exceeded",
      rtoStatus: "ok",
    });
    expect((await eventsOf("backup.rpo_exceeded")).filter((e) => e.subjectId === filesJob.id)).toHaveLength(1);

    await t.services.backups.runner.runNow(filesJob.id, { operation: "backup", kind: "incremental" });
    await t.services.backups.rpo.evaluate();
    expect((await eventsOf("backup.rpo_recovered")).filter((e) => e.subjectId === filesJob.id)).toHaveLength(1);
  }, 60_000);

  it("backs up Plantão's own database online and proves the copy in a restore test", async () => {
    const job = await t.services.backups.jobs.create(
      harnessActor(t),
      {
        name: "plantao",
        source: { kind: "plantao-db" },
        repository: { url: join(work, "repo-db"), password: PASSWORD },
      },
      req,
    );
    expect(job.schedule.frequent).toBe("*/10 * * * *");
    const run = await t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
    expect(run, JSON.stringify(run)).toMatchObject({ status: "succeeded" });
    const test = await t.services.backups.restoreTests.runNow(job.id);
    expect(test.status, JSON.stringify(test.checks)).toBe("passed");
    const names = test.checks.map((c) => c.name);
    expect(names).toEqual(
      engine === "sqlite"
        ? ["restore", "checksums", "sqlite-integrity", "row-counts", "rto"]
        : ["restore", "checksums", "pg-restore", "row-counts", "rto"],
    );
  }, 120_000);

  // The source is an external PostgreSQL whichever engine Plantão itself runs on: tested on both.
  it.skipIf(!postgresUrl)(
    "backs up an external PostgreSQL database with row counts from the dump's own snapshot",
    async () => {
      const scratch: ScratchDatabase = await scratchDatabase("postgres");
      try {
        const c = new pg.Client({ connectionString: scratch.url });
        await c.connect();
        await c.query("CREATE TABLE cdr (id serial primary key, src text, dst text, billsec int)");
        await c.query("INSERT INTO cdr (src, dst, billsec) SELECT '1100', '1200', g FROM generate_series(1, 500) g");
        await c.end();
        const job = await t.services.backups.jobs.create(
          harnessActor(t),
          {
            name: "cdr",
            source: { kind: "postgres", url: scratch.url },
            repository: { url: join(work, "repo-cdr"), password: PASSWORD },
          },
          req,
        );
        const run = await t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
        expect(run.status, run.error ?? "").toBe("succeeded");
        const stored = await t.platform.db
          .selectFrom("backup_runs")
          .select("manifest")
          .where("id", "=", run.id)
          .executeTakeFirstOrThrow();
        expect(JSON.parse(stored.manifest!).databases[0].tables).toEqual({ "public.cdr": 500 });
        const test = await t.services.backups.restoreTests.runNow(job.id);
        expect(test.status, JSON.stringify(test.checks)).toBe("passed");
        expect(test.checks.find((ch) => ch.name === "row-counts")?.detail).toContain("1 tables");
      } finally {
        await scratch.drop();
      }
    },
    120_000,
  );

  it("backs up a MySQL database and proves the dump loads back with every row in a restore test", async () => {
    const server = new URL(mysqlUrl);
    const name = `plantao_src_${randomBytes(5).toString("hex")}`;
    const admin = await mysql.createConnection({ uri: mysqlUrl, multipleStatements: true });
    const restoreDatabases = async () =>
      (await admin.query<mysql.RowDataPacket[]>("SHOW DATABASES LIKE 'plantao\\_restore\\_%'"))[0].length;
    const before = await restoreDatabases();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.query(
        `CREATE TABLE ${name}.cdr (id int auto_increment primary key, src varchar(20), dst varchar(20), billsec int);
         CREATE TABLE ${name}.notes (id int primary key, body text, raw varbinary(16));
         CREATE TABLE ${name}.empty_table (id int primary key);
         CREATE VIEW ${name}.long_calls AS SELECT * FROM ${name}.cdr WHERE billsec > 60;`,
      );
      for (let i = 0; i < 5; i++)
        await admin.query(
          `INSERT INTO ${name}.cdr (src, dst, billsec) VALUES ${Array.from({ length: 100 }, (_, j) => `('1100', '1200', ${i * 100 + j})`).join(",")}`,
        );
      // Strings that look like tuples, quotes and escapes: the counts must come out right anyway.
      await admin.query(`INSERT INTO ${name}.notes VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)`, [
        1,
        "it's (1,'2'),(3) \\ done",
        Buffer.from([0x28, 0x27, 0x5c, 0x29, 0x00]),
        2,
        'line\nbreak "quoted" ),(',
        null,
        3,
        null,
        Buffer.from("),("),
      ]);
      server.pathname = `/${name}`;
      const job = await t.services.backups.jobs.create(
        harnessActor(t),
        {
          name: "pbx-mysql",
          source: { kind: "mysql", url: server.toString() },
          repository: { url: join(work, "repo-mysql"), password: PASSWORD },
        },
        req,
      );
      const run = await t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
      expect(run.status, run.error ?? "").toBe("succeeded");
      const stored = await t.platform.db
        .selectFrom("backup_runs")
        .select("manifest")
        .where("id", "=", run.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(stored.manifest!).databases[0]).toMatchObject({
        engine: "mysql",
        tables: { cdr: 500, notes: 3, empty_table: 0 },
      });
      const test = await t.services.backups.restoreTests.runNow(job.id);
      expect(test.status, JSON.stringify(test.checks)).toBe("passed");
      expect(test.checks.map((c) => c.name)).toEqual(["restore", "checksums", "mysql-restore", "row-counts", "rto"]);
      expect(test.checks.find((c) => c.name === "row-counts")?.detail).toContain("3 tables");
      expect(await restoreDatabases()).toBe(before);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  }, 120_000);

  it("fails a backup onto a full disk loudly, leaving the repository consistent", async () => {
    const disk = join(work, "small-disk");
    mkdirSync(disk);
    // A real full filesystem: an 8 MiB tmpfs (CI runs as root); a failed mount fails the test, it never skips.
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", disk], { encoding: "utf8" });
    expect(mounted.status, `mount -t tmpfs: ${mounted.stderr}`).toBe(0);
    try {
      const fat = join(work, "fat");
      mkdirSync(fat);
      for (let i = 0; i < 3; i++) writeFileSync(join(fat, `rec-${i}.wav`), randomBytes(4 * 1024 * 1024));
      const repository = join(disk, "repo");
      const job = await createJob({
        name: "full-disk",
        source: { kind: "files", paths: [fat] },
        repository: { url: repository, password: PASSWORD },
      });
      const run = await t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
      expect(run).toMatchObject({ status: "failed", reason: "no-space", snapshotId: null });
      expect(run.error).toMatch(/is full; no snapshot was saved: .*no space left on device/);
      expect((await eventsOf("backup.run_failed")).some((e) => (e.payload as any).runId === run.id)).toBe(true);
      expect((await api("GET", `/api/v1/backup-jobs/${job.id}/snapshots`)).json().items).toEqual([]);
      expect((await api("GET", `/api/v1/backup-jobs/${job.id}/locks`)).json().items).toEqual([]);

      // Consistent as it is; the cleanup (prune) reclaims the packs the failed run left, and the next run fits.
      const restic = new Restic({ repository, password: PASSWORD, cacheDir: join(work, "cache"), timezone: "UTC" });
      expect(await restic.check()).toContain("no errors were found");
      await restic.exec(["prune"]);
      rmSync(join(fat, "rec-1.wav"));
      rmSync(join(fat, "rec-2.wav"));
      const again = await t.services.backups.runner.runNow(job.id, { operation: "backup", kind: "full" });
      expect(again, JSON.stringify(again)).toMatchObject({ status: "succeeded" });
      expect(await restic.check()).toContain("no errors were found");
    } finally {
      spawnSync("umount", [disk]);
    }
  }, 120_000);

  it("deletes a job, switching its schedules off", async () => {
    const res = await api("DELETE", `/api/v1/backup-jobs/${filesJob.id}`);
    expect(res.statusCode).toBe(204);
    const schedules = await t.platform.db
      .selectFrom("schedules")
      .select(["name", "enabled"])
      .where("name", "like", `backup:${filesJob.id}:%`)
      .execute();
    expect(schedules.length).toBeGreaterThan(0);
    expect(schedules.every((s) => !s.enabled)).toBe(true);
  });
});

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

/** The pid of the `restic backup` working on `repository`, found by its arguments and environment. */
function resticOf(repository: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "restic") continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes("backup")) continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`RESTIC_REPOSITORY=${repository}`))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

function randomUUIDv7Like(): string {
  return "01900000-0000-7000-8000-000000000000";
}
