import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import { uuidv7 } from "../../platform/ids.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { NotificationRequest, Notifier } from "../notifications/service.js";
import type { PlanDocument, SeverityId } from "../plan/document.js";
import type { PlanService, PlanVersion } from "../plan/service.js";
import { computeClocks, policyFromPlan, type SlaClock } from "../sla/clocks.js";
import { type EscalationStepDue, escalationSteps } from "../sla/escalation.js";
import { describePolicy, planUnderPolicy } from "../sla/policies.js";
import type { TimerFiring, TimerService } from "../timers/service.js";
import type { HistoryRow, MessageRow, SlaEventRow, TicketRepository, TicketRow } from "./repository.js";
import { policyTimeline, slaPlanFor, ticketEvents, withCalendarChanges } from "./sla-events.js";
import { noteLocaleOfPreference, type SkippedRecipient, type SystemNote, storedNote } from "./system-notes.js";
import { withTierCalendar } from "./triage.js";

const severityRank: Record<SeverityId, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** What a ticket's clocks are computed from, read once per transaction. */
export interface SlaInputs {
  history: HistoryRow[];
  messages: MessageRow[];
}

export type ComputedSla = ReturnType<typeof computeSla>;

/** Mail an escalation step sends once the deadline's transaction committed. */
interface EscalationMail {
  notify: string[];
  params: Record<string, unknown>;
  assignee: string | null;
  team: string | null;
  customer: { email: string; userId: string | null; number: number; subject: string; name: string } | null;
}

const TIMER = "sla";
const subjectOf = (ticketId: string) => ({ type: "ticket", id: ticketId });

/**
 * The ticket's clocks at `now` under the plan it runs on (see `slaPlanFor`), and the plan its escalation steps
 * are counted on: the calendars in force now, under the policy that applies now. Pure.
 */
export function computeSla(ticket: TicketRow, inputs: SlaInputs, versions: readonly PlanVersion[], now: Date) {
  const sla = slaPlanFor(ticket.created_at, versions);
  const policies = policyTimeline(ticket, inputs.history, sla.plan);
  const clocks = computeClocks({
    events: withCalendarChanges(ticketEvents(ticket, inputs.history, inputs.messages), [
      ...sla.calendarChanges,
      ...policies.changes,
    ]),
    // The routed calendar (a critical ticket's 24x7) replaces the tiers' business hours.
    policy: policyFromPlan(withTierCalendar(planUnderPolicy(sla.plan, policies.opening), ticket.sla_calendar)),
    now,
  });
  const plan: PlanDocument = {
    ...withTierCalendar(planUnderPolicy(sla.plan, policies.current), ticket.sla_calendar),
    calendars: versions.at(-1)!.document.calendars,
  };
  return {
    clocks,
    plan,
    version: sla.version,
    calendarVersions: sla.calendarVersions,
    policy: describePolicy(policies.current),
    policyHistory: policies.applied,
  };
}

/** The ticket's SLA columns: the earliest breach among clocks still counting, and whether any clock breached. */
export function slaColumns(clocks: SlaClock[]): Pick<TicketRow, "sla_due_at" | "sla_breached"> {
  const counting = clocks.filter((c) => c.status === "running" || c.status === "paused");
  const due = counting.length ? Math.min(...counting.map((c) => c.breachAt)) : null;
  return {
    sla_due_at: due === null ? null : new Date(due).toISOString(),
    sla_breached: clocks.some((c) => c.breachedAt !== null),
  };
}

/** The next instant the ticket's timer must fire at: a clock's target or breach, or an escalation step; null if none. */
function nextInstant(ticket: TicketRow, { clocks, plan }: Pick<ComputedSla, "clocks" | "plan">, now: Date) {
  const upcoming = [
    ...clocks.filter((c) => c.status === "running").flatMap((c) => [c.targetAt, c.breachAt]),
    ...escalationSteps(plan, ticket.severity as SeverityId, clocks, now.getTime()).map((s) => s.at),
  ].filter((t) => t > now.getTime());
  return upcoming.length ? Math.min(...upcoming) : null;
}

