import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed acknowledgement links: `<delivery id>.<expiry ms, base 36>.<HMAC-SHA256>`. The delivery names the page
 * and the person told; the key is derived from the installation's secret key, so every node signs alike.
 */
export function signLink(key: Buffer, deliveryId: string, expiresAt: number): string {
  const body = `${deliveryId}.${expiresAt.toString(36)}`;
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

/** The delivery and expiry of a token, or null when it is malformed or its signature does not match. */
export function verifyLink(key: Buffer, token: string): { deliveryId: string; expiresAt: number } | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [id, exp, mac] = parts as [string, string, string];
  // Compared as text: base64url's last character has spare bits, so two spellings could decode alike.
  const expected = Buffer.from(createHmac("sha256", key).update(`${id}.${exp}`).digest("base64url"));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const expiresAt = Number.parseInt(exp, 36);
  return Number.isFinite(expiresAt) ? { deliveryId: id, expiresAt } : null;
}
