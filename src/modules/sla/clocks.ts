import type { Calendar, Duration, PlanDocument, SeverityId, TierId } from "../plan/document.js";
import type { Status } from "../tickets/model.js";
import { durationOpenMs, type Instant } from "./business-time.js";
import { type CompiledCalendar, compileCalendar, MINUTE } from "./calendar.js";

/**
 * SLA clocks as a pure function of a ticket's events, the policy and `now`: nothing is stored, so a changed
 * policy or calendar is reflected the next time the clocks are computed (the failure of Zammad #534).
 *
 * Every clock has a budget of open time (business ms) and a calendar history (the calendar in force from
 * each instant on). Pauses remove their open time from the elapsed time, so they move the deadlines by the
 * paused business time and never restart the clock.
 */

export type ClockKind = "first_response" | "next_response" | "resolution" | "tier_response";
/** `stopped`: ended without being fulfilled (the ticket was resolved, or left the tier), and not breached. */
export type ClockStatus = "running" | "paused" | "fulfilled" | "breached" | "stopped";
/** Why a clock was paused: a pausing status, or the time a reopened ticket spent resolved or closed. */
export type PauseReason = Status;

export type TicketEvent =
  | { type: "opened"; at: Instant; severity: SeverityId; tier: TierId }
  | { type: "status_changed"; at: Instant; status: Status }
  /** A public reply to the customer; `tier` when known limits which tier clock it fulfils. */
  | { type: "agent_reply"; at: Instant; tier?: TierId }
  /** A logged phone call; only an answered one is a response. */
  | { type: "phone_call"; at: Instant; answered: boolean; tier?: TierId }
  | { type: "internal_note"; at: Instant }
  | { type: "automatic_reply"; at: Instant }
  | { type: "customer_message"; at: Instant }
  | { type: "tier_entered"; at: Instant; tier: TierId }
  | { type: "severity_changed"; at: Instant; severity: SeverityId }
  /** The plan's calendar `calendar` is `definition` from `at` on: time already used stays used. */
  | { type: "calendar_changed"; at: Instant; calendar: string; definition: Calendar }
  /**
   * Another SLA policy applies from `at` on (the ticket's type, severity or tier changed): clocks still counting
   * take its budgets, counted from their start; time already used stays used.
   */
  | { type: "policy_changed"; at: Instant; severities: SlaPolicy["severities"]; tiers: SlaPolicy["tiers"] };

export interface SlaPolicy {
  calendars: Record<string, Calendar>;
  severities: Record<SeverityId, { response: Duration; resolution: Duration; calendar: string }>;
  tiers: Record<TierId, { target: Duration; maximum: Duration; calendar: string }>;
  /**
   * Severity clocks have one duration, which is the breach. With a warning percent their target is that share
   * of it; without one, target and breach are the same instant.
   */
  warningPercent?: number;
  /** Statuses that pause the resolution clock. */
  pausingStatuses: readonly Status[];
}

export const defaultPausingStatuses: readonly Status[] = ["pending_customer", "pending_vendor"];

/** The policy the plan implies: tier ranges give target (lower bound) and breach (upper bound). */
export function policyFromPlan(
  plan: PlanDocument,
  opts: { warningPercent?: number; pausingStatuses?: readonly Status[] } = {},
): SlaPolicy {
  const tier = (id: TierId) => {
    const rt = plan.tiers[id].responseTime;
    return { target: rt.target, maximum: rt.maximum, calendar: rt.calendar };
  };
  const severity = (id: SeverityId) => {
    const s = plan.severities[id];
    return { response: s.response, resolution: s.resolution, calendar: s.calendar };
  };
  return {
    calendars: plan.calendars,
    severities: {
      critical: severity("critical"),
      high: severity("high"),
      medium: severity("medium"),
      low: severity("low"),
    },
    tiers: { L1: tier("L1"), L2: tier("L2"), L3: tier("L3") },
    warningPercent: opts.warningPercent,
    pausingStatuses: opts.pausingStatuses ?? defaultPausingStatuses,
  };
}

export interface Pause {
  from: number;
  /** Null while the pause lasts. */
  to: number | null;
  reason: PauseReason;
}

export interface SlaClock {
  kind: ClockKind;
  /** The tier a tier_response clock is attributed to; null for the other kinds. */
  tier: TierId | null;
  /** Id of the calendar the clock counts on now (after severity or tier changes). */
  calendar: string;
  startedAt: number;
  targetAt: number;
  breachAt: number;
  fulfilledAt: number | null;
  breachedAt: number | null;
  stoppedAt: number | null;
  /** Open time the clock allows before its target and before its breach (its budget). */
  targetBusinessMinutes: number;
  breachBusinessMinutes: number;
  /** Open time counted so far (up to fulfilment, stop or now), pauses excluded. */
  elapsedBusinessMinutes: number;
  /** Open time left before the breach; negative once breached (how late it is). */
  remainingBusinessMinutes: number;
  pauses: Pause[];
  status: ClockStatus;
}