/** The SLA event rows of the clocks' start, pauses, resumptions and fulfilment not recorded yet. */
function clockEventRows(ticket: TicketRow, clocks: SlaClock[], recorded: ReadonlySet<string>) {
  const rows: Omit<SlaEventRow, "created_at">[] = [];
  for (const c of clocks) {
    const marks: { kind: SlaEventRow["kind"]; at: number; n?: number }[] = [{ kind: "started", at: c.startedAt }];
    c.pauses.forEach((p, n) => {
      marks.push({ kind: "paused", at: p.from, n });
      if (p.to !== null) marks.push({ kind: "resumed", at: p.to, n });
    });
    if (c.fulfilledAt !== null) marks.push({ kind: "fulfilled", at: c.fulfilledAt });
    for (const m of marks) {
      const key = `${ticket.id}:${c.kind}:${c.tier ?? "-"}:${c.startedAt}:${m.kind}${m.n === undefined ? "" : `:${m.n}`}`;
      if (recorded.has(key)) continue;
      rows.push({
        id: uuidv7(),
        ticket_id: ticket.id,
        clock: c.kind,
        tier: c.tier,
        kind: m.kind,
        at: new Date(m.at).toISOString(),
        dedupe_key: key,
      });
    }
  }
  return rows;
}

/**
 * A ticket's SLA over time: its clocks recomputed after each change, their events recorded once, and one timer
 * (`ticket`/`sla`) armed for the next instant a clock reaches its target or breach or an escalation step is due.
 * When it fires, warnings and breaches are announced once each, reached escalation steps run once each, and the
 * timer is armed again; mail goes out after the commit.
 */
