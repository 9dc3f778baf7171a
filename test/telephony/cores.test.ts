import { describe, expect, it } from "vitest";
import { AmiCallTracker, interfaceOf } from "../../src/modules/telephony/ami-calls.js";
import {
  AmiFormatError,
  AmiParser,
  amiTimestamp,
  formatAction,
  MAX_MESSAGE_BYTES,
} from "../../src/modules/telephony/ami-protocol.js";
import { callerKey, phoneKey, toE164 } from "../../src/modules/telephony/phone-numbers.js";
import { FakeAmi } from "../fixtures/ami-server.js";

describe("Brazilian caller ids to E.164", () => {
  it.each([
    ["+55 11 98765-4321", "+5511987654321"],
    ["+5511987654321", "+5511987654321"],
    ["5511987654321", "+5511987654321"],
    ["011987654321", "+5511987654321"],
    ["0xx11 98765-4321", "+5511987654321"],
    ["0XX11987654321", "+5511987654321"],
    ["0 15 11 98765-4321", "+5511987654321"], // carrier selection code 15
    ["0 21 11 3333-4444", "+551133334444"],
    ["(11) 98765-4321", "+5511987654321"],
    ["11 3333-4444", "+551133334444"],
    ["0055 11 3333 4444", "+551133334444"],
    ["sip:+5511987654321@pbx.example.com", "+5511987654321"],
    ["tel:+4930123456", "+4930123456"],
    ["+1 (415) 555-0100", "+14155550100"],
  ])("%s → %s", (raw, e164) => {
    expect(toE164(raw)).toBe(e164);
  });

  it.each([
    "1001",
    "anonymous",
    "",
    "Restricted",
    "98765-4321",
    "00",
    "+0123",
    "11 8765-43210",
    "(01) 3333-4444",
    "11 18765-4321",
  ])("%s is not a full number", (raw) => {
    expect(toE164(raw)).toBeNull();
  });

  it("folds the ninth digit of mobiles, never of landlines", () => {
    expect(phoneKey("+551187654321")).toBe("+5511987654321");
    expect(phoneKey("+5511987654321")).toBe("+5511987654321");
    expect(phoneKey("+551133334444")).toBe("+551133334444");
    expect(phoneKey("+14155550100")).toBe("+14155550100");
    expect(callerKey("(11) 8765-4321")).toBe(callerKey("+55 11 98765-4321"));
    expect(callerKey("(11) 3333-4444")).not.toBe(callerKey("(11) 93333-4444"));
    expect(callerKey(undefined)).toBeNull();
  });
});

describe("the AMI wire format", () => {
  it("reads the banner, messages split anywhere across chunks, repeated keys and empty values", () => {
    const p = new AmiParser();
    const wire =
      "Asterisk Call Manager/5.0.1\r\nEvent: VarSet\r\nAccountCode: \r\nChanVariable: a=1\r\nChanVariable: b=2\r\n\r\nResponse: Success\nActionID: 7\n\n";
    const out = { messages: [] as Record<string, string>[], banner: undefined as string | undefined };
    for (const ch of wire) {
      const r = p.push(ch);
      out.messages.push(...r.messages);
      out.banner ??= r.banner;
    }
    expect(out.banner).toBe("Asterisk Call Manager/5.0.1");
    expect(out.messages).toEqual([
      { event: "VarSet", accountcode: "", chanvariable: "a=1\nb=2" },
      { response: "Success", actionid: "7" },
    ]);
  });

  it("collects legacy command output up to its end marker", () => {
    const r = new AmiParser().push(
      "Response: Follows\r\nPrivilege: Command\r\nActionID: 3\r\nName: ok: yes\r\nraw line\r\n--END COMMAND--\r\n",
    );
    expect(r.messages[0]).toMatchObject({ response: "Follows", actionid: "3", output: "Name: ok: yes\nraw line" });
  });

  it("skips malformed lines and oversized messages without losing the next message", () => {
    const p = new AmiParser();
    const r1 = p.push("Event: A\r\n: no key\r\nnot a header\r\n\r\n");
    expect(r1.malformed).toEqual([": no key", "not a header"]);
    expect(r1.messages).toEqual([{ event: "A" }]);
    const r2 = p.push(`X: ${"y".repeat(MAX_MESSAGE_BYTES + 10)}`);
    expect(r2.malformed).toHaveLength(1);
    expect(p.push("\r\nEvent: B\r\n\r\n").messages).toEqual([{ event: "B" }]);
  });

  it("writes actions and refuses a value that would smuggle in another action", () => {
    expect(formatAction({ Action: "Ping", ActionID: "1", Skip: undefined })).toBe(
      "Action: Ping\r\nActionID: 1\r\n\r\n",
    );
    expect(formatAction({ Action: "Originate", Variable: ["A=1", "B=2"], Async: true })).toBe(
      "Action: Originate\r\nVariable: A=1\r\nVariable: B=2\r\nAsync: true\r\n\r\n",
    );
    expect(() => formatAction({ Action: "Originate", Exten: "1\r\nAction: Hangup" })).toThrow(AmiFormatError);
    expect(() => formatAction({ "Bad Key": "x" })).toThrow(AmiFormatError);
    expect(amiTimestamp({ timestamp: "1796648404.008812" })?.toISOString()).toBe("2026-12-07T13:00:04.009Z");
    expect(amiTimestamp({ timestamp: "soon" })).toBeUndefined();
  });
});

