import type { PlanDocument, SeverityId, SlaPolicyDefinition, TierId } from "../plan/document.js";
import { policyFromPlan, type TicketEvent } from "../sla/clocks.js";
import {
  type ChosenPolicy,
  describePolicy,
  type PolicySubject,
  planUnderPolicy,
  selectPolicy,
} from "../sla/policies.js";
import type { Status } from "./model.js";
import type { HistoryRow, MessageRow, TicketRow } from "./repository.js";

/**
 * A ticket's SLA events rebuilt from what it stores: its opening (with the severity and tier it was
 * opened with, read back from the first change of each), field changes from the history and the
 * messages. Same-instant events keep the order they were written in (ids are time-ordered).
 */
export function ticketEvents(ticket: TicketRow, history: HistoryRow[], messages: MessageRow[]): TicketEvent[] {
  const first = (field: string) => history.find((h) => h.field === field)?.before_value;
  const opened: TicketEvent = {
    type: "opened",
    at: new Date(ticket.created_at),
    severity: (first("severity") ?? ticket.severity) as SeverityId,
    tier: (first("tier") ?? ticket.tier) as TierId,
  };
  const dated: { at: string; id: string; event: TicketEvent }[] = [];
  for (const h of history) {
    const at = new Date(h.at);
    if (h.field === "status")
      dated.push({ at: h.at, id: h.id, event: { type: "status_changed", at, status: h.after_value as Status } });
    if (h.field === "tier")
      dated.push({ at: h.at, id: h.id, event: { type: "tier_entered", at, tier: h.after_value as TierId } });
    if (h.field === "severity")
      dated.push({
        at: h.at,
        id: h.id,
        event: { type: "severity_changed", at, severity: h.after_value as SeverityId },
      });
  }
  for (const m of messages) {
    const at = new Date(m.created_at);
    const event: TicketEvent | null =
      m.author_kind === "customer"
        ? { type: "customer_message", at }
        : m.kind === "note"
          ? { type: "internal_note", at }
          : m.kind === "phone_call"
            ? // Only answered calls are logged as calls; an unanswered attempt is an internal note.
              { type: "phone_call", at, answered: true }
            : m.kind === "reply" && m.author_kind === "agent"
              ? { type: "agent_reply", at }
              : null;
    if (event) dated.push({ at: m.created_at, id: m.id, event });
  }
  dated.sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at.localeCompare(b.at)));
  return [opened, ...dated.map((d) => d.event)];
}

/**
 * The plan a ticket's SLA runs on: the version in force when it was opened sets its targets, and each later
 * change of a calendar applies from the moment it was saved, so business time already used stays used.
 */
export function slaPlanFor(
  openedAt: string,
  versions: readonly { version: number; createdAt: string; document: PlanDocument }[],
): { plan: PlanDocument; version: number; calendarChanges: TicketEvent[]; calendarVersions: number[] } {
  const atOpen = [...versions].reverse().find((v) => v.createdAt <= openedAt) ?? versions[0]!;
  const calendarChanges: TicketEvent[] = [];
  const calendarVersions = [atOpen.version];
  let previous = atOpen.document.calendars;
  for (const v of versions) {
    if (v.createdAt <= openedAt || v.version <= atOpen.version) continue;
    let changed = false;
    for (const [id, definition] of Object.entries(v.document.calendars)) {
      if (JSON.stringify(previous[id]) === JSON.stringify(definition)) continue;
      calendarChanges.push({ type: "calendar_changed", at: new Date(v.createdAt), calendar: id, definition });
      changed = true;
    }
    if (changed) calendarVersions.push(v.version);
    previous = v.document.calendars;
  }
  return { plan: atOpen.document, version: atOpen.version, calendarChanges, calendarVersions };
}

/** The ticket's own events and the plan's calendar changes, in time order. */
export function withCalendarChanges(events: TicketEvent[], changes: TicketEvent[]): TicketEvent[] {
  if (!changes.length) return events;
  const time = (e: TicketEvent) => new Date(e.at).getTime();
  const [opened, ...rest] = events;
  // Stable: at equal instants the ticket's event comes first.
  return [
    opened!,
    ...[...rest, ...changes]
      .map((e, i) => ({ e, i }))
      .sort((a, b) => time(a.e) - time(b.e) || a.i - b.i)
      .map((x) => x.e),
  ];
}

/** What the SLA policies look at, as the ticket was when it was opened. */
export function openingSubject(ticket: TicketRow, history: HistoryRow[]): PolicySubject {
  const first = (field: string) => history.find((h) => h.field === field)?.before_value;
  return {
    type: first("type") ?? ticket.type,
    severity: (first("severity") ?? ticket.severity) as SeverityId,
    tier: (first("tier") ?? ticket.tier) as TierId,
    organizationId: ticket.organization_id,
    channel: ticket.channel,
  };
}

/**
 * The SLA policies of a ticket over its life: the first matching one when it opened, then another each time a
 * change of type, severity or tier makes another one match first (as `policy_changed` events). Policies come
 * from the plan version the ticket runs on, so a later change of the plan's policies applies to new tickets only.
 */
export function policyTimeline(
  ticket: TicketRow,
  history: HistoryRow[],
  plan: PlanDocument,
): {
  opening: SlaPolicyDefinition | null;
  current: SlaPolicyDefinition | null;
  changes: TicketEvent[];
  applied: (ChosenPolicy & { from: string })[];
} {
  const subject = openingSubject(ticket, history);
  const opening = selectPolicy(plan, subject);
  let current = opening;
  const changes: TicketEvent[] = [];
  const applied = [{ ...describePolicy(opening), from: ticket.created_at }];
  const relevant = history.filter((h) => h.field === "type" || h.field === "severity" || h.field === "tier");
  relevant.forEach((h, i) => {
    if (h.field === "type") subject.type = h.after_value ?? subject.type;
    if (h.field === "severity") subject.severity = h.after_value as SeverityId;
    if (h.field === "tier") subject.tier = h.after_value as TierId;
    // Changes saved together (an escalation moving tier and severity) select once, on the result.
    if (relevant[i + 1]?.at === h.at) return;
    const next = selectPolicy(plan, subject);
    if ((next?.id ?? null) === (current?.id ?? null)) return;
    current = next;
    const { severities, tiers } = policyFromPlan(planUnderPolicy(plan, next));
    changes.push({ type: "policy_changed", at: new Date(h.at), severities, tiers });
    applied.push({ ...describePolicy(next), from: h.at });
  });
  return { opening, current, changes, applied };
}
