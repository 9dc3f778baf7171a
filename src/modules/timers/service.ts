import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { DomainEvent } from "../../platform/events/bus.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue, JobRequest } from "../../platform/jobs/queue.js";
import type { Calendar, Duration, PlanDocument } from "../plan/document.js";
import { budgetOf, instants, paused, recalendared, resumed, sameJson, type TimerState } from "./core.js";
import type { TimerRepository, TimerRow } from "./repository.js";

/** What owns a timer: a ticket, an incident, an escalation step, a maintenance notice, a survey reminder… */
export interface Subject {
  type: string;
  id: string;
}

/** A plan calendar by id, with the definition the caller read before its transaction. */
export interface NamedCalendar {
  id: string;
  definition: Calendar;
}

/** `duration` of calendar time from `from` (now by default), or the absolute instant `at`. */
export type TimerSpec = { subject: Subject; name: string; payload?: unknown } & (
  | { calendar: NamedCalendar; duration: Duration; from?: Date; warningPercent?: number }
  | { at: Date }
);

export interface Timer {
  id: string;
  subject: Subject;
  name: string;
  status: TimerRow["status"];
  calendar: string | null;
  startedAt: string | null;
  dueAt: string | null;
  warnAt: string | null;
  warnedAt: string | null;
  firedAt: string | null;
  budgetMs: number | null;
  elapsedMs: number;
  generation: number;
  payload: unknown;
}

export interface TimerFiring {
  timer: Timer;
  /** `warning`: the warning share of the budget elapsed; `due`: the timer ran out. */
  phase: "warning" | "due";
  /** The transaction that marks the timer fired: the handler's writes commit with it, or nothing does. */
  trx: Kysely<DB>;
  now: Date;
  /** Work that must wait for the commit (mail, calls out): run once the firing committed. */
  afterCommit(fn: () => Promise<void>): void;
}

export interface TimerHandler<T = unknown> {
  /** Reads the handler needs from other services, before the firing transaction opens. */
  prepare?: (timer: Timer) => Promise<T>;
  fire: (firing: TimerFiring, prepared: T) => Promise<void>;
}

/** The plan versions, for the calendars in force and their changes. */
export interface PlanTimeline {
  timeline(): Promise<{ version: number; createdAt: string; document: PlanDocument }[]>;
}

/** The job that fires a timer's instant (warning or due). */
export const FIRE_JOB = "timers.fire";
/** The job that recomputes timers after the plan's calendars changed. */
export const RECALENDAR_JOB = "timers.recalendar";
const PAGE = 500;

export interface FirePayload {
  timerId: string;
  generation: number;
  phase: "warning" | "due";
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (t: string | null) => (t === null ? null : new Date(t).getTime());

function stateOf(row: TimerRow): TimerState {
  return {
    calendar: row.calendar === null ? null : (JSON.parse(row.calendar) as Calendar),
    budgetMs: row.budget_ms === null ? null : Number(row.budget_ms),
    warnMs: row.warn_ms === null ? null : Number(row.warn_ms),
    elapsedMs: Number(row.elapsed_ms),
    runningSince: ms(row.running_since),
    targetAt: ms(row.target_at),
    warned: row.warned_at !== null,
  };
}

export function presentTimer(row: TimerRow): Timer {
  return {
    id: row.id,
    subject: { type: row.subject_type, id: row.subject_id },
    name: row.name,
    status: row.status,
    calendar: row.calendar_id,
    startedAt: row.started_at,
    dueAt: row.due_at,
    warnAt: row.warn_at,
    warnedAt: row.warned_at,
    firedAt: row.fired_at,
    budgetMs: row.budget_ms === null ? null : Number(row.budget_ms),
    elapsedMs: Number(row.elapsed_ms),
    generation: row.generation,
    payload: row.payload === null ? null : JSON.parse(row.payload),
  };
}

/**
 * Deadline timers for any module: computed once on a calendar by the SLA core, stored, and fired by the job
 * queue at the exact instant. Every change (pause, resume, new target, new calendar) recomputes the instants and
 * bumps the timer's generation; the fire job carries the generation it was armed for, so a stale job is a no-op
 * and a timer fires once. Handlers run inside the transaction that marks the timer fired.
 */
export class TimerService {
  readonly #handlers = new Map<string, TimerHandler<any>>();

