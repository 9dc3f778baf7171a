import { describe, expect, it } from "vitest";
import { evaluateJsonPath, parseJsonPath } from "../../../src/modules/monitoring/checks/json-path.js";
import { parseHostPort } from "../../../src/modules/monitoring/checks/outcome.js";
import { authorization, parseChallenge } from "../../../src/modules/monitoring/checks/sip/digest.js";
import {
  buildRequest,
  headerParam,
  parseResponse,
  SipParseError,
  SipStreamFramer,
  splitList,
} from "../../../src/modules/monitoring/checks/sip/message.js";
import { parseSipUri } from "../../../src/modules/monitoring/checks/sip/uri.js";

const ok = [
  "SIP/2.0 200 OK",
  "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc;rport=5060;received=127.0.0.1, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKother",
  "From: <sip:plantao@127.0.0.1>;tag=1",
  "To: <sip:probe@127.0.0.1>;tag=2",
  "Call-ID: abc@127.0.0.1",
  "CSeq: 1 OPTIONS",
  "Content-Length: 4",
  "",
  "body",
].join("\r\n");

describe("SIP response parser", () => {
  it("reads the status, the top Via branch, Call-ID, CSeq and the body by Content-Length", () => {
    const r = parseResponse(`${ok}trailing`);
    expect(r).toMatchObject({ status: 200, reason: "OK", branch: "z9hG4bKabc", callId: "abc@127.0.0.1", body: "body" });
    expect(r.cseq).toEqual({ seq: 1, method: "OPTIONS" });
  });

  it("tolerates compact names, folded lines, bare LF and an empty reason phrase", () => {
    const text = ok
      .replace("SIP/2.0 200 OK", "SIP/2.0 486")
      .replace("Via:", "v :")
      .replace("Call-ID:", "i:")
      .replace("Content-Length: 4", "l: 4\r\nServer: a\r\n\tb")
      .replaceAll("\r\n", "\n");
    const r = parseResponse(text);
    expect(r).toMatchObject({ status: 486, reason: "", branch: "z9hG4bKabc", callId: "abc@127.0.0.1" });
    expect(r.headers.get("server")).toEqual(["a b"]);
  });

  it("rejects garbage with a precise message", () => {
    const bad: [string, RegExp][] = [
      ["\x00\x01\x02", /no end of headers/],
      ["HTTP/1.1 200 OK\r\n\r\n", /not a SIP\/2\.0 status line/],
      ["SIP/2.0 999 Nope\r\nVia: x\r\n\r\n", /status line/],
      ["SIP/2.0 200 OK\r\nthis is not a header\r\n\r\n", /malformed header line/],
      [ok.replace(/Call-ID:[^\r]*\r\n/, ""), /without Via, Call-ID or CSeq/],
      [ok.replace("CSeq: 1 OPTIONS", "CSeq: one"), /malformed CSeq/],
      [ok.replace("Content-Length: 4", "Content-Length: 40"), /shorter than Content-Length/],
    ];
    for (const [text, message] of bad) expect(() => parseResponse(text), JSON.stringify(text)).toThrow(message);
    expect(() => parseResponse("junk")).toThrow(SipParseError);
  });

  it("splits lists and reads parameters outside angle brackets", () => {
    expect(splitList('<sip:a@b;x=1,2>;q=1, "Bob, Jr" <sip:c@d>')).toEqual([
      "<sip:a@b;x=1,2>;q=1",
      '"Bob, Jr" <sip:c@d>',
    ]);
    expect(headerParam("<sip:a@b;tag=inner>;tag=outer", "tag")).toBe("outer");
    expect(headerParam("SIP/2.0/UDP h;rport;branch=z9hG4bK1", "rport")).toBe("");
  });
});

