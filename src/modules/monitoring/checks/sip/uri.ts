import { isIP } from "node:net";
import { isHostname } from "../outcome.js";

export type SipTransport = "udp" | "tcp";

export interface SipUri {
  user: string | null;
  host: string;
  port: number;
  transport: SipTransport;
  /** The URI as it goes on the wire (Request-URI), IPv6 hosts bracketed. */
  uri: string;
  /** The URI without parameters, for To/From. */
  addressOfRecord: string;
}

/** RFC 3261 §25.1 user part: unreserved, escaped and user-unreserved characters. */
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const PARAM = /^[A-Za-z0-9\-_.!~*'%]+(=[A-Za-z0-9\-_.!~*'%[\]/:&+$]+)?$/;

/**
 * Parses the target of a SIP monitor: `sip:[user@]host[:port][;params]`, e.g.
 * `sip:probe@127.0.0.1:5070;transport=udp`. Only UDP and TCP are probed; `sips:` and TLS are refused.
 * Returns an error message instead when the URI is malformed.
 */
export function parseSipUri(text: string): SipUri | string {
  if (text.length > 500) return "the SIP URI is longer than 500 characters";
  const m = /^(sips?):(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^\s:;[\]@]+)(?::(\d{1,5}))?((?:;[^;\s]*)*)$/i.exec(text);
  if (!m) return "not a SIP URI (expected sip:[user@]host[:port][;transport=udp|tcp])";
  const [, scheme, user, rawHost, rawPort, rawParams] = m;
  if (scheme!.toLowerCase() === "sips")
    return "sips (TLS) targets are not supported; use sip: with transport udp or tcp";
  if (user !== undefined && !USER.test(user)) return `invalid user part "${user}"`;
  const bracketed = rawHost!.startsWith("[");
  const host = bracketed ? rawHost!.slice(1, -1) : rawHost!;
  if (bracketed ? isIP(host) !== 6 : !isHostname(host) || isIP(host) === 6) return `invalid host "${rawHost}"`;
  const port = rawPort === undefined ? 5060 : Number(rawPort);
  if (port < 1 || port > 65535) return `invalid port ${rawPort}`;
  let transport: SipTransport = "udp";
  for (const param of (rawParams ?? "").split(";").slice(1)) {
    if (!PARAM.test(param)) return `invalid URI parameter "${param}"`;
    const [name, value] = param.split("=");
    if (name!.toLowerCase() === "transport") {
      const t = (value ?? "").toLowerCase();
      if (t !== "udp" && t !== "tcp") return `unsupported transport "${value ?? ""}" (udp or tcp)`;
      transport = t;
    }
  }
  const hostPort = `${rawHost}${rawPort === undefined ? "" : `:${port}`}`;
  const addressOfRecord = `sip:${user === undefined ? "" : `${user}@`}${hostPort}`;
  return { user: user ?? null, host, port, transport, uri: `${addressOfRecord}${rawParams ?? ""}`, addressOfRecord };
}
