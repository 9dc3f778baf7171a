/** Catalogues of hostile input, shared by every generated case. Named so a failure says what was sent. */

export const hostileStrings: ReadonlyArray<readonly [string, string]> = [
  ["empty string", ""],
  ["whitespace only", "  \t\n "],
  ["emoji", "🔥💥👩‍👩‍👧‍👦🇧🇷"],
  ["right-to-left override", "\u202Eevil\u202C مرحبا שלום"],
  ["NUL byte", "a\u0000b"],
  ["control characters", "\u0001\u0007\u001b[31m\u007f"],
  ["lone high surrogate", "x\uD800y"],
  ["lone low surrogate", "\uDC00"],
  ["zero-width characters", "\u200B\u200D\uFEFF"],
  ["combining marks", "Z\u0338\u0322\u031B\u0353a\u0335\u0327l\u0336g\u0337o"],
  ["SQL quote", "' OR '1'='1' --"],
  ["SQL drop", "x'); DROP TABLE jobs; --"],
  ["SQL union", "1 UNION SELECT name FROM sqlite_master --"],
  ["SQL LIKE wildcards", "%_%\\"],
  ["HTML script", "<script>alert(1)</script>"],
  ["HTML attribute", '"><img src=x onerror=alert(1)>'],
  ["template syntax", "{{7*7}}${7*7}<%= 7*7 %>"],
  ["path traversal", "../../../../etc/passwd"],
  ["CRLF injection", "a\r\nSet-Cookie: x=1"],
  ["prototype key", "__proto__"],
  ["20-digit number", "12345678901234567890"],
  ["overflowing float", "1e309"],
  ["impossible date", "2026-02-30T25:61:61Z"],
  ["nil uuid", "00000000-0000-0000-0000-000000000000"],
  ["JSON text", '{"a":[1,2,{"b":null}]}'],
  ["Latin-1 letters", "ção ñ ü ß"],
  ["100k characters", "A".repeat(100_000)],
  ["30k emoji", "🔥".repeat(30_000)],
];

/** Always tried on every string field; the rest of the catalogue is sampled per field. */
export const coreStringNames = new Set([
  "empty string",
  "NUL byte",
  "lone high surrogate",
  "emoji",
  "SQL quote",
  "HTML script",
  "100k characters",
]);

export const hostileNumbers: ReadonlyArray<number> = [
  -1,
  0,
  0.5,
  -1.5,
  2 ** 31,
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  -1e308,
  1e-300,
];

/** Number literals JSON.stringify cannot produce: they overflow or lose precision when parsed. */
export const rawNumberLiterals: ReadonlyArray<string> = ["1e400", "-1e400", "123456789012345678901234567890", "-0.0"];

/** One value of each JSON type, to put where another type is expected. */
export const valueOfType: Readonly<Record<string, unknown>> = {
  string: "text",
  integer: 7,
  number: 2.5,
  boolean: true,
  null: null,
  array: [1],
  object: { fuzz: 1 },
};

/** Strings that fail each common format while looking close to it. */
export const formatNearMisses: Readonly<Record<string, ReadonlyArray<string>>> = {
  uuid: ["not-a-uuid", "0190a8f000007000800000000000000", "0190A8F0-0000-7000-8000-00000000000G"],
  email: ["a@", "@example.com", "a@b@example.com", "a b@example.com"],
  "date-time": ["2026-13-45T25:61:61Z", "yesterday", "2026-02-30T00:00:00Z", "2026-11-25 12:00"],
  date: ["2026-02-30", "2026-13-01", "25/11/2026"],
  time: ["25:00:00Z", "noon"],
  uri: ["not a uri", "javascript:alert(1)", "http://"],
  ipv4: ["256.0.0.1", "1.2.3"],
  ipv6: ["::g", "1:2:3"],
  hostname: ["-bad-.example", "a..b"],
};