  private readonly repo: TimerRepository;
  private readonly jobs: JobQueue;
  private readonly clock: Clock;
  private readonly plan: PlanTimeline;
  private readonly log: Logger;

  constructor(deps: { repo: TimerRepository; jobs: JobQueue; clock: Clock; plan: PlanTimeline; log: Logger }) {
    this.repo = deps.repo;
    this.jobs = deps.jobs;
    this.clock = deps.clock;
    this.plan = deps.plan;
    this.log = deps.log;
  }

  /** The module that owns `subjectType` timers handles their firing. */
  handle<T>(subjectType: string, handler: TimerHandler<T>): void {
    if (this.#handlers.has(subjectType)) throw new Error(`timer handler for ${subjectType} registered twice`);
    this.#handlers.set(subjectType, handler);
  }

  /** A calendar of the current plan; read it before the transaction that starts a timer on it. */
  async calendar(id: string): Promise<NamedCalendar> {
    const definition = (await this.plan.timeline()).at(-1)?.document.calendars[id];
    if (!definition) throw new Error(`unknown calendar "${id}"`);
    return { id, definition };
  }

  /** Starts (or restarts, replacing it) the subject's timer `name`. An unchanged absolute timer is left as is. */
  async start(trx: Kysely<DB>, spec: TimerSpec): Promise<Timer> {
    const now = this.clock.now();
    // On PostgreSQL another transaction may write the same timer meanwhile: read again and redo it.
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.repo.find(spec.subject, spec.name, trx);
      if (
        existing &&
        "at" in spec &&
        existing.status === "running" &&
        existing.target_at === spec.at.toISOString() &&
        sameJson(existing.payload === null ? null : JSON.parse(existing.payload), spec.payload ?? null)
      ) {
        return presentTimer(existing);
      }
      const { row, state } = this.#started(spec, now, existing);
      const written = await this.write(trx, row, state, existing?.generation ?? null).catch((err) => {
        if (err instanceof StaleTimer) return null;
        throw err;
      });
      if (written) return written;
    }
    throw new Error(
      `timer ${spec.name} of ${spec.subject.type} ${spec.subject.id} kept changing under this transaction`,
    );
  }

  /**
   * Starts several timers of one subject (`start` for each), in one statement for the timers and one for their
   * fire jobs when the subject has none of them yet (a subject created in this transaction).
   */
  async startAll(trx: Kysely<DB>, specs: readonly TimerSpec[]): Promise<Timer[]> {
    const subject = specs[0]?.subject;
    if (!subject) return [];
    const names = new Set(specs.map((s) => s.name));
    const fresh =
      names.size === specs.length &&
      specs.every((s) => s.subject.type === subject.type && s.subject.id === subject.id) &&
      !(await this.repo.ofSubject(subject, trx)).some((t) => names.has(t.name));
    if (!fresh) {
      const out: Timer[] = [];
      for (const spec of specs) out.push(await this.start(trx, spec));
      return out;
    }
    return this.startNew(trx, specs);
  }

