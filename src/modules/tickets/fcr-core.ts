/**
 * First-contact resolution, pure. A resolved ticket counts as resolved on first contact when the customer
 * contacted us once (one contact session on any channel), got at most one public answer, the ticket was never
 * reopened nor escalated above the tier it opened in, and the same organization did not come back about the
 * same type of problem, on any channel, within N business days of the resolution.
 */

export const fcrReasons = [
  "first_contact",
  "reopened",
  "escalated",
  "repeat_contact",
  "several_contacts",
  "several_replies",
] as const;
export type FcrReason = (typeof fcrReasons)[number];

/** Days after a resolution in which a contact about the same type counts against it (the plan leaves N open). */
export const DEFAULT_REPEAT_BUSINESS_DAYS = 7;

export interface ContactSession {
  ticketId: string;
  channel: string;
  at: string;
}

export interface FcrIngredients {
  ticketId: string;
  resolvedAt: string;
  /** Contact sessions on this ticket: its opening and each time the customer came back after an answer. */
  contacts: readonly ContactSession[];
  /** Public replies of staff (answered calls included). */
  publicStaffReplies: number;
  /** Tier changes to a higher tier than the one before. */
  escalations: number;
  /** Status changes from resolved or closed back to open. */
  reopens: number;
  /** Tickets the same organization opened about the same type after this one: candidates for a repeat contact. */
  laterContacts: readonly ContactSession[];
  /** End of the repeat-contact window: the resolution plus N business days on the plan's business calendar. */
  repeatWindowEnd: string;
}

export interface FcrVerdict {
  fcr: boolean;
  /** The first reason in `fcrReasons` order that applies; `first_contact` when none fails it. */
  reason: FcrReason;
  /** Every failing reason; empty when fcr is true. */
  reasons: FcrReason[];
  /** The repeat contacts found in the window, by ticket. */
  repeatContacts: ContactSession[];
  /** False while the repeat-contact window is still open: a true may still turn false. */
  final: boolean;
}

const ms = (iso: string) => new Date(iso).getTime();

export function fcrOf(i: FcrIngredients, now: Date): FcrVerdict {
  const resolved = ms(i.resolvedAt);
  const windowEnd = ms(i.repeatWindowEnd);
  const repeatContacts = i.laterContacts.filter(
    (c) => c.ticketId !== i.ticketId && ms(c.at) > resolved && ms(c.at) <= windowEnd,
  );
  const reasons: FcrReason[] = [];
  if (i.reopens > 0) reasons.push("reopened");
  if (i.escalations > 0) reasons.push("escalated");
  if (repeatContacts.length > 0) reasons.push("repeat_contact");
  if (i.contacts.length > 1) reasons.push("several_contacts");
  if (i.publicStaffReplies > 1) reasons.push("several_replies");
  return {
    fcr: reasons.length === 0,
    reason: reasons[0] ?? "first_contact",
    reasons,
    repeatContacts,
    // A verdict already false cannot change; a true one waits for the window to close.
    final: reasons.length > 0 || now.getTime() > windowEnd,
  };
}

const tierRank: Record<string, number> = { L1: 1, L2: 2, L3: 3 };

/** Tier changes upward: L1 → L2 is an escalation, L3 → L2 is not. */
export function countEscalations(tierChanges: readonly { before: string | null; after: string | null }[]): number {
  const rank = (tier: string | null) => tierRank[tier ?? ""] ?? 0;
  return tierChanges.filter((c) => rank(c.before) > 0 && rank(c.after) > rank(c.before)).length;
}

/** Status changes that reopened the ticket after it was resolved or closed. */
export function countReopens(statusChanges: readonly { before: string | null; after: string | null }[]): number {
  return statusChanges.filter((c) => (c.before === "resolved" || c.before === "closed") && c.after === "open").length;
}

export interface PublicMessage {
  authorKind: string;
  kind: string;
}

/**
 * Whether a public message starts a new contact session, given the public messages before it. The opening is the
 * first session; a customer's message after a staff answer starts another (what they wrote before an answer
 * belongs to the same exchange); a logged call after the first answer is another conversation, and so is a live
 * chat whose transcript joined the ticket.
 */
export function contactKindOf(
  before: readonly PublicMessage[],
  message: PublicMessage,
): "customer_reply" | "call" | "chat" | null {
  // A chat's transcript joining the ticket is a conversation of its own, whoever answered it.
  if (message.kind === "chat") return "chat";
  const staffAnswered = before.some((m) => m.authorKind === "agent");
  if (message.authorKind === "customer") return before.at(-1)?.authorKind === "agent" ? "customer_reply" : null;
  if (message.authorKind === "agent" && message.kind === "phone_call" && staffAnswered) return "call";
  return null;
}

/**
 * A contact session's channel: a logged call is a phone call unless it was a scheduled call; a chat transcript is
 * chat; a customer back by mail is email, whichever channel opened the ticket.
 */
export function channelOf(kind: string, messageChannel: string | undefined, ticketChannel: string): string {
  if (kind === "call") return messageChannel === "scheduled_call" ? "scheduled_call" : "phone";
  if (kind === "chat") return "chat";
  return messageChannel ?? ticketChannel;
}