/** Events or a policy the clocks cannot be computed from (a bug of the caller, not of the ticket). */
export class SlaInputError extends Error {}

/** The calendar in force from each instant on; the first piece covers everything before the second. */
type CalendarHistory = { from: number; calendar: CompiledCalendar }[];

function historyBetween(history: CalendarHistory, a: number, b: number): number {
  let sum = 0;
  for (let i = 0; i < history.length; i++) {
    const from = i === 0 ? a : Math.max(a, history[i]!.from);
    const to = i + 1 < history.length ? Math.min(b, history[i + 1]!.from) : b;
    if (to > from) sum += history[i]!.calendar.openBetween(from, to);
  }
  return sum;
}

function historyAdd(history: CalendarHistory, a: number, ms: number): number {
  let remaining = ms;
  for (let i = 0; i < history.length; i++) {
    const to = i + 1 < history.length ? history[i + 1]!.from : Number.POSITIVE_INFINITY;
    if (a >= to) continue;
    const from = i === 0 ? a : Math.max(a, history[i]!.from);
    const calendar = history[i]!.calendar;
    if (to === Number.POSITIVE_INFINITY) return calendar.addOpen(from, remaining);
    const available = calendar.openBetween(from, to);
    if (available >= remaining) return calendar.addOpen(from, remaining);
    remaining -= available;
  }
  throw new Error("unreachable: the last calendar piece is unbounded");
}

interface Track {
  kind: ClockKind;
  tier: TierId | null;
  calendarId: string;
  startedAt: number;
  history: CalendarHistory;
  targetMs: number;
  breachMs: number;
  /** When the current budget came into force: a stricter severity cannot breach a clock before it applied. */
  budgetSince: number;
  pauses: Pause[];
  fulfilledAt: number | null;
  stoppedAt: number | null;
}

/**
 * A new budget from `t` on. An unchanged one keeps its date, so a clock already late stays late from when it
 * breached; a changed one is never due before `t`.
 */
function rebudget(track: Track, budget: { targetMs: number; breachMs: number }, t: number): void {
  if (budget.targetMs === track.targetMs && budget.breachMs === track.breachMs) return;
  Object.assign(track, budget, { budgetSince: t });
}

const ended = (t: Track) => t.fulfilledAt !== null || t.stoppedAt !== null;
const isDone = (s: Status) => s === "resolved" || s === "closed";
const at = (t: Instant) => (typeof t === "number" ? t : t.getTime());

class Replay {
  private readonly calendars: Record<string, Calendar>;
  readonly tracks: Track[] = [];
  private severity: SeverityId | null = null;
  private tier: TierId | null = null;
  private status: Status = "new";
  private firstResponse: Track | null = null;
  private nextResponse: Track | null = null;
  private resolution: Track | null = null;
  private tierClock: Track | null = null;
  /** The oldest customer message no public agent reply has answered yet. */
  private unansweredSince: number | null = null;

  constructor(private policy: SlaPolicy) {
    this.calendars = { ...policy.calendars };
  }

  private compiled(id: string): CompiledCalendar {
    const definition = Object.hasOwn(this.calendars, id) ? this.calendars[id] : undefined;
    if (!definition) throw new SlaInputError(`unknown calendar "${id}"`);
    return compileCalendar(definition);
  }

  private severityBudget(kind: ClockKind, track: Pick<Track, "startedAt" | "history">, severity: SeverityId) {
    const s = this.policy.severities[severity];
    const duration = kind === "resolution" ? s.resolution : s.response;
    const calendar = track.history[track.history.length - 1]!.calendar;
    const breachMs = durationOpenMs(calendar, track.startedAt, duration);
    const pct = this.policy.warningPercent;
    return { breachMs, targetMs: pct === undefined ? breachMs : Math.round((breachMs * pct) / 100) };
  }

  private startSeverityClock(kind: ClockKind, startedAt: number): Track {
    const severity = this.severity!;
    const calendarId = this.policy.severities[severity].calendar;
    const history = [{ from: startedAt, calendar: this.compiled(calendarId) }];
    const track: Track = {
      kind,
      tier: null,
      calendarId,
      startedAt,
      history,
      ...this.severityBudget(kind, { startedAt, history }, severity),
      budgetSince: startedAt,
      pauses: [],
      fulfilledAt: null,
      stoppedAt: null,
    };
    this.tracks.push(track);
    return track;
  }

