import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { type Static, Type } from "typebox";
import { HttpConnections, IDLE_MS, type PooledSocket } from "./http-connections.js";
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
        additionalProperties: false,
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
    reuseConnections: Type.Boolean({
      default: true,
      description:
        "Reuse an idle connection to the same host and port from a check in the last 4 s (opened within the last minute), as browsers and Uptime Kuma do; plain http GET, HEAD and OPTIONS without a keyword or JSON path. Off opens a fresh connection for every check, so each check also proves that new connections are accepted and its latency includes the connect",
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
  statusCode: number;
  statusMessage: string;
  location: string | undefined;
  /** The response to read a body from; null from the bare-socket path, which is used only when none is read. */
  response: IncomingMessage | null;
  certificate: { validTo: Date } | null;
}

type Closable = { destroy(): void };

/** Header values with a line break or NUL would split the request; Node's client refuses them with a clear error. */
const PLAIN_VALUE = /^[^\r\n\0]*$/;

/**
 * Plain HTTP whose body nobody reads (no keyword, no JSON path) goes over a bare socket: the request written as
 * bytes, the status line and headers read back, the connection closed or, with `reuseConnections`, kept for the
 * next check of the same origin (./http-connections.ts). Node's client costs about twice the CPU
 * per check (a ClientRequest, a parser, an IncomingMessage, an end-of-stream error per closed connection), which
 * at thousands of monitors is most of the engine's CPU.
 */
function bare(url: URL, settings: HttpSettings): boolean {
  return (
    url.protocol === "http:" &&
    settings.keyword === null &&
    settings.jsonPath === null &&
    Object.values(settings.headers).every((v) => PLAIN_VALUE.test(v))
  );
}

const HEAD_LIMIT = 64 * 1024;
/** A body up to this size is read to keep its connection; a larger one closes it instead. */
const REUSE_BODY_LIMIT = 64 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: ([^\r\n]*))?$/;
const parseError = (code: string, message: string) => Object.assign(new Error(message), { code });
/** Requests sent again on a fresh connection when a reused one ends unanswered (the server closed it idle). */
const RESENDABLE = new Set(["GET", "HEAD", "OPTIONS"]);

const connections = new HttpConnections();

/** A header's value from the head's lines (the first one), or undefined. */
function headerOf(lines: string[], name: string): string | undefined {
  const prefix = `${name}:`;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > prefix.length && line.slice(0, prefix.length).toLowerCase() === prefix) {
      return line.slice(prefix.length).trim();
    }
  }
  return undefined;
}

/**
 * How many body bytes follow a head when its connection may be kept: 0 for HEAD, 204 and 304, the
 * Content-Length otherwise; null when it may not (HTTP/1.0, `Connection: close`, chunked or unframed bodies,
 * large ones).
 */
function keptBody(method: string, minor: string, statusCode: number, lines: string[]): number | null {
  if (minor !== "1" || /\bclose\b/i.test(headerOf(lines, "connection") ?? "")) return null;
  if (headerOf(lines, "transfer-encoding") !== undefined) return null;
  if (method === "HEAD" || statusCode === 204 || statusCode === 304) return 0;
  const length = headerOf(lines, "content-length");
  if (length === undefined || !/^[0-9]{1,9}$/.test(length)) return null;
  const n = Number(length);
  return n <= REUSE_BODY_LIMIT ? n : null;
}

