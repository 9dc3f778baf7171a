import { type ChildProcess, spawn } from "node:child_process";
import { hostname } from "node:os";

/** Why a restic command failed, as a stable id clients may switch on; the message says it in words. */
export const failureReasons = [
  "wrong-password",
  "repository-locked",
  "repository-not-found",
  "no-space",
  "source-missing",
  "interrupted",
  "incomplete-snapshot",
  "dump-failed",
  "hook-failed",
  "verification-failed",
  "restic-failed",
] as const;
export type FailureReason = (typeof failureReasons)[number];

export class BackupError extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  tree: string;
  paths: string[];
  hostname: string;
  username: string;
  tags?: string[] | null;
  parent?: string;
}

/** The last `backup --json` line; every field optional because restic adds and renames them between versions. */
export interface BackupSummary {
  snapshot_id?: string;
  files_new?: number;
  files_changed?: number;
  files_unmodified?: number;
  dirs_new?: number;
  dirs_changed?: number;
  dirs_unmodified?: number;
  data_added?: number;
  total_files_processed?: number;
  total_bytes_processed?: number;
  total_duration?: number;
}

export interface BackupStatus {
  percent_done?: number;
  total_files?: number;
  files_done?: number;
  total_bytes?: number;
  bytes_done?: number;
}

/** A regular file in a snapshot: its absolute path, size and the ids (sha256) of its chunks, in order. */
export interface SnapshotFile {
  path: string;
  size: number;
  content: string[];
}

interface TreeNode {
  name: string;
  type: string;
  size?: number;
  content?: string[] | null;
  subtree?: string;
}

/** Trees read at once: each read is a restic process, mostly the key derivation, one core each. */
const TREE_READS = 3;

export interface ResticLock {
  id: string;
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  /** restic's own rule: older than 30 minutes, or made on this host by a process that is gone. */
  stale: boolean;
}

export interface ForgetGroup {
  host: string;
  paths: string[];
  tags: string[] | null;
  keep: ResticSnapshot[] | null;
  remove: ResticSnapshot[] | null;
  reasons: { snapshot: Omit<ResticSnapshot, "id" | "short_id">; matches: string[] }[] | null;
}

export interface ResticOptions {
  repository: string;
  password: string;
  /** restic's local cache of repository metadata. */
  cacheDir: string;
  /** Zone snapshot times are written in, so daily/weekly buckets follow the plan's calendar days. */
  timezone: string;
  binary?: string;
  /** The key `password` opens (Plantão's machine key), tried first; see restic-key.ts. */
  keyHint?: string;
  /** The job's own password, used when `password` no longer opens the repository (its key was removed). */
  fallbackPassword?: string;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Each JSON line restic prints on stdout while it runs (backup status and summary). */
  onJson?: (message: Record<string, unknown>) => void;
  onSpawn?: (child: ChildProcess) => void;
}

const STALE_LOCK_MS = 30 * 60_000;
const STDERR_KEEP = 16 * 1024;

/** The reason for a failed restic run, from its exit code and what it wrote on stderr (0.14 has one exit code for all). */
export function classify(code: number | null, signal: NodeJS.Signals | null, stderr: string): BackupError {
  const fatal = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const last = fatal.find((l) => l.startsWith("Fatal:")) ?? fatal.at(-1) ?? "";
  if (signal) return new BackupError("interrupted", `restic was stopped by ${signal} before it finished`);
  if (/wrong password or no key found/.test(stderr))
    return new BackupError("wrong-password", "wrong repository password: restic found no key it opens");
  if (/repository is already locked/.test(stderr)) {
    const holder = /locked (exclusively )?by (PID \d+ on [^\s]+ by [^\s]+)/.exec(stderr)?.[2];
    return new BackupError(
      "repository-locked",
      `the repository is locked by another restic process${holder ? ` (${holder})` : ""}; retried later`,
    );
  }
  if (/no space left on device/i.test(stderr))
    return new BackupError(
      "no-space",
      `the disk restic writes to (the repository or its cache) is full; no snapshot was saved: ${last}`,
    );
  if (/unable to open config file|Is there a repository at the following location/.test(stderr))
    return new BackupError("repository-not-found", `there is no restic repository there: ${last}`);
  if (/all target directories\/files do not exist/.test(stderr))
    return new BackupError("source-missing", "none of the source paths exists");
  if (code === 3)
    return new BackupError(
      "incomplete-snapshot",
      `restic could not read some source files; the snapshot is incomplete: ${fatal.slice(0, 3).join("; ")}`,
    );
  // restore and check go on past damaged data and name it in "ignoring error for <path>: <why>" lines.
  const ignored = fatal.filter((l) => l.startsWith("ignoring error for "));
  const more = ignored.length ? ` (${ignored.slice(0, 3).join("; ")}${ignored.length > 3 ? "; …" : ""})` : "";
  return new BackupError("restic-failed", `restic failed (exit ${code}): ${last || "no message"}${more}`);
}

