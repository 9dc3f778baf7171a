import type { Kysely } from "kysely";
import { DateTime, IANAZone } from "luxon";
import type { Clock } from "../../platform/clock.js";
import type { DB, ScheduledCallStatus } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, tenantOf } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import type { Notifier } from "../notifications/service.js";
import type { PlanDocument } from "../plan/document.js";
import { compileCalendar, MINUTE } from "../sla/calendar.js";
import type { RequestInfo } from "../tickets/activity.js";
import type { TicketRepository, TicketRow } from "../tickets/repository.js";
import type { TimerService } from "../timers/service.js";
import { type Directory, type Engineer, Engineers, type HostTier } from "./engineers.js";
import { CallMessages } from "./messages.js";
import type { ScheduledCallRow, SchedulingRepository } from "./repository.js";
import { freeSlots } from "./slots.js";

/** Reminders before the start, unless the booking names its own: a day before and a quarter of an hour before. */
export const DEFAULT_REMINDER_MINUTES = [24 * 60, 15];
/** The least notice a booking needs: a slot starting sooner is not offered. */
export const MIN_NOTICE_MINUTES = 30;
/** The widest window one slots query may ask for. */
export const MAX_SLOT_RANGE_DAYS = 31;
const DEFAULT_ZONE = "America/Sao_Paulo";

export interface SchedulingDeps {
  repo: SchedulingRepository;
  tickets: TicketRepository;
  /** Logs a held call on its ticket (a public phone_call message) or a no-show (an internal note). */
  /** A message on a ticket, checked now and written in the transaction that records the call's outcome. */
  prepareTicketMessage(
    actor: Actor,
    message: { body: string; visibility: "public" | "internal"; kind?: "phone_call"; channel?: "scheduled_call" },
    req: RequestInfo,
  ): Promise<(trx: Kysely<DB>, ticketId: string) => Promise<unknown>>;
  users: Directory;
  plan: () => Promise<PlanDocument>;
  timers: TimerService;
  notifier: Notifier;
  events: EventBus;
  audit: AuditService;
  clock: Clock;
  publicUrl: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (t: string) => new Date(t).getTime();

function invalid(pointer: string, message: string, where = "body"): Problem {
  return Problem.invalid({ in: where, pointer, message });
}
/** An instant of the request as epoch ms; a date-time that names no real instant is the caller's error. */
function instantOf(value: string, pointer: string, where = "body"): number {
  const t = Date.parse(value);
  if (!Number.isFinite(t) || t < Date.UTC(1970, 0, 1) || t >= Date.UTC(9000, 0, 1)) {
    throw invalid(pointer, "is not an instant between 1970 and 9000", where);
  }
  return t;
}
const slotTaken = () =>
  new Problem(
    409,
    "slot-taken",
    "Slot taken",
    "The engineer already has a call booked at that time; pick another slot",
  );

/** A zone the caller named, checked; the viewer's own otherwise. */
export function zoneOr(zone: string | undefined, fallback: string, pointer = "/timeZone", where = "body"): string {
  if (zone === undefined || zone === "") return IANAZone.isValidZone(fallback) ? fallback : DEFAULT_ZONE;
  if (!IANAZone.isValidZone(zone)) throw invalid(pointer, "is not an IANA time zone", where);
  return zone;
}

export const localTime = (instant: string | number, zone: string) =>
  DateTime.fromMillis(typeof instant === "number" ? instant : ms(instant), { zone }).toISO({
    suppressMilliseconds: true,
  })!;

/**
 * Scheduled calls: free slots of the L2/L3 engineers from their working hours (a plan calendar, holidays
 * included) minus their bookings; bookings from the portal or by an agent, one per engineer and slot (a
 * transaction-scoped lock per engineer and a partial unique index); the invitation as an ICS part through the
 * notifications outbox, updated with the same UID and a higher SEQUENCE on each reschedule and on cancellation;
 * reminders and the booked time as timers; the outcome (held or no-show) logged on the ticket.
 */
export class SchedulingService {
  private readonly repo: SchedulingRepository;
  private readonly messages: CallMessages;
  private readonly hosts: Engineers;

