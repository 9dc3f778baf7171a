import type { Command } from "commander";
import { type OpenServices, type Output, processOutput, withServices } from "../../platform/cli.js";
import type { Backups, RestoreTarget } from "./model.js";
import { type BackupKind, backupKinds } from "./tiers.js";

export type OpenBackups = OpenServices<{ backups: Backups }>;

/** Runs `fn` on the backup services; false (an operation that failed) or a throw sets exit code 1. */
const withBackups = (open: OpenBackups, io: Output, fn: (b: Backups) => Promise<boolean>) =>
  withServices(open, io, (services) => fn(services.backups));

type RunLike = {
  status: string;
  reason: string | null;
  error: string | null;
  snapshotId: string | null;
  durationMs: number | null;
};
const runLine = (what: string, r: RunLike) =>
  r.status === "succeeded"
    ? `${what}: succeeded${r.snapshotId ? ` (snapshot ${r.snapshotId})` : ""} in ${r.durationMs} ms\n`
    : `${what}: ${r.status} [${r.reason}] ${r.error}\n`;

/** `plantao backup run|list|restore|verify`: the same operations as the API, run here and now (no queue). */
export function registerBackupCommands(program: Command, open: OpenBackups, io: Output = processOutput): void {
  const backup = program.command("backup").description("backups with restic: run, list, restore, verify");

  backup
    .command("run")
    .description("back up a job now (a locked repository fails at once; the scheduler retries, the CLI does not)")
    .argument("<job>", "job name or id")
    .option("--kind <kind>", `one of ${backupKinds.join(", ")}`, "incremental")
    .option("--full", "a full backup: no parent, every file re-read")
    .action(async (name: string, opts: { kind: string; full?: boolean }) => {
      const kind = (opts.full ? "full" : opts.kind) as BackupKind;
      if (!backupKinds.includes(kind)) {
        io.err(`plantao: --kind must be one of ${backupKinds.join(", ")}\n`);
        process.exitCode = 1;
        return;
      }
      await withBackups(open, io, async (b) => {
        const job = await b.jobs.resolve(name);
        const run = await b.runner.runNow(job.id, { operation: "backup", kind });
        io.out(runLine(`${kind} backup of ${job.name}`, run));
        return run.status === "succeeded";
      });
    });

  backup
    .command("list")
    .description("list backup jobs, or one job's snapshots with the retention rule that keeps each")
    .argument("[job]", "job name or id")
    .action(async (name: string | undefined) => {
      await withBackups(open, io, async (b) => {
        if (!name) {
          for (const j of await b.jobs.list())
            io.out(`${j.name}\t${j.source.kind}\t${j.repository.url}\t${j.enabled ? "enabled" : "disabled"}\n`);
          return true;
        }
        const job = await b.jobs.resolve(name);
        for (const s of await b.runner.snapshots(job.id)) {
          const verdict = s.retention.keep ? `keep: ${s.retention.reasons.join(", ")}` : "prune next";
          io.out(`${s.shortId}\t${s.time}\t${s.kind ?? "-"}\t${verdict}\n`);
        }
        return true;
      });
    });

  backup
    .command("restore")
    .description("restore a snapshot to a path, into a PostgreSQL database, or in place (with --in-place --yes)")
    .argument("<job>", "job name or id")
    .argument("<snapshot>", "snapshot id (short or full)")
    .option("--target <path>", "restore under this directory")
    .option("--database <url>", "load a PostgreSQL dump into this existing database")
    .option("--in-place", "overwrite the live data")
    .option("--yes", "confirm an in-place restore")
    .action(
      async (
        name: string,
        snapshotId: string,
        opts: { target?: string; database?: string; inPlace?: boolean; yes?: boolean },
      ) => {
        const chosen = [opts.target, opts.database, opts.inPlace].filter(Boolean).length;
        if (chosen !== 1) {
          io.err("plantao: give exactly one of --target, --database or --in-place\n");
          process.exitCode = 1;
          return;
        }
        if (opts.inPlace && !opts.yes) {
          io.err("plantao: an in-place restore overwrites live data: repeat with --yes to confirm\n");
          process.exitCode = 1;
          return;
        }
        await withBackups(open, io, async (b) => {
          const job = await b.jobs.resolve(name);
          const target: RestoreTarget = opts.target
            ? { kind: "path", path: opts.target }
            : opts.database
              ? { kind: "database", url: opts.database }
              : { kind: "in-place", confirm: job.name };
          const run = await b.runner.runNow(job.id, { operation: "restore", snapshotId, target });
          io.out(runLine(`restore of ${snapshotId}`, run));
          return run.status === "succeeded";
        });
      },
    );

  backup
    .command("verify")
    .description("check the repository (next read-data subset of 30) and run a restore test")
    .argument("<job>", "job name or id")
    .option("--snapshot <id>", "restore-test this snapshot instead of the newest")
    .option("--check-only", "only the repository check")
    .action(async (name: string, opts: { snapshot?: string; checkOnly?: boolean }) => {
      await withBackups(open, io, async (b) => {
        const job = await b.jobs.resolve(name);
        const check = await b.runner.runNow(job.id, { operation: "check" });
        io.out(runLine(`restic check ${(check.details as { subset?: string } | null)?.subset ?? ""}`, check));
        if (opts.checkOnly) return check.status === "succeeded";
        const test = await b.restoreTests.runNow(job.id, opts.snapshot);
        io.out(`restore test of ${test.snapshotId ?? "-"}: ${test.status} in ${test.durationMs} ms\n`);
        for (const c of test.checks) io.out(`  ${c.status === "passed" ? "ok  " : "FAIL"} ${c.name}: ${c.detail}\n`);
        return check.status === "succeeded" && test.status === "passed";
      });
    });
}
