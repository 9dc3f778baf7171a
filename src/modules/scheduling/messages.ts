import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import type { NotificationRequest, Notifier } from "../notifications/service.js";
import { MINUTE } from "../sla/calendar.js";
import type { TicketRepository, TicketRow } from "../tickets/repository.js";
import type { Timer, TimerService } from "../timers/service.js";
import type { Engineer } from "./engineers.js";
import { invitationIcs } from "./ics.js";
import type { ScheduledCallRow, SchedulingRepository } from "./repository.js";

export const TIMER_SUBJECT = "scheduled_call";
const START_TIMER = "start";
const reminderTimer = (minutes: number) => `reminder-${minutes}`;
const ms = (t: string) => new Date(t).getTime();

export interface CallMessagesDeps {
  repo: SchedulingRepository;
  tickets: TicketRepository;
  timers: TimerService;
  notifier: Notifier;
  events: EventBus;
  clock: Clock;
  publicUrl: string;
  /** The engineer holding a call, for names and addresses (undefined once the user is gone). */
  engineer(id: string): Promise<Engineer | undefined>;
}

/**
 * What a scheduled call sends and when: the invitation and its updates (an ICS part through the outbox: one UID,
 * SEQUENCE raised per change), the cancellation, its events, and its timers (reminders before the start, and the
 * start itself, which tells the engineer to call and announces `scheduled_call.started`).
 */
export class CallMessages {
  constructor(private readonly deps: CallMessagesDeps) {
    deps.timers.handle(TIMER_SUBJECT, {
      prepare: (timer: Timer) => this.prepareTimer(timer),
      fire: async ({ timer, trx }, prepared) => this.fireTimer(timer, trx, prepared),
    });
  }

  reminders(r: Pick<ScheduledCallRow, "reminder_minutes">): number[] {
    const v = r.reminder_minutes as unknown;
    return (typeof v === "string" ? JSON.parse(v) : v) as number[];
  }

