import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import { type Actor, forbidden, tenantOf } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import type { Duration } from "../plan/document.js";
import type { PlanService } from "../plan/service.js";
import { openStatuses } from "../tickets/model.js";
import type { TicketService } from "../tickets/service.js";
import type { NamedCalendar, TimerService } from "../timers/service.js";
import type { CallEvent } from "./ami-calls.js";
import type { CallerDirectory, CallerMatch } from "./callers.js";
import { callerKey } from "./phone-numbers.js";
import type { CallRow, PbxConnectionRow, TelephonyRepository } from "./repository.js";

/** A missed call's callback deadline: a `call_callback` timer named `callback`, owned by this module. */
export const CALLBACK_TIMER = { type: "call_callback", name: "callback" } as const;

const system = { ip: "", headers: {} };

export function presentCall(c: CallRow) {
  return {
    id: c.id,
    externalId: c.external_id,
    source: c.source,
    pbxConnectionId: c.pbx_connection_id,
    direction: c.direction,
    from: c.from_number,
    to: c.to_number,
    callerNumber: c.caller_key,
    queue: c.queue,
    organizationId: c.organization_id,
    contact: c.contact === null ? null : (JSON.parse(c.contact) as { name: string; email?: string; phone?: string }),
    agentId: c.agent_user_id,
    status: c.status,
    ringingAt: c.ringing_at,
    answeredAt: c.answered_at,
    endedAt: c.ended_at,
    durationSeconds: c.duration_seconds === null ? null : Number(c.duration_seconds),
    recordingUrl: c.recording_url,
    ticketId: c.ticket_id,
    callback: c.callback_status ? { status: c.callback_status, dueAt: c.callback_due_at } : null,
    createdAt: c.created_at,
  };
}

/** Where a step came from: the webhook (its token's user acts) or an AMI connection (its creator acts). */
export interface StepOrigin {
  actor: Actor | undefined;
  connection?: PbxConnectionRow;
}

export interface CallServiceDeps {
  repo: TelephonyRepository;
  callers: CallerDirectory;
  tickets: TicketService;
  timers: TimerService;
  plan: PlanService;
  events: EventBus;
  clock: Clock;
  log: Logger;
}

/** Subjects of tickets a call opens, in the caller's language (their user's; Portuguese without one). */
const callWords = {
  "pt-BR": { missed: (who: string) => `Chamada perdida de ${who}`, call: (who: string) => `Chamada de ${who}` },
  en: { missed: (who: string) => `Missed call from ${who}`, call: (who: string) => `Call from ${who}` },
} as const;
const wordsLocale = (locale: string | null | undefined): keyof typeof callWords =>
  locale?.toLowerCase().startsWith("en") ? "en" : "pt-BR";

/** The ticket a follow-up lands on: one that exists, or one it opens in its transaction. */
type TicketChoice =
  | { id: string; create?: never }
  | { id?: never; create: (trx: Kysely<DB>) => Promise<{ id: string }> };

/** A follow-up prepared outside the step's transaction; `key` is what it was prepared for (see `owed`). */
interface FollowUp {
  key: string | null;
  /** The call's agent when it was prepared, and that agent as an actor (read before the transaction). */
  agentUserId: string | null;
  agent: Actor | undefined;
  write(trx: Kysely<DB>, call: CallRow): Promise<CallRow>;
}

/** The call reached another state than the follow-up was prepared for (another step won the race): start over. */
class Stale extends Error {
  constructor(readonly call: CallRow) {
    super("the call changed while its follow-up was prepared");
  }
}