  constructor(private readonly deps: SchedulingDeps) {
    this.repo = deps.repo;
    this.hosts = new Engineers({
      repo: deps.repo,
      users: deps.users,
      plan: deps.plan,
      audit: deps.audit,
      clock: deps.clock,
    });
    this.messages = new CallMessages({
      repo: deps.repo,
      tickets: deps.tickets,
      timers: deps.timers,
      notifier: deps.notifier,
      events: deps.events,
      clock: deps.clock,
      publicUrl: deps.publicUrl,
      engineer: (id) => this.hosts.holding(id),
    });
  }

  // engineers --------------------------------------------------------------------------------------------

  engineers(): Promise<Engineer[]> {
    return this.hosts.all();
  }

  saveEngineer(
    actor: Actor,
    id: string,
    input: { calendarId: string; slotMinutes: number; active: boolean },
    req: RequestInfo,
  ) {
    return this.hosts.save(actor, id, input, req);
  }

  // slots ------------------------------------------------------------------------------------------------

  /** The viewer's zone: the one asked for, else their own. */
  async viewerZone(actor: Actor, asked: string | undefined, pointer = "/timeZone", where = "body"): Promise<string> {
    if (asked) return zoneOr(asked, DEFAULT_ZONE, pointer, where);
    return zoneOr(undefined, (await this.deps.users.get(actor.userId))?.timezone ?? DEFAULT_ZONE);
  }

  async slots(
    actor: Actor,
    q: { from: string; to: string; tier?: HostTier; engineerId?: string; timeZone?: string },
  ): Promise<{
    timeZone: string;
    items: {
      start: string;
      end: string;
      localStart: string;
      localEnd: string;
      engineer: { id: string; name: string; tier: HostTier };
    }[];
  }> {
    const zone = await this.viewerZone(actor, q.timeZone, "/timeZone", "querystring");
    const from = instantOf(q.from, "/from", "querystring");
    const to = instantOf(q.to, "/to", "querystring");
    if (!(to > from)) throw invalid("/to", "must be after `from`", "querystring");
    if (to - from > MAX_SLOT_RANGE_DAYS * 24 * 60 * MINUTE) {
      throw invalid("/to", `must be at most ${MAX_SLOT_RANGE_DAYS} days after \`from\``, "querystring");
    }
    let engineers = (await this.hosts.all()).filter((e) => e.active && (!q.tier || e.tier === q.tier));
    if (q.engineerId) {
      engineers = engineers.filter((e) => e.id === q.engineerId);
      if (!engineers.length) throw Problem.notFound("Engineer");
    }
    const plan = await this.deps.plan();
    const busy = await this.repo.busy(
      engineers.map((e) => e.id),
      iso(from),
      iso(to),
    );
    const notBefore = this.deps.clock.now().getTime() + MIN_NOTICE_MINUTES * MINUTE;
    const items = engineers.flatMap((e) =>
      freeSlots({
        calendar: compileCalendar(plan.calendars[e.calendarId]!),
        slotMinutes: e.slotMinutes,
        from,
        to,
        busy: busy
          .filter((b) => b.engineer_user_id === e.id)
          .map((b) => ({ start: ms(b.starts_at), end: ms(b.ends_at) })),
        notBefore,
      }).map((s) => ({
        start: iso(s.start),
        end: iso(s.end),
        localStart: localTime(s.start, zone),
        localEnd: localTime(s.end, zone),
        engineer: { id: e.id, name: e.name, tier: e.tier },
      })),
    );
    items.sort((a, b) => a.start.localeCompare(b.start) || a.engineer.name.localeCompare(b.engineer.name));
    return { timeZone: zone, items };
  }

  /** The slot of `engineer` starting at `start`, or why it cannot be booked (busy spans checked later, locked). */
  private async slotAt(e: Engineer, start: number, pointer: string): Promise<{ start: number; end: number }> {
    const plan = await this.deps.plan();
    const calendar = compileCalendar(plan.calendars[e.calendarId]!);
    const end = start + e.slotMinutes * MINUTE;
    const notBefore = this.deps.clock.now().getTime() + MIN_NOTICE_MINUTES * MINUTE;
    if (start < notBefore) throw invalid(pointer, `must be at least ${MIN_NOTICE_MINUTES} minutes from now`);
    const [slot] = freeSlots({ calendar, slotMinutes: e.slotMinutes, from: start, to: end, busy: [], notBefore });
    if (slot?.start !== start) throw invalid(pointer, "is not the start of a slot in the engineer's working hours");
    return slot;
  }

  // bookings -----------------------------------------------------------------------------------------------

