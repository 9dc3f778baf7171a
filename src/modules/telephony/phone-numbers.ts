/**
 * Caller ids as PBXs send them, in E.164: Brazilian numbers come as `+55 11 98765-4321`, `011 98765-4321`,
 * `0xx11…`, `0 15 11 …` (a carrier selection code), `5511…`, `11…` or `(11) 8765-4321` (a mobile dialled
 * before the ninth digit). Pure, so the matching rules have exhaustive tests.
 */

/** E.164 (`+5511987654321`) of a caller id, or null when it is not a full number (an extension, "anonymous"). */
export function toE164(raw: string, country = "55"): string | null {
  const trimmed = raw
    .trim()
    .replace(/^(sips?:|tel:)/i, "")
    .split("@")[0]!;
  const plus = trimmed.startsWith("+");
  // "0xx11": the xx stood for the carrier code in printed numbers.
  const digits = trimmed.replace(/^0\s*x\s*x/i, "0").replace(/\D/g, "");
  if (!digits || /[a-wyz]/i.test(trimmed.replace(/^0\s*x\s*x/i, ""))) return null;
  if (plus) return valid(`+${digits}`);
  if (digits.startsWith("00")) return valid(`+${digits.slice(2)}`);
  if (country !== "55") return digits.length > 7 ? valid(`+${digits}`) : null;
  if (digits.startsWith("0")) {
    const national = digits.slice(1);
    // 0 + carrier (2) + area (2) + 8 or 9 digits; or 0 + area + 8 or 9 digits.
    if (national.length === 12 || national.length === 13) return brazilian(national.slice(2));
    return brazilian(national);
  }
  if ((digits.length === 12 || digits.length === 13) && digits.startsWith("55")) return brazilian(digits.slice(2));
  return brazilian(digits);
}

function brazilian(national: string): string | null {
  if (national.length !== 10 && national.length !== 11) return null;
  if (national[0] === "0" || national[1] === "0") return null;
  if (national.length === 11 && national[2] !== "9") return null;
  return `+55${national}`;
}

function valid(e164: string): string | null {
  return /^\+[1-9][0-9]{6,14}$/.test(e164) ? e164 : null;
}

/**
 * The key two numbers match on: a Brazilian mobile written before the ninth digit (8 digits starting 6–9) gets
 * its 9, so `+551187654321` and `+5511987654321` are the same caller. Landlines (2–5) are left as they are.
 */
export function phoneKey(e164: string): string {
  const m = /^\+55([1-9][0-9])([6-9][0-9]{7})$/.exec(e164);
  return m ? `+55${m[1]}9${m[2]}` : e164;
}

/** The matching key of a raw caller id, or null when it is not a full number. */
export function callerKey(raw: string | null | undefined, country = "55"): string | null {
  if (!raw) return null;
  const e164 = toE164(raw, country);
  return e164 ? phoneKey(e164) : null;
}
