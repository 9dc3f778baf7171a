import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { type Static, Type } from "typebox";
import { evaluateJsonPath, jsonValueText, parseJsonPath } from "./json-path.js";
import {
  DegradedAboveMs,
  degraded,
  down,
  inRanges,
  networkFailure,
  StatusRange,
  since,
  slowOrUp,
  timedOut,
  withAbort,
} from "./outcome.js";
import type { CheckContext, CheckResult, ProbeType } from "./types.js";

/** A keyword is searched in the first 64 KiB of the body; a JSON document may be up to 1 MiB. */
const KEYWORD_BODY_LIMIT = 64 * 1024;
const JSON_BODY_LIMIT = 1024 * 1024;
const DAY_MS = 86_400_000;

export const HttpSettings = Type.Object(
  {
    method: Type.Union(
      (["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const).map((m) => Type.Literal(m)),
      { default: "GET", description: "HTTP method of the request" },
    ),
    headers: Type.Record(
      Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" }),
      Type.String({ maxLength: 4000 }),
      {
        default: {},
        maxProperties: 50,
        description: "Request headers sent as given (a User-Agent is added when absent)",
      },
    ),
    body: Type.Union([Type.Null(), Type.String({ maxLength: 65_536 })], {
      default: null,
      description: "Request body (not sent with GET or HEAD); null sends none",
    }),
    acceptedStatus: Type.Array(StatusRange, {
      default: ["200-299"],
      minItems: 1,
      maxItems: 20,
      description:
        "Status codes or ranges (`200-299`, `301`) that count as reachable; others are DOWN (`status_not_accepted`)",
    }),
    keyword: Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 500 })], {
      default: null,
      description: "Text that must appear in the first 64 KiB of the body (`keyword_missing`); null disables it",
    }),
    keywordAbsent: Type.Boolean({
      default: false,
      description: "Invert the keyword check: the text must NOT appear (`keyword_present`)",
    }),
    jsonPath: Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 500, pattern: "^\\$" })], {
      default: null,
      description: 'JSON path into the body (`$.status`, `$.items[0].state`, `$["a-b"]`); null disables it',
    }),
    jsonExpected: Type.Union([Type.Null(), Type.String({ maxLength: 500 })], {
      default: null,
      description:
        "Expected value at `jsonPath`: strings compare as they are, other values as JSON text (`true`, `3`); null only requires the path to exist (`json_path_mismatch`)",
    }),
    degradedAboveMs: DegradedAboveMs(null, "the response"),
    tlsExpiryWarningDays: Type.Integer({
      minimum: 0,
      maximum: 365,
      default: 14,
      description:
        "DEGRADED (`tls_certificate_expiring`) when the server certificate expires within this many days; 0 disables it",
    }),
    ignoreTls: Type.Boolean({
      default: false,
      description: "Accept invalid certificates (self-signed, expired, wrong name) instead of reporting `tls_error`",
    }),
    maxRedirects: Type.Integer({
      minimum: 0,
      maximum: 10,
      default: 5,
      description: "Redirects followed; 0 judges the 3xx itself against `acceptedStatus`",
    }),
  },
  { additionalProperties: false },
);
export type HttpSettings = Static<typeof HttpSettings>;

function validateTarget(target: string): string | null {
  if (target.length > 2000) return "the URL is longer than 2000 characters";
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "not a valid URL (expected http://host[:port]/path or https://…)";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `unsupported scheme ${url.protocol} (http or https)`;
  if (!url.hostname) return "the URL has no host";
  return null;
}

interface Hop {
  response: IncomingMessage;
  certificate: { validTo: Date } | null;
}

/** One request on a fresh connection (agent: false), resolved at the response headers. */
function send(url: URL, method: string, settings: HttpSettings, ctx: CheckContext): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "user-agent": "Plantao-Monitor/1", ...settings.headers };
    const body = settings.body !== null && method !== "GET" && method !== "HEAD" ? Buffer.from(settings.body) : null;
    if (body) headers["content-length"] = String(body.length);
    const options = { method, headers, agent: false as const, signal: ctx.signal };
    const req =
      url.protocol === "https:"
        ? httpsRequest(url, {
            ...options,
            rejectUnauthorized: !settings.ignoreTls,
            ...(isIP(url.hostname.replace(/^\[|\]$/g, "")) === 0 ? { servername: url.hostname } : {}),
          })
        : httpRequest(url, options);
    req.once("error", reject);
    req.once("response", (response) => {
      let certificate: Hop["certificate"] = null;
      const socket = response.socket as TLSSocket | null;
      if (socket && typeof socket.getPeerCertificate === "function") {
        const cert = socket.getPeerCertificate();
        if (cert?.valid_to) certificate = { validTo: new Date(cert.valid_to) };
      }
      resolve({ response, certificate });
    });
    req.end(body ?? undefined);
  });
}

