import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { addMachineKey, type MachineKey } from "../src/modules/backups/restic-key.js";
import { report, startBenchServer } from "./harness.js";

/**
 * Backing up a file set with restic, driven by Plantão versus restic run directly with the same flags
 * (`backup --json [--force] --host plantao --tag <kind>,plantao-job:<id> -- <dir>`).
 * Plantão adds: the source check, JSON parsing and the run's rows (file checksums are the snapshot's own).
 * Both open their repository with a machine key (restic-key.ts: Plantão adds one when a job is saved; the bench
 * adds one to each direct repository), so the key derivation restic does at every start costs both the same.
 * Measured in rounds, restic direct and Plantão in each, in turns (A B, B A, …) after a `sync`, so neither side
 * runs on the other's unwritten data and the load of a shared machine falls on both alike; each figure is the median of the rounds, and every round keeps its 1-minute load
 * average.
 * - first full: into an empty repository (each side a new one per round, Plantão through a new job);
 * - nightly full: `--force` again into the same repository;
 * - incremental: 1 % of the files rewritten, then a run without `--force` (a different 1 % each round).
 * Each Plantão run also reports its restic process's own time (`details.resticMs`): the run's time beyond it,
 * `withinRunOverheadPercent`, is Plantão's overhead measured in one run, free of the A/B noise of a shared VM.
 * Issue targets: overhead <= 5 % (ratio direct/Plantão >= 0.952) for the fulls, and the incremental in < 10 %
 * of the first full (ratio full/incremental >= 10).
 * Size: PLANTAO_BENCH_BACKUP_MB (default 2048) in PLANTAO_BENCH_BACKUP_FILES files (default 20,000),
 * PLANTAO_BENCH_BACKUP_ROUNDS rounds (default 6: even, so each side goes first as often).
 */
const MB = Number(process.env.PLANTAO_BENCH_BACKUP_MB || 2048);
const FILES = Number(process.env.PLANTAO_BENCH_BACKUP_FILES || 20_000);
const ROUNDS = Number(process.env.PLANTAO_BENCH_BACKUP_ROUNDS || 6);
const PASSWORD = "bench-backup-password";

/** The machine key of each direct repository: restic direct opens it as Plantão does, so only Plantão's own work differs. */
const machineKeys = new Map<string, MachineKey>();