/** What one new step changes on its call. */
function stepPatch(
  call: CallRow,
  step: CallEvent,
  agentUserId: string | undefined,
  match: CallerMatch | null,
  now: string,
): Partial<CallRow> {
  const patch: Partial<CallRow> = { updated_at: now };
  if (!call.from_number && step.from) patch.from_number = step.from;
  if (!call.to_number && step.to) patch.to_number = step.to;
  if (!call.organization_id && match) {
    patch.organization_id = match.organizationId;
    patch.contact = match.contact ? JSON.stringify(match.contact) : null;
  }
  if (step.queue && !call.queue) patch.queue = step.queue;
  if (step.recordingUrl) patch.recording_url = step.recordingUrl;
  if (step.event === "ringing") {
    if (!call.ringing_at || step.at < call.ringing_at) patch.ringing_at = step.at;
    if (call.status === "ringing" && agentUserId) patch.agent_user_id = agentUserId;
  } else if (step.event === "answered") {
    if (call.status === "ringing") {
      patch.status = "answered";
      patch.answered_at = step.at;
      if (agentUserId) patch.agent_user_id = agentUserId;
    }
  } else {
    patch.ended_at = step.at;
    const answeredAt = patch.answered_at ?? call.answered_at;
    const answered = call.status === "answered" || call.status === "completed";
    patch.status = answered ? "completed" : "missed";
    if (answered) {
      patch.duration_seconds =
        step.durationSeconds ??
        Math.max(0, Math.round((Date.parse(step.at) - Date.parse(answeredAt ?? step.at)) / 1000));
    }
  }
  return patch;
}

const fmtDuration = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

/**
 * Calls from the PBX: each step (ringing, answered, hangup) recorded once per call, the caller matched by number;
 * ringing pops the caller's open tickets on the rung agent's screen, an answered call is logged on the caller's
 * ticket as a `phone_call` message by the agent (a first response), and a missed call from a known number opens
 * or joins a `phone` ticket with a callback task on the timers module.
 */
export class CallService {
  constructor(private readonly deps: CallServiceDeps) {
    deps.timers.handle(CALLBACK_TIMER.type, {
      fire: async ({ timer, trx, phase }) => {
        if (phase !== "due") return;
        const call = await deps.repo.findCall(timer.subject.id, undefined, trx);
        if (call?.callback_status !== "pending") return;
        await deps.repo.updateCall(
          call.id,
          { callback_status: "overdue", updated_at: deps.clock.now().toISOString() },
          trx,
        );
        await deps.events.publish(
          {
            type: "call.callback_overdue",
            organizationId: call.organization_id,
            payload: { callId: call.id, ticketId: call.ticket_id, dueAt: call.callback_due_at ?? timer.dueAt! },
          },
          trx,
        );
      },
    });
  }

  /** The PBX's id of a call as stored: AMI ids are per connection, webhook ids as sent. */
  static externalId(step: CallEvent, connection?: PbxConnectionRow) {
    return connection ? `ami:${connection.id}:${step.callId}` : step.callId;
  }