  private startTierClock(tier: TierId, startedAt: number): void {
    const policy = this.policy.tiers[tier];
    const calendar = this.compiled(policy.calendar);
    this.tierClock = {
      kind: "tier_response",
      tier,
      calendarId: policy.calendar,
      startedAt,
      history: [{ from: startedAt, calendar }],
      targetMs: durationOpenMs(calendar, startedAt, policy.target),
      breachMs: durationOpenMs(calendar, startedAt, policy.maximum),
      budgetSince: startedAt,
      pauses: [],
      fulfilledAt: null,
      stoppedAt: null,
    };
    this.tracks.push(this.tierClock);
  }

  apply(event: TicketEvent): void {
    const t = at(event.at);
    if (event.type !== "opened" && this.severity === null) {
      throw new SlaInputError(`the first event must be "opened", got "${event.type}"`);
    }
    switch (event.type) {
      case "opened":
        if (this.severity !== null) throw new SlaInputError("a ticket is opened only once");
        this.severity = event.severity;
        this.tier = event.tier;
        this.firstResponse = this.startSeverityClock("first_response", t);
        this.resolution = this.startSeverityClock("resolution", t);
        this.startTierClock(event.tier, t);
        return;
      case "agent_reply":
        this.respond(t, event.tier);
        return;
      case "phone_call":
        if (event.answered) this.respond(t, event.tier);
        return;
      case "internal_note":
      case "automatic_reply":
        return;
      case "customer_message":
        this.unansweredSince ??= t;
        this.maybeStartNextResponse(Number.NEGATIVE_INFINITY);
        return;
      case "tier_entered":
        if (event.tier === this.tier) return;
        this.tier = event.tier;
        if (this.tierClock && !ended(this.tierClock)) this.tierClock.stoppedAt = t;
        this.tierClock = null;
        if (!isDone(this.status)) this.startTierClock(event.tier, t);
        return;
      case "severity_changed":
        this.changeSeverity(t, event.severity);
        return;
      case "status_changed":
        this.changeStatus(t, event.status);
        return;
      case "policy_changed":
        this.policy = { ...this.policy, severities: event.severities, tiers: event.tiers };
        this.rebudgetSeverityClocks(t, this.severity!);
        this.rebudgetTierClock(t);
        return;
      case "calendar_changed":
        this.calendars[event.calendar] = event.definition;
        for (const track of this.tracks) {
          if (!ended(track) && track.calendarId === event.calendar) {
            track.history.push({ from: t, calendar: compileCalendar(event.definition) });
          }
        }
        return;
    }
  }

  private respond(t: number, tier: TierId | undefined): void {
    this.unansweredSince = null;
    for (const track of [this.firstResponse, this.nextResponse]) {
      if (track && !ended(track)) track.fulfilledAt = t;
    }
    this.nextResponse = null;
    const tc = this.tierClock;
    if (tc && !ended(tc) && (tier === undefined || tier === tc.tier)) tc.fulfilledAt = t;
  }

  /**
   * Starts next_response at the oldest unanswered customer message, never before `floor` (a reopen: messages
   * sent while the ticket was resolved wait from the reopen). Only after the first response: until then the
   * first response clock covers every customer message.
   */
  private maybeStartNextResponse(floor: number): void {
    if (this.unansweredSince === null || this.nextResponse || isDone(this.status)) return;
    if (this.firstResponse && !ended(this.firstResponse)) return;
    this.nextResponse = this.startSeverityClock("next_response", Math.max(this.unansweredSince, floor));
  }

  private changeSeverity(t: number, severity: SeverityId): void {
    if (severity === this.severity) return;
    this.severity = severity;
    this.rebudgetSeverityClocks(t, severity);
  }

  /** The severity's budgets (and calendar from `t` on) for the severity clocks still counting. */
  private rebudgetSeverityClocks(t: number, severity: SeverityId): void {
    const calendarId = this.policy.severities[severity].calendar;
    for (const track of [this.firstResponse, this.nextResponse, this.resolution]) {
      if (!track || ended(track)) continue;
      if (track.calendarId !== calendarId) {
        track.calendarId = calendarId;
        track.history.push({ from: t, calendar: this.compiled(calendarId) });
      }
      rebudget(track, this.severityBudget(track.kind, track, severity), t);
    }
  }

  /** The current tier clock, if still counting, takes the policy's budget for its tier (and calendar from `t` on). */
  private rebudgetTierClock(t: number): void {
    const track = this.tierClock;
    if (!track || ended(track)) return;
    const policy = this.policy.tiers[track.tier!];
    if (track.calendarId !== policy.calendar) {
      track.calendarId = policy.calendar;
      track.history.push({ from: t, calendar: this.compiled(policy.calendar) });
    }
    const calendar = track.history[track.history.length - 1]!.calendar;
    rebudget(
      track,
      {
        targetMs: durationOpenMs(calendar, track.startedAt, policy.target),
        breachMs: durationOpenMs(calendar, track.startedAt, policy.maximum),
      },
      t,
    );
  }