/**
 * One restic repository driven through the restic binary (0.14 features only). The password reaches restic
 * through its environment, never its argument list, which other local users can read in /proc.
 */
export class Restic {
  constructor(private readonly opts: ResticOptions) {}

  get repository(): string {
    return this.opts.repository;
  }

  #env(password: string, keyHint: string | undefined): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ["RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND", "RESTIC_KEY_HINT"]) delete env[k];
    return {
      ...env,
      RESTIC_REPOSITORY: this.opts.repository,
      RESTIC_PASSWORD: password,
      ...(keyHint ? { RESTIC_KEY_HINT: keyHint } : {}),
      RESTIC_CACHE_DIR: this.opts.cacheDir,
      TZ: this.opts.timezone,
    };
  }

  /** Runs restic with `args`; resolves with stdout, rejects with a classified BackupError. */
  async exec(args: string[], opts: ExecOptions = {}): Promise<string> {
    try {
      return await this.#exec(args, opts, this.opts.password, this.opts.keyHint);
    } catch (err) {
      // restic refuses a wrong password before it writes anything, so running again is safe.
      if (!(err instanceof BackupError && err.reason === "wrong-password" && this.opts.fallbackPassword)) throw err;
      return this.#exec(args, opts, this.opts.fallbackPassword, undefined);
    }
  }

  #exec(args: string[], opts: ExecOptions, password: string, keyHint: string | undefined): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.binary ?? "restic", args, {
        env: this.#env(password, keyHint),
        stdio: ["ignore", "pipe", "pipe"],
        signal: opts.signal,
      });
      opts.onSpawn?.(child);
      let stdout = "";
      let partial = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        if (!opts.onJson) {
          stdout += chunk;
          return;
        }
        const lines = (partial + chunk).split("\n");
        partial = lines.pop()!;
        for (const line of lines) this.#emit(line, opts.onJson, (l) => (stdout += `${l}\n`));
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_KEEP);
      });
      child.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") reject(new BackupError("restic-failed", "the restic binary is not installed"));
        else if (err.name === "AbortError") reject(new BackupError("interrupted", "the run was cancelled"));
        else reject(new BackupError("restic-failed", err.message));
      });
      child.on("close", (code, signal) => {
        if (opts.onJson && partial) this.#emit(partial, opts.onJson, (l) => (stdout += `${l}\n`));
        if (code === 0) resolve(stdout);
        else if (!opts.signal?.aborted) reject(classify(code, signal, stderr));
      });
    });
  }

  #emit(line: string, onJson: (m: Record<string, unknown>) => void, other: (l: string) => void): void {
    if (!line.startsWith("{")) {
      other(line);
      return;
    }
    try {
      onJson(JSON.parse(line));
    } catch {
      other(line);
    }
  }

  /** Creates the repository unless it exists; true when it was created. */
  async ensureInitialized(): Promise<boolean> {
    try {
      await this.exec(["cat", "config", "--no-lock"]);
      return false;
    } catch (err) {
      if (!(err instanceof BackupError) || err.reason !== "repository-not-found") throw err;
    }
    await this.exec(["init"]);
    return true;
  }

  async backup(
    paths: string[],
    opts: {
      tags: string[];
      host: string;
      force: boolean;
      excludes?: string[];
      signal?: AbortSignal;
      onStatus?: (s: BackupStatus) => void;
      onSpawn?: (child: ChildProcess) => void;
    },
  ): Promise<BackupSummary> {
    const args = ["backup", "--json", "--host", opts.host, "--tag", opts.tags.join(",")];
    // --force re-reads every file and, in 0.14, uses no parent snapshot at all.
    if (opts.force) args.push("--force");
    for (const e of opts.excludes ?? []) args.push("--exclude", e);
    let summary: BackupSummary | undefined;
    await this.exec([...args, "--", ...paths], {
      signal: opts.signal,
      onSpawn: opts.onSpawn,
      onJson: (m) => {
        if (m.message_type === "summary") summary = m as BackupSummary;
        else if (m.message_type === "status") opts.onStatus?.(m as BackupStatus);
      },
    });
    if (!summary?.snapshot_id) throw new BackupError("restic-failed", "restic ended without a snapshot summary");
    return summary;
  }

  async snapshots(tags: string[] = []): Promise<ResticSnapshot[]> {
    const args = ["snapshots", "--json", "--no-lock"];
    if (tags.length) args.push("--tag", tags.join(","));
    const text = (await this.exec(args)).trim();
    return text ? (JSON.parse(text) as ResticSnapshot[]) : [];
  }

  /** `forget` for the snapshots having every tag in `tags`; with `prune`, unreferenced data goes too. */
  async forget(tags: string[], flags: string[], opts: { dryRun: boolean; prune: boolean }): Promise<ForgetGroup[]> {
    const args = ["forget", "--json", "--group-by", "host,paths", "--tag", tags.join(","), ...flags];
    if (opts.dryRun) args.push("--dry-run");
    if (opts.prune) args.push("--prune");
    const out = await this.exec(args);
    // With --prune, restic prints prune's text after the JSON document; nothing at all when no snapshot matched.
    const json = out.split("\n").find((l) => l.startsWith("["));
    return json ? (JSON.parse(json) as ForgetGroup[]) : [];
  }

  /** `restic check`, reading the data of one subset `n/t` when given; restic 0.14 has no JSON for check. */
  async check(subset?: { n: number; of: number }): Promise<string> {
    const args = ["check"];
    if (subset) args.push(`--read-data-subset=${subset.n}/${subset.of}`);
    return this.exec(args);
  }

  async restore(snapshotId: string, target: string, opts: { include?: string[]; signal?: AbortSignal } = {}) {
    const args = ["restore", snapshotId, "--target", target];
    for (const i of opts.include ?? []) args.push("--include", i);
    await this.exec(args, { signal: opts.signal });
  }

  /** The repository's chunker polynomial (hex), which the content ids of its files depend on. */
  async chunkerPolynomial(): Promise<string> {
    const config = JSON.parse(await this.exec(["cat", "config"])) as { chunker_polynomial?: string };
    if (!config.chunker_polynomial) throw new BackupError("restic-failed", "the repository config has no polynomial");
    return config.chunker_polynomial;
  }

  /**
   * Every regular file of a snapshot with the chunk ids restic recorded for it, read from the snapshot's trees
   * (restic 0.14 lists files without their content, so each tree is read with `cat blob`).
   */
  async snapshotFiles(snapshotId: string, signal?: AbortSignal): Promise<SnapshotFile[]> {
    const snapshot = JSON.parse(await this.exec(["cat", "snapshot", snapshotId], { signal })) as { tree: string };
    const files: SnapshotFile[] = [];
    let level: { tree: string; path: string }[] = [{ tree: snapshot.tree, path: "" }];
    while (level.length) {
      const next: typeof level = [];
      for (let i = 0; i < level.length; i += TREE_READS) {
        const trees = await Promise.all(
          level.slice(i, i + TREE_READS).map(async (t) => ({ ...t, nodes: await this.#tree(t.tree, signal) })),
        );
        for (const t of trees)
          for (const node of t.nodes) {
            const path = `${t.path}/${node.name}`;
            if (node.type === "dir" && node.subtree) next.push({ tree: node.subtree, path });
            else if (node.type === "file") files.push({ path, size: node.size ?? 0, content: node.content ?? [] });
          }
      }
      level = next;
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async #tree(id: string, signal?: AbortSignal): Promise<TreeNode[]> {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new BackupError("restic-failed", `not a tree id: ${id}`);
    return (JSON.parse(await this.exec(["cat", "blob", id], { signal })) as { nodes: TreeNode[] | null }).nodes ?? [];
  }

  /** Locks in the repository, with restic's staleness rule applied. Reads only: never removes one. */
  async locks(now: Date): Promise<ResticLock[]> {
    const ids = (await this.exec(["list", "locks", "--no-lock"])).split("\n").filter(Boolean);
    const out: ResticLock[] = [];
    for (const id of ids) {
      let lock: Omit<ResticLock, "id" | "stale">;
      try {
        lock = JSON.parse(await this.exec(["cat", "lock", id, "--no-lock"]));
      } catch {
        continue; // released between the listing and the read
      }
      const old = now.getTime() - new Date(lock.time).getTime() > STALE_LOCK_MS;
      const orphan = lock.hostname === hostname() && !processAlive(lock.pid);
      out.push({
        id,
        time: lock.time,
        exclusive: Boolean(lock.exclusive),
        hostname: lock.hostname,
        username: lock.username,
        pid: lock.pid,
        stale: old || orphan,
      });
    }
    return out;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