  /**
   * Starts timers of subjects created in this very transaction (an incident, a page just inserted), which can
   * have none yet, of any number of subjects: nothing read, one statement for the timers and one for their jobs.
   */
  async startNew(trx: Kysely<DB>, specs: readonly TimerSpec[]): Promise<Timer[]> {
    const now = this.clock.now();
    const armed = specs.map((spec) => this.#armed(this.#started(spec, now, undefined)));
    await this.repo.insert(
      armed.map((a) => a.row),
      trx,
    );
    await this.jobs.enqueueMany(
      armed.flatMap((a) => a.jobs),
      trx,
    );
    return armed.map((a) => presentTimer(a.row));
  }

  /**
   * The timer `name` of many subjects of one type, each set to an instant (`start` with `at`) or cancelled
   * (null): one read of them all, one insert of the new ones, one update of the changed ones and one insert of
   * their fire jobs. A timer another transaction changed meanwhile is redone alone through `start` or `cancel`.
   */
  async setMany(
    trx: Kysely<DB>,
    subjectType: string,
    name: string,
    instants: readonly { subjectId: string; at: Date | null }[],
  ): Promise<void> {
    const now = this.clock.now();
    const existing = new Map(
      (
        await this.repo.findMany(
          subjectType,
          instants.map((i) => i.subjectId),
          name,
          trx,
        )
      ).map((row) => [row.subject_id, row]),
    );
    const fresh: TimerRow[] = [];
    const replaced: { row: TimerRow; expected: number; at: Date | null }[] = [];
    const jobs: JobRequest[] = [];
    for (const { subjectId, at } of instants) {
      const row = existing.get(subjectId);
      const subject = { type: subjectType, id: subjectId };
      let next: { row: TimerRow; jobs: JobRequest[] };
      if (at === null) {
        if (!row || row.status === "fired" || row.status === "cancelled") continue;
        const state = { ...stateOf(row), runningSince: null };
        next = this.#armed({
          row: { ...row, status: "cancelled", generation: row.generation + 1, updated_at: now.toISOString() },
          state,
        });
      } else {
        if (row?.status === "running" && row.target_at === at.toISOString() && row.payload === null) continue;
        next = this.#armed(this.#started({ subject, name, at }, now, row));
      }
      jobs.push(...next.jobs);
      if (row) replaced.push({ row: next.row, expected: row.generation, at });
      else fresh.push(next.row);
    }
    await this.repo.insert(fresh, trx);
    const written = await this.repo.replaceMany(replaced, trx);
    const stale = new Set(replaced.filter((r) => !written.has(r.row.id)).map((r) => r.row.id));
    await this.jobs.enqueueMany(
      jobs.filter((j) => !stale.has((j.payload as FirePayload).timerId)),
      trx,
    );
    for (const r of replaced) {
      if (!stale.has(r.row.id)) continue;
      const subject = { type: subjectType, id: r.row.subject_id };
      if (r.at === null) await this.cancel(trx, subject, name);
      else await this.start(trx, { subject, name, at: r.at });
    }
  }

