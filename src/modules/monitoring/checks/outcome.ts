import { isIP } from "node:net";
import { Type } from "typebox";
import type { CheckContext, CheckResult } from "./types.js";

/** Building blocks shared by the probes: result constructors, error → reason mapping, abort plumbing. */

export const up = (latencyMs: number, details?: Record<string, unknown>): CheckResult => ({
  status: "up",
  latencyMs,
  reason: null,
  message: null,
  ...(details ? { details } : {}),
});

export const degraded = (
  latencyMs: number | null,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): CheckResult => ({ status: "degraded", latencyMs, reason, message, ...(details ? { details } : {}) });

export const down = (
  latencyMs: number | null,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): CheckResult => ({ status: "down", latencyMs, reason, message, ...(details ? { details } : {}) });

/** Milliseconds since `start` (a `performance.now()` reading), rounded to 0.01 ms. */
export const since = (start: number): number => Math.round((performance.now() - start) * 100) / 100;

export const timedOut = (ctx: CheckContext, what: string): CheckResult =>
  down(null, "timeout", `${what} within ${ctx.timeoutMs} ms`);

/** The latency threshold above which a reachable target counts as degraded (`slow`); null disables it. */
export const DegradedAboveMs = (fallback: number | null, what: string) =>
  Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 600_000 })], {
    default: fallback,
    description: `Milliseconds above which ${what} makes the monitor DEGRADED (reason \`slow\`); null disables it`,
  });

export const slowOrUp = (
  latencyMs: number,
  thresholdMs: number | null,
  what: string,
  details?: Record<string, unknown>,
): CheckResult =>
  thresholdMs !== null && latencyMs > thresholdMs
    ? degraded(latencyMs, "slow", `${what} took ${latencyMs} ms (threshold ${thresholdMs} ms)`, details)
    : up(latencyMs, details);

const errnoReasons: Record<string, string> = {
  ECONNREFUSED: "connection_refused",
  ECONNRESET: "connection_reset",
  EPIPE: "connection_reset",
  ENOTFOUND: "dns_not_found",
  EAI_NONAME: "dns_not_found",
  EAI_NODATA: "dns_not_found",
  EAI_AGAIN: "dns_error",
  EHOSTUNREACH: "host_unreachable",
  ENETUNREACH: "host_unreachable",
  EHOSTDOWN: "host_unreachable",
  EADDRNOTAVAIL: "host_unreachable",
  ETIMEDOUT: "timeout",
};

/** Certificate verification and handshake failures reported by node:tls. */
const isTlsError = (code: string): boolean =>
  code.startsWith("ERR_TLS_") ||
  code.startsWith("ERR_SSL_") ||
  code.includes("CERT") ||
  code.includes("SELF_SIGNED") ||
  code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" ||
  code === "EPROTO";

/** Maps a socket-level error to a stable reason and a message naming the errno. */
export function networkFailure(error: unknown, latencyMs: number | null = null): CheckResult {
  const err = error as NodeJS.ErrnoException;
  const code = typeof err?.code === "string" ? err.code : "";
  const text = err instanceof Error ? err.message : String(error);
  const reason =
    errnoReasons[code] ??
    (isTlsError(code) ? "tls_error" : code.startsWith("HPE_") ? "http_bad_response" : "network_error");
  return down(latencyMs, reason, code && !text.includes(code) ? `${code}: ${text}` : text);
}

/**
 * Runs `fn` with a cleanup hook that fires once when the check's signal aborts, so every probe frees its
 * socket or child process on timeout the same way; the hook is detached when `fn` settles.
 */
export async function withAbort<T>(
  ctx: CheckContext,
  onAbort: () => void,
  fn: (aborted: () => boolean) => Promise<T>,
): Promise<T> {
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    onAbort();
  };
  if (ctx.signal.aborted) fire();
  else ctx.signal.addEventListener("abort", fire, { once: true });
  try {
    return await fn(() => fired || ctx.signal.aborted);
  } finally {
    ctx.signal.removeEventListener("abort", fire);
  }
}

/** Accepted-status lists like `["200-299", "301"]`, shared by the http and sip probes. */
export const StatusRange = Type.String({ pattern: "^[1-6][0-9]{2}(-[1-6][0-9]{2})?$" });

export function inRanges(code: number, ranges: readonly string[]): boolean {
  return ranges.some((r) => {
    const [lo, hi] = r.split("-");
    return code >= Number(lo) && code <= Number(hi ?? lo);
  });
}

/** `host:port` with an optional bracketed IPv6 host. */
export function parseHostPort(target: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(target);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined ? isIP(host) !== 6 : !isHostname(host)) return null;
  return { host, port };
}

/** A DNS name or an IPv4/IPv6 literal (no brackets). */
export function isHostname(host: string): boolean {
  if (isIP(host) !== 0) return true;
  return /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?)*\.?$/.test(
    host,
  );
}