  private async attendeeOf(actor: Actor, t: TicketRow) {
    if (!isStaff(actor.role)) {
      const u = await this.deps.users.get(actor.userId);
      return { userId: actor.userId, email: actor.email, name: actor.name, locale: u?.locale ?? "pt-BR" };
    }
    if (t.requester_user_id) {
      const u = await this.deps.users.get(t.requester_user_id);
      if (u && !u.disabled) return { userId: u.id, email: u.email, name: u.name, locale: u.locale };
    }
    const contact = JSON.parse(t.requester_contact) as { name?: string; email?: string };
    if (!contact.email) throw invalid("/ticketId", "the ticket's requester has no email address to invite");
    return { userId: null, email: contact.email, name: contact.name || contact.email, locale: "pt-BR" };
  }

  async book(
    actor: Actor,
    input: {
      ticketId: string;
      engineerId: string;
      start: string;
      topic?: string;
      timeZone?: string;
      reminderMinutes?: number[];
    },
    req: RequestInfo,
  ) {
    const t = await this.deps.tickets.find(input.ticketId, tenantOf(actor));
    if (!t) throw Problem.notFound("Ticket");
    if (t.status === "closed" || t.merged_into_id) throw Problem.conflict("The ticket is closed; reopen it first");
    const e = await this.hosts.taking(input.engineerId);
    const slot = await this.slotAt(e, instantOf(input.start, "/start"), "/start");
    const zone = await this.viewerZone(actor, input.timeZone);
    const attendee = await this.attendeeOf(actor, t);
    const now = this.deps.clock.now().toISOString();
    const reminders = [...new Set(input.reminderMinutes ?? DEFAULT_REMINDER_MINUTES)].sort((a, b) => b - a);
    const row: ScheduledCallRow = {
      id: uuidv7(),
      organization_id: t.organization_id,
      ticket_id: t.id,
      ticket_number: Number(t.number),
      engineer_user_id: e.id,
      booked_by_user_id: actor.userId,
      attendee_user_id: attendee.userId,
      attendee_email: attendee.email,
      attendee_name: attendee.name,
      time_zone: zone,
      topic: input.topic?.trim() || t.subject,
      starts_at: iso(slot.start),
      ends_at: iso(slot.end),
      status: "booked",
      sequence: 0,
      reminder_minutes: JSON.stringify(reminders),
      outcome_note: null,
      outcome_at: null,
      outcome_by_user_id: null,
      cancelled_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.writing(async (trx) => {
      await this.repo.lockEngineer(e.id, trx);
      if ((await this.repo.busy([e.id], row.starts_at, row.ends_at, undefined, trx)).length) throw slotTaken();
      await this.repo.insert(row, trx);
      await this.messages.armTimers(trx, row);
      await this.messages.invite(trx, row, e, t, { update: false });
      await this.messages.publish(trx, "scheduled_call.booked", row, {});
      await this.auditCall(trx, actor, req, "scheduled_call.booked", row, {
        engineerId: e.id,
        startsAt: row.starts_at,
      });
    });
    return this.present(row, e.name);
  }

  async reschedule(
    actor: Actor,
    id: string,
    input: { start?: string; engineerId?: string; topic?: string; timeZone?: string },
    req: RequestInfo,
  ) {
    const before = await this.bookedCall(actor, id);
    const oldEngineer = await this.hosts.holding(before.engineer_user_id);
    const e = input.engineerId
      ? await this.hosts.taking(input.engineerId)
      : await this.hosts.taking(before.engineer_user_id);
    const start = input.start ? instantOf(input.start, "/start") : ms(before.starts_at);
    const slot = await this.slotAt(e, start, input.start ? "/start" : "/engineerId");
    const t = (await this.deps.tickets.find(before.ticket_id))!;
    const zone = input.timeZone ? await this.viewerZone(actor, input.timeZone) : before.time_zone;
    const now = this.deps.clock.now().toISOString();
    const after: ScheduledCallRow = {
      ...before,
      engineer_user_id: e.id,
      starts_at: iso(slot.start),
      ends_at: iso(slot.end),
      topic: input.topic?.trim() || before.topic,
      time_zone: zone,
      sequence: before.sequence + 1,
      updated_at: now,
    };
    await this.writing(async (trx) => {
      await this.repo.lockEngineer(e.id, trx);
      if ((await this.repo.busy([e.id], after.starts_at, after.ends_at, id, trx)).length) throw slotTaken();
      const moved = await this.repo.update(
        id,
        before.sequence,
        {
          engineer_user_id: after.engineer_user_id,
          starts_at: after.starts_at,
          ends_at: after.ends_at,
          topic: after.topic,
          time_zone: after.time_zone,
          sequence: after.sequence,
          updated_at: now,
        },
        trx,
      );
      if (!moved) throw Problem.conflict("The call changed meanwhile; load it again");
      await this.messages.armTimers(trx, after);
      // A new engineer takes the meeting over: the old one's calendar drops it.
      if (oldEngineer && oldEngineer.id !== e.id) {
        await this.deps.notifier.enqueue(
          [this.messages.cancelMessage(before, after.sequence, oldEngineer, t, null, "engineer")],
          trx,
        );
      }
      await this.messages.invite(trx, after, e, t, { update: true });
      await this.messages.publish(trx, "scheduled_call.rescheduled", after, { previousStartsAt: before.starts_at });
      await this.auditCall(trx, actor, req, "scheduled_call.rescheduled", after, {
        from: { engineerId: before.engineer_user_id, startsAt: before.starts_at },
        to: { engineerId: e.id, startsAt: after.starts_at },
      });
    });
    return this.present(after, e.name);
  }

  async cancel(actor: Actor, id: string, input: { reason?: string }, req: RequestInfo) {
    const before = await this.bookedCall(actor, id);
    const e = await this.hosts.holding(before.engineer_user_id);
    const t = (await this.deps.tickets.find(before.ticket_id))!;
    const now = this.deps.clock.now().toISOString();
    const after: ScheduledCallRow = {
      ...before,
      status: "cancelled",
      sequence: before.sequence + 1,
      cancelled_at: now,
      updated_at: now,
    };
    const reason = input.reason?.trim() || null;
    await this.writing(async (trx) => {
      const done = await this.repo.update(
        id,
        before.sequence,
        { status: "cancelled", sequence: after.sequence, cancelled_at: now, updated_at: now },
        trx,
      );
      if (!done) throw Problem.conflict("The call changed meanwhile; load it again");
      await this.messages.cancelTimers(trx, after);
      const messages = [this.messages.cancelMessage(after, after.sequence, e, t, reason, "attendee")];
      if (e) messages.push(this.messages.cancelMessage(after, after.sequence, e, t, reason, "engineer"));
      await this.deps.notifier.enqueue(messages, trx);
      await this.messages.publish(trx, "scheduled_call.cancelled", after, {});
      await this.auditCall(trx, actor, req, "scheduled_call.cancelled", after, { reason });
    });
    return this.present(after, e?.name ?? "");
  }

  /**
   * The engineer (or any staff member) records how the call went, once its time has come: held logs the call on
   * the ticket as a public phone_call message (a response, and a contact session of first-contact resolution);
   * a no-show leaves an internal note.
   */
  async recordOutcome(
    actor: Actor,
    id: string,
    input: { outcome: "held" | "no_show"; note?: string },
    req: RequestInfo,
  ) {
    const before = await this.bookedCall(actor, id);
    const now = this.deps.clock.now();
    if (now.getTime() < ms(before.starts_at)) {
      throw new Problem(
        409,
        "call-not-started",
        "Call not started",
        "The outcome can be recorded once the call's time has come",
      );
    }
    const note = input.note?.trim() || null;
    const after: ScheduledCallRow = {
      ...before,
      status: input.outcome,
      outcome_note: note,
      outcome_at: now.toISOString(),
      outcome_by_user_id: actor.userId,
      updated_at: now.toISOString(),
    };
    const when = DateTime.fromISO(before.starts_at, { zone: before.time_zone }).toFormat("dd/MM/yyyy HH:mm ZZZZ");
    // Logged with the outcome, in its transaction: a crash cannot keep one without the other.
    const logOnTicket = await this.deps.prepareTicketMessage(
      actor,
      input.outcome === "held"
        ? {
            body: `Scheduled call held (${when}): ${note ?? before.topic}`,
            visibility: "public",
            kind: "phone_call",
            channel: "scheduled_call",
          }
        : {
            body: `Scheduled call (${when}): the customer did not show up${note ? `. ${note}` : ""}`,
            visibility: "internal",
          },
      req,
    );
    await this.writing(async (trx) => {
      const done = await this.repo.update(
        id,
        before.sequence,
        {
          status: after.status,
          outcome_note: note,
          outcome_at: after.outcome_at,
          outcome_by_user_id: actor.userId,
          updated_at: after.updated_at,
        },
        trx,
      );
      if (!done) throw Problem.conflict("The call's outcome was already recorded");
      await this.messages.cancelTimers(trx, after);
      await this.messages.publish(trx, "scheduled_call.outcome", after, { outcome: input.outcome });
      await this.auditCall(trx, actor, req, "scheduled_call.outcome", after, { outcome: input.outcome });
      await logOnTicket(trx, before.ticket_id);
    });
    const e = await this.hosts.holding(after.engineer_user_id);
    return this.present(after, e?.name ?? "");
  }

  async get(actor: Actor, id: string) {
    const row = await this.repo.find(id, tenantOf(actor));
    if (!row) throw Problem.notFound("Scheduled call");
    return this.present(row, (await this.deps.users.get(row.engineer_user_id))?.name ?? "");
  }

  async list(
    actor: Actor,
    f: {
      engineerId?: string;
      mine?: boolean;
      ticketId?: string;
      status?: ScheduledCallStatus;
      from?: string;
      to?: string;
      after?: { startsAt: string; id: string };
      limit: number;
    },
  ) {
    const engineerId = f.mine && isStaff(actor.role) ? actor.userId : f.engineerId;
    // Compared as text on SQLite: every instant in the stored form (UTC, milliseconds, `Z`).
    const rows = await this.repo.list({
      ...f,
      from: f.from === undefined ? undefined : iso(instantOf(f.from, "/from", "querystring")),
      to: f.to === undefined ? undefined : iso(instantOf(f.to, "/to", "querystring")),
      after: f.after && { startsAt: iso(instantOf(f.after.startsAt, "/cursor", "querystring")), id: f.after.id },
      engineerId,
      tenant: tenantOf(actor),
    });
    const names = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.engineer_user_id))) {
      names.set(id, (await this.deps.users.get(id))?.name ?? "");
    }
    return rows.map((r) => this.present(r, names.get(r.engineer_user_id) ?? ""));
  }

  present(r: ScheduledCallRow, engineerName: string) {
    return {
      id: r.id,
      organizationId: r.organization_id,
      ticketId: r.ticket_id,
      ticketNumber: Number(r.ticket_number),
      engineer: { id: r.engineer_user_id, name: engineerName },
      attendee: { userId: r.attendee_user_id, name: r.attendee_name, email: r.attendee_email },
      bookedBy: r.booked_by_user_id,
      topic: r.topic,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      timeZone: r.time_zone,
      localStartsAt: localTime(r.starts_at, r.time_zone),
      status: r.status,
      sequence: Number(r.sequence),
      reminderMinutes: this.messages.reminders(r),
      outcomeNote: r.outcome_note,
      outcomeAt: r.outcome_at,
      cancelledAt: r.cancelled_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  // internals -----------------------------------------------------------------------------------------------

  private writing<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.repo.transaction(fn).catch((error: unknown) => {
      // The partial unique index caught a booking the lock did not (or another engine's race): the slot is taken.
      const text = String((error as { message?: string; code?: string })?.message ?? "");
      const code = (error as { code?: string })?.code;
      if (
        code === "23505" ||
        code === "SQLITE_CONSTRAINT_UNIQUE" ||
        /UNIQUE constraint failed: scheduled_calls/.test(text)
      ) {
        throw slotTaken();
      }
      throw error;
    });
  }

  private async bookedCall(actor: Actor, id: string): Promise<ScheduledCallRow> {
    const row = await this.repo.find(id, tenantOf(actor));
    if (!row) throw Problem.notFound("Scheduled call");
    if (row.status !== "booked") {
      throw new Problem(409, "call-not-booked", "Call no longer booked", `The call is ${row.status.replace("_", "-")}`);
    }
    return row;
  }

  private async auditCall(
    trx: Kysely<DB>,
    actor: Actor,
    req: RequestInfo,
    action: string,
    r: ScheduledCallRow,
    details: Record<string, unknown>,
  ) {
    await this.deps.audit.record(
      {
        action,
        actor,
        target: { type: "scheduled_call", id: r.id },
        organizationId: r.organization_id,
        request: req,
        details: { ticketId: r.ticket_id, ...details },
      },
      trx,
    );
  }
}