  async armTimers(trx: Kysely<DB>, r: ScheduledCallRow): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const subject = { type: TIMER_SUBJECT, id: r.id };
    for (const minutes of this.reminders(r)) {
      const at = ms(r.starts_at) - minutes * MINUTE;
      // A reminder whose time has passed (a call booked for within the hour) is not sent late.
      if (at > now)
        await this.deps.timers.start(trx, {
          subject,
          name: reminderTimer(minutes),
          at: new Date(at),
          payload: { minutes },
        });
      else await this.deps.timers.cancel(trx, subject, reminderTimer(minutes));
    }
    await this.deps.timers.start(trx, { subject, name: START_TIMER, at: new Date(r.starts_at) });
  }

  async cancelTimers(trx: Kysely<DB>, r: ScheduledCallRow): Promise<void> {
    const subject = { type: TIMER_SUBJECT, id: r.id };
    for (const minutes of this.reminders(r)) await this.deps.timers.cancel(trx, subject, reminderTimer(minutes));
    await this.deps.timers.cancel(trx, subject, START_TIMER);
  }

  uid(r: Pick<ScheduledCallRow, "id">): string {
    let host = "plantao.localhost";
    try {
      host = new URL(this.deps.publicUrl).hostname || host;
    } catch {
      // an unusable public URL still leaves a unique UID
    }
    return `${r.id}@${host}`;
  }

  link(to: "attendee" | "engineer"): string {
    const base = this.deps.publicUrl.replace(/\/$/, "");
    return to === "attendee" ? `${base}/portal/scheduled-calls` : `${base}/scheduled-calls`;
  }

  params(r: ScheduledCallRow, e: { name: string }, t: TicketRow, to: "attendee" | "engineer") {
    return {
      scheduledCallId: r.id,
      number: Number(t.number),
      subject: t.subject,
      topic: r.topic,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      timeZone: r.time_zone,
      engineerName: e.name,
      attendeeName: r.attendee_name,
      link: this.link(to),
    };
  }

  ics(
    r: ScheduledCallRow,
    e: { name: string; email: string },
    t: TicketRow,
    method: "REQUEST" | "CANCEL",
    sequence: number,
  ) {
    return invitationIcs({
      method,
      uid: this.uid(r),
      sequence,
      stamp: this.deps.clock.now(),
      start: new Date(r.starts_at),
      end: new Date(r.ends_at),
      summary: `${r.topic} (#${Number(t.number)})`,
      description: `#${Number(t.number)} ${t.subject}\n${this.link("attendee")}`,
      url: this.link("attendee"),
      organizer: { name: e.name, email: e.email },
      attendees: [{ name: r.attendee_name, email: r.attendee_email }],
    });
  }

  recipient(r: ScheduledCallRow, who: "attendee" | "engineer", e: Engineer): NotificationRequest["to"] {
    if (who === "engineer") return { userId: e.id };
    return r.attendee_user_id ? { userId: r.attendee_user_id } : { email: r.attendee_email };
  }

  async invite(trx: Kysely<DB>, r: ScheduledCallRow, e: Engineer, t: TicketRow, o: { update: boolean }) {
    const calendar = { method: "REQUEST" as const, content: this.ics(r, e, t, "REQUEST", r.sequence) };
    await this.deps.notifier.enqueue(
      (["attendee", "engineer"] as const).map((who) => ({
        to: this.recipient(r, who, e),
        channel: "email" as const,
        template: "scheduled-call.invitation",
        params: { ...this.params(r, e, t, who), update: o.update, calendar },
        thread: { kind: "scheduled_call", id: r.id },
      })),
      trx,
    );
  }

  cancelMessage(
    r: ScheduledCallRow,
    sequence: number,
    e: Engineer | undefined,
    t: TicketRow,
    reason: string | null,
    who: "attendee" | "engineer",
  ): NotificationRequest {
    const organizer = e ?? { id: "", name: "Plantão", email: `noreply@${new URL(this.deps.publicUrl).hostname}` };
    const content = this.ics(r, organizer, t, "CANCEL", sequence);
    return {
      to:
        who === "engineer" && e
          ? { userId: e.id }
          : r.attendee_user_id
            ? { userId: r.attendee_user_id }
            : { email: r.attendee_email },
      channel: "email",
      template: "scheduled-call.cancelled",
      params: { ...this.params(r, organizer, t, who), reason, calendar: { method: "CANCEL", content } },
      thread: { kind: "scheduled_call", id: r.id },
    };
  }

  async publish(
    trx: Kysely<DB>,
    type: "scheduled_call.booked" | "scheduled_call.cancelled" | "scheduled_call.started",
    r: ScheduledCallRow,
    extra: Record<string, never>,
  ): Promise<void>;
  async publish(
    trx: Kysely<DB>,
    type: "scheduled_call.rescheduled",
    r: ScheduledCallRow,
    extra: { previousStartsAt: string },
  ): Promise<void>;
  async publish(
    trx: Kysely<DB>,
    type: "scheduled_call.outcome",
    r: ScheduledCallRow,
    extra: { outcome: string },
  ): Promise<void>;
  async publish(trx: Kysely<DB>, type: string, r: ScheduledCallRow, extra: Record<string, string>): Promise<void> {
    await this.deps.events.publish(
      {
        type,
        organizationId: r.organization_id,
        payload: {
          scheduledCallId: r.id,
          ticketId: r.ticket_id,
          startsAt: r.starts_at,
          endsAt: r.ends_at,
          status: r.status,
          ...extra,
        },
      } as never,
      trx,
    );
  }

  // timers ----------------------------------------------------------------------------------------------------

  async prepareTimer(timer: Timer) {
    const r = await this.deps.repo.find(timer.subject.id);
    if (!r) return null;
    const [e, t] = await Promise.all([this.deps.engineer(r.engineer_user_id), this.deps.tickets.find(r.ticket_id)]);
    return e && t ? { e, t } : null;
  }

  /** A reminder to both, or at the booked time the engineer's call-now message and `scheduled_call.started`. */
  async fireTimer(timer: Timer, trx: Kysely<DB>, prepared: { e: Engineer; t: TicketRow } | null) {
    const r = await this.deps.repo.find(timer.subject.id, undefined, trx);
    if (r?.status !== "booked" || !prepared) return;
    const { e, t } = prepared;
    if (timer.name === START_TIMER) {
      await this.deps.notifier.enqueue(
        [
          {
            to: { userId: e.id },
            template: "scheduled-call.starting",
            params: this.params(r, e, t, "engineer"),
            thread: { kind: "scheduled_call", id: r.id },
          },
        ],
        trx,
      );
      await this.publish(trx, "scheduled_call.started", r, {});
      return;
    }
    const minutes = (timer.payload as { minutes?: number } | null)?.minutes ?? 0;
    await this.deps.notifier.enqueue(
      (["attendee", "engineer"] as const).map((who) => ({
        to: this.recipient(r, who, e),
        channel: "email" as const,
        template: "scheduled-call.reminder",
        params: { ...this.params(r, e, t, who), minutes },
        thread: { kind: "scheduled_call", id: r.id },
      })),
      trx,
    );
  }
}
