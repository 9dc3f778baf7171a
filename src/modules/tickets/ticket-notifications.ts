import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { DomainEvent } from "../../platform/events/bus.js";
import type { EventFanOut } from "../../platform/events/fanout.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff, type Role } from "../identity/roles.js";
import type { NotificationRequest, Notifier } from "../notifications/service.js";
import type { TimerService } from "../timers/service.js";
import type { TicketLinkRepository } from "./links-repository.js";
import type { TicketRepository, TicketRow } from "./repository.js";

/** The job that turns one ticket event into its notifications, outside the fan-out's transaction. */
export const TICKET_NOTIFY_JOB = "ticket.notify";
/** The reminder to a customer who has not answered a ticket waiting on them. */
export const WAITING_TIMER = { subject: "ticket-waiting", name: "reminder" } as const;
/** How long a ticket waits on its customer before the reminder: two days of calendar time. */
export const WAITING_REMINDER_MS = 2 * 24 * 3600_000;

type TicketEvent = Pick<DomainEvent, "type" | "organizationId" | "payload" | "createdAt">;
type Payload = {
  ticketId: string;
  actorId?: string | null;
  changes?: { field: string; before: string | null; after: string | null }[];
  messageId?: string;
  visibility?: string;
  mentions?: string[];
  clock?: string;
  tier?: string | null;
  breachAt?: string;
};
interface Person {
  id: string;
  name: string;
  role: Role;
  teams: string[];
  timezone: string;
  disabled: boolean;
}

export interface TicketNotificationsDeps {
  repo: TicketRepository;
  links: TicketLinkRepository;
  directory: DirectoryService;
  notifier: Notifier;
  timers: TimerService;
  jobs: JobQueue;
  fanOut: EventFanOut;
  clock: Clock;
  publicUrl: string;
  /** The ticket's SLA clocks now (for the due time the customer is promised). */
  slaOf(t: TicketRow): Promise<{ clocks: { kind: string; tier: string | null; breachAt: string }[] }>;
}

const handled = new Set([
  "ticket.created",
  "ticket.updated",
  "ticket.message.created",
  "ticket.sla.warning",
  "ticket.sla.breached",
]);

/**
 * Who hears of what happens to a ticket, in their language, threaded per ticket: the requester (received, agent
 * reply, status change, waiting on them and its reminder) and staff (assigned, mentioned, customer replied, SLA
 * warning and breach, escalation), besides the watchers. Events reach it through the fan-out (once across
 * nodes), which queues a `ticket.notify` job; the job reads what it needs and writes the outbox rows.
 */
export class TicketNotifications {
  constructor(private readonly deps: TicketNotificationsDeps) {
    deps.fanOut.register("ticket-notifications", (events, trx) => this.#queue(events, trx));
    deps.jobs.register<TicketEvent>(TICKET_NOTIFY_JOB, (job) => this.notify(job.payload));
    deps.timers.handle<NotificationRequest[]>(WAITING_TIMER.subject, {
      prepare: (timer) => this.#reminder(timer.subject.id),
      fire: async (firing, requests) => {
        if (firing.phase === "due" && requests.length) await deps.notifier.enqueue(requests, firing.trx);
      },
    });
  }

  async #queue(events: readonly DomainEvent[], trx: Kysely<DB>): Promise<void> {
    for (const e of events) {
      if (!handled.has(e.type)) continue;
      const job: TicketEvent = {
        type: e.type,
        organizationId: e.organizationId,
        payload: e.payload,
        createdAt: e.createdAt,
      };
      await this.deps.jobs.enqueue(TICKET_NOTIFY_JOB, job, { dedupeKey: `ticket-notify:${e.id}`, executor: trx });
    }
  }

