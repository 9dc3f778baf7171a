/**
 * What a customer reads about a ticket: the customer SLA (first response and resolution: when it is promised, and
 * whether it was kept) and public messages with their authors' names. Never internal notes, tier clocks, the
 * assignee, team, tier, tags or anybody's id: these shapes are built field by field, so a new staff field on a
 * ticket stays out of the portal until someone adds it here.
 */

export interface CustomerTicketRow {
  number: number | string;
  requester_contact: string;
  subject: string;
  description: string;
  channel: string;
  type: string;
  severity: string;
  status: string;
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A clock of the SLA explanation, as far as the portal reads it. */
export interface ClockView {
  kind: string;
  tier: string | null;
  status: string;
  breachAt: string;
  fulfilledAt: string | null;
}

export type PromiseStatus = "running" | "paused" | "met" | "missed" | "stopped";

export interface CustomerPromise {
  /** When the provider promised to have answered (resolved) at the latest. */
  dueAt: string;
  status: PromiseStatus;
  /** When it was kept. */
  at: string | null;
}

/** The customer SLA out of the ticket's clocks: first response and resolution, no tier clocks. */
export function customerSla(clocks: readonly ClockView[]) {
  const promise = (kind: "first_response" | "resolution"): CustomerPromise | null => {
    const c = clocks.find((x) => x.kind === kind && x.tier === null);
    if (!c) return null;
    const status: PromiseStatus =
      c.status === "fulfilled" ? "met" : c.status === "breached" ? "missed" : (c.status as PromiseStatus);
    return { dueAt: c.breachAt, status, at: c.fulfilledAt };
  };
  return { firstResponse: promise("first_response"), resolution: promise("resolution") };
}

export function presentCustomerTicket(
  t: CustomerTicketRow,
  sla: ReturnType<typeof customerSla> | null,
  requestedByReader: boolean,
) {
  const requester = JSON.parse(t.requester_contact) as { name: string };
  return {
    number: Number(t.number),
    subject: t.subject,
    description: t.description,
    type: t.type,
    severity: t.severity,
    status: t.status,
    channel: t.channel,
    requesterName: requester.name,
    requestedByMe: requestedByReader,
    firstResponseAt: t.first_response_at,
    resolvedAt: t.resolved_at,
    closedAt: t.closed_at,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
    sla: sla ?? { firstResponse: null, resolution: null },
  };
}

export function presentCustomerMessage(
  m: { author_kind: string; kind: string; body: string; created_at: string },
  authorName: string,
) {
  return {
    fromSupport: m.author_kind !== "customer",
    author: authorName,
    kind: m.kind === "phone_call" ? ("phone_call" as const) : ("reply" as const),
    body: m.body,
    createdAt: m.created_at,
  };
}

export function presentCustomerAttachment(a: {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  createdAt: string;
}) {
  return { id: a.id, filename: a.filename, contentType: a.contentType, size: a.size, createdAt: a.createdAt };
}