  /**
   * Records one call step and what follows from it, in one transaction: the step, the call's new state, and the
   * ticket message of an answered call or the ticket and callback timer of a missed one commit together, so a
   * crash keeps all or none. A step already recorded (same call, same event; for AMI ringing, same agent) changes
   * nothing, but finishes a follow-up that an earlier failure left owed.
   */
  async ingest(
    given: CallEvent,
    origin: StepOrigin,
  ): Promise<{ call: ReturnType<typeof presentCall>; duplicate: boolean }> {
    const { repo, clock } = this.deps;
    const at = Date.parse(given.at);
    if (Number.isNaN(at) || at < Date.UTC(2000, 0, 1) || at > Date.UTC(9999, 0, 1))
      throw Problem.invalid({ in: "body", pointer: "/at", message: "is not an instant this server can store" });
    const step = { ...given, at: new Date(at).toISOString() };
    const externalId = CallService.externalId(step, origin.connection);
    // The follow-up's reads (open tickets, the plan, the calendar) happen before the transaction, on the state the
    // call is expected to reach; the transaction checks that expectation and starts over when another step won.
    let expected: CallRow | undefined;
    let followUps = true;
    // A new call's id, the same on every attempt: a follow-up prepared for it still applies.
    const newId = uuidv7();
    for (let attempt = 1; ; attempt++) {
      const existing = await repo.findCallByExternalId(externalId);
      // The customer's side: the caller, or for a call out (an agent's extension calling) the dialled number.
      const outbound = existing ? existing.direction === "outbound" : this.isAgentSide(step.from, origin.connection);
      const customerNumber = outbound ? step.to : step.from;
      const match = await this.deps.callers.match(existing?.caller_key ?? customerNumber);
      const agent = await this.agentOf(step, origin.connection);
      const now = clock.now().toISOString();
      const eventKey = step.event === "ringing" && step.agentInterface ? `ringing:${step.agentInterface}` : step.event;
      const popTickets = step.event === "ringing" && agent ? await this.openTickets(agent, existing, match) : [];
      const fresh: CallRow = {
        id: newId,
        external_id: externalId,
        source: origin.connection ? "ami" : "webhook",
        pbx_connection_id: origin.connection?.id ?? null,
        direction: outbound ? "outbound" : "inbound",
        from_number: step.from,
        to_number: step.to,
        caller_key: callerKey(customerNumber),
        queue: step.queue ?? null,
        organization_id: match?.organizationId ?? null,
        contact: match?.contact ? JSON.stringify(match.contact) : null,
        agent_user_id: null,
        status: "ringing",
        ringing_at: null,
        answered_at: null,
        ended_at: null,
        duration_seconds: null,
        recording_url: null,
        ticket_id: null,
        message_id: null,
        callback_status: null,
        callback_due_at: null,
        created_at: now,
        updated_at: now,
      };
      const base = existing ?? fresh;
      expected ??= { ...base, ...stepPatch(base, step, agent?.userId, match, now) };
      const followUp = followUps
        ? await this.prepareFollowUp(expected, origin, match).catch((err: Error) => {
            this.deps.log.error({ err, call: expected!.id }, "could not prepare the call's ticket follow-up");
            return null;
          })
        : null;
      try {
        const result = await repo.db.transaction().execute(async (trx) => {
          const call = await repo.upsertCall(fresh, trx);
          const recorded = await repo.insertStep(
            {
              id: uuidv7(),
              call_id: call.id,
              event_key: eventKey,
              event: step.event,
              at: step.at,
              payload: JSON.stringify({ ...step, ...(agent ? { agentUserId: agent.userId } : {}) }),
              received_at: now,
            },
            trx,
          );
          let after = call;
          if (recorded) {
            const patch = stepPatch(call, step, agent?.userId, match, now);
            const events: NewEvent[] = [];
            if (step.event === "ringing" && agent && call.status === "ringing") {
              events.push({
                type: "call.ringing",
                subjectId: agent.userId,
                payload: {
                  callId: call.id,
                  from: call.from_number || step.from,
                  to: call.to_number || step.to,
                  queue: step.queue ?? call.queue ?? null,
                  organizationId: match?.organizationId ?? call.organization_id ?? null,
                  organizationName: match?.organizationName ?? null,
                  contactName: match?.contact?.name ?? null,
                  tickets: popTickets,
                },
              });
            }
            if (patch.status && patch.status !== "ringing") {
              // Every agent rung for it closes the pop-up.
              for (const userId of await this.rungAgents(call.id, trx)) {
                events.push({
                  type: "call.ended",
                  subjectId: userId,
                  payload: { callId: call.id, status: patch.status },
                });
              }
            }
            await repo.updateCall(call.id, patch, trx);
            if (events.length) await this.deps.events.publishMany(events, trx);
            after = { ...call, ...patch } as CallRow;
          }
          if (followUp) {
            if (after.agent_user_id !== followUp.agentUserId) throw new Stale(after);
            if (followUp.key !== this.owed(after, origin, followUp.agent)) throw new Stale(after);
            after = await followUp.write(trx, after);
          }
          return { call: after, duplicate: !recorded };
        });
        return { call: presentCall(result.call), duplicate: result.duplicate };
      } catch (err) {
        if (err instanceof Stale && attempt < 5) {
          expected = err.call;
          continue;
        }
        if (!followUps) throw err;
        // The step is kept without its follow-up, still owed: the next step of the call or a repeat finishes it.
        this.deps.log.error({ err, call: expected.id }, "could not log the call on a ticket; a repeated step retries");
        followUps = false;
      }
    }
  }

  private isAgentSide(from: string, connection?: PbxConnectionRow): boolean {
    if (!connection) return false;
    const extensions = JSON.parse(connection.extensions) as Record<string, string>;
    return Object.keys(extensions).some((iface) => iface === from || iface.split("/").at(-1) === from);
  }

