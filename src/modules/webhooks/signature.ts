import { createHmac } from "node:crypto";

/**
 * How a receiver checks a delivery: take the `x-plantao-timestamp` header (Unix seconds) and the raw
 * request body, compute HMAC-SHA256 over `<timestamp>.<body>` with the webhook's secret, and compare its
 * hex digest with the `x-plantao-signature` header (`sha256=<hex>`) in constant time. Because the
 * timestamp is signed, a receiver that also refuses timestamps older than a few minutes is safe from
 * replays of captured requests; `x-plantao-delivery` (the same for every retry of one delivery)
 * lets it drop duplicates, since delivery is at least once.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export const signatureDoc =
  "Each delivery is a POST of `{id, type, organizationId, subjectId, createdAt, payload}` with the headers " +
  "`x-plantao-event` (event type), `x-plantao-delivery` (delivery id, the same on every retry), " +
  "`x-plantao-timestamp` (Unix seconds) and `x-plantao-signature: sha256=<hex>`, the HMAC-SHA256 of " +
  "`<timestamp>.<raw body>` keyed with the webhook's secret. Compare it in constant time and refuse " +
  "timestamps older than about 5 minutes to defeat replays. A 2xx answer within 10 s is success; anything " +
  "else is retried after 30 s, 2 min, 10 min, 1 h and 6 h, after which the delivery is dead (it can be " +
  "retried by hand). Delivery is at least once: drop duplicates by delivery id.";
