import { describe, expect, it } from "vitest";
import {
  channelOf,
  contactKindOf,
  countEscalations,
  countReopens,
  type FcrIngredients,
  fcrOf,
} from "../../src/modules/tickets/fcr-core.js";

const resolvedAt = "2026-11-02T15:00:00.000Z";
const windowEnd = "2026-11-11T15:00:00.000Z";
const after = new Date("2026-12-01T00:00:00.000Z");
const base: FcrIngredients = {
  ticketId: "t1",
  resolvedAt,
  contacts: [{ ticketId: "t1", channel: "email", at: "2026-11-02T12:00:00.000Z" }],
  publicStaffReplies: 1,
  escalations: 0,
  reopens: 0,
  laterContacts: [],
  repeatWindowEnd: windowEnd,
};
const verdict = (patch: Partial<FcrIngredients>, now = after) => fcrOf({ ...base, ...patch }, now);

describe("first-contact resolution verdict", () => {
  it("one contact, one answer, nothing after: resolved on first contact", () => {
    expect(verdict({})).toEqual({ fcr: true, reason: "first_contact", reasons: [], repeatContacts: [], final: true });
  });

  it("no public answer at all (the customer solved it) still counts", () => {
    expect(verdict({ publicStaffReplies: 0 }).fcr).toBe(true);
  });

  it("each failing ingredient alone gives its reason", () => {
    expect(verdict({ reopens: 1 })).toMatchObject({ fcr: false, reason: "reopened", reasons: ["reopened"] });
    expect(verdict({ escalations: 1 })).toMatchObject({ fcr: false, reason: "escalated" });
    expect(
      verdict({
        contacts: [...base.contacts, { ticketId: "t1", channel: "email", at: "2026-11-02T13:00:00.000Z" }],
      }),
    ).toMatchObject({ fcr: false, reason: "several_contacts" });
    expect(verdict({ publicStaffReplies: 2 })).toMatchObject({ fcr: false, reason: "several_replies" });
    const repeat = { ticketId: "t2", channel: "phone", at: "2026-11-05T12:00:00.000Z" };
    expect(verdict({ laterContacts: [repeat] })).toMatchObject({
      fcr: false,
      reason: "repeat_contact",
      repeatContacts: [repeat],
    });
  });

  it("lists every failing reason, the first in a fixed order", () => {
    const v = verdict({
      reopens: 2,
      escalations: 1,
      publicStaffReplies: 3,
      laterContacts: [{ ticketId: "t2", channel: "chat", at: "2026-11-03T00:00:00.000Z" }],
      contacts: [...base.contacts, ...base.contacts],
    });
    expect(v.reasons).toEqual(["reopened", "escalated", "repeat_contact", "several_contacts", "several_replies"]);
    expect(v.reason).toBe("reopened");
  });

  it("repeat contacts count only after the resolution, up to the window's end inclusive, on other tickets", () => {
    const at = (ticketId: string, when: string) => ({ ticketId, channel: "phone", at: when });
    expect(verdict({ laterContacts: [at("t2", resolvedAt)] }).fcr).toBe(true); // same instant: not after
    expect(verdict({ laterContacts: [at("t2", "2026-11-01T00:00:00.000Z")] }).fcr).toBe(true); // before
    expect(verdict({ laterContacts: [at("t2", windowEnd)] }).fcr).toBe(false); // the window's last instant
    expect(verdict({ laterContacts: [at("t2", "2026-11-11T15:00:00.001Z")] }).fcr).toBe(true); // past it
    expect(verdict({ laterContacts: [at("t1", "2026-11-03T00:00:00.000Z")] }).fcr).toBe(true); // itself
  });

  it("a true verdict is provisional while the window is open; a false one is final at once", () => {
    const during = new Date("2026-11-05T00:00:00.000Z");
    expect(verdict({}, during)).toMatchObject({ fcr: true, final: false });
    expect(verdict({ reopens: 1 }, during)).toMatchObject({ fcr: false, final: true });
    expect(verdict({}, new Date(windowEnd))).toMatchObject({ final: false });
  });
});

describe("FCR ingredients from history", () => {
  it("escalations are moves to a higher tier only", () => {
    const c = (before: string | null, after: string | null) => ({ before, after });
    expect(countEscalations([])).toBe(0);
    expect(countEscalations([c("L1", "L2")])).toBe(1);
    expect(countEscalations([c("L1", "L3"), c("L3", "L2")])).toBe(1);
    expect(countEscalations([c("L2", "L1"), c("L1", "L2")])).toBe(1);
    expect(countEscalations([c(null, "L2"), c("L2", "L2")])).toBe(0);
  });

  it("reopens are resolved or closed back to open", () => {
    const c = (before: string, after: string) => ({ before, after });
    expect(countReopens([c("new", "open"), c("open", "resolved")])).toBe(0);
    expect(countReopens([c("resolved", "open"), c("closed", "open"), c("resolved", "closed")])).toBe(2);
    expect(countReopens([c("pending_customer", "open")])).toBe(0);
  });

  it("contact sessions: the customer back after an answer, or a later call", () => {
    const customer = { authorKind: "customer", kind: "reply" };
    const agent = { authorKind: "agent", kind: "reply" };
    const call = { authorKind: "agent", kind: "phone_call" };
    expect(contactKindOf([], customer)).toBeNull(); // more words before any answer: same exchange
    expect(contactKindOf([customer], customer)).toBeNull();
    expect(contactKindOf([agent], customer)).toBe("customer_reply");
    expect(contactKindOf([agent, customer], customer)).toBeNull();
    expect(contactKindOf([agent, customer, agent], customer)).toBe("customer_reply");
    expect(contactKindOf([], agent)).toBeNull();
    expect(contactKindOf([], call)).toBeNull(); // the call that answers the opening
    expect(contactKindOf([agent], call)).toBe("call");
  });
});

describe("channelOf", () => {
  it("a logged call is phone unless it was a scheduled call; chat is chat; others keep the message's channel", () => {
    expect(channelOf("call", undefined, "email")).toBe("phone");
    expect(channelOf("call", "scheduled_call", "portal")).toBe("scheduled_call");
    expect(channelOf("chat", "email", "portal")).toBe("chat");
    expect(channelOf("customer_reply", "email", "portal")).toBe("email");
    expect(channelOf("customer_reply", undefined, "portal")).toBe("portal");
  });
});
