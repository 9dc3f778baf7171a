/**
 * A small iCalendar (RFC 5545) writer for one meeting invitation, in the iTIP (RFC 5546) methods REQUEST and
 * CANCEL. Times are written in UTC (`…Z`), which every client reads without a VTIMEZONE; text values are escaped
 * and content lines folded at 75 octets (never inside a UTF-8 character), each ending in CRLF.
 */

export interface IcsPerson {
  name: string;
  email: string;
}

export interface IcsEvent {
  method: "REQUEST" | "CANCEL";
  /** Stays the same across every update and the cancellation of one meeting. */
  uid: string;
  /** 0 for the first invitation, +1 for each reschedule and for the cancellation. */
  sequence: number;
  /** When this version of the invitation was written. */
  stamp: Date;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
  organizer: IcsPerson;
  attendees: (IcsPerson & { partstat?: "NEEDS-ACTION" | "ACCEPTED"; role?: "REQ-PARTICIPANT" | "CHAIR" })[];
}

/** `20261110T130000Z` */
export function icsUtc(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/** A parameter value: quoted, without the characters a quoted value cannot hold (RFC 5545 §3.1, §3.2). */
function paramValue(value: string): string {
  return `"${value.replace(/["\p{Cc}]/gu, "")}"`;
}

/** A mailto: URI with nothing a calendar client could read as another property. */
function mailto(email: string): string {
  return `mailto:${email.replace(/[\s"<>;:,]/g, "")}`;
}

/**
 * Folds a content line so no physical line exceeds 75 octets (RFC 5545 §3.1): continuation lines start with a
 * space, which counts toward their 75. A multi-octet UTF-8 character is never split.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, "utf8");
    if (octets + size > limit) {
      out.push(current);
      current = " ";
      octets = 1;
      limit = 75;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join("\r\n");
}

/** The VCALENDAR text of an invitation (or its cancellation), CRLF line ends, folded. */
export function invitationIcs(e: IcsEvent): string {
  const cancel = e.method === "CANCEL";
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Plantao//Scheduled calls//EN",
    "CALSCALE:GREGORIAN",
    `METHOD:${e.method}`,
    "BEGIN:VEVENT",
    `UID:${escapeText(e.uid)}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${icsUtc(e.stamp)}`,
    `DTSTART:${icsUtc(e.start)}`,
    `DTEND:${icsUtc(e.end)}`,
    `SUMMARY:${escapeText(e.summary)}`,
    ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
    ...(e.location ? [`LOCATION:${escapeText(e.location)}`] : []),
    ...(e.url ? [`URL:${e.url.replace(/[\s"<>]/g, "")}`] : []),
    `STATUS:${cancel ? "CANCELLED" : "CONFIRMED"}`,
    "TRANSP:OPAQUE",
    `ORGANIZER;CN=${paramValue(e.organizer.name)}:${mailto(e.organizer.email)}`,
    ...e.attendees.map(
      (a) =>
        `ATTENDEE;CN=${paramValue(a.name)};ROLE=${a.role ?? "REQ-PARTICIPANT"};PARTSTAT=${a.partstat ?? "NEEDS-ACTION"};RSVP=${a.partstat === "ACCEPTED" ? "FALSE" : "TRUE"}:${mailto(a.email)}`,
    ),
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}