/** Path segments that are not ids, already percent-encoded as a client would put them in a URL. */
export const hostileSegments: ReadonlyArray<readonly [string, string]> = [
  ["word", "abc"],
  ["negative", "-1"],
  ["zero", "0"],
  ["float", "1.5"],
  ["overflowing float", "1e400"],
  ["30 digits", "123456789012345678901234567890"],
  ["NUL", "%00"],
  ["invalid UTF-8 (lone surrogate)", "%ED%A0%80"],
  ["truncated percent", "%E0%A4%A"],
  ["bare percent", "%"],
  ["emoji", "%F0%9F%94%A5"],
  ["SQL", "'%20OR%201=1--"],
  ["HTML", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"],
  ["dot dot", ".."],
  ["encoded dot dot", "%2e%2e"],
  ["encoded slash", "a%2Fb"],
  ["space", "%20"],
  ["null word", "null"],
  ["prototype", "__proto__"],
  ["250 characters", "a".repeat(250)],
  ["well-formed unknown uuid", "0190a8f0-0000-7000-8000-000000000000"],
];

/** Raw query strings (without "?") that stress the parser rather than any one parameter. */
export const hostileQueries: ReadonlyArray<readonly [string, string]> = [
  ["unknown parameter", "fuzz=1"],
  ["bare percent", "a=%"],
  ["truncated percent", "a=%E0%A4%A"],
  ["NUL", "a=%00"],
  ["invalid UTF-8", "a=%ED%A0%80"],
  ["2000 parameters", Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join("&")],
  ["nested brackets", "a[b][c]=1"],
  ["prototype pollution", "__proto__[polluted]=1&constructor[prototype][polluted]=1"],
  ["empty key", "=1&&&="],
];

/** Header values a raw HTTP client can send (no CR, LF or NUL; Latin-1 only). */
export const hostileHeaders: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ["empty bearer", { authorization: "Bearer " }],
  ["SQL bearer", { authorization: "Bearer ' OR 1=1 --" }],
  ["10k bearer", { authorization: `Bearer ${"a".repeat(10_000)}` }],
  ["JWT-looking bearer", { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9." }],
  ["basic auth", { authorization: "Basic Zm9vOmJhcg==" }],
  ["broken basic auth", { authorization: "Basic !!!" }],
  ["unknown scheme", { authorization: "Negotiate x" }],
  ["SQL session cookie", { cookie: "plantao_session=' OR 1=1 --" }],
  ["8k session cookie", { cookie: `plantao_session=${"b".repeat(8_000)}` }],
  ["encoded junk cookie", { cookie: "plantao_session=%00%ff%ED%A0%80" }],
  ["duplicated cookies", { cookie: "plantao_session=a; plantao_session=b; ;;; =" }],
  ["hostile request id", { "x-request-id": "<script>alert(1)</script>" }],
  ["hostile forwarded headers", { "x-forwarded-for": "not-an-ip, ::g", "x-forwarded-proto": "javascript" }],
  ["hostile forwarded host", { "x-forwarded-host": "evil.example:99999" }],
  ["odd accept", { accept: "application/xml;q=abc, */*;q=-1" }],
  ["odd accept-language", { "accept-language": "zz-ZZ;q=2, ;;, en-" }],
];

/** Request bodies that are not a JSON object, sent as application/json. */
export const malformedJson: ReadonlyArray<readonly [string, string]> = [
  ["empty body", ""],
  ["open brace", "{"],
  ["unterminated member", '{"a":'],
  ["unterminated array", "[1,2"],
  ["single quotes", "{'a':1}"],
  ["bare keys", "{a:1}"],
  ["trailing comma", '{"a":1,}'],
  ["trailing garbage", '{"a":1}garbage'],
  ["NaN", "NaN"],
  ["byte-order mark", '\uFEFF{"a":1}'],
  ["NUL text", "\u0000"],
  ["JSON null", "null"],
  ["JSON number", "0"],
  ["JSON string", '"text"'],
  ["JSON true", "true"],
  ["empty array", "[]"],
  ["nested empty arrays", "[[[]]]"],
  ["prototype pollution", '{"__proto__":{"polluted":1}}'],
  ["constructor pollution", '{"constructor":{"prototype":{"polluted":1}}}'],
  ["duplicate keys", '{"a":1,"a":2}'],
  ["100k-deep array", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
  ["50k-deep object", `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`],
  ["200k-element array", `[${Array(200_000).fill(0).join(",")}]`],
  ["5k unknown keys", `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":0`).join(",")}}`],
];

/** Content types the API does not accept, each with a body in that format. */
export const foreignBodies: ReadonlyArray<readonly [string, string | undefined, string]> = [
  ["text/plain", "text/plain", '{"a":1}'],
  ["form", "application/x-www-form-urlencoded", "a=1&b=2"],
  ["xml", "application/xml", "<?xml version='1.0'?><a><b>1</b></a>"],
  ["multipart without boundary", "multipart/form-data", "--x\r\n\r\n"],
  ["no content type", undefined, '{"a":1}'],
  ["JSON declared UTF-16", "application/json; charset=utf-16", '{"a":1}'],
  ["vendor JSON", "application/vnd.api+json", '{"a":1}'],
  ["wildcard", "*/*", '{"a":1}'],
  ["garbage content type", ";;;/", '{"a":1}'],
];

export const allMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"] as const;
