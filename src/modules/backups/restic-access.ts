import { join } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { SecretBox } from "../../platform/secrets.js";
import { type Schedule, type Secrets, type SourceInput, withPassword } from "./model.js";
import type { BackupRepository, JobRow } from "./repository.js";
import { Restic } from "./restic.js";
import { addMachineKey, localRepositoryPath, type MachineKey } from "./restic-key.js";
import type { SourceSpec } from "./sources.js";

export interface ResticAccessDeps {
  repo: BackupRepository;
  clock: Clock;
  secrets: SecretBox;
  log: Logger;
  dataDir: string;
}

/** A job's sealed secrets opened into what restic and the source dumpers need; shared by every backup service. */
export class ResticAccess {
  readonly #repo: BackupRepository;
  readonly #clock: Clock;
  readonly #box: SecretBox;
  readonly #log: Logger;
  readonly #cacheDir: string;

  constructor(deps: ResticAccessDeps) {
    this.#repo = deps.repo;
    this.#clock = deps.clock;
    this.#box = deps.secrets;
    this.#log = deps.log;
    this.#cacheDir = join(deps.dataDir, "backups", "cache");
  }

  restic(row: JobRow): Restic {
    const secrets = this.secrets(row);
    return this.resticFor(
      row.repository_url,
      secrets.repository,
      (JSON.parse(row.schedule) as Schedule).timezone,
      secrets.machineKey,
    );
  }

  /** restic opening the repository with the machine key when there is one, else with the job's password. */
  resticFor(repository: string, password: string, timezone: string, machineKey?: MachineKey): Restic {
    const cacheDir = this.#cacheDir;
    return new Restic(
      machineKey
        ? {
            repository,
            cacheDir,
            timezone,
            password: machineKey.password,
            keyHint: machineKey.id,
            fallbackPassword: password,
          }
        : { repository, cacheDir, timezone, password },
    );
  }

  /** A machine key for a local repository, proven by restic before use; undefined when none could be added. */
  async machineKey(repository: string, password: string, timezone: string): Promise<MachineKey | undefined> {
    const cacheDir = this.#cacheDir;
    try {
      const key = await addMachineKey(repository, password, this.#clock.now(), (k) =>
        new Restic({ repository, cacheDir, timezone, password: k.password, keyHint: k.id })
          .exec(["cat", "config", "--no-lock"])
          .then(
            () => true,
            () => false,
          ),
      );
      return key ?? undefined;
    } catch (err) {
      this.#log.warn({ err, repository }, "could not add Plantão's key to the repository; the job's password is used");
      return undefined;
    }
  }

  /** Jobs saved before machine keys existed get theirs before their next operation. */
  async withMachineKey(row: JobRow): Promise<JobRow> {
    const secrets = this.secrets(row);
    if (secrets.machineKey || !localRepositoryPath(row.repository_url)) return row;
    const timezone = (JSON.parse(row.schedule) as Schedule).timezone;
    const machineKey = await this.machineKey(row.repository_url, secrets.repository, timezone);
    if (!machineKey) return row;
    const sealed = this.seal({ ...secrets, machineKey });
    await this.#repo.updateJob(row.id, { secrets: sealed });
    return { ...row, secrets: sealed };
  }

  secrets(row: JobRow): Secrets {
    return JSON.parse(this.#box.open(row.secrets)) as Secrets;
  }

  seal(secrets: Secrets): string {
    return this.#box.seal(JSON.stringify(secrets));
  }

  /** The job's source with its database password put back into the URL. */
  sourceSpec(row: JobRow): SourceSpec {
    const source = JSON.parse(row.source) as SourceInput;
    if (source.kind === "postgres" || source.kind === "mysql")
      return { ...source, url: withPassword(source.url, this.secrets(row).source) };
    return source;
  }
}