  /** The notifications of one ticket event. */
  async notify(e: TicketEvent): Promise<void> {
    const p = e.payload as Payload;
    const t = await this.deps.repo.find(p.ticketId);
    if (!t) return;
    const out: NotificationRequest[] = [];
    const people = new Map<string, Person | null>();
    const person = async (id: string | null | undefined): Promise<Person | null> => {
      if (!id) return null;
      if (!people.has(id)) people.set(id, await this.deps.directory.getUser(id).catch(() => null));
      return people.get(id) ?? null;
    };
    const actor = await person(p.actorId);
    const base = { number: Number(t.number), subject: t.subject, link: `${this.deps.publicUrl}/tickets/${t.id}` };
    // Customers follow a ticket in the portal: the staff page would only send them to the portal's home.
    const forCustomer = { ...base, link: this.#portalLink(t) };
    const thread = { kind: "ticket", id: t.id };
    const toStaff = (ids: Iterable<string | null | undefined>, template: string, params: Record<string, unknown>) => {
      for (const id of new Set(ids))
        if (id) out.push({ to: { userId: id }, template, params: { ...base, ...params }, thread });
    };
    const requester = await this.#requester(t, person);
    const toRequester = (template: string, params: Record<string, unknown> = {}) => {
      if (requester)
        out.push({ to: requester.to, channel: "email", template, params: { ...forCustomer, ...params }, thread });
    };
    const watchers = async (exclude: (string | null | undefined)[], params: Record<string, unknown>) => {
      const skip = new Set([...exclude, requester?.userId]);
      for (const id of await this.deps.links.watchers(t.id)) {
        if (skip.has(id)) continue;
        const watcher = await person(id);
        const shown = watcher && !isStaff(watcher.role) ? forCustomer : base;
        out.push({ to: { userId: id }, template: "ticket.watcher-update", params: { ...shown, ...params }, thread });
      }
    };
    const organization = async () =>
      (await this.deps.directory.getOrganization(t.organization_id).catch(() => null))?.name ?? "";
    const staffFor = async () => (t.assignee_user_id ? [t.assignee_user_id] : t.team ? await this.#team(t.team) : []);

    switch (e.type) {
      case "ticket.created": {
        const clocks = (await this.deps.slaOf(t)).clocks.filter((c) => c.tier === null);
        const due = clocks.find((c) => c.kind === "first_response") ?? clocks[0];
        toRequester("ticket.received", { name: requester?.name, dueAt: due?.breachAt, timeZone: requester?.timeZone });
        if (t.assignee_user_id && t.assignee_user_id !== p.actorId)
          toStaff([t.assignee_user_id], "ticket.assigned", {
            by: actor?.name,
            organization: await organization(),
            severity: t.severity,
            tier: t.tier,
          });
        break;
      }
      case "ticket.updated":
        for (const c of p.changes ?? []) {
          if (c.field === "status" && c.after) {
            await this.#waiting(t.id, c.after === "pending_customer");
            // The resolution mail (with its satisfaction survey) is the CSAT module's.
            if (requester && requester.userId !== p.actorId && c.after !== "resolved")
              toRequester(c.after === "pending_customer" ? "ticket.waiting" : "ticket.status", { status: c.after });
            await watchers([p.actorId], { author: actor?.name ?? "", change: `${c.before} → ${c.after}` });
          } else if (c.field === "assigneeId" && c.after && c.after !== p.actorId) {
            toStaff([c.after], "ticket.assigned", {
              by: actor?.name,
              organization: await organization(),
              severity: t.severity,
              tier: t.tier,
            });
          } else if (c.field === "tier" && c.after) {
            const team = t.team ? await this.#team(t.team) : [];
            toStaff(
              [t.assignee_user_id, ...team].filter((u) => u !== p.actorId),
              "ticket.escalated.staff",
              { by: actor?.name ?? "", from: c.before, to: c.after },
            );
          }
        }
        break;
      case "ticket.message.created": {
        const m = (await this.deps.repo.messages(t.id, true)).find((x) => x.id === p.messageId);
        if (!m || m.kind === "system") break;
        const author = await person(m.author_user_id);
        const name = author?.name ?? "";
        if (m.visibility === "public") {
          // A logged phone call was the answer itself: the customer heard it already.
          if (m.author_kind === "agent" && m.kind === "reply") {
            toRequester("ticket.reply", { author: name, body: m.body });
          } else if (m.author_kind === "customer") {
            toStaff(
              (await staffFor()).filter((u) => u !== m.author_user_id),
              "ticket.customer-replied",
              { author: name, organization: await organization(), body: m.body },
            );
          }
          await watchers([m.author_user_id], { author: name, body: m.body });
        }
        const mentioned = [];
        for (const id of p.mentions ?? []) {
          const u = await person(id);
          if (u && isStaff(u.role) && !u.disabled && id !== m.author_user_id) mentioned.push(id);
        }
        toStaff(mentioned, "ticket.mentioned", { author: name, body: m.body });
        break;
      }
      case "ticket.sla.warning":
      case "ticket.sla.breached":
        toStaff(await staffFor(), "ticket.sla.staff", {
          breached: e.type === "ticket.sla.breached",
          clock: p.clock,
          tier: p.tier,
          dueAt: p.breachAt,
        });
        break;
    }
    if (out.length) await this.deps.notifier.enqueue(out);
  }

  /** The requester: their account (language, zone, preferences) when a customer has one, else the contact's address. */
  async #requester(t: TicketRow, person: (id: string | null) => Promise<Person | null>) {
    const contact = JSON.parse(t.requester_contact) as { name: string; email?: string };
    const user = await person(t.requester_user_id);
    if (user && !isStaff(user.role))
      return { to: { userId: user.id }, userId: user.id, name: user.name, timeZone: user.timezone };
    // A staff member who opened a ticket for themselves is not a customer to write to.
    if (user || !contact.email) return null;
    return { to: { email: contact.email }, userId: undefined, name: contact.name, timeZone: undefined };
  }

  /** The ticket's page in the customer portal, where its requester and customer watchers follow it. */
  #portalLink(t: TicketRow): string {
    return `${this.deps.publicUrl.replace(/\/$/, "")}/portal/tickets/${Number(t.number)}`;
  }