function sendBare(url: URL, method: string, settings: HttpSettings, onSocket: (s: Socket) => void): Promise<Hop> {
  const given = new Set(Object.keys(settings.headers).map((k) => k.toLowerCase()));
  const body = settings.body !== null && method !== "GET" && method !== "HEAD" ? Buffer.from(settings.body) : null;
  // Monitors stored before the setting existed have none: they get its default.
  const reuse =
    settings.reuseConnections !== false && body === null && RESENDABLE.has(method) && !given.has("connection");
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (!given.has("host")) head += `Host: ${url.host}\r\n`;
  if (!given.has("user-agent")) head += "User-Agent: Plantao-Monitor/1\r\n";
  if (!given.has("connection") && !reuse) head += "Connection: close\r\n";
  for (const [name, value] of Object.entries(settings.headers)) head += `${name}: ${value}\r\n`;
  if (body && !given.has("content-length")) head += `Content-Length: ${body.length}\r\n`;
  const request = body
    ? Buffer.concat([Buffer.from(`${head}\r\n`, "latin1"), body])
    : Buffer.from(`${head}\r\n`, "latin1");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port) || 80;
  const origin = `${host}:${port}`;
  const fresh = (): PooledSocket => ({ socket: netConnect({ host, port }), openedAt: Date.now() });
  const pooled = reuse ? connections.take(origin) : undefined;
  if (!pooled) return exchange(fresh(), request, method, reuse ? origin : null, onSocket);
  return exchange(pooled, request, method, origin, onSocket).catch((error: Error & { unanswered?: boolean }) => {
    if (!error.unanswered) throw error;
    return exchange(fresh(), request, method, origin, onSocket);
  });
}

/**
 * Writes the request, resolves at the response's head. The connection is closed after it, or, when `origin`
 * is given and the response allows it, its body is read and the connection handed back for the next check.
 * An error before any byte of an answer is marked `unanswered`.
 */
function exchange(
  pooled: PooledSocket,
  request: Buffer,
  method: string,
  origin: string | null,
  onSocket: (s: Socket) => void,
): Promise<Hop> {
  const { socket } = pooled;
  onSocket(socket);
  return new Promise((resolve, reject) => {
    let received: Buffer | null = null;
    let settled = false;
    /** Body bytes still to read before the connection can be handed back. */
    let remaining = 0;
    const release = () => {
      socket.setTimeout(0);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
      connections.give(origin as string, pooled);
    };
    const settle = (error: Error | null, hop?: Hop, keep = false) => {
      if (settled) return;
      settled = true;
      if (error) {
        socket.destroy();
        reject(received === null ? Object.assign(error, { unanswered: true }) : error);
        return;
      }
      if (!keep) socket.destroy();
      resolve(hop as Hop);
    };
    const onData = (chunk: Buffer) => {
      if (settled) {
        // The rest of a kept response's body: exactly its length, or the connection is not reusable.
        remaining -= chunk.length;
        if (remaining === 0) release();
        else if (remaining < 0) socket.destroy();
        return;
      }
      received = received ? Buffer.concat([received, chunk]) : chunk;
      for (;;) {
        const end = received.indexOf("\r\n\r\n");
        if (end < 0) {
          if (received.length > HEAD_LIMIT) settle(parseError("HPE_HEADER_OVERFLOW", "Header overflow"));
          return;
        }
        const lines = received.toString("latin1", 0, end).split("\r\n");
        const status = STATUS_LINE.exec(lines[0] ?? "");
        if (!status) return settle(parseError("HPE_INVALID_CONSTANT", "Expected HTTP/"));
        const statusCode = Number(status[2]);
        // Informational answers (100 Continue, 103 Early Hints) come before the real one, as Node's client skips them.
        if (statusCode < 200 && statusCode !== 101) {
          received = received.subarray(end + 4);
          continue;
        }
        const hop: Hop = {
          statusCode,
          statusMessage: status[3] ?? "",
          location: headerOf(lines, "location"),
          response: null,
          certificate: null,
        };
        const bodyLength = origin === null ? null : keptBody(method, status[1]!, statusCode, lines);
        if (bodyLength === null) return settle(null, hop);
        remaining = bodyLength - (received.length - end - 4);
        settle(null, hop, remaining >= 0);
        if (remaining === 0) release();
        // A body that stops coming in: the connection is closed rather than kept waiting for it.
        else if (remaining > 0) socket.setTimeout(IDLE_MS, () => socket.destroy());
        return;
      }
    };
    // An error while the rest of a kept body arrives only loses the connection.
    const onError = (error: Error) => (settled ? socket.destroy() : settle(error));
    // The close that follows every settled check must not build an error (its stack trace) for nothing.
    const onClose = () => settled || settle(parseError("ECONNRESET", "socket hang up"));
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.write(request);
  });
}

