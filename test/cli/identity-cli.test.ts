import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/platform/db/database.js";
import { engines, type ScratchDatabase, scratchDatabase } from "../harness.js";

/** `plantao users|tokens|audit` as a user runs them, against a real database. */
describe.each(engines)("identity CLI on %s", (engine) => {
  let db: ScratchDatabase;
  let dataDir: string;
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, ["bin/plantao.js", ...args], {
      input,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, PLANTAO_DATABASE_URL: db.url, PLANTAO_DATA_DIR: dataDir, PLANTAO_LOG_LEVEL: "silent" },
    });

  beforeAll(async () => {
    db = await scratchDatabase(engine);
    dataDir = mkdtempSync(join(tmpdir(), "plantao-cli-"));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Seven CLI processes one after another, each starting the TypeScript loader: 26 s on a quiet 2-core
  // machine, past the default 30 s when the other test worker is busy.
  it("creates users, prints only the token, and verifies the audit chain until a row is altered", async () => {
    const created = run(
      ["users", "create", "--email", "ana@example.com", "--role", "agent", "--tier", "L2"],
      "a secret passphrase\n",
    );
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain("created agent ana@example.com");
    expect(created.stdout).not.toContain("password:");

    const generated = run(["users", "create", "--email", "root@example.com", "--role", "admin"]);
    expect(generated.status, generated.stderr).toBe(0);
    expect(generated.stdout).toMatch(/password: \S{12,}/);

    const bad = run(["users", "create", "--email", "x@example.com", "--role", "wizard"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--role must be one of");

    const token = run([
      "tokens",
      "create",
      "--email",
      "ana@example.com",
      "--name",
      "pbx-script",
      "--scopes",
      "organizations:read",
    ]);
    expect(token.status, token.stderr).toBe(0);
    expect(token.stdout.trim()).toMatch(/^plt_[A-Za-z0-9_-]{40,}$/);

    const ok = run(["audit", "verify"]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/audit chain intact: \d+ rows verified/);

    const { db: kdb, close } = await openDatabase(db.url);
    await sql`UPDATE audit_log SET actor_label = 'mallory' WHERE seq = 2`.execute(kdb);
    await close();
    const broken = run(["audit", "verify"]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("audit chain broken at seq 2 (hash-mismatch)");
  }, 120_000);
});