  private async agentOf(step: CallEvent, connection?: PbxConnectionRow) {
    if (step.agentEmail) return this.deps.callers.staff(step.agentEmail);
    if (step.agentInterface && connection) {
      const extensions = JSON.parse(connection.extensions) as Record<string, string>;
      return this.deps.callers.staff(extensions[step.agentInterface]);
    }
    return undefined;
  }

  private async rungAgents(callId: string, trx: Kysely<DB>): Promise<string[]> {
    const rows = await trx
      .selectFrom("call_events")
      .select("payload")
      .where("call_id", "=", callId)
      .where("event", "=", "ringing")
      .execute();
    const ids = rows
      .map((r) => (typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload) as { agentUserId?: string })
      .map((p) => p.agentUserId)
      .filter((id): id is string => Boolean(id));
    return [...new Set(ids)];
  }

  /** The caller's open tickets, newest first: the contact's own before the rest of the organization's. */
  private async openTickets(actor: Actor, existing: CallRow | undefined, match: CallerMatch | null) {
    const organization = existing?.organization_id ?? match?.organizationId;
    if (!organization) return [];
    const tickets = await this.deps.tickets.list(actor, { organization, status: [...openStatuses], limit: 20 });
    const email = match?.contact?.email?.toLowerCase();
    const own = (t: (typeof tickets)[number]) =>
      Boolean(
        (match?.requesterId && t.requesterId === match.requesterId) ||
          (email && t.requester.email?.toLowerCase() === email),
      );
    return [...tickets.filter(own), ...tickets.filter((t) => !own(t))]
      .slice(0, 10)
      .map((t) => ({ ticketId: t.id, number: t.number, subject: t.subject, status: t.status }));
  }

  /**
   * What a call still owes a ticket, as a key naming everything its follow-up depends on: the log of an answered
   * call (by its agent, else the step's sender), or a missed known caller's ticket and callback; null for nothing.
   * Reads nothing: it runs inside the step's transaction too.
   */
  private owed(call: CallRow, origin: StepOrigin, agent: Actor | undefined): string | null {
    // The contact is not named: it changes only with the organization, and PostgreSQL gives its JSON back reformatted.
    const common = [call.id, call.organization_id, call.ticket_id, call.caller_key];
    if ((call.status === "answered" || call.status === "completed") && !call.message_id) {
      const actor = agent ?? origin.actor;
      if (!actor || (!call.organization_id && !call.ticket_id)) return null;
      const summary = [call.direction, call.from_number, call.to_number, call.queue, call.duration_seconds];
      return JSON.stringify(["answered", actor.userId, agent?.role ?? null, ...common, ...summary, call.recording_url]);
    }
    if (call.status === "missed" && call.organization_id && !call.ticket_id && !call.callback_status && origin.actor)
      return JSON.stringify(["missed", origin.actor.userId, ...common]);
    return null;
  }

  /** The follow-up a call owes, its reads done now and its writes left for the step's transaction. */
  private async prepareFollowUp(call: CallRow, origin: StepOrigin, match: CallerMatch | null): Promise<FollowUp> {
    const agent = call.agent_user_id ? await this.actorOf(call.agent_user_id) : undefined;
    const key = this.owed(call, origin, agent);
    const none = { key, agentUserId: call.agent_user_id, agent, write: async (_: Kysely<DB>, c: CallRow) => c };
    if (!key) return none;
    if (call.status === "missed") {
      const ticket = await this.ticketFor(call, origin.actor!, match, true);
      const { document } = await this.deps.plan.current();
      const target = document.tiers.L1!.responseTime;
      const calendar = await this.deps.timers.calendar(target.calendar);
      return { ...none, write: (trx, after) => this.openCallback(trx, after, ticket, calendar, target.target) };
    }
    const actor = (agent ?? origin.actor)!;
    const ticket: TicketChoice = call.ticket_id
      ? { id: call.ticket_id }
      : await this.ticketFor(call, actor, match, false);
    const summary = [
      `📞 ${call.direction === "outbound" ? "→" : "←"} ${call.direction === "outbound" ? call.to_number : call.from_number}`,
      call.queue ? `· ${call.queue}` : "",
      call.duration_seconds !== null ? `· ${fmtDuration(Number(call.duration_seconds))}` : "",
      call.recording_url ? `\n${call.recording_url}` : "",
    ].join(" ");
    // From staff it is a public phone_call, the first response; without a known agent an internal note.
    const message = await this.deps.tickets.prepareMessage(
      actor,
      agent && isStaff(agent.role)
        ? { body: summary.trim(), visibility: "public", kind: "phone_call" }
        : { body: summary.trim(), visibility: "internal" },
      system,
    );
    return { ...none, write: (trx, after) => this.logAnswered(trx, after, ticket, message) };
  }

