import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { escapeText, foldLine, invitationIcs } from "../../src/modules/scheduling/ics.js";

const event = {
  method: "REQUEST" as const,
  uid: "0193a0b0-0000-7000-8000-000000000001@plantao.example",
  sequence: 2,
  stamp: new Date("2026-11-10T12:00:00Z"),
  start: new Date("2026-11-11T13:00:00Z"),
  end: new Date("2026-11-11T13:30:00Z"),
  summary: "Áudio unidirecional; tronco SIP, operadora X (#1234)",
  description: "Linha 1\nLinha 2 com \\ barra",
  organizer: { name: 'Eng. "Ana" Souza', email: "ana@provedor.example" },
  attendees: [{ name: "Carlos Cliente", email: "carlos@cliente.example" }],
};

/** RFC 5545 writing rules, checked on the raw text, and the meaning, checked by reading it back with ical.js. */
describe("ICS invitation writer", () => {
  it("escapes text values", () => {
    expect(escapeText("a;b,c\\d\ne")).toBe("a\\;b\\,c\\\\d\\ne");
  });

  it("folds at 75 octets without splitting a UTF-8 character, and unfolds to the same line", () => {
    const line = `SUMMARY:${"çã".repeat(60)}`;
    const folded = foldLine(line);
    for (const physical of folded.split("\r\n")) expect(Buffer.byteLength(physical, "utf8")).toBeLessThanOrEqual(75);
    expect(
      folded
        .split("\r\n")
        .slice(1)
        .every((l) => l.startsWith(" ")),
    ).toBe(true);
    expect(folded.replace(/\r\n /g, "")).toBe(line);
    expect(foldLine("SHORT:x")).toBe("SHORT:x");
  });

  it("ends every line in CRLF, has no bare LF and no line over 75 octets", () => {
    const text = invitationIcs({ ...event, description: "x".repeat(400) });
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const l of text.split("\r\n")) expect(Buffer.byteLength(l, "utf8")).toBeLessThanOrEqual(75);
  });

  it("reads back with ical.js: method, UID, sequence, UTC times, organizer and attendee", () => {
    const text = invitationIcs(event);
    const cal = new ICAL.Component(ICAL.parse(text));
    expect(cal.getFirstPropertyValue("method")).toBe("REQUEST");
    const vevent = new ICAL.Event(cal.getFirstSubcomponent("vevent")!);
    expect(vevent.uid).toBe(event.uid);
    expect(vevent.sequence).toBe(2);
    expect(vevent.startDate.toJSDate().toISOString()).toBe("2026-11-11T13:00:00.000Z");
    expect(vevent.endDate.toJSDate().toISOString()).toBe("2026-11-11T13:30:00.000Z");
    expect(vevent.summary).toBe(event.summary);
    expect(vevent.description).toBe(event.description);
    expect(vevent.organizer).toBe("mailto:ana@provedor.example");
    const organizer = cal.getFirstSubcomponent("vevent")!.getFirstProperty("organizer")!;
    expect(organizer.getParameter("cn")).toBe("Eng. Ana Souza");
    const [attendee] = vevent.attendees;
    expect(attendee!.getFirstValue()).toBe("mailto:carlos@cliente.example");
    expect(attendee!.getParameter("partstat")).toBe("NEEDS-ACTION");
    expect(attendee!.getParameter("rsvp")).toBe("TRUE");
    expect(attendee!.getParameter("cn")).toBe("Carlos Cliente");
    const dtstamp = cal.getFirstSubcomponent("vevent")!.getFirstPropertyValue("dtstamp") as ICAL.Time;
    expect(dtstamp.toJSDate().toISOString()).toBe("2026-11-10T12:00:00.000Z");
  });

  it("a cancellation keeps the UID, raises the sequence and is CANCELLED", () => {
    const text = invitationIcs({ ...event, method: "CANCEL", sequence: 3 });
    const cal = new ICAL.Component(ICAL.parse(text));
    expect(cal.getFirstPropertyValue("method")).toBe("CANCEL");
    const v = cal.getFirstSubcomponent("vevent")!;
    expect(v.getFirstPropertyValue("uid")).toBe(event.uid);
    expect(v.getFirstPropertyValue("sequence")).toBe(3);
    expect(v.getFirstPropertyValue("status")).toBe("CANCELLED");
  });

  it("an address cannot smuggle in another property", () => {
    const text = invitationIcs({
      ...event,
      attendees: [{ name: "X\r\nATTENDEE:mailto:evil@x", email: "a@b.example\r\nX-EVIL:1" }],
    });
    expect(text).not.toMatch(/\r\nATTENDEE:mailto:evil/);
    expect(text).not.toMatch(/\r\nX-EVIL/);
  });
});