  private changeStatus(t: number, status: Status): void {
    const was = this.status;
    if (status === was) return;
    this.status = status;
    const resolution = this.resolution!;
    const open = resolution.pauses.at(-1);
    if (open && open.to === null) open.to = t;
    if (isDone(status) && !isDone(was)) {
      resolution.fulfilledAt = t;
      for (const track of [this.firstResponse, this.nextResponse, this.tierClock]) {
        if (track && !ended(track)) track.stoppedAt = t;
      }
      this.nextResponse = null;
      this.unansweredSince = null;
      return;
    }
    if (isDone(was) && !isDone(status)) {
      // Reopened: the time spent resolved is a pause, so the clock continues where it stopped.
      resolution.pauses.push({ from: resolution.fulfilledAt!, to: t, reason: was });
      resolution.fulfilledAt = null;
      this.maybeStartNextResponse(t);
    }
    if (!isDone(status) && this.policy.pausingStatuses.includes(status)) {
      resolution.pauses.push({ from: t, to: null, reason: status });
    }
  }
}

/** Stretches of time the clock runs, pauses cut out; the last one is unbounded (a running pause ends `now`). */
function runningSegments(track: Track, now: number): [number, number][] {
  const segments: [number, number][] = [];
  let cursor = track.startedAt;
  for (const p of track.pauses) {
    if (p.from > cursor) segments.push([cursor, p.from]);
    cursor = Math.max(cursor, p.to ?? now);
  }
  segments.push([cursor, Number.POSITIVE_INFINITY]);
  return segments;
}

/** The instant the clock has run `budget` open ms, walking its running stretches. */
function deadline(track: Track, segments: [number, number][], budget: number): number {
  let remaining = budget;
  for (const [from, to] of segments) {
    const available = to === Number.POSITIVE_INFINITY ? remaining : historyBetween(track.history, from, to);
    if (available >= remaining) return Math.max(historyAdd(track.history, from, remaining), track.budgetSince);
    remaining -= available;
  }
  throw new Error("unreachable: the last segment is unbounded");
}

function present(track: Track, now: number): SlaClock {
  const segments = runningSegments(track, now);
  const end = track.fulfilledAt ?? track.stoppedAt ?? now;
  let elapsed = 0;
  for (const [from, to] of segments) {
    if (from >= end) break;
    elapsed += historyBetween(track.history, from, Math.min(to, end));
  }
  const targetAt = deadline(track, segments, track.targetMs);
  const breachAt = deadline(track, segments, track.breachMs);
  const breachedAt = breachAt < end ? breachAt : null;
  const paused = track.pauses.at(-1)?.to === null;
  const status: ClockStatus =
    breachedAt !== null
      ? "breached"
      : track.fulfilledAt !== null
        ? "fulfilled"
        : track.stoppedAt !== null
          ? "stopped"
          : paused
            ? "paused"
            : "running";
  return {
    kind: track.kind,
    tier: track.tier,
    calendar: track.calendarId,
    startedAt: track.startedAt,
    targetAt,
    breachAt,
    fulfilledAt: track.fulfilledAt,
    breachedAt,
    stoppedAt: track.stoppedAt,
    targetBusinessMinutes: track.targetMs / MINUTE,
    breachBusinessMinutes: track.breachMs / MINUTE,
    elapsedBusinessMinutes: elapsed / MINUTE,
    remainingBusinessMinutes: (track.breachMs - elapsed) / MINUTE,
    pauses: track.pauses.map((p) => ({ ...p })),
    status,
  };
}

/**
 * The SLA clocks of a ticket at `now` from its events in order (events after `now` are not yet known and are
 * ignored). Throws SlaInputError on events out of order, a ticket not opened first, or an unknown calendar.
 */
export function computeClocks(input: { events: readonly TicketEvent[]; policy: SlaPolicy; now: Instant }): SlaClock[] {
  const now = at(input.now);
  const replay = new Replay(input.policy);
  let previous = Number.NEGATIVE_INFINITY;
  for (const event of input.events) {
    const t = at(event.at);
    if (!Number.isFinite(t)) throw new SlaInputError(`event "${event.type}" has no valid time`);
    if (t < previous) throw new SlaInputError(`event "${event.type}" at ${new Date(t).toISOString()} is out of order`);
    if (t > now) break;
    previous = t;
    replay.apply(event);
  }
  return replay.tracks.map((track) => present(track, now));
}

/** The next breach to watch: the earliest breachAt of the clocks still counting, or null when none is. */
export function nextBreach(clocks: readonly SlaClock[]): SlaClock | null {
  let next: SlaClock | null = null;
  for (const c of clocks) {
    if ((c.status === "running" || c.status === "paused") && (!next || c.breachAt < next.breachAt)) next = c;
  }
  return next;
}
