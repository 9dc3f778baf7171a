/**
 * Periodic work on a node's beat. Every poll of one period on a node (the shard round, the job poll, the event
 * poll, all 1 s by default) runs from one timer, on wall-clock multiples of the period: an idle node wakes once
 * a second for all of them instead of once for each. Idle, a wake-up costs more than the polls it runs (on a VM
 * the virtual CPU has to be woken), so this is most of a node's fixed cost. Each node beats at its own phase
 * within the second, so nodes do not all hit the database at the same instant (nor block each other on one
 * SQLite file when a test runs several in one process).
 */
interface Beat {
  readonly work: Set<() => void>;
  timer: NodeJS.Timeout | undefined;
}

const beats = new Map<string, Beat>();

/** The node's offset into each period: the same for every period, so beats of different periods coincide. */
function phase(node: string, periodMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < node.length; i++) h = Math.imul(h ^ node.charCodeAt(i), 0x01000193);
  return ((h >>> 0) % 1000) % periodMs;
}

/** Milliseconds from now to the node's next beat of `periodMs`. */
export function untilBeat(periodMs: number, node: string): number {
  const into = (((Date.now() - phase(node, periodMs)) % periodMs) + periodMs) % periodMs;
  return periodMs - into;
}

function arm(periodMs: number, node: string, beat: Beat): void {
  beat.timer = setTimeout(
    () => {
      arm(periodMs, node, beat);
      for (const fn of [...beat.work]) {
        try {
          fn();
        } catch (err) {
          // As from a timer of its own: the error is not swallowed, and the other work still runs.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    },
    untilBeat(periodMs, node),
  );
  beat.timer.unref();
}

/** Runs `fn` on every beat of `periodMs` of `node` until the returned function is called. */
export function every(periodMs: number, node: string, fn: () => void): () => void {
  const key = `${periodMs}\0${node}`;
  let beat = beats.get(key);
  if (!beat) {
    beat = { work: new Set(), timer: undefined };
    beats.set(key, beat);
    arm(periodMs, node, beat);
  }
  const own = beat;
  // Each subscription is its own entry, even for the same function.
  const entry = () => fn();
  own.work.add(entry);
  return () => {
    own.work.delete(entry);
    if (own.work.size || beats.get(key) !== own) return;
    clearTimeout(own.timer);
    beats.delete(key);
  };
}
