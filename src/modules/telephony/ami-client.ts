import { EventEmitter } from "node:events";
import { createConnection, type Socket } from "node:net";
import { type AmiMessage, AmiParser, formatAction } from "./ami-protocol.js";

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** `on`, `off` or event classes (`call,agent,cdr`) asked for at login. */
  events?: string;
  /** A Ping every this often; no answer within the same time drops the socket (and reconnects). */
  keepaliveMs?: number;
  /** An action (and connecting, logging in) fails after this long without an answer. */
  timeoutMs?: number;
  /** Reconnect delays: `initialMs` doubling up to `maxMs`, each scaled by a random 0.5–1 (no thundering herd). */
  backoff?: { initialMs: number; maxMs: number };
  /** Reconnect after a drop; off for one-shot sessions (an Originate from a node that does not hold the link). */
  reconnect?: boolean;
  random?: () => number;
}

export type AmiState = "connecting" | "connected" | "disconnected" | "stopped";

export class AmiError extends Error {
  constructor(
    message: string,
    readonly response?: AmiMessage,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (m: { response: AmiMessage; events: AmiMessage[] }) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  response?: AmiMessage;
  events: AmiMessage[];
  list: boolean;
}

/**
 * A client of the Asterisk Manager Interface over TCP: logs in, hands every event to `event` listeners, correlates
 * actions and their answers (and event lists) by ActionID, pings to notice a dead peer, and reconnects with
 * exponential backoff until stopped. Emits `connected`, `disconnected` (with the reason), `event` and `malformed`.
 */
export class AmiClient extends EventEmitter {
  #socket?: Socket;
  #state: AmiState = "disconnected";
  #seq = 0;
  #pending = new Map<string, Pending>();
  #attempt = 0;
  #retry?: NodeJS.Timeout;
  #keepalive?: NodeJS.Timeout;
  readonly #opts: Required<Omit<AmiClientOptions, "random">> & { random: () => number };
  /** Connections made so far (the first and every reconnect): tests and the link's status read it. */
  connections = 0;
  lastError: string | null = null;

  constructor(opts: AmiClientOptions) {
    super();
    this.#opts = {
      events: "on",
      keepaliveMs: 30_000,
      timeoutMs: 10_000,
      backoff: { initialMs: 1000, maxMs: 60_000 },
      reconnect: true,
      random: Math.random,
      ...opts,
    };
  }

  get state(): AmiState {
    return this.#state;
  }

