import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { DomainEvent } from "../../platform/events/bus.js";
import { uuidv7 } from "../../platform/ids.js";
import type { PlanDocument } from "../plan/document.js";
import { addBusinessDays } from "../sla/business-time.js";
import { compileCalendar } from "../sla/calendar.js";
import {
  type ContactSession,
  channelOf,
  contactKindOf,
  countEscalations,
  countReopens,
  DEFAULT_REPEAT_BUSINESS_DAYS,
  type FcrReason,
  type FcrVerdict,
  fcrOf,
} from "./fcr-core.js";
import type { FcrRepository, ResolvedTicketRow } from "./fcr-repository.js";
import type { TicketRepository } from "./repository.js";

export const fcrGroupings = ["tier", "type", "team", "organization", "channel"] as const;
export type FcrGrouping = (typeof fcrGroupings)[number];

/** The plan's business calendar for "business days": the one its first tier answers on, else any office-hours one. */
export function businessCalendarOf(plan: PlanDocument) {
  const id =
    plan.tiers.L1?.responseTime.calendar ??
    Object.keys(plan.calendars).find((k) => !plan.calendars[k]!.alwaysOpen) ??
    Object.keys(plan.calendars)[0]!;
  return compileCalendar(plan.calendars[id]!);
}

export interface FcrTicketVerdict extends FcrVerdict {
  ticketId: string;
  number: number;
  resolvedAt: string;
  contacts: ContactSession[];
  publicStaffReplies: number;
  escalations: number;
  reopens: number;
}

export interface FcrServiceDeps {
  repo: FcrRepository;
  tickets: TicketRepository;
  plan: { current(): Promise<{ document: PlanDocument }> };
  clock: Clock;
  organizationName(id: string): Promise<string>;
  repeatBusinessDays?: number;
}

/**
 * First-contact resolution: records each contact session as tickets are opened and answered (a fan-out handler,
 * so each event is recorded once across nodes), and computes each resolved ticket's verdict from its
 * ingredients when a report asks.
 */
export class FcrService {
  private readonly repo: FcrRepository;
  private readonly tickets: TicketRepository;
  private readonly deps: FcrServiceDeps;
  readonly repeatBusinessDays: number;

  constructor(deps: FcrServiceDeps) {
    this.repo = deps.repo;
    this.tickets = deps.tickets;
    this.deps = deps;
    this.repeatBusinessDays = deps.repeatBusinessDays ?? DEFAULT_REPEAT_BUSINESS_DAYS;
  }

  /** Fan-out handler: a ticket opened is its first contact; a customer back after an answer, or a later call, another. */
  async record(events: readonly DomainEvent[], trx: Kysely<DB>): Promise<void> {
    for (const event of events) {
      if (event.type !== "ticket.created" && event.type !== "ticket.message.created") continue;
      const payload = event.payload as { ticketId: string; messageId?: string; visibility?: string; channel?: string };
      if (event.type === "ticket.message.created" && payload.visibility !== "public") continue;
      const ticket = await this.tickets.find(payload.ticketId, undefined, trx);
      if (!ticket) continue;
      const base = { id: uuidv7(), ticket_id: ticket.id, organization_id: ticket.organization_id, type: ticket.type };
      if (event.type === "ticket.created") {
        await this.repo.insertContact({ ...base, channel: ticket.channel, kind: "opened", at: ticket.created_at }, trx);
        continue;
      }
      const messages = await this.tickets.messages(ticket.id, false, trx);
      const index = messages.findIndex((m) => m.id === payload.messageId);
      if (index < 0) continue;
      const message = messages[index]!;
      const toPublic = (m: (typeof messages)[number]) => ({ authorKind: m.author_kind, kind: m.kind });
      const kind = contactKindOf(messages.slice(0, index).map(toPublic), toPublic(message));
      if (!kind) continue;
      await this.repo.insertContact(
        {
          ...base,
          channel: channelOf(kind, payload.channel, ticket.channel),
          kind,
          at: message.created_at,
        },
        trx,
      );
    }
  }

