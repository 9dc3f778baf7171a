import { type Static, Type } from "typebox";
import { DegradedAboveMs, degraded, down, inRanges, StatusRange, slowOrUp } from "./outcome.js";
import { DegradedCodes, sipFailure, statusText, targetUri, validateSipTarget } from "./sip/common.js";
import { buildRequest, newCallId, newTag } from "./sip/message.js";
import { openFlow, type SipFlow } from "./sip/transport.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

export const SipOptionsSettings = Type.Object(
  {
    acceptedCodes: Type.Array(StatusRange, {
      default: ["200-699"],
      minItems: 1,
      maxItems: 20,
      description:
        'Final response codes or ranges meaning reachable. The default, any final response, is how Asterisk\'s qualify judges a peer; ["200-299"] is 2xx-only. Others are DOWN (`sip_status_not_accepted`)',
    }),
    degradedCodes: DegradedCodes,
    degradedAboveMs: DegradedAboveMs(2000, "the OPTIONS round trip (Asterisk's qualify default is 2000 ms)"),
    fromUser: Type.String({
      pattern: "^[A-Za-z0-9_.!~*'()-]{1,64}$",
      default: "plantao",
      description: "User part of the From URI the OPTIONS is sent with",
    }),
  },
  { additionalProperties: false },
);
export type SipOptionsSettings = Static<typeof SipOptionsSettings>;

async function run(target: string, settings: SipOptionsSettings, ctx: CheckContext): Promise<CheckResult> {
  const uri = targetUri(target);
  if ("status" in uri) return uri;
  let flow: SipFlow | null = null;
  try {
    flow = await openFlow(uri, ctx);
    const callId = newCallId(flow.localHost);
    const local = flow.localHost.includes(":") ? `[${flow.localHost}]` : flow.localHost;
    const from = `sip:${settings.fromUser}@${local}`;
    const fromTag = newTag();
    const { response, transmissions, rttMs } = await flow.transact("OPTIONS", callId, (via) =>
      buildRequest({
        method: "OPTIONS",
        requestUri: uri.uri,
        via,
        from,
        fromTag,
        to: uri.addressOfRecord,
        callId,
        cseq: 1,
        headers: [["Accept", "application/sdp"]],
      }),
    );
    const latencyMs = Math.round(rttMs * 100) / 100;
    const status = statusText(response.status, response.reason);
    const details = { statusCode: response.status, transmissions, server: response.headers.get("server")?.[0] ?? null };
    if (inRanges(response.status, settings.degradedCodes))
      return degraded(latencyMs, "sip_status_degraded", `OPTIONS answered ${status}`, details);
    if (!inRanges(response.status, settings.acceptedCodes))
      return down(
        latencyMs,
        "sip_status_not_accepted",
        `OPTIONS answered ${status} (accepted: ${settings.acceptedCodes.join(", ")})`,
        details,
      );
    return slowOrUp(latencyMs, settings.degradedAboveMs, `OPTIONS answered ${status}, round trip`, details);
  } catch (error) {
    return sipFailure(error, ctx, "OPTIONS", uri.transport.toUpperCase());
  } finally {
    flow?.close();
  }
}

export const sipOptions: ProbeType<SipOptionsSettings> = {
  type: "sip-options",
  settings: SipOptionsSettings,
  validateTarget: validateSipTarget,
  run,
};