  /** Connects (and keeps reconnecting); resolves at the first login or rejects on its failure. */
  start(): Promise<void> {
    if (this.#state === "stopped") this.#state = "disconnected";
    return new Promise((resolve, reject) => {
      const ok = () => {
        this.off("disconnected", fail);
        resolve();
      };
      const fail = (err: Error) => {
        this.off("connected", ok);
        reject(err);
      };
      this.once("connected", ok);
      this.once("disconnected", fail);
      this.#connect();
    });
  }

  async stop(): Promise<void> {
    this.#state = "stopped";
    clearTimeout(this.#retry);
    clearInterval(this.#keepalive);
    const socket = this.#socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      // Logoff is a courtesy: the peer closes the session either way.
      socket.end(formatAction({ Action: "Logoff", ActionID: `${++this.#seq}` }));
      setTimeout(() => socket.destroy(), 500).unref();
    });
  }

  /** Sends an action and waits for its response (and, for an event list, every event up to its completion). */
  async action(fields: Record<string, string | number | boolean | readonly string[] | undefined>): Promise<AmiMessage> {
    return (await this.#send(fields, false)).response;
  }

  /** An action answered by an event list (`CoreShowChannels`, `QueueStatus`): the response and its events. */
  actionList(fields: Record<string, string | number | boolean | undefined>) {
    return this.#send(fields, true);
  }

  #send(fields: Record<string, unknown>, list: boolean, allowBeforeLogin = false) {
    const socket = this.#socket;
    if (!socket || socket.destroyed || (this.#state !== "connected" && !allowBeforeLogin))
      return Promise.reject(new AmiError("not connected to the AMI"));
    const id = `plantao-${++this.#seq}`;
    const wire = formatAction({ ...(fields as Record<string, string>), ActionID: id });
    return new Promise<{ response: AmiMessage; events: AmiMessage[] }>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new AmiError(`no answer to ${String(fields.Action)} within ${this.#opts.timeoutMs} ms`));
      }, this.#opts.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, events: [], list });
      socket.write(wire);
    });
  }

  #connect() {
    if (this.#state === "stopped") return;
    this.#state = "connecting";
    this.connections++;
    const parser = new AmiParser();
    const socket = createConnection({ host: this.#opts.host, port: this.#opts.port });
    this.#socket = socket;
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    const connectTimer = setTimeout(
      () => socket.destroy(new Error(`no AMI banner and login within ${this.#opts.timeoutMs} ms`)),
      this.#opts.timeoutMs,
    );
    let loggingIn = false;
    let reason: Error | undefined;
    socket.on("data", (chunk: string) => {
      const parsed = parser.push(chunk);
      for (const line of parsed.malformed) this.emit("malformed", line);
      if (parsed.banner && !loggingIn) {
        loggingIn = true;
        this.#send(
          { Action: "Login", Username: this.#opts.username, Secret: this.#opts.secret, Events: this.#opts.events },
          false,
          true,
        ).then(
          ({ response }) => {
            clearTimeout(connectTimer);
            if (response.response?.toLowerCase() !== "success") {
              socket.destroy(new AmiError(`AMI login refused: ${response.message ?? "no reason given"}`, response));
              return;
            }
            this.#state = "connected";
            this.#attempt = 0;
            this.lastError = null;
            this.#startKeepalive(socket);
            this.emit("connected");
          },
          (err: Error) => socket.destroy(err),
        );
      }
      for (const message of parsed.messages) this.#dispatch(message);
    });
    socket.on("error", (err) => {
      reason = err;
    });
    socket.on("close", () => {
      clearTimeout(connectTimer);
      clearInterval(this.#keepalive);
      const err = reason ?? new AmiError("the AMI closed the connection");
      for (const [id, p] of this.#pending) {
        clearTimeout(p.timer);
        p.reject(new AmiError(`connection lost before the answer: ${err.message}`));
        this.#pending.delete(id);
      }
      if (this.#socket !== socket) return;
      const stopped = this.#state === "stopped";
      if (!stopped) this.#state = "disconnected";
      this.lastError = stopped ? this.lastError : err.message;
      this.emit("disconnected", err);
      if (!stopped && this.#opts.reconnect) this.#scheduleReconnect();
    });
  }

  #scheduleReconnect() {
    const { initialMs, maxMs } = this.#opts.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt, 20)) * (0.5 + this.#opts.random() / 2);
    this.#attempt++;
    this.#retry = setTimeout(() => this.#connect(), delay);
  }

  #startKeepalive(socket: Socket) {
    clearInterval(this.#keepalive);
    this.#keepalive = setInterval(() => {
      this.action({ Action: "Ping" }).catch((err: Error) => {
        if (this.#socket === socket) socket.destroy(new AmiError(`keepalive failed: ${err.message}`));
      });
    }, this.#opts.keepaliveMs);
    this.#keepalive.unref();
  }

  #dispatch(message: AmiMessage) {
    const id = message.actionid;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (pending && message.response !== undefined) {
      pending.response = message;
      if (!pending.list || message.eventlist?.toLowerCase() !== "start") return this.#settle(id!, pending);
      return;
    }
    if (pending && message.event !== undefined && pending.list) {
      if (message.eventlist?.toLowerCase() === "complete") return this.#settle(id!, pending);
      pending.events.push(message);
      return;
    }
    if (message.event !== undefined) this.emit("event", message);
  }

  #settle(id: string, p: Pending) {
    clearTimeout(p.timer);
    this.#pending.delete(id);
    const response = p.response!;
    if (response.response?.toLowerCase() === "error") p.reject(new AmiError(response.message ?? "AMI error", response));
    else p.resolve({ response, events: p.events });
  }
}
