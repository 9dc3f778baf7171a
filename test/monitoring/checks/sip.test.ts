import dgram from "node:dgram";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { probeTypes } from "../../../src/modules/monitoring/checks/index.js";
import { type Sipp, startSipp } from "../../fixtures/sipp.js";
import { check } from "./run.js";

const options = probeTypes["sip-options"]!;
const register = probeTypes["sip-register"]!;

const peers: Sipp[] = [];
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function sipp(scenario: string, transport: "udp" | "tcp", port?: number): Promise<Sipp> {
  const peer = await startSipp(scenario, transport, port);
  peers.push(peer);
  return peer;
}

/** A UDP peer on 127.0.0.1 that hands every datagram to `answer` (which may reply or stay silent). */
async function udpPeer(answer: (msg: string, reply: (text: string) => void) => void) {
  const socket = dgram.createSocket("udp4");
  const received: { at: number; text: string }[] = [];
  socket.on("message", (msg, rinfo) => {
    received.push({ at: performance.now(), text: msg.toString() });
    answer(msg.toString(), (text) => socket.send(text, rinfo.port, rinfo.address));
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  closers.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, received };
}

/** Echoes the transaction headers of a request into a response, as a UAS does. */
function respond(request: string, statusLine: string, extra: string[] = []): string {
  const header = (name: string) => request.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name}:`)) ?? "";
  return [
    statusLine,
    header("via"),
    header("from"),
    `${header("to")};tag=peer1`,
    header("call-id"),
    header("cseq"),
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

describe("sip-options against SIPp", () => {
  for (const transport of ["udp", "tcp"] as const) {
    it(`is UP on 200 OK over ${transport}, with the round trip`, async () => {
      const peer = await sipp("options-200.xml", transport);
      const r = await check(options, peer.uri());
      expect(r).toMatchObject({ status: "up", reason: null, details: { statusCode: 200, server: "fake-trunk/1.0" } });
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(r.latencyMs).toBeLessThan(2000);
    });

    it(`is DEGRADED on 503 over ${transport}`, async () => {
      const peer = await sipp("options-503.xml", transport);
      const r = await check(options, peer.uri());
      expect(r).toMatchObject({ status: "degraded", reason: "sip_status_degraded" });
      expect(r.message).toContain("503 Service Unavailable");
    });
  }

  it("counts any final response as reachable by default, and 403 as DOWN when only 2xx is accepted", async () => {
    const peer = await sipp("options-403.xml", "udp");
    expect(await check(options, peer.uri())).toMatchObject({ status: "up" });
    const strict = await check(options, peer.uri(), { acceptedCodes: ["200-299"] });
    expect(strict).toMatchObject({ status: "down", reason: "sip_status_not_accepted" });
    expect(strict.message).toContain("403 Forbidden");
  });

  it("is DEGRADED (slow) when the answer takes longer than the threshold", async () => {
    const peer = await sipp("options-slow.xml", "udp");
    const r = await check(options, peer.uri(), { degradedAboveMs: 500 }, 8000);
    expect(r).toMatchObject({ status: "degraded", reason: "slow" });
    expect(r.latencyMs).toBeGreaterThanOrEqual(1400);
    // The UDP request was retransmitted while SIPp paused (T1 = 500 ms, then 1 s).
    expect(r.details?.transmissions).toBeGreaterThanOrEqual(2);
  });

  it("is DOWN (timeout) when the peer never answers, within the check timeout", async () => {
    const peer = await sipp("options-silent.xml", "udp");
    const started = performance.now();
    const r = await check(options, peer.uri(), {}, 1500);
    expect(r).toMatchObject({ status: "down", reason: "timeout", latencyMs: null });
    expect(r.message).toContain("OPTIONS over UDP");
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("goes DOWN (connection_refused) over TCP with nobody listening, and back UP once the peer is there", async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const target = `sip:probe@127.0.0.1:${port};transport=tcp`;
    expect(await check(options, target)).toMatchObject({ status: "down", reason: "connection_refused" });
    await sipp("options-200.xml", "tcp", port);
    expect(await check(options, target)).toMatchObject({ status: "up" });
  });
});

describe("sip-options wire behaviour (in-test UDP peers)", () => {
  it("sends a well-formed OPTIONS and retransmits on UDP with T1 doubling until the timeout", async () => {
    const peer = await udpPeer(() => {});
    const r = await check(options, `sip:probe@127.0.0.1:${peer.port}`, {}, 2500);
    expect(r).toMatchObject({ status: "down", reason: "timeout" });
    // Sent at 0, 0.5 and 1.5 s (the next one would be at 3.5 s): three transmissions, gaps doubling.
    expect(peer.received.length).toBe(3);
    const [a, b, c] = peer.received.map((m) => m.at);
    // Timers never fire early, so lower bounds hold even on a busy machine.
    expect(b! - a!).toBeGreaterThanOrEqual(450);
    expect(c! - b!).toBeGreaterThanOrEqual(950);
    const texts = peer.received.map((m) => m.text);
    expect(new Set(texts).size).toBe(1);
    const request = texts[0]!;
    expect(request).toMatch(/^OPTIONS sip:probe@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
    expect(request).toMatch(/\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK[0-9a-f]{20};rport\r\n/);
    expect(request).toContain("\r\nMax-Forwards: 70\r\n");
    expect(request).toMatch(/\r\nFrom: <sip:plantao@127\.0\.0\.1>;tag=[0-9a-f]+\r\n/);
    expect(request).toMatch(/\r\nCall-ID: [0-9a-f]+@127\.0\.0\.1\r\n/);
    expect(request).toContain("\r\nCSeq: 1 OPTIONS\r\n");
    expect(request.endsWith("Content-Length: 0\r\n\r\n")).toBe(true);
  });

  it("reports a garbage answer as sip_bad_response", async () => {
    const peer = await udpPeer((_msg, reply) => reply("HTTP/1.1 400 Bad Request\r\n\r\n\x00\x01garbage"));
    const r = await check(options, `sip:probe@127.0.0.1:${peer.port}`);
    expect(r).toMatchObject({ status: "down", reason: "sip_bad_response" });
    expect(r.message).toContain("not a SIP/2.0 status line");
  });

  it("reports a SIP response without Call-ID as sip_bad_response", async () => {
    const peer = await udpPeer((msg, reply) =>
      reply(respond(msg, "SIP/2.0 200 OK").replace(/\r\nCall-ID:[^\r]*/i, "")),
    );
    const r = await check(options, `sip:probe@127.0.0.1:${peer.port}`);
    expect(r).toMatchObject({ status: "down", reason: "sip_bad_response" });
  });

  it("accepts compact and folded headers in the answer", async () => {
    const peer = await udpPeer((msg, reply) => {
      const r = respond(msg, "SIP/2.0 200 OK", ["Server: folded", " trunk/2"])
        .replace(/\r\nVia:/, "\r\nv:")
        .replace(/\r\nCall-ID:/, "\r\ni:");
      reply(r);
    });
    const r = await check(options, `sip:probe@127.0.0.1:${peer.port}`);
    expect(r).toMatchObject({ status: "up", details: { server: "folded trunk/2" } });
  });

  it("ignores a provisional answer and waits for the final one", async () => {
    const peer = await udpPeer((msg, reply) => {
      reply(respond(msg, "SIP/2.0 100 Trying"));
      setTimeout(() => reply(respond(msg, "SIP/2.0 200 OK")), 100);
    });
    const r = await check(options, `sip:probe@127.0.0.1:${peer.port}`);
    expect(r).toMatchObject({ status: "up", details: { statusCode: 200 } });
  });

  it("runs many checks at once over the shared socket, each matched by its branch", async () => {
    const peer = await udpPeer((msg, reply) =>
      setTimeout(() => reply(respond(msg, "SIP/2.0 200 OK")), Math.random() * 50),
    );
    const results = await Promise.all(
      Array.from({ length: 50 }, () => check(options, `sip:probe@127.0.0.1:${peer.port}`)),
    );
    expect(results.every((r) => r.status === "up")).toBe(true);
  });

  it("works over IPv6 ([::1]) on its own shared socket", async () => {
    const socket = dgram.createSocket("udp6");
    socket.on("message", (msg, rinfo) =>
      socket.send(respond(msg.toString(), "SIP/2.0 200 OK"), rinfo.port, rinfo.address),
    );
    await new Promise<void>((resolve) => socket.bind(0, "::1", () => resolve()));
    closers.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    const r = await check(options, `sip:probe@[::1]:${socket.address().port}`);
    expect(r).toMatchObject({ status: "up", details: { statusCode: 200 } });
  });

  it("over TCP, reports garbage as sip_bad_response and a dropped connection as connection_reset", async () => {
    const serve = async (onData: (socket: net.Socket, text: string) => void) => {
      const server = net.createServer((socket) => socket.on("data", (d) => onData(socket, d.toString())));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      return `sip:probe@127.0.0.1:${(server.address() as net.AddressInfo).port};transport=tcp`;
    };
    const junk = await serve((socket) => socket.write("220 smtp.example.com ESMTP ready\r\n\r\n"));
    expect(await check(options, junk)).toMatchObject({ status: "down", reason: "sip_bad_response" });
    const dropper = await serve((socket) => socket.destroy());
    const dropped = await check(options, dropper);
    expect(dropped).toMatchObject({ status: "down", reason: "connection_reset" });
    expect(dropped.message).toContain("closed the connection before a final response");
    const split = await serve((socket, text) => {
      const answer = respond(text, "SIP/2.0 200 OK");
      socket.write(answer.slice(0, 20));
      setTimeout(() => socket.write(answer.slice(20)), 50);
    });
    expect(await check(options, split)).toMatchObject({ status: "up" });
  });

  it("validates the target URI", () => {
    expect(options.validateTarget("sip:probe@127.0.0.1:5070;transport=udp")).toBeNull();
    expect(options.validateTarget("sip:[::1]:5060;transport=tcp")).toBeNull();
    expect(options.validateTarget("sip:pbx.example.com")).toBeNull();
    expect(options.validateTarget("http://pbx.example.com")).toMatch(/not a SIP URI/);
    expect(options.validateTarget("sip:probe@127.0.0.1:70000")).toMatch(/invalid port/);
    expect(options.validateTarget("sip:probe@127.0.0.1;transport=sctp")).toMatch(/unsupported transport/);
    expect(options.validateTarget("sips:probe@127.0.0.1")).toMatch(/sips/);
    expect(options.validateTarget("sip:pro be@127.0.0.1")).not.toBeNull();
    expect(options.validateTarget("sip:probe@bad_host!")).not.toBeNull();
  });
});

describe("sip-register against a SIPp registrar with digest auth", () => {
  for (const transport of ["udp", "tcp"] as const) {
    it(`is UP with the right password over ${transport} (401 challenge answered)`, async () => {
      const peer = await sipp("register-digest.xml", transport);
      const r = await check(register, peer.uri("1001"), { password: "secret" });
      expect(r).toMatchObject({ status: "up", details: { statusCode: 200, challenged: true, bindings: 1 } });
    });

    it(`is DOWN (auth_failed) with a wrong password over ${transport}`, async () => {
      const peer = await sipp("register-digest.xml", transport);
      const r = await check(register, peer.uri("1001"), { password: "wrong" });
      expect(r).toMatchObject({ status: "down", reason: "auth_failed" });
      expect(r.message).toContain("403 Forbidden");
    });
  }

  it("answers a qop=auth challenge with opaque", async () => {
    const peer = await sipp("register-digest-qop.xml", "udp");
    expect(await check(register, peer.uri("1001"), { password: "secret" })).toMatchObject({ status: "up" });
    const wrong = await sipp("register-digest-qop.xml", "tcp");
    expect(await check(register, wrong.uri("1001"), { password: "nope" })).toMatchObject({ reason: "auth_failed" });
  });

  it("is DOWN (auth_failed) when the registrar challenges a second time", async () => {
    const peer = await sipp("register-rechallenge.xml", "udp");
    const r = await check(register, peer.uri("1001"), { password: "secret" });
    expect(r).toMatchObject({ status: "down", reason: "auth_failed" });
    expect(r.message).toContain("401 Unauthorized");
  });

  it("requires the account user in the target", () => {
    expect(register.validateTarget("sip:127.0.0.1:5060")).toMatch(/account user/);
    expect(register.validateTarget("sip:1001@127.0.0.1:5060;transport=tcp")).toBeNull();
  });
});

describe("sip-register wire behaviour (in-test registrar)", () => {
  it("sends REGISTER without Contact, then the same Call-ID with CSeq 2 and a new branch; answers 407 with Proxy-Authorization", async () => {
    const peer = await udpPeer((msg, reply) => {
      if (!/proxy-authorization:/i.test(msg))
        reply(
          respond(msg, "SIP/2.0 407 Proxy Authentication Required", [
            'Proxy-Authenticate: Digest realm="proxy.test", nonce="n0nce", qop="auth,auth-int", algorithm=MD5',
          ]),
        );
      else reply(respond(msg, "SIP/2.0 200 OK"));
    });
    const r = await check(register, `sip:1001@127.0.0.1:${peer.port}`, { password: "pw", authUsername: "auth1001" });
    expect(r).toMatchObject({ status: "up", details: { challenged: true, bindings: 0 } });
    const [first, second] = peer.received.map((m) => m.text);
    for (const request of [first!, second!]) {
      expect(request).toMatch(/^REGISTER sip:127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
      expect(request).not.toMatch(/\r\n(Contact|m):/i);
      expect(request).toMatch(/\r\nTo: <sip:1001@127\.0\.0\.1:\d+>\r\n/);
    }
    const header = (text: string, name: string) => new RegExp(`\\r\\n${name}: ([^\\r]*)`).exec(text)?.[1];
    expect(header(first!, "Call-ID")).toBe(header(second!, "Call-ID"));
    expect(header(first!, "CSeq")).toBe("1 REGISTER");
    expect(header(second!, "CSeq")).toBe("2 REGISTER");
    expect(header(first!, "Via")).not.toBe(header(second!, "Via"));
    const auth = header(second!, "Proxy-Authorization")!;
    expect(auth).toMatch(/^Digest username="auth1001", realm="proxy\.test", nonce="n0nce", uri="sip:127\.0\.0\.1:\d+"/);
    expect(auth).toMatch(/qop=auth, nc=00000001, cnonce="[0-9a-f]+"/);
  });

  it("is DOWN (timeout) when the registrar stops answering after the challenge", async () => {
    const peer = await udpPeer((msg, reply) => {
      if (!/authorization:/i.test(msg))
        reply(respond(msg, "SIP/2.0 401 Unauthorized", ['WWW-Authenticate: Digest realm="r", nonce="n"']));
    });
    const r = await check(register, `sip:1001@127.0.0.1:${peer.port}`, { password: "pw" }, 1500);
    expect(r).toMatchObject({ status: "down", reason: "timeout" });
    expect(r.message).toContain("REGISTER over UDP");
  });
});
