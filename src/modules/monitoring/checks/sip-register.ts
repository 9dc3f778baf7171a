import { type Static, Type } from "typebox";
import { DegradedAboveMs, degraded, down, inRanges, slowOrUp } from "./outcome.js";
import { DegradedCodes, sipFailure, statusText, targetUri, validateSipTarget } from "./sip/common.js";
import { authorization, type Challenge, parseChallenge, supportedAlgorithm } from "./sip/digest.js";
import { buildRequest, newCallId, newTag, type SipResponse } from "./sip/message.js";
import { openFlow, type SipFlow } from "./sip/transport.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

export const SipRegisterSettings = Type.Object(
  {
    password: Type.String({
      maxLength: 200,
      default: "",
      writeOnly: true,
      description: "Secret: the digest password of the account (sealed at rest, never returned)",
    }),
    authUsername: Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 100 })], {
      default: null,
      description: "Digest user name when it differs from the user part of the target URI",
    }),
    degradedCodes: DegradedCodes,
    degradedAboveMs: DegradedAboveMs(2000, "the whole REGISTER exchange"),
  },
  { additionalProperties: false },
);
export type SipRegisterSettings = Static<typeof SipRegisterSettings>;

function validateTarget(target: string): string | null {
  const invalid = validateSipTarget(target);
  if (invalid) return invalid;
  return /^sip:[^@;]+@/i.test(target)
    ? null
    : "the registrar URI needs the account user, e.g. sip:1001@pbx.example.com";
}

/** The first digest challenge of a 401/407 whose algorithm we can answer. */
function challengeOf(response: SipResponse): Challenge | null {
  const header = response.status === 407 ? "proxy-authenticate" : "www-authenticate";
  for (const value of response.headers.get(header) ?? []) {
    const challenge = parseChallenge(value);
    if (challenge && supportedAlgorithm(challenge.algorithm)) return challenge;
  }
  return null;
}

/**
 * A credential check: REGISTER without a Contact header only queries the bindings of the address of
 * record (RFC 3261 §10.2.3), so it proves the password without displacing the PBX's own registration.
 */
async function run(target: string, settings: SipRegisterSettings, ctx: CheckContext): Promise<CheckResult> {
  const uri = targetUri(target);
  if ("status" in uri) return uri;
  let flow: SipFlow | null = null;
  try {
    flow = await openFlow(uri, ctx);
    const active = flow;
    const callId = newCallId(flow.localHost);
    const fromTag = newTag();
    const requestUri = uri.uri.replace(/^sip:[^@]+@/i, "sip:");
    const username = settings.authUsername ?? decodeURIComponent(uri.user ?? "");
    let latencyMs = 0;
    let cseq = 0;
    let challenges = 0;
    const register = async (auth: [string, string] | null) => {
      cseq++;
      const t = await active.transact("REGISTER", callId, (via) =>
        buildRequest({
          method: "REGISTER",
          requestUri,
          via,
          from: uri.addressOfRecord,
          fromTag,
          to: uri.addressOfRecord,
          callId,
          cseq,
          headers: auth ? [auth] : [],
        }),
      );
      latencyMs += t.rttMs;
      return t.response;
    };
    let response = await register(null);
    // A stale nonce (RFC 2617 §3.2.1) earns one more round; any other repeated challenge means wrong credentials.
    while ((response.status === 401 || response.status === 407) && challenges < 2) {
      const challenge = challengeOf(response);
      if (!challenge)
        return down(
          round(latencyMs),
          "auth_failed",
          `${statusText(response.status, response.reason)} without a digest challenge we support (MD5, SHA-256, SHA-512-256)`,
        );
      if (challenges === 1 && !challenge.stale) break;
      challenges++;
      const header = response.status === 407 ? "Proxy-Authorization" : "Authorization";
      response = await register([
        header,
        authorization(challenge, { username, password: settings.password }, "REGISTER", requestUri),
      ]);
    }
    const status = statusText(response.status, response.reason);
    const details = {
      statusCode: response.status,
      challenged: challenges > 0,
      bindings: (response.headers.get("contact") ?? []).length,
    };
    const total = round(latencyMs);
    if (response.status === 401 || response.status === 407 || response.status === 403)
      return down(
        total,
        "auth_failed",
        challenges > 0 ? `credentials for ${username} rejected: ${status}` : `REGISTER refused: ${status}`,
        details,
      );
    if (inRanges(response.status, settings.degradedCodes))
      return degraded(total, "sip_status_degraded", `REGISTER answered ${status}`, details);
    if (response.status >= 300) return down(total, "sip_status_not_accepted", `REGISTER answered ${status}`, details);
    return slowOrUp(total, settings.degradedAboveMs, `REGISTER answered ${status}, exchange`, details);
  } catch (error) {
    return sipFailure(error, ctx, "REGISTER", uri.transport.toUpperCase());
  } finally {
    flow?.close();
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export const sipRegister: ProbeType<SipRegisterSettings> = {
  type: "sip-register",
  settings: SipRegisterSettings,
  validateTarget,
  run,
};