function restic(repo: string, args: string[]): Promise<number> {
  const started = performance.now();
  const key = machineKeys.get(repo);
  return new Promise((resolve, reject) => {
    const child = spawn("restic", args, {
      env: {
        ...process.env,
        RESTIC_REPOSITORY: repo,
        RESTIC_PASSWORD: key?.password ?? PASSWORD,
        ...(key ? { RESTIC_KEY_HINT: key.id } : {}),
        RESTIC_CACHE_DIR: join(repo, "..", "cache-direct"),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) =>
      code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(stderr)),
    );
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;
const load1 = () => round2(loadavg()[0]!);
const CLOCK_TICK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/**
 * CPU seconds used so far by this process (every thread) and by its children that ended (restic): unlike wall
 * time, this does not depend on what else the shared machine runs.
 */
function cpu(): { self: number; children: number } {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  const { user, system } = process.cpuUsage();
  return { self: (user + system) / 1e6, children: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICK };
}

interface Timed {
  seconds: number;
  cpu: number;
  /** Through Plantão: its restic process's own seconds (the run's `details.resticMs`). */
  restic?: number;
}

interface Round {
  load1: number;
  direct: Timed;
  plantao: Timed;
}

/** Wall and CPU seconds of `fn`: restic's alone when `withSelf` is false (this process only waits for it). */
async function timed(fn: () => Promise<number | undefined>, withSelf: boolean): Promise<Timed> {
  // The previous run's repository writes go to disk now, not during this measurement.
  spawnSync("sync");
  const before = cpu();
  const t0 = performance.now();
  const restic = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const after = cpu();
  return {
    seconds,
    cpu: after.children - before.children + (withSelf ? after.self - before.self : 0),
    ...(restic === undefined ? {} : { restic }),
  };
}

export default async function backupRestic(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "plantao-bench-backup-"));
  const data = join(work, "data");
  const server = await startBenchServer("sqlite");
  try {
    // Random bytes, as recordings are: nothing to gain from compression or deduplication.
    const size = Math.floor((MB * 1024 * 1024) / FILES);
    const file = (i: number) => join(data, String(i % 100).padStart(2, "0"), `f${i}.bin`);
    for (let i = 0; i < FILES; i++) {
      if (i < 100) mkdirSync(join(data, String(i).padStart(2, "0")), { recursive: true });
      writeFileSync(file(i), randomBytes(size));
    }
    // Written back to disk now, not during the first measurement.
    spawnSync("sync");
    const services = server.services;
    await services.plan.ensureSeeded();
    const flags = (kind: string, jobId: string) => [
      "backup",
      "--json",
      ...(kind === "incremental" ? [] : ["--force"]),
      "--host",
      "plantao",
      "--tag",
      `${kind === "incremental" ? "incremental" : "full"},plantao-job:${jobId}`,
      "--",
      data,
    ];
    const direct = (repo: string, kind: "full" | "incremental", jobId: string) =>
      timed(async () => {
        await restic(repo, flags(kind, jobId));
        return undefined;
      }, false);
    const plantao = (jobId: string, kind: "full" | "incremental") =>
      timed(async () => {
        const run = await services.backups.runner.runNow(jobId, { operation: "backup", kind });
        if (run.status !== "succeeded") throw new Error(`${kind} run failed: ${run.error}`);
        return Number((run.details as { resticMs: number }).resticMs) / 1000;
      }, true);

    // Who goes first alternates by round, so neither side always runs on the other's leftovers.
    const pair = async (r: number, a: () => Promise<Timed>, b: () => Promise<Timed>) => {
      if (r % 2 === 0) {
        const direct = await a();
        return { direct, plantao: await b() };
      }
      const plantao = await b();
      return { direct: await a(), plantao };
    };
    const first: Round[] = [];
    const nightly: Round[] = [];
    let last: { jobId: string; repo: string } | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      const job = await services.backups.jobs.create(
        null,
        {
          name: `bench-${r}`,
          source: { kind: "files", paths: [data] },
          repository: { url: join(work, `repo-plantao-${r}`), password: PASSWORD },
        },
        { ip: "127.0.0.1", headers: {} },
      );
      const repo = join(work, `repo-direct-${r}`);
      await restic(repo, ["init"]);
      const key = await addMachineKey(repo, PASSWORD, new Date(), async () => true);
      if (!key) throw new Error("no machine key for the direct repository");
      machineKeys.set(repo, key);
      for (const rounds of [first, nightly]) {
        const load = load1();
        rounds.push({
          load1: load,
          ...(await pair(
            r,
            () => direct(repo, "full", job.id),
            () => plantao(job.id, "full"),
          )),
        });
      }
      if (last) {
        rmSync(join(work, `repo-plantao-${r - 1}`), { recursive: true, force: true });
        rmSync(last.repo, { recursive: true, force: true });
      }
      last = { jobId: job.id, repo };
    }

    const incremental: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = r; i < FILES; i += 100) writeFileSync(file(i), randomBytes(size));
      const load = load1();
      incremental.push({
        load1: load,
        ...(await pair(
          r,
          () => direct(last!.repo, "incremental", last!.jobId),
          () => plantao(last!.jobId, "incremental"),
        )),
      });
    }

    const summary = (rounds: Round[]) => {
      const m = (f: (x: Round) => number) => median(rounds.map(f));
      return {
        direct: m((x) => x.direct.seconds),
        ours: m((x) => x.plantao.seconds),
        directCpu: m((x) => x.direct.cpu),
        oursCpu: m((x) => x.plantao.cpu),
        // Plantão's run beyond its own restic process, measured in the same run: no A/B noise.
        within: m((x) => (x.plantao.seconds - x.plantao.restic!) / x.plantao.restic!),
        rounds: rounds.map((x) => ({
          load1: x.load1,
          direct: round2(x.direct.seconds),
          plantao: round2(x.plantao.seconds),
          directCpu: round2(x.direct.cpu),
          plantaoCpu: round2(x.plantao.cpu),
          plantaoRestic: round2(x.plantao.restic!),
        })),
      };
    };
    const percent = (part: number, whole: number) => Math.round((part / whole) * 1000) / 10;
    for (const [name, what, rounds] of [
      ["backup-restic-overhead", "first full into an empty repository", first],
      ["backup-restic-overhead-nightly", "nightly full (--force) into the repository holding the previous", nightly],
    ] as const) {
      const s = summary(rounds);
      report(
        {
          name,
          metric: `median seconds, ${what}: restic direct (value) vs through Plantão (baseline)`,
          value: round2(s.direct),
          baseline: round2(s.ours),
          megabytes: MB,
          files: FILES,
          overheadPercent: percent(s.ours - s.direct, s.direct),
          cpuSeconds: { direct: round2(s.directCpu), plantao: round2(s.oursCpu) },
          cpuOverheadPercent: percent(s.oursCpu - s.directCpu, s.directCpu),
          withinRunOverheadPercent: Math.round(s.within * 1000) / 10,
          rounds: s.rounds,
        },
        0.952,
      );
    }
    const full = summary(first);
    const incr = summary(incremental);
    report(
      {
        name: "backup-restic-incremental",
        metric:
          "median seconds through Plantão: first full (value) vs incremental with 1% of the files changed (baseline)",
        value: round2(full.ours),
        baseline: round2(incr.ours),
        changedFiles: Math.ceil(FILES / 100),
        incrementalPercentOfFull: percent(incr.ours, full.ours),
        resticDirectIncrementalPercentOfFull: percent(incr.direct, full.direct),
        cpuSeconds: { plantaoFull: round2(full.oursCpu), plantaoIncremental: round2(incr.oursCpu) },
        withinRunOverheadPercent: Math.round(incr.within * 1000) / 10,
        rounds: incr.rounds,
      },
      10,
    );
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}
