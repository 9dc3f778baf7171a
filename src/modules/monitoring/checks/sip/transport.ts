import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import net from "node:net";
import type { CheckContext } from "../types.js";
import { newBranch, parseResponse, SipParseError, type SipResponse, SipStreamFramer, type Via } from "./message.js";
import type { SipUri } from "./uri.js";

/** RFC 3261 §17.1.2.2 timers for non-INVITE client transactions over UDP. */
const T1_MS = 500;
const T2_MS = 4000;

/** The peer answered something that is not a usable SIP response (`sip_bad_response`). */
export class SipBadResponse extends Error {}

export interface Transaction {
  response: SipResponse;
  /** How many times the request went out (1 on TCP; more when UDP retransmitted it). */
  transmissions: number;
  /** From the first transmission to the final response. */
  rttMs: number;
}

/** One check's path to the peer: the Via to put in requests and a way to run transactions over it. */
export interface SipFlow {
  transport: "UDP" | "TCP";
  localHost: string;
  localPort: number;
  remote: string;
  /** Sends the request `build` makes for a fresh Via branch; resolves with the final response. */
  transact(method: string, callId: string, build: (via: Via) => string): Promise<Transaction>;
  close(): void;
}

async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const family = net.isIP(host);
  if (family !== 0) return { address: host, family: family as 4 | 6 };
  const found = await lookup(host);
  return { address: found.address, family: found.family as 4 | 6 };
}

/**
 * Resolves the host and opens the path to the peer. Name lookups cannot be cancelled, so the check stops
 * waiting for them at its signal; a TCP connection that completes after that is closed at once.
 */
export async function openFlow(uri: SipUri, ctx: CheckContext): Promise<SipFlow> {
  const opening = resolveHost(uri.host).then(({ address, family }) =>
    uri.transport === "udp" ? udpFlow(address, family, uri.port, ctx) : tcpFlow(address, uri.port, ctx),
  );
  return new Promise((resolve, reject) => {
    const detach = onAbort(ctx.signal, reject, () => opening.then((flow) => flow.close()).catch(() => {}));
    if (ctx.signal.aborted) {
      detach();
      reject(abortError());
      opening.then((flow) => flow.close()).catch(() => {});
      return;
    }
    opening.then(
      (flow) => {
        detach();
        resolve(flow);
      },
      (error) => {
        detach();
        reject(error);
      },
    );
  });
}

const abortError = () => Object.assign(new Error("aborted"), { code: "ABORT_ERR" });

/** Rejects once the signal aborts; the caller tells a timeout apart with `signal.aborted`. */
function onAbort(signal: AbortSignal, reject: (e: Error) => void, cleanup: () => void): () => void {
  const listener = () => {
    cleanup();
    reject(abortError());
  };
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

function checkMatches(response: SipResponse, method: string, callId: string): void {
  if (response.cseq.method !== method || response.callId !== callId)
    throw new SipBadResponse(
      `response ${response.status} carries CSeq ${response.cseq.seq} ${response.cseq.method} and Call-ID ${response.callId}, not our ${method} ${callId}`,
    );
}

/*
 * UDP: one shared, unref'd socket per address family for the whole process, with the pending
 * transactions keyed by Via branch. Why not a socket per check: thousands of monitors whose peers
 * don't answer would each hold a file descriptor for their whole timeout (fd exhaustion), every check
 * would pay socket/bind/close syscalls, and a carrier sees one stable source port the way it sees a
 * PBX's transport. The price: an unconnected socket never hears ICMP port-unreachable, so a closed
 * port reads as `timeout` rather than `connection_refused` (the way Asterisk's qualify sees it too).
 */
interface Pending {
  remote: string;
  onResponse(response: SipResponse): void;
  reject(e: Error): void;
}

class UdpEndpoint {
  readonly pending = new Map<string, Pending>();
  readonly socket: dgram.Socket;
  readonly port: Promise<number>;
  private readonly sources = new Map<string, string>();

  constructor(readonly type: "udp4" | "udp6") {
    this.socket = dgram.createSocket(type);
    this.socket.on("message", (msg, rinfo) => this.receive(msg, `${rinfo.address}:${rinfo.port}`));
    this.port = new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.bind(0, () => {
        this.socket.off("error", reject);
        this.socket.on("error", (e) => this.fail(e));
        this.socket.unref();
        resolve(this.socket.address().port);
      });
    });
  }

  private receive(msg: Buffer, remote: string): void {
    let response: SipResponse;
    try {
      response = parseResponse(msg);
    } catch (error) {
      // Garbage cannot name its transaction: it fails the ones waiting on the address that sent it.
      const message = error instanceof SipParseError ? error.message : String(error);
      for (const [branch, p] of this.pending)
        if (p.remote === remote) {
          this.pending.delete(branch);
          p.reject(new SipBadResponse(`unparseable answer from ${remote}: ${message}`));
        }
      return;
    }
    // Late answers to retransmissions of a finished transaction land here too: ignored.
    const p = response.branch === null ? undefined : this.pending.get(response.branch);
    if (!p) return;
    p.onResponse(response);
  }

  private fail(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    if (endpoints[this.type] === this) delete endpoints[this.type];
    this.socket.close();
  }

  /** The local address the kernel picks towards `address`, for the Via sent-by (cached per peer). */
  source(address: string): Promise<string> {
    const known = this.sources.get(address);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const probe = dgram.createSocket(this.type);
      probe.once("error", (e) => {
        probe.close();
        reject(e);
      });
      probe.connect(9, address, () => {
        const local = probe.address().address;
        probe.close();
        if (this.sources.size > 10_000) this.sources.clear();
        this.sources.set(address, local);
        resolve(local);
      });
    });
  }
}

