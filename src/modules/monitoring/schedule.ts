/** Shards, phases and the due-time heap of the engine's in-memory schedule. */

/** Monitors are spread over this many shards; nodes hold shards, never single monitors. */
export const SHARDS = 64;

/** FNV-1a, 32 bits: stable across processes and nodes, unlike anything seeded. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const shardOf = (id: string): number => hash32(id) % SHARDS;

/**
 * Where in its interval a monitor runs, from its id: the checks of many monitors spread evenly over the
 * interval instead of all firing at once after a start, and a monitor keeps its phase across restarts and
 * nodes (jitter that is the same every time).
 */
export const phaseOf = (id: string, intervalMs: number): number => hash32(`${id}:phase`) % intervalMs;

/**
 * The first run time after `now` on the monitor's grid (its phase plus whole intervals since the epoch). Every
 * node computes the same grid, so a node taking a monitor over runs it when the previous one would have.
 */
export function nextRun(id: string, intervalMs: number, now: number): number {
  const offset = (((phaseOf(id, intervalMs) - now) % intervalMs) + intervalMs) % intervalMs;
  return now + (offset === 0 ? intervalMs : offset);
}

export interface Entry<T> {
  due: number;
  item: T;
  seq: number;
}

/** A binary min-heap on `due`. */
export class DueHeap<T> {
  readonly #a: Entry<T>[] = [];

  get size(): number {
    return this.#a.length;
  }

  peek(): Entry<T> | undefined {
    return this.#a[0];
  }

  push(e: Entry<T>): void {
    const a = this.#a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.due <= a[i]!.due) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  pop(): Entry<T> | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.due < a[m]!.due) m = l;
        if (r < a.length && a[r]!.due < a[m]!.due) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.#a.length = 0;
  }
}
