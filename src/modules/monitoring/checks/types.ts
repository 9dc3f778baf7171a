import type { TObject } from "typebox";

/**
 * The contract between the monitoring engine and the probes. A probe only looks at its target and reports;
 * the engine owns state (retries, hysteresis, flapping, dependencies) and history.
 */

/** What one check saw. `degraded` = reachable but outside what the monitor accepts as healthy (slow, 503…). */
export type CheckStatus = "up" | "degraded" | "down";

export interface CheckResult {
  status: CheckStatus;
  /** Round trip of the probe in milliseconds; null when nothing answered. */
  latencyMs: number | null;
  /**
   * Stable reason id when not up, e.g. `timeout`, `connection_refused`, `dns_not_found`, `tls_error`,
   * `tls_certificate_expiring`, `status_not_accepted`, `keyword_missing`, `json_path_mismatch`, `slow`,
   * `sip_bad_response`, `sip_status_not_accepted`, `auth_failed`, `query_failed`. Null when up.
   */
  reason: string | null;
  /** Human detail for the reason (the precise cause: the status line, the errno, the certificate date). */
  message: string | null;
  /** Type-specific facts worth keeping with the check (status code, certificate expiry, database size…). */
  details?: Record<string, unknown>;
}

export interface CheckContext {
  /** Aborted when the monitor's timeout elapses or the engine stops; a probe must stop promptly and free sockets. */
  signal: AbortSignal;
  timeoutMs: number;
}

/** An actively probed monitor type (heartbeat and group are derived by the engine, not probed). */
export interface ProbeType<S = Record<string, unknown>> {
  type: string;
  /** TypeBox schema of the type-specific `settings` object, with defaults; documented in OpenAPI. */
  settings: TObject;
  /** Null when the target is valid for this type, else a message for a 400 pointing at `/target`. */
  validateTarget(target: string): string | null;
  run(target: string, settings: S, ctx: CheckContext): Promise<CheckResult>;
}