  private async logAnswered(
    trx: Kysely<DB>,
    call: CallRow,
    ticket: TicketChoice,
    writeMessage: (trx: Kysely<DB>, ticketId: string) => Promise<{ id: string }>,
  ): Promise<CallRow> {
    const ticketId = ticket.id ?? (await ticket.create(trx)).id;
    const message = await writeMessage(trx, ticketId);
    const now = this.deps.clock.now().toISOString();
    await this.deps.repo.updateCall(call.id, { ticket_id: ticketId, message_id: message.id, updated_at: now }, trx);
    // A call that reached the customer is the callback their missed calls on this ticket were owed.
    for (const owed of await this.deps.repo.pendingCallbacks(ticketId, trx)) {
      if (owed.id === call.id) continue;
      await this.deps.repo.updateCall(owed.id, { callback_status: "done", updated_at: now }, trx);
      await this.deps.timers.cancel(trx, { type: CALLBACK_TIMER.type, id: owed.id }, CALLBACK_TIMER.name);
    }
    return { ...call, ticket_id: ticketId, message_id: message.id };
  }

  private async openCallback(
    trx: Kysely<DB>,
    call: CallRow,
    ticket: TicketChoice,
    calendar: NamedCalendar,
    duration: Duration,
  ): Promise<CallRow> {
    const ticketId = ticket.id ?? (await ticket.create(trx)).id;
    const now = this.deps.clock.now();
    const timer = await this.deps.timers.start(trx, {
      subject: { type: CALLBACK_TIMER.type, id: call.id },
      name: CALLBACK_TIMER.name,
      calendar,
      duration,
      from: now,
    });
    const patch = {
      ticket_id: ticketId,
      callback_status: "pending" as const,
      callback_due_at: timer.dueAt,
      updated_at: now.toISOString(),
    };
    await this.deps.repo.updateCall(call.id, patch, trx);
    await this.deps.events.publish(
      {
        type: "call.missed",
        organizationId: call.organization_id,
        payload: {
          callId: call.id,
          from: call.from_number,
          organizationId: call.organization_id,
          ticketId,
          callbackDueAt: timer.dueAt,
        },
      },
      trx,
    );
    return { ...call, ...patch };
  }

  /**
   * The ticket a call lands on: one whose callback is owed, else the contact's newest open ticket (for a missed
   * call, of channel phone), else the organization's, else a new ticket of channel phone, in the caller's language.
   */
  private async ticketFor(
    call: CallRow,
    actor: Actor,
    match: CallerMatch | null,
    missed: boolean,
  ): Promise<TicketChoice> {
    const organization = call.organization_id!;
    const open = await this.deps.tickets.list(actor, { organization, status: [...openStatuses], limit: 50 });
    const owed = await this.deps.repo.listCalls({ organizationId: organization, callback: "pending", limit: 20 });
    const owedTicket = open.find((t) => owed.some((c) => c.ticket_id === t.id && c.caller_key === call.caller_key));
    if (owedTicket) return { id: owedTicket.id };
    const contact = call.contact ? (JSON.parse(call.contact) as { email?: string }) : null;
    const candidates = missed ? open.filter((t) => t.channel === "phone") : open;
    const own = candidates.find(
      (t) =>
        (match?.requesterId && t.requesterId === match.requesterId) ||
        (contact?.email && t.requester.email?.toLowerCase() === contact.email.toLowerCase()),
    );
    if (own) return { id: own.id };
    if (candidates[0]) return { id: candidates[0].id };
    const number = call.direction === "outbound" ? call.to_number : call.from_number;
    const who = match?.contact?.name ? `${match.contact.name} (${number})` : number;
    const words = callWords[wordsLocale(match?.locale)];
    const create = await this.deps.tickets.prepareCreate(
      actor,
      {
        subject: missed ? words.missed(who) : words.call(who),
        description: `📞 ${number} → ${call.to_number}${call.queue ? ` · ${call.queue}` : ""} · ${call.ringing_at ?? call.created_at}`,
        organizationId: organization,
        requester: {
          name: match?.contact?.name ?? number,
          ...(contact?.email ? { email: contact.email } : {}),
          phone: number,
        },
        ...(match?.requesterId ? { requesterId: match.requesterId } : {}),
        channel: "phone",
        type: "usage_question",
        severity: "medium",
      },
      system,
    );
    return { create };
  }