/**
 * One request on a fresh connection of its own, resolved at the response headers: checks that read a body or
 * speak TLS (whose handshake and certificate are part of what they check) never reuse one. The socket comes
 * from `createConnection` rather than `agent: false`, which builds a whole Agent per request. `onRequest` hands
 * the request over so an abort before the response can destroy it.
 */
function send(url: URL, method: string, settings: HttpSettings, onRequest: (req: Closable) => void): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "user-agent": "Plantao-Monitor/1", ...settings.headers };
    const body = settings.body !== null && method !== "GET" && method !== "HEAD" ? Buffer.from(settings.body) : null;
    if (body) headers["content-length"] = String(body.length);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    const req =
      url.protocol === "https:"
        ? httpsRequest(url, {
            method,
            headers,
            createConnection: () =>
              tlsConnect({
                host,
                port,
                rejectUnauthorized: !settings.ignoreTls,
                ...(isIP(host) === 0 ? { servername: host } : {}),
              }),
          })
        : httpRequest(url, { method, headers, createConnection: () => netConnect({ host, port }) });
    onRequest(req);
    req.once("error", reject);
    req.once("response", (response) => {
      let certificate: Hop["certificate"] = null;
      const socket = response.socket as TLSSocket | null;
      if (socket && typeof socket.getPeerCertificate === "function") {
        const cert = socket.getPeerCertificate();
        if (cert?.valid_to) certificate = { validTo: new Date(cert.valid_to) };
      }
      resolve({
        statusCode: response.statusCode ?? 0,
        statusMessage: response.statusMessage ?? "",
        location: response.headers.location,
        response,
        certificate,
      });
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

const statusLine = (hop: Hop) => `HTTP ${hop.statusCode} ${hop.statusMessage}`.trim();

async function run(target: string, settings: HttpSettings, ctx: CheckContext): Promise<CheckResult> {
  const start = performance.now();
  let current: Closable | null = null;
  const track = (c: Closable) => {
    current = c;
    if (ctx.signal.aborted) c.destroy();
  };
  const hopTo = (url: URL, method: string) =>
    bare(url, settings) ? sendBare(url, method, settings, track) : send(url, method, settings, track);
  return withAbort(
    ctx,
    () => current?.destroy(),
    async (aborted) => {
      try {
        let url = new URL(target);
        let method: string = settings.method;
        let redirects = 0;
        let hop = await hopTo(url, method);
        current = hop.response;
        while (settings.maxRedirects > 0 && [301, 302, 303, 307, 308].includes(hop.statusCode) && hop.location) {
          hop.response?.destroy();
          if (redirects === settings.maxRedirects)
            return down(
              since(start),
              "too_many_redirects",
              `more than ${settings.maxRedirects} redirects (last to ${url.href})`,
            );
          redirects++;
          url = new URL(hop.location, url);
          if (hop.statusCode === 303) method = "GET";
          hop = await hopTo(url, method);
          current = hop.response;
        }
        const latencyMs = since(start);
        const { response, certificate } = hop;
        const code = hop.statusCode;
        const details: Record<string, unknown> = { statusCode: code };
        if (redirects > 0) details.finalUrl = url.href;
        if (certificate) details.tlsCertificateExpiresAt = certificate.validTo.toISOString();

        if (!inRanges(code, settings.acceptedStatus)) {
          response?.destroy();
          return down(
            latencyMs,
            "status_not_accepted",
            `${statusLine(hop)} (accepted: ${settings.acceptedStatus.join(", ")})`,
            details,
          );
        }
        const failure = response ? await assertBody(response, settings) : null;
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
        return slowOrUp(latencyMs, settings.degradedAboveMs, statusLine(hop), details);
      } catch (error) {
        if (aborted()) return timedOut(ctx, "no complete HTTP response");
        return networkFailure(error);
      } finally {
        (current as Closable | null)?.destroy();
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
