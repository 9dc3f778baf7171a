import type { Socket } from "node:net";

/**
 * Idle HTTP/1.1 connections kept between checks of the same origin, as browsers and Uptime Kuma's client keep
 * them. Opening and closing a connection per check is most of a plain check's CPU (the connect, two sockets'
 * worth of system calls, the close), which at hundreds of monitors on one host dominates the engine.
 *
 * Bounds, so that reuse never hides much: a connection idle longer than IDLE_MS is not reused (servers close
 * idle ones at 5 s and more: Node, Apache; a shorter idle time avoids writing into a connection the server is
 * closing), and none is reused once MAX_AGE_MS old, so new connections are still proven at least that often.
 * A check whose reused connection fails before any answer arrives runs again on a fresh one (the caller).
 */
export const IDLE_MS = 4_000;
export const MAX_AGE_MS = 60_000;
/** Idle connections kept per origin; the rest are closed when handed back. */
const PER_ORIGIN = 32;
/** Idle connections no check took are closed by a sweep at most this often (on a hand-back, no timer). */
const SWEEP_MS = 10_000;

export interface PooledSocket {
  socket: Socket;
  openedAt: number;
}

interface Idle extends PooledSocket {
  since: number;
}

/** While idle, a connection must not throw (an error event without a listener) and is dropped when it ends. */
function idleListeners(pool: Idle[], entry: Idle): () => void {
  const drop = () => {
    const i = pool.indexOf(entry);
    if (i >= 0) pool.splice(i, 1);
    entry.socket.destroy();
  };
  // Bytes on an idle connection (a server's late garbage, an unasked-for response) make it unusable.
  entry.socket.on("data", drop);
  entry.socket.on("error", drop);
  entry.socket.on("end", drop);
  entry.socket.on("close", drop);
  return () => {
    entry.socket.off("data", drop);
    entry.socket.off("error", drop);
    entry.socket.off("end", drop);
    entry.socket.off("close", drop);
  };
}

export class HttpConnections {
  readonly #idle = new Map<string, Idle[]>();
  readonly #detach = new WeakMap<Socket, () => void>();
  #sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The most recently used idle connection to `origin` still fit for reuse, or undefined. */
  take(origin: string): PooledSocket | undefined {
    const pool = this.#idle.get(origin);
    if (!pool) return undefined;
    const now = this.now();
    for (let entry = pool.pop(); entry; entry = pool.pop()) {
      this.#detach.get(entry.socket)?.();
      if (this.#fit(entry, now)) {
        entry.socket.ref();
        return { socket: entry.socket, openedAt: entry.openedAt };
      }
      entry.socket.destroy();
    }
    return undefined;
  }

  /** Hands a connection back after a complete response; kept only while it may still be reused. */
  give(origin: string, pooled: PooledSocket): void {
    const now = this.now();
    const { socket } = pooled;
    let pool = this.#idle.get(origin);
    if (
      socket.destroyed ||
      !socket.writable ||
      now - pooled.openedAt >= MAX_AGE_MS ||
      (pool?.length ?? 0) >= PER_ORIGIN
    ) {
      socket.destroy();
    } else {
      if (!pool) {
        pool = [];
        this.#idle.set(origin, pool);
      }
      const entry: Idle = { ...pooled, since: now };
      pool.push(entry);
      this.#detach.set(socket, idleListeners(pool, entry));
      // An idle connection never keeps the process alive.
      socket.unref();
    }
    if (now - this.#sweptAt >= SWEEP_MS) this.#sweep(now);
  }

  /** Idle connections in all origins (tests, metrics). */
  get size(): number {
    let n = 0;
    for (const pool of this.#idle.values()) n += pool.length;
    return n;
  }

  /** Closes every idle connection (the engine stopping). */
  close(): void {
    for (const pool of this.#idle.values()) for (const entry of pool.splice(0)) entry.socket.destroy();
    this.#idle.clear();
  }

  #fit(entry: Idle, now: number): boolean {
    return !entry.socket.destroyed && now - entry.since < IDLE_MS && now - entry.openedAt < MAX_AGE_MS;
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [origin, pool] of this.#idle) {
      for (let i = pool.length - 1; i >= 0; i--) {
        const entry = pool[i]!;
        if (this.#fit(entry, now)) continue;
        pool.splice(i, 1);
        this.#detach.get(entry.socket)?.();
        entry.socket.destroy();
      }
      if (!pool.length) this.#idle.delete(origin);
    }
  }
}