export class TicketSlaService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly identity: DirectoryService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly plan: PlanService,
    private readonly timers: TimerService,
    private readonly notifier: Notifier,
  ) {
    timers.handle<PlanVersion[]>("ticket", {
      prepare: () => this.plan.timeline(),
      fire: (firing, versions) => this.onTimer(firing, versions),
    });
  }

  async inputs(executor: Kysely<DB>, ticketId: string): Promise<SlaInputs> {
    const [history, messages] = await Promise.all([
      this.repo.history(ticketId, executor),
      this.repo.messages(ticketId, true, executor),
    ]);
    return { history, messages };
  }

  /** Recomputes the clocks after a change, stores the SLA columns and arms the timer; returns the columns. */
  async refresh(
    trx: Kysely<DB>,
    ticket: TicketRow,
    versions: PlanVersion[],
  ): Promise<Pick<TicketRow, "sla_due_at" | "sla_breached">> {
    const now = this.clock.now();
    const computed = computeSla(ticket, await this.inputs(trx, ticket.id), versions, now);
    const sla = slaColumns(computed.clocks);
    await this.repo.update(ticket.id, sla, trx);
    await this.arm(trx, ticket, computed, now, await this.recorded(trx, ticket.id));
    return sla;
  }

  async recorded(executor: Kysely<DB>, ticketId: string): Promise<Set<string>> {
    return new Set((await this.repo.slaEvents(ticketId, executor)).map((e) => e.dedupe_key));
  }

  /**
   * `refresh` for the tickets of a bulk change, before their rows are written: their clocks computed from what
   * is stored plus each one's new history rows (two reads for them all), their SLA columns returned with them.
   */
  async computeMany(
    trx: Kysely<DB>,
    changed: readonly { after: TicketRow; history: HistoryRow[] }[],
    versions: PlanVersion[],
  ): Promise<{ ticket: TicketRow; computed: ComputedSla }[]> {
    const ids = changed.map((c) => c.after.id);
    const [history, messages] = await Promise.all([
      this.repo.historyOfMany(ids, trx),
      this.repo.messagesOfMany(ids, trx),
    ]);
    const now = this.clock.now();
    return changed.map(({ after: ticket, history: added }) => {
      const inputs = {
        history: [...history.filter((h) => h.ticket_id === ticket.id), ...added],
        messages: messages.filter((m) => m.ticket_id === ticket.id),
      };
      const computed = computeSla(ticket, inputs, versions, now);
      return { ticket: { ...ticket, ...slaColumns(computed.clocks) }, computed };
    });
  }

  /** `arm` for the tickets of a bulk change, once their rows are written: a few statements for them all. */
  async armMany(trx: Kysely<DB>, armed: readonly { ticket: TicketRow; computed: ComputedSla }[]): Promise<void> {
    const now = this.clock.now();
    const keys = await this.repo.slaEventKeysOfMany(
      armed.map((a) => a.ticket.id),
      trx,
    );
    const recorded = new Set(keys.map((k) => k.dedupe_key));
    const rows = armed.flatMap(({ ticket, computed }) => clockEventRows(ticket, computed.clocks, recorded));
    await this.publishClockEvents(
      trx,
      armed.map((a) => a.ticket),
      rows,
      now.toISOString(),
    );
    await this.timers.setMany(
      trx,
      "ticket",
      TIMER,
      armed.map(({ ticket, computed }) => {
        const upcoming = nextInstant(ticket, computed, now);
        return { subjectId: ticket.id, at: upcoming === null ? null : new Date(upcoming) };
      }),
    );
  }

  /**
   * Records the clocks' new events and sets the ticket's timer to the next instant that matters (cancels it when
   * none is left). The caller stores the SLA columns (indexed, for the queue's `dueBefore` and `breached` filters).
   */
  async arm(
    trx: Kysely<DB>,
    ticket: TicketRow,
    computed: Pick<ComputedSla, "clocks" | "plan">,
    now: Date,
    recorded: ReadonlySet<string>,
  ): Promise<void> {
    await this.publishClockEvents(trx, [ticket], clockEventRows(ticket, computed.clocks, recorded), now.toISOString());
    const upcoming = nextInstant(ticket, computed, now);
    if (upcoming !== null) {
      await this.timers.start(trx, { subject: subjectOf(ticket.id), name: TIMER, at: new Date(upcoming) });
    } else {
      await this.timers.cancel(trx, subjectOf(ticket.id), TIMER);
    }
  }

  /**
   * Stores each clock's start, pauses, resumptions and fulfilment once (time-driven warnings and breaches are
   * the deadline's), and publishes each new one as `ticket.sla.<kind>`.
   */
  private async publishClockEvents(
    trx: Kysely<DB>,
    tickets: readonly TicketRow[],
    rows: Omit<SlaEventRow, "created_at">[],
    now: string,
  ) {
    const byId = new Map(tickets.map((t) => [t.id, t]));
    const inserted = await this.repo.insertSlaEvents(rows, now, trx);
    await this.events.publishMany(
      rows
        .filter((r) => inserted.has(r.dedupe_key))
        .map((r) => {
          const ticket = byId.get(r.ticket_id)!;
          return {
            type: `ticket.sla.${r.kind}`,
            organizationId: ticket.organization_id,
            subjectId: ticket.id,
            payload: { ticketId: ticket.id, number: Number(ticket.number), clock: r.clock, tier: r.tier, at: r.at },
          };
        }) as NewEvent[],
      trx,
    );
  }

  /** The ticket's clocks now, each explained, for `GET /tickets/{id}/sla`. */
  async view(ticket: TicketRow) {
    const now = this.clock.now();
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const { clocks, plan, version, calendarVersions, policy, policyHistory } = computeSla(
      ticket,
      await this.inputs(this.repo.db, ticket.id),
      await this.plan.timeline(),
      now,
    );
    return {
      ticketId: ticket.id,
      computedAt: now.toISOString(),
      planVersion: version,
      calendarVersions,
      policy,
      policyHistory,
      clocks: clocks.map((c) => ({
        kind: c.kind,
        tier: c.tier,
        calendar: c.calendar,
        calendarName: plan.calendars[c.calendar]?.name ?? c.calendar,
        status: c.status,
        startedAt: iso(c.startedAt)!,
        targetAt: iso(c.targetAt)!,
        breachAt: iso(c.breachAt)!,
        fulfilledAt: iso(c.fulfilledAt),
        breachedAt: iso(c.breachedAt),
        stoppedAt: iso(c.stoppedAt),
        targetBusinessMinutes: c.targetBusinessMinutes,
        breachBusinessMinutes: c.breachBusinessMinutes,
        elapsedBusinessMinutes: c.elapsedBusinessMinutes,
        remainingBusinessMinutes: c.remainingBusinessMinutes,
        pauses: c.pauses.map((p) => ({ from: iso(p.from)!, to: iso(p.to), reason: p.reason })),
      })),
    };
  }

  /** Runs the deadline now in its own transaction (the legacy job, and a manual re-check). */
  async onDeadline(ticketId: string): Promise<void> {
    const versions = await this.plan.timeline();
    const mail: EscalationMail[] = [];
    await this.repo.db.transaction().execute((trx) => this.deadline(trx, ticketId, versions, this.clock.now(), mail));
    await this.sendEscalationMail(mail);
  }

  private async onTimer(firing: TimerFiring, versions: PlanVersion[]): Promise<void> {
    const mail: EscalationMail[] = [];
    await this.deadline(firing.trx, firing.timer.subject.id, versions, firing.now, mail);
    // Queued after the commit: a step is recorded once; the notification outbox retries what fails to send.
    if (mail.length) firing.afterCommit(() => this.sendEscalationMail(mail));
  }

  /**
   * The deadline, in small steps over clocks computed once: announce warnings and breaches, run the escalation
   * steps reached, then arm the next instant. Only a step that changed the ticket's tier or severity (new events)
   * makes the clocks be computed again before arming.
   */
  private async deadline(
    trx: Kysely<DB>,
    ticketId: string,
    versions: PlanVersion[],
    now: Date,
    mail: EscalationMail[],
  ): Promise<void> {
    const t = await this.repo.find(ticketId, undefined, trx);
    if (!t) return;
    const [inputs, recorded] = await Promise.all([this.inputs(trx, t.id), this.recorded(trx, t.id)]);
    let computed = computeSla(t, inputs, versions, now);
    await this.announceTargets(trx, t, computed.clocks, now);
    let changed = false;
    for (const step of escalationSteps(computed.plan, t.severity as SeverityId, computed.clocks, now.getTime())) {
      if (step.at > now.getTime()) continue;
      const changes = await this.runStep(trx, t, step, now.toISOString(), mail);
      if (changes.length) {
        inputs.history.push(...changes);
        changed = true;
      }
    }
    if (changed) computed = computeSla(t, inputs, versions, now);
    await this.repo.update(t.id, slaColumns(computed.clocks), trx);
    await this.arm(trx, t, computed, now, recorded);
  }

  /** Each clock's warning (target reached) and breach, announced once: a system note and an event. */
  private async announceTargets(trx: Kysely<DB>, t: TicketRow, clocks: SlaClock[], now: Date): Promise<void> {
    const iso = now.toISOString();
    for (const c of clocks) {
      const mark: { kind: "warning" | "breached"; at: number } | null =
        c.breachedAt !== null
          ? { kind: "breached", at: c.breachedAt }
          : (c.status === "running" || c.status === "paused") && c.targetAt < c.breachAt && c.targetAt <= now.getTime()
            ? { kind: "warning", at: c.targetAt }
            : null;
      if (!mark) continue;
      const at = new Date(mark.at).toISOString();
      const breachAt = new Date(c.breachAt).toISOString();
      const fresh = await this.repo.insertSlaEvent(
        {
          id: uuidv7(),
          ticket_id: t.id,
          clock: c.kind,
          tier: c.tier,
          kind: mark.kind,
          at,
          dedupe_key: `${t.id}:${c.kind}:${c.tier ?? "-"}:${c.startedAt}:${mark.kind}`,
        },
        iso,
        trx,
      );
      if (!fresh) continue;
      await this.note(
        trx,
        t.id,
        mark.kind === "breached"
          ? { key: "sla.breached", params: { clock: c.kind, tier: c.tier, at } }
          : { key: "sla.warning", params: { clock: c.kind, tier: c.tier, at, breachAt } },
        iso,
      );
      await this.events.publish(
        {
          type: `ticket.sla.${mark.kind}`,
          organizationId: t.organization_id,
          subjectId: t.id,
          payload: { ticketId: t.id, number: Number(t.number), clock: c.kind, tier: c.tier, at, breachAt },
        },
        trx,
      );
    }
  }

  /**
   * One escalation step, once: its actions (move the ticket to a tier, raise its severity, never lower it), a
   * timeline note naming who is notified and who cannot be, an event, and the mail to send after the commit.
   * Returns the ticket's field changes (`t` is updated in place).
   */
  private async runStep(
    trx: Kysely<DB>,
    t: TicketRow,
    step: EscalationStepDue,
    iso: string,
    mail: EscalationMail[],
  ): Promise<HistoryRow[]> {
    const c = step.clock;
    const fresh = await this.repo.insertSlaEvent(
      {
        id: uuidv7(),
        ticket_id: t.id,
        clock: c.kind,
        tier: c.tier,
        kind: "escalation",
        at: iso,
        dedupe_key: `${t.id}:${c.kind}:-:${c.startedAt}:escalation:${step.step}`,
      },
      iso,
      trx,
    );
    if (!fresh) return [];
    const changes: HistoryRow[] = [];
    const change = (field: "tier" | "severity", value: string) => {
      changes.push({
        id: uuidv7(),
        ticket_id: t.id,
        at: iso,
        actor_user_id: null,
        field,
        before_value: t[field],
        after_value: value,
      });
      t[field] = value;
    };
    if (step.reassignTo && step.reassignTo !== t.tier) change("tier", step.reassignTo);
    if (step.raiseSeverityTo && severityRank[step.raiseSeverityTo] > severityRank[t.severity as SeverityId]) {
      change("severity", step.raiseSeverityTo);
    }
    if (changes.length) {
      await this.repo.update(t.id, { tier: t.tier, severity: t.severity, updated_at: iso }, trx);
      await this.repo.insertHistory(changes, trx);
    }
    const requester = JSON.parse(t.requester_contact) as { name: string; email?: string };
    const skipped: SkippedRecipient[] = [];
    if (step.notify.includes("team") && !t.team) skipped.push({ who: "team", reason: "no_team" });
    if (step.notify.includes("customerContact") && !requester.email) {
      skipped.push({ who: "customerContact", reason: "no_contact_email" });
    }
    await this.note(
      trx,
      t.id,
      {
        key: "sla.escalation",
        params: {
          step: step.step + 1,
          clock: c.kind,
          notified: step.notify.filter((n) => !skipped.some((x) => x.who === n)),
          changes: changes.map((h) => ({ field: h.field, before: h.before_value, after: h.after_value })),
          skipped,
        },
      },
      iso,
    );
    await this.events.publish(
      {
        type: "ticket.escalation",
        organizationId: t.organization_id,
        subjectId: t.id,
        payload: {
          ticketId: t.id,
          number: Number(t.number),
          step: step.step + 1,
          clock: c.kind,
          notify: step.notify,
          actions: changes.map((h) => `${h.field} ${h.before_value} → ${h.after_value}`),
        },
      },
      trx,
    );
    mail.push({
      notify: step.notify,
      assignee: t.assignee_user_id,
      team: step.notify.includes("team") ? t.team : null,
      customer:
        step.notify.includes("customerContact") && requester.email
          ? {
              email: requester.email,
              userId: t.requester_user_id,
              number: Number(t.number),
              subject: t.subject,
              name: requester.name,
            }
          : null,
      params: {
        ticketId: t.id,
        number: Number(t.number),
        subject: t.subject,
        severity: t.severity,
        tier: t.tier,
        status: t.status,
        clock: c.kind,
        breachAt: new Date(c.breachAt).toISOString(),
      },
    });
    return changes;
  }

  /** An internal system note, stored as its phrase key so each reader gets it in their language. */
  private note(trx: Kysely<DB>, ticketId: string, note: SystemNote, at: string): Promise<void> {
    return this.repo.insertMessage(
      {
        id: uuidv7(),
        ticket_id: ticketId,
        author_user_id: null,
        author_kind: "system",
        visibility: "internal",
        kind: "system",
        ...storedNote(note),
        created_at: at,
      },
      trx,
    );
  }

  /** Staff recipients in their language (every page of them), and the requester in customer wording. */
  private async sendEscalationMail(mail: EscalationMail[]): Promise<void> {
    for (const m of mail) {
      const thread = { kind: "ticket", id: String(m.params.ticketId ?? "") };
      const staff = new Map<string, { email: string; locale: string }>();
      const roles = m.notify.filter((n) => n !== "team" && n !== "customerContact");
      for (const r of await this.identity.escalationRecipients(roles, m.assignee)) staff.set(r.email, r);
      if (m.team) for (const r of await this.teamMembers(m.team)) staff.set(r.email, r);
      const requests: NotificationRequest[] = [...staff.values()].map((r) => ({
        to: { email: r.email, locale: noteLocaleOfPreference(r.locale) },
        template: "ticket.escalation.staff",
        params: m.params,
        thread,
      }));
      if (m.customer) {
        const c = m.customer;
        // The requester's account when there is one (its language and preferences); else the contact's address.
        requests.push({
          to: c.userId ? { userId: c.userId } : { email: c.email },
          channel: "email",
          template: "ticket.escalation.customer",
          params: { number: c.number, subject: c.subject, name: c.name },
          thread,
        });
      }
      await this.notifier.enqueue(requests);
    }
  }

  /** Active staff users of a team (a ticket's `team` is one of their `teams`), every page of them. */
  private async teamMembers(team: string): Promise<{ email: string; locale: string }[]> {
    const members: { email: string; locale: string }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.identity.listUsers({ limit: 500, after }, {});
      for (const u of page) if (!u.disabled && isStaff(u.role) && u.teams.includes(team)) members.push(u);
      if (page.length < 500) return members;
      after = page.at(-1)!.id;
    }
  }
}