  /** The verdict of every ticket last resolved in [from, to). */
  async verdicts(from: string, to: string): Promise<{ ticket: ResolvedTicketRow; verdict: FcrTicketVerdict }[]> {
    const resolved = await this.repo.resolved(from, to);
    if (!resolved.length) return [];
    const ids = resolved.map((t) => t.id);
    const calendar = businessCalendarOf((await this.deps.plan.current()).document);
    const windowEnd = new Map(
      resolved.map((t) => [
        t.id,
        new Date(addBusinessDays(calendar, new Date(t.resolved_at), this.repeatBusinessDays)).toISOString(),
      ]),
    );
    const lastWindowEnd = [...windowEnd.values()].sort().at(-1)!;
    const [contacts, replies, changes, openings] = await Promise.all([
      this.repo.contacts(ids),
      this.repo.staffReplies(ids),
      this.repo.changes(ids),
      this.repo.openings([...new Set(resolved.map((t) => t.organization_id))], resolved[0]!.resolved_at, lastWindowEnd),
    ]);
    const session = (c: { ticket_id: string; channel: string; at: string }): ContactSession => ({
      ticketId: c.ticket_id,
      channel: c.channel,
      at: c.at,
    });
    const now = this.deps.clock.now();
    return resolved.map((t) => {
      const own = contacts.filter((c) => c.ticket_id === t.id).map(session);
      const history = changes.filter((c) => c.ticket_id === t.id);
      const pairs = (field: string) =>
        history.filter((h) => h.field === field).map((h) => ({ before: h.before_value, after: h.after_value }));
      const ingredients = {
        ticketId: t.id,
        resolvedAt: t.resolved_at,
        contacts: own,
        publicStaffReplies: replies.get(t.id) ?? 0,
        escalations: countEscalations(pairs("tier")),
        reopens: countReopens(pairs("status")),
        laterContacts: openings
          .filter((o) => o.organization_id === t.organization_id && o.type === t.type)
          .map(session),
        repeatWindowEnd: windowEnd.get(t.id)!,
      };
      return {
        ticket: t,
        verdict: { ...ingredients, ...fcrOf(ingredients, now), number: t.number, laterContacts: undefined },
      };
    });
  }

  /** FCR rate per group of tickets resolved in [from, to), with the reasons of the misses. */
  async report(from: string, to: string, groupBy: FcrGrouping) {
    const verdicts = await this.verdicts(from, to);
    const groups = new Map<
      string,
      { resolved: number; fcr: number; provisional: number; reasons: Map<FcrReason, number> }
    >();
    for (const { ticket, verdict } of verdicts) {
      const key =
        groupBy === "organization"
          ? ticket.organization_id
          : groupBy === "team"
            ? (ticket.team ?? "")
            : ticket[groupBy];
      const g = groups.get(key) ?? { resolved: 0, fcr: 0, provisional: 0, reasons: new Map() };
      g.resolved++;
      if (verdict.fcr) g.fcr++;
      if (!verdict.final) g.provisional++;
      if (!verdict.fcr) g.reasons.set(verdict.reason, (g.reasons.get(verdict.reason) ?? 0) + 1);
      groups.set(key, g);
    }
    const rate = (fcr: number, resolved: number) => (resolved ? fcr / resolved : null);
    const items = await Promise.all(
      [...groups.entries()].map(async ([key, g]) => ({
        key: key || null,
        label: groupBy === "organization" ? await this.deps.organizationName(key) : key || null,
        resolved: g.resolved,
        fcr: g.fcr,
        rate: rate(g.fcr, g.resolved),
        provisional: g.provisional,
        reasons: Object.fromEntries(g.reasons) as Partial<Record<FcrReason, number>>,
      })),
    );
    const fcr = verdicts.filter((v) => v.verdict.fcr).length;
    return {
      from,
      to,
      groupBy,
      repeatBusinessDays: this.repeatBusinessDays,
      total: { resolved: verdicts.length, fcr, rate: rate(fcr, verdicts.length) },
      groups: items.sort((a, b) => b.resolved - a.resolved || String(a.key).localeCompare(String(b.key))),
      tickets: verdicts.map(({ verdict }) => ({
        ticketId: verdict.ticketId,
        number: verdict.number,
        resolvedAt: verdict.resolvedAt,
        fcr: verdict.fcr,
        reason: verdict.reason,
        reasons: verdict.reasons,
        final: verdict.final,
        contacts: verdict.contacts.length,
        channels: [...new Set(verdict.contacts.map((c) => c.channel))],
        publicStaffReplies: verdict.publicStaffReplies,
        escalations: verdict.escalations,
        reopens: verdict.reopens,
        repeatContacts: verdict.repeatContacts.map((c) => ({ ticketId: c.ticketId, channel: c.channel, at: c.at })),
      })),
    };
  }
}