  private async actorOf(userId: string): Promise<Actor | undefined> {
    return this.deps.callers.staffById(userId);
  }

  isStaffEmail(email: string): Promise<boolean> {
    return this.deps.callers.staff(email).then(Boolean);
  }

  staffActor(userId: string): Promise<Actor | undefined> {
    return this.deps.callers.staffById(userId);
  }

  /** The row of a call out placed from a ticket (click-to-call), before the PBX reports it. */
  async startOutbound(input: {
    actor: Actor;
    connection: PbxConnectionRow;
    externalId: string;
    from: string;
    to: string;
    ticketId: string;
    organizationId: string;
  }): Promise<CallRow> {
    const now = this.deps.clock.now().toISOString();
    const row: CallRow = {
      id: uuidv7(),
      external_id: input.externalId,
      source: "ami",
      pbx_connection_id: input.connection.id,
      direction: "outbound",
      from_number: input.from,
      to_number: input.to,
      caller_key: callerKey(input.to),
      queue: null,
      organization_id: input.organizationId,
      contact: null,
      agent_user_id: input.actor.userId,
      status: "ringing",
      ringing_at: now,
      answered_at: null,
      ended_at: null,
      duration_seconds: null,
      recording_url: null,
      ticket_id: input.ticketId,
      message_id: null,
      callback_status: null,
      callback_due_at: null,
      created_at: now,
      updated_at: now,
    };
    return this.deps.repo.db.transaction().execute((trx) => this.deps.repo.upsertCall(row, trx));
  }

  /** The PBX refused a call out: it ends here, unanswered. */
  async failOutbound(id: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await this.deps.repo.updateCall(id, { status: "missed", ended_at: now, updated_at: now });
  }

  // reads and the callback task ---------------------------------------------------------------------------

  /** The call log, newest first: staff see every call, a customer only their organization's. */
  async list(
    actor: Actor,
    filter: {
      ticketId?: string;
      status?: string;
      callback?: string;
      organizationId?: string;
      limit: number;
      before?: string;
    },
  ) {
    const tenant = tenantOf(actor);
    if (tenant && filter.organizationId && filter.organizationId !== tenant) return [];
    const rows = await this.deps.repo.listCalls({ ...filter, organizationId: tenant ?? filter.organizationId });
    return rows.map(presentCall);
  }

  async get(actor: Actor, id: string) {
    const row = await this.deps.repo.findCall(id, tenantOf(actor));
    if (!row) throw Problem.notFound("Call");
    const steps = tenantOf(actor) ? [] : await this.deps.repo.steps(id);
    return {
      ...presentCall(row),
      steps: steps.map((s) => ({ event: s.event, key: s.event_key, at: s.at, receivedAt: s.received_at })),
    };
  }

  /** Marks a missed call's callback made (the agent called back outside Plantão); stops its timer. */
  async completeCallback(actor: Actor, id: string) {
    if (!isStaff(actor.role)) throw forbidden("Only staff complete callbacks");
    const now = this.deps.clock.now().toISOString();
    const row = await this.deps.repo.db.transaction().execute(async (trx) => {
      const call = await this.deps.repo.findCall(id, undefined, trx);
      if (!call) throw Problem.notFound("Call");
      if (call.callback_status !== "pending" && call.callback_status !== "overdue")
        throw Problem.conflict("This call has no callback to make");
      await this.deps.repo.updateCall(id, { callback_status: "done", updated_at: now }, trx);
      await this.deps.timers.cancel(trx, { type: CALLBACK_TIMER.type, id }, CALLBACK_TIMER.name);
      return { ...call, callback_status: "done" as const, updated_at: now };
    });
    return presentCall(row);
  }
}
