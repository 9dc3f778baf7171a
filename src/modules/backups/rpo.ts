import type { Clock } from "../../platform/clock.js";
import type { EventBus } from "../../platform/events/bus.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import { RPO_JOB, type RpoEntry } from "./model.js";
import type { BackupRepository } from "./repository.js";

export interface RpoServiceDeps {
  repo: BackupRepository;
  jobs: JobQueue;
  events: EventBus;
  clock: Clock;
  /** Zone of the RPO watch's schedule. */
  timezone: string;
}

/** Measured RPO and RTO against each job's targets, and the watch that alerts when a job's RPO is exceeded. */
export class RpoService {
  readonly #repo: BackupRepository;
  readonly #jobs: JobQueue;
  readonly #events: EventBus;
  readonly #clock: Clock;
  readonly #timezone: string;

  constructor(deps: RpoServiceDeps) {
    this.#repo = deps.repo;
    this.#jobs = deps.jobs;
    this.#events = deps.events;
    this.#clock = deps.clock;
    this.#timezone = deps.timezone;
  }

  /** Schedules the RPO watch; job schedules are registered when jobs are saved. */
  async start(): Promise<void> {
    await this.#jobs.schedule("backup:rpo", RPO_JOB, "*/5 * * * *", this.#timezone);
  }

  /** Per job and per data class: measured RPO (now minus the newest restorable point) and RTO against targets. */
  async measure() {
    const now = this.#clock.now().getTime();
    const jobs: RpoEntry[] = [];
    const points = await this.#repo.lastBackupTimes();
    for (const job of await this.#repo.listJobs()) {
      const test = await this.#repo.lastPassedRestoreTest(job.id);
      const point = points.get(job.id) ?? null;
      const rpoMinutes = point === null ? null : (now - new Date(point).getTime()) / 60_000;
      const rtoMinutes = test?.duration_ms == null ? null : test.duration_ms / 60_000;
      jobs.push({
        jobId: job.id,
        name: job.name,
        dataClass: job.data_class,
        enabled: Boolean(job.enabled),
        restorablePoint: point,
        rpo: {
          targetMinutes: job.rpo_minutes,
          measuredMinutes: rpoMinutes === null ? null : Math.round(rpoMinutes * 10) / 10,
          status:
            rpoMinutes === null
              ? ("no-backup" as const)
              : rpoMinutes > job.rpo_minutes
                ? ("exceeded" as const)
                : ("ok" as const),
        },
        rto: {
          targetMinutes: job.rto_minutes,
          measuredMinutes: rtoMinutes === null ? null : Math.round(rtoMinutes * 100) / 100,
          status:
            rtoMinutes === null
              ? ("untested" as const)
              : rtoMinutes > job.rto_minutes
                ? ("exceeded" as const)
                : ("ok" as const),
          testedAt: test?.finished_at ?? null,
        },
      });
    }
    const worst = <T extends string>(statuses: T[], order: T[]) =>
      order.find((s) => statuses.includes(s)) ?? order.at(-1)!;
    const classes = [...new Set(jobs.map((j) => j.dataClass))].sort().map((dataClass) => {
      const mine = jobs.filter((j) => j.dataClass === dataClass);
      return {
        dataClass,
        jobs: mine.length,
        rpoStatus: worst(
          mine.map((j) => j.rpo.status),
          ["no-backup", "exceeded", "ok"],
        ),
        rtoStatus: worst(
          mine.map((j) => j.rto.status),
          ["untested", "exceeded", "ok"],
        ),
      };
    });
    return { measuredAt: new Date(now).toISOString(), jobs, classes };
  }

  /** Publishes `backup.rpo_exceeded` once when a job's RPO goes over target, `backup.rpo_recovered` when back. */
  async evaluate(): Promise<void> {
    const { jobs } = await this.measure();
    const now = this.#clock.now().toISOString();
    for (const j of jobs) {
      if (!j.enabled) continue;
      const row = await this.#repo.findJob(j.jobId);
      if (!row) continue;
      const over = j.rpo.status !== "ok";
      if (over === (row.rpo_alerted_at !== null)) continue;
      await this.#repo.transaction(async (trx) => {
        await this.#repo.setRpoAlerted(j.jobId, over ? now : null, trx);
        await this.#events.publish(
          {
            type: over ? "backup.rpo_exceeded" : "backup.rpo_recovered",
            subjectId: j.jobId,
            payload: {
              jobId: j.jobId,
              name: j.name,
              dataClass: j.dataClass,
              restorablePoint: j.restorablePoint,
              ...j.rpo,
            },
          },
          trx,
        );
      });
    }
  }
}