  /** The row and counting state of a timer (re)started now, replacing `existing` if there is one. */
  #started(spec: TimerSpec, now: Date, existing: TimerRow | undefined): { row: TimerRow; state: TimerState } {
    let state: TimerState;
    let calendarId: string | null = null;
    let startedAt: string | null = null;
    if ("at" in spec) {
      state = {
        calendar: null,
        budgetMs: null,
        warnMs: null,
        elapsedMs: 0,
        runningSince: now.getTime(),
        targetAt: spec.at.getTime(),
        warned: false,
      };
    } else {
      const from = (spec.from ?? now).getTime();
      calendarId = spec.calendar.id;
      startedAt = iso(from);
      state = {
        calendar: spec.calendar.definition,
        ...budgetOf(spec.calendar.definition, from, spec.duration, spec.warningPercent ?? null),
        elapsedMs: 0,
        runningSince: from,
        targetAt: null,
        warned: false,
      };
    }
    const row: TimerRow = {
      id: existing?.id ?? uuidv7(),
      subject_type: spec.subject.type,
      subject_id: spec.subject.id,
      name: spec.name,
      status: "running",
      calendar_id: calendarId,
      calendar: null,
      started_at: startedAt,
      budget_ms: null,
      warn_ms: null,
      elapsed_ms: 0,
      running_since: null,
      target_at: null,
      due_at: null,
      warn_at: null,
      warned_at: null,
      fired_at: null,
      generation: (existing?.generation ?? 0) + 1,
      payload: spec.payload === undefined ? null : JSON.stringify(spec.payload),
      created_at: existing?.created_at ?? now.toISOString(),
      updated_at: now.toISOString(),
    };
    return { row, state };
  }

  /** Stops the timer counting; its instants wait for `resume`. */
  pause(trx: Kysely<DB>, subject: Subject, name: string): Promise<Timer | null> {
    return this.change(trx, subject, name, (s, now) => ({ state: paused(s, now), status: "paused" }));
  }

  /** Counting again from now: the time paused is not counted. */
  resume(trx: Kysely<DB>, subject: Subject, name: string): Promise<Timer | null> {
    return this.change(trx, subject, name, (s, now) => ({ state: resumed(s, now), status: "running" }));
  }

  /**
   * A new target: a duration (counted from the timer's start, time already counted stays counted, with the
   * warning share given or the one it had) or, for an absolute timer, a new instant.
   */
  retarget(
    trx: Kysely<DB>,
    subject: Subject,
    name: string,
    target: { duration: Duration; warningPercent?: number } | { at: Date },
  ): Promise<Timer | null> {
    return this.change(trx, subject, name, (s, _now, row) => {
      if ("at" in target) return { state: { ...s, targetAt: target.at.getTime() } };
      if (s.calendar === null) throw new Error(`timer ${name} of ${subject.type} ${subject.id} has no calendar`);
      const percent =
        target.warningPercent ?? (s.warnMs === null || !s.budgetMs ? null : Math.round((s.warnMs * 100) / s.budgetMs));
      const budget = budgetOf(s.calendar, ms(row.started_at)!, target.duration, percent);
      return { state: { ...s, ...budget, warned: s.warned && budget.warnMs !== null && budget.warnMs <= s.elapsedMs } };
    });
  }

  /** Counts on another calendar from now on; time already counted stays counted. */
  changeCalendar(trx: Kysely<DB>, subject: Subject, name: string, calendar: NamedCalendar): Promise<Timer | null> {
    return this.change(trx, subject, name, (s, now) => ({
      state: recalendared(s, calendar.definition, now),
      calendarId: calendar.id,
    }));
  }

  /** The timer will not fire; a later `start` arms it again. */
  cancel(trx: Kysely<DB>, subject: Subject, name: string): Promise<Timer | null> {
    return this.change(trx, subject, name, (s) => ({ state: { ...s, runningSince: null }, status: "cancelled" }));
  }

  async of(subject: Subject, executor?: Kysely<DB>): Promise<Timer[]> {
    return (await this.repo.ofSubject(subject, executor)).map(presentTimer);
  }

  async get(subject: Subject, name: string, executor?: Kysely<DB>): Promise<Timer | null> {
    const row = await this.repo.find(subject, name, executor);
    return row ? presentTimer(row) : null;
  }

  /**
   * Applies a recomputation to a running or paused timer: a new generation, new instants and their fire jobs.
   * Null when there is no such timer or it already fired or was cancelled.
   */
  private async change(
    trx: Kysely<DB>,
    subject: Subject,
    name: string,
    fn: (
      s: TimerState,
      now: number,
      row: TimerRow,
    ) => { state: TimerState; status?: TimerRow["status"]; calendarId?: string },
  ): Promise<Timer | null> {
    // On PostgreSQL another transaction may recompute the same timer meanwhile: read again and redo it.
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await this.repo.find(subject, name, trx);
      if (!row || row.status === "fired" || row.status === "cancelled") return null;
      const now = this.clock.now();
      const next = fn(stateOf(row), now.getTime(), row);
      const written = await this.write(
        trx,
        {
          ...row,
          status: next.status ?? row.status,
          calendar_id: next.calendarId ?? row.calendar_id,
          generation: row.generation + 1,
          updated_at: now.toISOString(),
        },
        next.state,
        row.generation,
      ).catch((err) => {
        if (err instanceof StaleTimer) return null;
        throw err;
      });
      if (written) return written;
    }
    throw new Error(`timer ${name} of ${subject.type} ${subject.id} kept changing under this transaction`);
  }

  /** Stores the state with its computed instants and arms a fire job for each (keyed by generation). */
  private async write(trx: Kysely<DB>, base: TimerRow, state: TimerState, expected: number | null): Promise<Timer> {
    const { row, jobs } = this.#armed({ row: base, state });
    if (expected === null) await this.repo.insert([row], trx);
    else if (!(await this.repo.replace(row, expected, trx))) throw new StaleTimer();
    await this.jobs.enqueueMany(jobs, trx);
    return presentTimer(row);
  }

  /** The row with the state and its computed instants, and the fire job of each instant. */
  #armed({ row: base, state }: { row: TimerRow; state: TimerState }): { row: TimerRow; jobs: JobRequest[] } {
    const { dueAt, warnAt } = base.status === "running" ? instants(state) : { dueAt: null, warnAt: null };
    const row: TimerRow = {
      ...base,
      calendar: state.calendar === null ? null : JSON.stringify(state.calendar),
      budget_ms: state.budgetMs,
      warn_ms: state.warnMs,
      elapsed_ms: state.elapsedMs,
      running_since: iso(state.runningSince),
      target_at: iso(state.targetAt),
      due_at: iso(dueAt),
      warn_at: iso(warnAt),
    };
    const arm = (phase: FirePayload["phase"], at: number): JobRequest => ({
      kind: FIRE_JOB,
      payload: { timerId: row.id, generation: row.generation, phase } satisfies FirePayload,
      runAt: new Date(at),
      dedupeKey: `timer:${row.id}:${row.generation}:${phase}`,
    });
    const jobs: JobRequest[] = [];
    if (warnAt !== null) jobs.push(arm("warning", warnAt));
    if (dueAt !== null) jobs.push(arm("due", dueAt));
    return { row, jobs };
  }

  /**
   * The fire job: marks the timer's warning or due instant fired if the job's generation is still the timer's
   * (else the timer was recomputed, paused or cancelled and this job is stale), and calls the subject's handler
   * in the same transaction. A handler that throws rolls the mark back and the job is retried.
   */
  async fire(job: FirePayload): Promise<void> {
    const current = await this.repo.get(job.timerId);
    if (!current || current.generation !== job.generation || current.status !== "running") return;
    const handler = this.#handlers.get(current.subject_type);
    if (!handler) throw new Error(`no timer handler registered for ${current.subject_type}`);
    const prepared = await handler.prepare?.(presentTimer(current));
    const after: (() => Promise<void>)[] = [];
    await this.repo.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      const mark = job.phase === "warning" ? this.repo.markWarned : this.repo.markFired;
      const row = await mark.call(this.repo, job.timerId, job.generation, now.toISOString(), trx);
      if (!row) return;
      await handler.fire(
        { timer: presentTimer(row), phase: job.phase, trx, now, afterCommit: (fn) => after.push(fn) },
        prepared,
      );
    });
    for (const fn of after) {
      await fn().catch((err) => this.log.error({ err, timer: job.timerId }, "timer after-commit work failed"));
    }
  }

  /** On a plan change, one job (whichever node enqueues it first) moves the timers to its calendars. */
  onEvent(event: DomainEvent): void {
    if (event.type !== "plan.updated") return;
    const version = Number((event.payload as { version?: number }).version);
    if (!Number.isInteger(version)) return;
    void this.jobs
      .enqueue(RECALENDAR_JOB, { version }, { dedupeKey: `${RECALENDAR_JOB}:${version}` })
      .catch((err) => this.log.error({ err, version }, "could not enqueue the timers' calendar change"));
  }

  /**
   * Timers counting on a calendar that plan version `version` changed count on its new definition from when the
   * version was saved; time counted before stays counted on the old one.
   */
  async followPlan(version: number): Promise<number> {
    const saved = (await this.plan.timeline()).find((v) => v.version === version);
    if (!saved) return 0;
    let moved = 0;
    for (const [id, definition] of Object.entries(saved.document.calendars)) {
      moved += await this.calendarChanged({ id, definition }, new Date(saved.createdAt));
    }
    return moved;
  }

  /** Every timer on `calendar.id` whose definition differs takes the new one from `at` on; returns how many. */
  async calendarChanged(calendar: NamedCalendar, at: Date): Promise<number> {
    let moved = 0;
    let after: string | null = null;
    for (;;) {
      const page = await this.repo.countingOn(calendar.id, after, PAGE);
      for (const row of page) {
        if (row.calendar !== null && sameJson(JSON.parse(row.calendar), calendar.definition)) continue;
        await this.repo.db.transaction().execute(async (trx) => {
          const subject = { type: row.subject_type, id: row.subject_id };
          const done = await this.change(trx, subject, row.name, (s) => ({
            state: recalendared(s, calendar.definition, at.getTime()),
          }));
          if (done) moved++;
        });
      }
      if (page.length < PAGE) return moved;
      after = page.at(-1)!.id;
    }
  }
}

/** A recomputation lost the race against another transaction's; the caller reads the timer again. */
class StaleTimer extends Error {}
