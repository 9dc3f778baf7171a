import { createHash, randomBytes } from "node:crypto";

/** HTTP digest authentication as SIP uses it (RFC 2617, RFC 8760 for SHA-256), client side only. */

export interface Challenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: string;
  /** The qop options offered, lower case (`auth`, `auth-int`); empty for the RFC 2069 form. */
  qop: string[];
  stale: boolean;
}

const HASHES: Record<string, string> = {
  MD5: "md5",
  "MD5-SESS": "md5",
  "SHA-256": "sha256",
  "SHA-256-SESS": "sha256",
  "SHA-512-256": "sha512-256",
  "SHA-512-256-SESS": "sha512-256",
};

export const supportedAlgorithm = (algorithm: string): boolean => algorithm.toUpperCase() in HASHES;

/** Parses `Digest realm="…", nonce="…", qop="auth,auth-int", algorithm=MD5`; null when not a digest challenge. */
export function parseChallenge(header: string): Challenge | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return null;
  const params = new Map<string, string>();
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let p = re.exec(m[1]!); p; p = re.exec(m[1]!))
    params.set(p[1]!.toLowerCase(), (p[2] ?? p[3]!).replace(/\\(.)/g, "$1"));
  const realm = params.get("realm");
  const nonce = params.get("nonce");
  if (realm === undefined || nonce === undefined) return null;
  return {
    realm,
    nonce,
    opaque: params.get("opaque") ?? null,
    algorithm: params.get("algorithm") ?? "MD5",
    qop: (params.get("qop") ?? "")
      .split(",")
      .map((q) => q.trim().toLowerCase())
      .filter(Boolean),
    stale: (params.get("stale") ?? "").toLowerCase() === "true",
  };
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * The Authorization (or Proxy-Authorization) value answering `challenge` for `method` on `uri`.
 * Prefers qop=auth when offered, then auth-int (SIP requests here have an empty body), else the
 * RFC 2069 form. `cnonce` is injectable for known-answer tests.
 */
export function authorization(
  challenge: Challenge,
  credentials: Credentials,
  method: string,
  uri: string,
  body = "",
  cnonce = randomBytes(8).toString("hex"),
): string {
  const algorithm = challenge.algorithm.toUpperCase();
  const hashName = HASHES[algorithm];
  if (!hashName) throw new Error(`unsupported digest algorithm ${challenge.algorithm}`);
  const h = (s: string) => createHash(hashName).update(s).digest("hex");
  const qop = challenge.qop.includes("auth") ? "auth" : challenge.qop.includes("auth-int") ? "auth-int" : null;
  const nc = "00000001";
  let ha1 = h(`${credentials.username}:${challenge.realm}:${credentials.password}`);
  if (algorithm.endsWith("-SESS")) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(qop === "auth-int" ? `${method}:${uri}:${h(body)}` : `${method}:${uri}`);
  const response = qop
    ? h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const quote = (s: string) => `"${s.replace(/(["\\])/g, "\\$1")}"`;
  const parts = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(uri)}`,
    `response=${quote(response)}`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (challenge.opaque !== null) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  return `Digest ${parts.join(", ")}`;
}
