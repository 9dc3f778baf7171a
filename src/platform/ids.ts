import { randomBytes } from "node:crypto";

/**
 * UUIDv7 (RFC 9562): time-ordered, so a primary key doubles as a stable keyset-pagination order
 * and inserts stay append-only in B-tree indexes.
 */
export function uuidv7(at: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(at, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