const endpoints: Partial<Record<"udp4" | "udp6", UdpEndpoint>> = {};

async function udpFlow(address: string, family: 4 | 6, port: number, ctx: CheckContext): Promise<SipFlow> {
  const type = family === 6 ? "udp6" : "udp4";
  let endpoint = endpoints[type];
  if (!endpoint) {
    endpoint = new UdpEndpoint(type);
    endpoints[type] = endpoint;
  }
  const ep = endpoint;
  const [localPort, localHost] = await Promise.all([ep.port, ep.source(address)]);
  const remote = `${address}:${port}`;
  const branches = new Set<string>();
  return {
    transport: "UDP",
    localHost,
    localPort,
    remote,
    transact(method, callId, build) {
      const branch = newBranch();
      const wire = Buffer.from(build({ transport: "UDP", host: localHost, port: localPort, branch }));
      return new Promise<Transaction>((resolve, reject) => {
        const start = performance.now();
        let transmissions = 0;
        let interval = T1_MS;
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(timer);
          ep.pending.delete(branch);
          branches.delete(branch);
          detach();
        };
        const transmit = () => {
          transmissions++;
          ep.socket.send(wire, port, address, (error) => {
            if (error && ep.pending.has(branch)) {
              finish();
              reject(error);
            }
          });
          timer = setTimeout(transmit, interval);
          interval = Math.min(interval * 2, T2_MS);
        };
        const pending: Pending = {
          remote,
          reject: (e) => {
            finish();
            reject(e);
          },
          onResponse(response) {
            if (response.status < 200) {
              // A provisional answer: retransmit at T2 from now on (RFC 3261 §17.1.2.2).
              interval = T2_MS;
              return;
            }
            finish();
            try {
              checkMatches(response, method, callId);
              resolve({ response, transmissions, rttMs: performance.now() - start });
            } catch (e) {
              reject(e as Error);
            }
          },
        };
        const detach = onAbort(ctx.signal, reject, () => {
          clearTimeout(timer);
          ep.pending.delete(branch);
          branches.delete(branch);
        });
        if (ctx.signal.aborted) {
          detach();
          reject(abortError());
          return;
        }
        ep.pending.set(branch, pending);
        branches.add(branch);
        transmit();
      });
    },
    close() {
      for (const b of branches) ep.pending.delete(b);
      branches.clear();
    },
  };
}

/** TCP: a fresh connection per check (connect failures are what a TCP trunk check must see), closed after. */
function tcpFlow(address: string, port: number, ctx: CheckContext): Promise<SipFlow> {
  return new Promise((resolveFlow, rejectFlow) => {
    const socket = net.connect({ host: address, port });
    const remote = `${address}:${port}`;
    const framer = new SipStreamFramer();
    let waiting: { branch: string; resolve: (r: SipResponse) => void; reject: (e: Error) => void } | null = null;
    let failure: Error | null = null;
    const fail = (e: Error) => {
      failure ??= e;
      socket.destroy();
      waiting?.reject(failure);
      waiting = null;
    };
    const detachConnect = onAbort(ctx.signal, rejectFlow, () => socket.destroy());
    socket.once("error", (e) => {
      detachConnect();
      rejectFlow(e);
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const message of framer.push(chunk)) {
          const response = parseResponse(message);
          if (waiting && response.branch === waiting.branch && response.status >= 200) {
            const w = waiting;
            waiting = null;
            w.resolve(response);
          }
        }
      } catch (error) {
        fail(new SipBadResponse(`unparseable answer from ${remote}: ${(error as Error).message}`));
      }
    });
    socket.once("close", () =>
      fail(Object.assign(new Error(`${remote} closed the connection before a final response`), { code: "ECONNRESET" })),
    );
    socket.once("connect", () => {
      detachConnect();
      socket.removeAllListeners("error");
      socket.on("error", (e) => fail(e));
      resolveFlow({
        transport: "TCP",
        localHost: socket.localAddress ?? "127.0.0.1",
        localPort: socket.localPort ?? 0,
        remote,
        transact(method, callId, build) {
          const branch = newBranch();
          const start = performance.now();
          return new Promise<Transaction>((resolve, reject) => {
            if (failure) return reject(failure);
            const detach = onAbort(ctx.signal, reject, () => {
              waiting = null;
              socket.destroy();
            });
            waiting = {
              branch,
              resolve: (response) => {
                detach();
                try {
                  checkMatches(response, method, callId);
                  resolve({ response, transmissions: 1, rttMs: performance.now() - start });
                } catch (e) {
                  reject(e as Error);
                }
              },
              reject: (e) => {
                detach();
                reject(e);
              },
            };
            socket.write(
              build({ transport: "TCP", host: socket.localAddress ?? "", port: socket.localPort ?? 0, branch }),
            );
          });
        },
        close: () => socket.destroy(),
      });
    });
  });
}