describe("SIP request builder", () => {
  it("writes the mandatory headers in order with CRLF and an empty body", () => {
    const text = buildRequest({
      method: "OPTIONS",
      requestUri: "sip:probe@[::1]:5070;transport=udp",
      via: { transport: "UDP", host: "::1", port: 40000, branch: "z9hG4bKx" },
      from: "sip:plantao@[::1]",
      fromTag: "t1",
      to: "sip:probe@[::1]:5070",
      callId: "c1@::1",
      cseq: 7,
    });
    expect(text).toBe(
      [
        "OPTIONS sip:probe@[::1]:5070;transport=udp SIP/2.0",
        "Via: SIP/2.0/UDP [::1]:40000;branch=z9hG4bKx;rport",
        "Max-Forwards: 70",
        "From: <sip:plantao@[::1]>;tag=t1",
        "To: <sip:probe@[::1]:5070>",
        "Call-ID: c1@::1",
        "CSeq: 7 OPTIONS",
        "User-Agent: Plantao-Monitor/1",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n"),
    );
  });
});

describe("SIP stream framer", () => {
  it("cuts messages split across chunks, skipping CRLF keep-alives", () => {
    const framer = new SipStreamFramer();
    const wire = Buffer.from(`\r\n\r\n${ok}${ok}`);
    const got = [
      ...framer.push(wire.subarray(0, 30)),
      ...framer.push(wire.subarray(30, 200)),
      ...framer.push(wire.subarray(200)),
    ];
    expect(got.map((m) => parseResponse(m).body)).toEqual(["body", "body"]);
  });

  it("gives up on a head without an end", () => {
    expect(() => new SipStreamFramer().push(Buffer.alloc(70_000, 65))).toThrow(/64 KiB/);
  });
});

describe("SIP URI", () => {
  it("parses user, host, port and transport", () => {
    expect(parseSipUri("sip:probe@127.0.0.1:5070;transport=udp")).toEqual({
      user: "probe",
      host: "127.0.0.1",
      port: 5070,
      transport: "udp",
      uri: "sip:probe@127.0.0.1:5070;transport=udp",
      addressOfRecord: "sip:probe@127.0.0.1:5070",
    });
    expect(parseSipUri("sip:[2001:db8::1];transport=TCP")).toMatchObject({
      host: "2001:db8::1",
      port: 5060,
      transport: "tcp",
      user: null,
    });
    expect(parseSipUri("sip:pbx.example.com")).toMatchObject({ host: "pbx.example.com", port: 5060, transport: "udp" });
  });

  it("refuses malformed URIs with a message", () => {
    for (const bad of [
      "",
      "sip:",
      "tel:+5511999",
      "sip:a@",
      "sip:a@h:0",
      "sip:a@h;transport=ws",
      "sip:a@h;=x",
      "sip:a@2001:db8::1",
    ])
      expect(typeof parseSipUri(bad), bad).toBe("string");
  });
});

describe("digest authentication", () => {
  it("matches the RFC 2617 §3.5 example (qop=auth)", () => {
    const challenge = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const header = authorization(
      challenge,
      { username: "Mufasa", password: "Circle Of Life" },
      "GET",
      "/dir/index.html",
      "",
      "0a4f113b",
    );
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    expect(header).toContain('qop=auth, nc=00000001, cnonce="0a4f113b"');
  });

  it("answers the RFC 2069 form without qop, and refuses unknown algorithms", () => {
    const challenge = parseChallenge('Digest realm="r", nonce="n", algorithm=MD5')!;
    expect(challenge).toMatchObject({ qop: [], opaque: null, stale: false });
    // MD5(MD5("u:r:p"):n:MD5("REGISTER:sip:h"))
    expect(authorization(challenge, { username: "u", password: "p" }, "REGISTER", "sip:h")).toMatch(
      /^Digest username="u", realm="r", nonce="n", uri="sip:h", response="[0-9a-f]{32}", algorithm=MD5$/,
    );
    expect(parseChallenge("Basic realm=x")).toBeNull();
    expect(() =>
      authorization({ ...challenge, algorithm: "AKAv1-MD5" }, { username: "u", password: "p" }, "REGISTER", "sip:h"),
    ).toThrow();
  });
});

describe("JSON path and host:port", () => {
  it("evaluates the supported path forms", () => {
    const doc = { a: { b: [10, { c: "x" }] }, "d-e": true };
    expect(evaluateJsonPath(doc, parseJsonPath("$.a.b[0]")!)).toBe(10);
    expect(evaluateJsonPath(doc, parseJsonPath("$.a.b[1].c")!)).toBe("x");
    expect(evaluateJsonPath(doc, parseJsonPath('$["d-e"]')!)).toBe(true);
    expect(evaluateJsonPath(doc, parseJsonPath("$")!)).toBe(doc);
    expect(evaluateJsonPath(doc, parseJsonPath("$.a.b[5]")!)).toBeUndefined();
    expect(evaluateJsonPath(doc, parseJsonPath("$.a.toString")!)).toBeUndefined();
    for (const bad of ["a.b", "$.", "$[x]", "$..a", "$.a[*]"]) expect(parseJsonPath(bad), bad).toBeNull();
  });

  it("parses host:port", () => {
    expect(parseHostPort("db.example.com:5432")).toEqual({ host: "db.example.com", port: 5432 });
    expect(parseHostPort("[::1]:22")).toEqual({ host: "::1", port: 22 });
    for (const bad of ["db", "db:", "db:99999", "[zz]:1", "a b:1"]) expect(parseHostPort(bad), bad).toBeNull();
  });
});
