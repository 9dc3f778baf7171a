/**
 * The type-specific settings of each monitor type as form fields, with the server's defaults
 * (src/modules/monitoring/checks/*.ts and schemas.ts). The form edits them as text and turns them back into
 * the JSON the API validates; the server's answer, by JSON Pointer under /settings, lands on the same field.
 */

export type SettingKind =
  /** Free text; `nullable` sends null when left empty. */
  | "text"
  | "textarea"
  | "password"
  | "integer"
  /** One of `options`. */
  | "select"
  | "checkbox"
  /** Status codes or ranges, comma-separated in the form, an array in the API. */
  | "codes"
  /** `Name: value` per line in the form, an object in the API. */
  | "headers";

export interface SettingField {
  name: string;
  kind: SettingKind;
  default: unknown;
  nullable?: boolean;
  options?: readonly string[];
  min?: number;
  max?: number;
}

const degradedAboveMs = (fallback: number | null): SettingField => ({
  name: "degradedAboveMs",
  kind: "integer",
  default: fallback,
  nullable: true,
  min: 1,
  max: 600_000,
});
const degradedCodes: SettingField = { name: "degradedCodes", kind: "codes", default: ["503"] };
const database: SettingField[] = [
  { name: "password", kind: "password", default: "" },
  { name: "query", kind: "text", default: "select 1" },
  { name: "tls", kind: "select", default: "disable", options: ["disable", "require", "verify"] },
  degradedAboveMs(null),
];

export const settingFields: Record<string, SettingField[]> = {
  http: [
    {
      name: "method",
      kind: "select",
      default: "GET",
      options: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    },
    { name: "acceptedStatus", kind: "codes", default: ["200-299"] },
    { name: "headers", kind: "headers", default: {} },
    { name: "body", kind: "textarea", default: null, nullable: true },
    { name: "keyword", kind: "text", default: null, nullable: true },
    { name: "keywordAbsent", kind: "checkbox", default: false },
    { name: "jsonPath", kind: "text", default: null, nullable: true },
    { name: "jsonExpected", kind: "text", default: null, nullable: true },
    degradedAboveMs(null),
    { name: "tlsExpiryWarningDays", kind: "integer", default: 14, min: 0, max: 365 },
    { name: "maxRedirects", kind: "integer", default: 5, min: 0, max: 10 },
    { name: "ignoreTls", kind: "checkbox", default: false },
    { name: "reuseConnections", kind: "checkbox", default: true },
  ],
  tcp: [
    { name: "send", kind: "text", default: null, nullable: true },
    { name: "expect", kind: "text", default: null, nullable: true },
    degradedAboveMs(null),
  ],
  dns: [
    { name: "recordType", kind: "select", default: "A", options: ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV"] },
    { name: "server", kind: "text", default: null, nullable: true },
    { name: "expected", kind: "text", default: null, nullable: true },
    degradedAboveMs(null),
  ],
  icmp: [{ name: "count", kind: "integer", default: 3, min: 1, max: 10 }, degradedAboveMs(null)],
  "sip-options": [
    { name: "acceptedCodes", kind: "codes", default: ["200-699"] },
    degradedCodes,
    degradedAboveMs(2000),
    { name: "fromUser", kind: "text", default: "plantao" },
  ],
  "sip-register": [
    { name: "password", kind: "password", default: "" },
    { name: "authUsername", kind: "text", default: null, nullable: true },
    degradedCodes,
    degradedAboveMs(2000),
  ],
  postgres: database,
  mysql: database,
  heartbeat: [{ name: "graceSeconds", kind: "integer", default: 5, min: 0, max: 3600 }],
  group: [],
};

/** Form values are text (or a flag): what the inputs hold. */
export type SettingValues = Record<string, string | boolean>;

function toText(field: SettingField, value: unknown): string | boolean {
  switch (field.kind) {
    case "checkbox":
      return value === true;
    case "codes":
      return Array.isArray(value) ? value.join(", ") : "";
    case "headers":
      return value && typeof value === "object"
        ? Object.entries(value as Record<string, string>)
            .map(([k, v]) => `${k}: ${v}`)
            .join("\n")
        : "";
    case "password":
      return "";
    default:
      return value === null || value === undefined ? "" : String(value);
  }
}

/** The inputs' values for a type: the monitor's own settings where given, else the type's defaults. */
export function settingValues(type: string, settings: Record<string, unknown> = {}): SettingValues {
  return Object.fromEntries(
    (settingFields[type] ?? []).map((f) => [f.name, toText(f, f.name in settings ? settings[f.name] : f.default)]),
  );
}

const codes = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((c) => c.trim())
    .filter(Boolean);

function headers(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    // A line without a colon is sent as a name with no value: the server names it in its answer.
    if (colon < 0) out[line.trim()] = "";
    else out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

/**
 * The settings to send. An empty password is left out so an edit keeps the stored one (the API never shows
 * it back). Numbers that do not parse are sent as text, for the server to name the field.
 */
export function settingsPayload(type: string, values: SettingValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of settingFields[type] ?? []) {
    const v = values[f.name];
    if (f.kind === "checkbox") {
      out[f.name] = v === true;
      continue;
    }
    const text = typeof v === "string" ? v : "";
    if (f.kind === "password") {
      if (text) out[f.name] = text;
    } else if (f.kind === "codes") out[f.name] = codes(text);
    else if (f.kind === "headers") out[f.name] = headers(text);
    else if (!text.trim() && f.nullable) out[f.name] = null;
    else if (f.kind === "integer") out[f.name] = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    else out[f.name] = text;
  }
  return out;
}
