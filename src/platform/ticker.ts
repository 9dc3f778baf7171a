import { performance } from "node:perf_hooks";
import * as nodeTimers from "node:timers";

interface Duty {
  everyMs: number;
  at: number;
  fn: () => void;
}

/**
 * The node's periodic duties (lease renewals, safety polls, sweeps) on one timer. Each duty runs at the
 * multiples of its period on one shared time line, so duties of equal period run in the same wake-up and a
 * 5 s duty in every fifth wake-up of a 1 s one: an idle process woken four times a second at four phases cost
 * 1.8 CPU-ms a second here, once a second 1.0 (each wake-up of a sleeping process is paid whatever it runs).
 * Exact deadlines (a job's run time, a check's due time) keep their own timers.
 */
export class Ticker {
  readonly #duties = new Set<Duty>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  /**
   * `timers` from node:timers by default, not the globals a test may fake: every test file in a worker shares
   * the process's ticker, and a beat armed on a fake timer would never come.
   */
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly timers: Pick<typeof globalThis, "setTimeout" | "clearTimeout"> = nodeTimers,
  ) {}

  /** Runs `fn` every `everyMs` (synchronously; it starts its own async work) until the returned stop is called. */
  every(everyMs: number, fn: () => void): () => void {
    if (!(everyMs > 0)) throw new RangeError("a duty's period must be positive");
    const duty: Duty = { everyMs, at: this.#nextBeat(everyMs, this.now()), fn };
    this.#duties.add(duty);
    this.#arm();
    return () => {
      this.#duties.delete(duty);
      if (!this.#duties.size) this.#disarm();
    };
  }

  #nextBeat(everyMs: number, now: number): number {
    return (Math.floor(now / everyMs) + 1) * everyMs;
  }

  #arm(): void {
    let at = Number.POSITIVE_INFINITY;
    for (const d of this.#duties) at = Math.min(at, d.at);
    if (at === this.#timerAt) return;
    this.#disarm();
    if (at === Number.POSITIVE_INFINITY) return;
    this.#timerAt = at;
    this.#timer = this.timers.setTimeout(() => this.#fire(), Math.max(0, Math.ceil(at - this.now())));
    // Duties never keep a process alive: the servers and handles they serve do.
    this.#timer.unref();
  }

  #disarm(): void {
    this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    // A timer may fire a fraction of a millisecond before the beat by the other clock: that beat is due.
    const now = this.now() + 1;
    for (const d of [...this.#duties]) {
      if (d.at > now) continue;
      d.at = this.#nextBeat(d.everyMs, now);
      try {
        d.fn();
      } catch (err) {
        // As from a timer of its own: uncaught, without keeping the other duties from running.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.#arm();
  }
}

/** The process's ticker: every node in a process shares its wake-ups. */
export const ticker = new Ticker();
