import { Type } from "typebox";
import { down, networkFailure, StatusRange, timedOut } from "../outcome.js";
import type { CheckContext, CheckResult } from "../types.js";
import { SipBadResponse } from "./transport.js";
import { parseSipUri, type SipUri } from "./uri.js";

/** Settings and failure mapping shared by the sip-options and sip-register probes. */

export const DegradedCodes = Type.Array(StatusRange, {
  default: ["503"],
  maxItems: 20,
  description:
    "Final response codes or ranges that mean reachable but unhealthy: DEGRADED (`sip_status_degraded`), e.g. 503 for overload or maintenance",
});

export const statusText = (status: number, reason: string) => `${status} ${reason}`.trim();

export function validateSipTarget(target: string): string | null {
  const uri = parseSipUri(target);
  return typeof uri === "string" ? uri : null;
}

export function targetUri(target: string): SipUri | CheckResult {
  const uri = parseSipUri(target);
  return typeof uri === "string" ? down(null, "invalid_target", uri) : uri;
}

export function sipFailure(error: unknown, ctx: CheckContext, what: string, transport: string): CheckResult {
  if (ctx.signal.aborted) return timedOut(ctx, `no final SIP response to ${what} over ${transport}`);
  if (error instanceof SipBadResponse) return down(null, "sip_bad_response", error.message);
  return networkFailure(error);
}