describe("AMI events to call steps", () => {
  const now = () => new Date("2026-12-07T13:00:00.000Z");
  const replay = (tracker: AmiCallTracker, ...names: string[]) =>
    names.flatMap((name) =>
      new AmiParser()
        .push(
          FakeAmi.fixture(name, {
            id: "1796648400.18",
            from: "011987654321",
            t0: "1796648400",
            t1: "1796648404",
            t2: "1796648596",
          }),
        )
        .messages.flatMap((m) => tracker.consume(m)),
    );

  it("a queue call answered: ringing for the agent, answered once, hangup of the caller's channel; its CDR adds nothing", () => {
    const steps = replay(new AmiCallTracker(now), "queue-answered", "queue-answered-2", "queue-answered-3");
    expect(steps.map((s) => [s.event, s.agentInterface])).toEqual([
      ["ringing", "PJSIP/1001"],
      ["answered", "PJSIP/1001"],
      ["hangup", undefined],
    ]);
    expect(steps[0]).toMatchObject({
      callId: "1796648400.18",
      from: "011987654321",
      to: "1133334444",
      queue: "suporte",
    });
  });

  it("an abandoned queue call: ringing, then a hangup marked abandoned", () => {
    const steps = replay(new AmiCallTracker(now), "queue-abandoned");
    expect(steps.map((s) => [s.event, s.abandoned])).toEqual([
      ["ringing", undefined],
      ["hangup", true],
    ]);
  });

  it("a session that connected mid-call still closes it from the CDR", () => {
    const steps = replay(new AmiCallTracker(now), "queue-answered-3");
    // The agent's hangup is not the call's; the caller's is; the CDR of a call seen ending adds nothing.
    expect(steps.map((s) => s.event)).toEqual(["hangup"]);
    const cdrOnly = new AmiCallTracker(now).consume({
      event: "Cdr",
      source: "011987654321",
      destination: "4000",
      destinationchannel: "PJSIP/1002-000000aa",
      disposition: "ANSWERED",
      billableseconds: "61",
      uniqueid: "1796000000.1",
    });
    expect(cdrOnly).toMatchObject([
      { event: "answered", agentInterface: "PJSIP/1002", at: "2026-12-07T13:00:00.000Z" },
      { event: "hangup", durationSeconds: 61 },
    ]);
  });

  it("names interfaces without the channel suffix", () => {
    expect(interfaceOf("PJSIP/1001-0000001b")).toBe("PJSIP/1001");
    expect(interfaceOf("SIP/trunk-vivo-0000001a")).toBe("SIP/trunk-vivo");
    expect(interfaceOf("Local/1001@from-queue-00000004;1")).toBe("Local/1001@from-queue");
    expect(interfaceOf(undefined)).toBeUndefined();
  });
});