/** Reads at most `limit` bytes of the body, then closes the connection. */
function readBody(response: IncomingMessage, limit: number): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      response.removeAllListeners("data");
      resolve({ text: Buffer.concat(chunks).toString("utf8"), truncated });
      response.destroy();
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    response.on("data", (chunk: Buffer) => {
      const room = limit - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (size >= limit) finish(true);
    });
    response.once("end", () => finish(false));
    response.once("error", fail);
    response.once("aborted", () =>
      fail(Object.assign(new Error("connection closed mid-body"), { code: "ECONNRESET" })),
    );
  });
}

const statusLine = (r: IncomingMessage) => `HTTP ${r.statusCode} ${r.statusMessage ?? ""}`.trim();

async function run(target: string, settings: HttpSettings, ctx: CheckContext): Promise<CheckResult> {
  const start = performance.now();
  let current: IncomingMessage | null = null;
  return withAbort(
    ctx,
    () => current?.destroy(),
    async (aborted) => {
      try {
        let url = new URL(target);
        let method: string = settings.method;
        let redirects = 0;
        let hop = await send(url, method, settings, ctx);
        current = hop.response;
        while (
          settings.maxRedirects > 0 &&
          [301, 302, 303, 307, 308].includes(hop.response.statusCode ?? 0) &&
          hop.response.headers.location
        ) {
          hop.response.destroy();
          if (redirects === settings.maxRedirects)
            return down(
              since(start),
              "too_many_redirects",
              `more than ${settings.maxRedirects} redirects (last to ${url.href})`,
            );
          redirects++;
          url = new URL(hop.response.headers.location, url);
          if (hop.response.statusCode === 303) method = "GET";
          hop = await send(url, method, settings, ctx);
          current = hop.response;
        }
        const latencyMs = since(start);
        const { response, certificate } = hop;
        const code = response.statusCode ?? 0;
        const details: Record<string, unknown> = { statusCode: code };
        if (redirects > 0) details.finalUrl = url.href;
        if (certificate) details.tlsCertificateExpiresAt = certificate.validTo.toISOString();

        if (!inRanges(code, settings.acceptedStatus)) {
          response.destroy();
          return down(
            latencyMs,
            "status_not_accepted",
            `${statusLine(response)} (accepted: ${settings.acceptedStatus.join(", ")})`,
            details,
          );
        }
        const failure = await assertBody(response, settings);
        if (failure) return down(latencyMs, failure.reason, failure.message, details);

        if (certificate && settings.tlsExpiryWarningDays > 0) {
          const daysLeft = Math.floor((certificate.validTo.getTime() - Date.now()) / DAY_MS);
          if (daysLeft < settings.tlsExpiryWarningDays)
            return degraded(
              latencyMs,
              "tls_certificate_expiring",
              `the certificate of ${url.hostname} expires on ${certificate.validTo.toISOString()} (${daysLeft} days left, warning at ${settings.tlsExpiryWarningDays})`,
              details,
            );
        }
        return slowOrUp(latencyMs, settings.degradedAboveMs, statusLine(response), details);
      } catch (error) {
        if (aborted()) return timedOut(ctx, "no complete HTTP response");
        return networkFailure(error);
      } finally {
        (current as IncomingMessage | null)?.destroy();
      }
    },
  );
}

async function assertBody(
  response: IncomingMessage,
  settings: HttpSettings,
): Promise<{ reason: string; message: string } | null> {
  if (settings.keyword !== null) {
    const { text } = await readBody(response, KEYWORD_BODY_LIMIT);
    const found = text.includes(settings.keyword);
    if (!settings.keywordAbsent && !found)
      return {
        reason: "keyword_missing",
        message: `"${settings.keyword}" not found in the first ${text.length} characters`,
      };
    if (settings.keywordAbsent && found)
      return { reason: "keyword_present", message: `"${settings.keyword}" found in the body` };
    return null;
  }
  if (settings.jsonPath !== null) {
    const steps = parseJsonPath(settings.jsonPath);
    if (!steps) return { reason: "json_path_mismatch", message: `invalid JSON path ${settings.jsonPath}` };
    const { text, truncated } = await readBody(response, JSON_BODY_LIMIT);
    if (truncated) return { reason: "json_invalid", message: `the body is larger than ${JSON_BODY_LIMIT} bytes` };
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      return { reason: "json_invalid", message: `the body is not JSON: ${(error as Error).message}` };
    }
    const value = evaluateJsonPath(document, steps);
    if (value === undefined) return { reason: "json_path_mismatch", message: `${settings.jsonPath} is absent` };
    if (settings.jsonExpected !== null && jsonValueText(value) !== settings.jsonExpected)
      return {
        reason: "json_path_mismatch",
        message: `${settings.jsonPath} is ${jsonValueText(value).slice(0, 200)}, expected ${settings.jsonExpected}`,
      };
    return null;
  }
  response.destroy();
  return null;
}

export const http: ProbeType<HttpSettings> = { type: "http", settings: HttpSettings, validateTarget, run };