  /** Arms the reminder when the ticket starts waiting on its customer; cancels it when it stops. */
  async #waiting(ticketId: string, waiting: boolean): Promise<void> {
    const subject = { type: WAITING_TIMER.subject, id: ticketId };
    await this.deps.repo.db.transaction().execute(async (trx) => {
      if (waiting)
        await this.deps.timers.start(trx, {
          subject,
          name: WAITING_TIMER.name,
          at: new Date(this.deps.clock.now().getTime() + WAITING_REMINDER_MS),
        });
      else await this.deps.timers.cancel(trx, subject, WAITING_TIMER.name);
    });
  }

  /** The reminder, when the ticket still waits on its customer (a reply reopens it without an update event). */
  async #reminder(ticketId: string): Promise<NotificationRequest[]> {
    const t = await this.deps.repo.find(ticketId);
    if (t?.status !== "pending_customer") return [];
    const requester = await this.#requester(t, async (id) =>
      id ? await this.deps.directory.getUser(id).catch(() => null) : null,
    );
    if (!requester) return [];
    return [
      {
        to: requester.to,
        channel: "email",
        template: "ticket.waiting",
        params: {
          number: Number(t.number),
          subject: t.subject,
          link: this.#portalLink(t),
          reminder: true,
        },
        thread: { kind: "ticket", id: t.id },
      },
    ];
  }

  /** Active staff of a team, every page of them. */
  async #team(team: string): Promise<string[]> {
    const members: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.directory.listUsers({ limit: 500, after }, {});
      for (const u of page) if (!u.disabled && isStaff(u.role) && u.teams.includes(team)) members.push(u.id);
      if (page.length < 500) return members;
      after = page.at(-1)!.id;
    }
  }
}
