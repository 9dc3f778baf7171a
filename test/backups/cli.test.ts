import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerBackupCommands } from "../../src/modules/backups/cli.js";
import { harnessActor, type TestContext, testApp } from "../harness.js";

describe("plantao backup run|list|restore|verify", () => {
  let t: TestContext;
  let work: string;
  let out = "";
  let err = "";

  const cli = async (...args: string[]) => {
    out = "";
    err = "";
    process.exitCode = 0;
    const program = new Command("plantao").exitOverride();
    registerBackupCommands(program, async () => ({ services: t.services, close: async () => {} }), {
      out: (s) => (out += s),
      err: (s) => (err += s),
    });
    await program.parseAsync(["node", "plantao", ...args]);
    const code = process.exitCode;
    process.exitCode = 0;
    return code;
  };

  beforeAll(async () => {
    t = await testApp("sqlite", { config: { jobsEnabled: false } });
    work = mkdtempSync(join(tmpdir(), "plantao-backup-cli-"));
    mkdirSync(join(work, "etc"));
    writeFileSync(join(work, "etc", "pjsip.conf"), "[transport-udp]\ntype=transport\n");
    await t.services.backups.jobs.create(
      harnessActor(t),
      {
        name: "asterisk",
        source: { kind: "files", paths: [join(work, "etc")] },
        repository: { url: join(work, "repo"), password: "cli-test-password" },
      },
      { ip: "127.0.0.1", headers: {} },
    );
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("runs, lists, verifies and restores by job name", async () => {
    expect(await cli("backup", "run", "asterisk", "--full")).toBe(0);
    expect(out).toMatch(/^full backup of asterisk: succeeded \(snapshot [0-9a-f]{8}\)/);
    const snapshot = /snapshot ([0-9a-f]{8})/.exec(out)![1]!;

    expect(await cli("backup", "list")).toBe(0);
    expect(out).toContain("asterisk\tfiles");
    expect(await cli("backup", "list", "asterisk")).toBe(0);
    expect(out).toContain(`${snapshot}\t`);
    expect(out).toContain("keep: daily within 30d, weekly within 3m, monthly within 1y");

    expect(await cli("backup", "verify", "asterisk")).toBe(0);
    expect(out).toContain("restic check 1/30: succeeded");
    expect(out).toContain("ok   checksums: 1 files match the chunk checksums recorded in the snapshot");

    expect(await cli("backup", "restore", "asterisk", snapshot, "--target", join(work, "out"))).toBe(0);
    expect(readFileSync(join(work, "out", work, "etc", "pjsip.conf"), "utf8")).toContain("transport-udp");
  }, 60_000);

  it("refuses unconfirmed in-place restores, unknown jobs and bad kinds with one line and exit code 1", async () => {
    expect(await cli("backup", "restore", "asterisk", "abcdef12", "--in-place")).toBe(1);
    expect(err).toContain("--yes");
    expect(await cli("backup", "run", "nope")).toBe(1);
    expect(err).toBe("plantao: Backup job nope was not found\n");
    expect(await cli("backup", "run", "asterisk", "--kind", "weekly")).toBe(1);
    expect(err).toContain("--kind must be one of");
  });
});
