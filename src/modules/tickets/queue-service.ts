import { DateTime } from "luxon";
import type { Clock } from "../../platform/clock.js";
import { decodeCursor, encodeCursor } from "../../platform/http/pagination.js";
import { Problem } from "../../platform/http/problems.js";
import { type Actor, tenantOf } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import type { PlanService } from "../plan/service.js";
import { customersUsePortal } from "./audience.js";
import {
  type QueueFilter,
  type QueueKey,
  type QueueName,
  type QueueRepository,
  type QueueRow,
  type QueueSort,
  TICKET_NUMBER,
} from "./queue-repository.js";

/** "Breaching soon": the next breach is within this much of now. */
export const BREACHING_SOON_MS = 60 * 60_000;

export type QueueQuery = Omit<QueueFilter, "userId" | "teams" | "tenant" | "soonBefore" | "now" | "queue"> & {
  queue?: QueueName;
};

export function presentQueueRow(r: QueueRow) {
  const requester = JSON.parse(r.requester_contact) as { name?: string };
  return {
    id: r.id,
    number: Number(r.number),
    subject: r.subject,
    organizationId: r.organization_id,
    organizationName: r.organization_name ?? "",
    requesterName: requester.name ?? "",
    assigneeId: r.assignee_user_id,
    assigneeName: r.assignee_name,
    status: r.status,
    severity: r.severity,
    tier: r.tier,
    team: r.team,
    type: r.type,
    channel: r.channel,
    slaDueAt: r.sla_due_at,
    slaBreached: Boolean(r.sla_breached),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const badCursor = () =>
  Problem.invalid({ in: "querystring", pointer: "/cursor", message: "is not a cursor returned by this API" });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A queue cursor: the last row's next breach (empty once past those) and id. */
export function decodeQueueCursor(cursor: string | undefined): QueueKey | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const [due, id, ...rest] = key.split("|");
  if (rest.length || !id || !UUID.test(id) || (due && Number.isNaN(Date.parse(due)))) throw badCursor();
  return { due: due ? new Date(due).toISOString() : null, id };
}

const encodeQueueCursor = (r: QueueRow) =>
  encodeCursor(`${r.sla_due_at ? new Date(r.sla_due_at).toISOString() : ""}|${r.id}`);

/**
 * Agents' queues, their counts and the team workload: staff only (a queue row carries the tier, assignee, team and
 * the internal SLA state); customers list their tickets through the portal.
 */
export class TicketQueueService {
  constructor(
    private readonly repo: QueueRepository,
    private readonly clock: Clock,
    private readonly plan: PlanService,
  ) {}

  private filter(actor: Actor, query: QueueQuery): QueueFilter {
    const now = this.clock.now().getTime();
    return {
      ...query,
      queue: query.queue ?? "open",
      userId: actor.userId,
      teams: actor.teams,
      tenant: tenantOf(actor),
      now: new Date(now).toISOString(),
      soonBefore: new Date(now + BREACHING_SOON_MS).toISOString(),
    };
  }

  async page(actor: Actor, query: QueueQuery, sort: QueueSort, cursor: string | undefined, limit: number) {
    if (!isStaff(actor.role)) throw customersUsePortal("The agents' queue");
    const rows = await this.repo.page(this.filter(actor, query), sort, decodeQueueCursor(cursor), limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last ? (sort === "newest" ? encodeCursor(`|${last.id}`) : encodeQueueCursor(last)) : null;
    // A number alone names a ticket, whatever queue it is in: clients jump to it.
    const number = query.q ? TICKET_NUMBER.exec(query.q)?.[1] : undefined;
    const jumpTo = number ? await this.repo.idOfNumber(Number(number), tenantOf(actor)) : null;
    return { items: items.map(presentQueueRow), nextCursor, jumpTo };
  }

  async counts(actor: Actor) {
    if (!isStaff(actor.role)) throw customersUsePortal("Queue counts");
    const f = this.filter(actor, {});
    const [queues, groups] = await Promise.all([this.repo.counts(f), this.repo.groups(f)]);
    return { queues, ...groups };
  }

  /** Open tickets per agent and team by severity and SLA state, and today's SLA compliance (plan's zone). */
  async workload(actor: Actor) {
    if (!isStaff(actor.role)) throw customersUsePortal("The workload");
    const f = this.filter(actor, {});
    const zone = (await this.plan.current()).document.calendars.comercial?.timezone ?? "America/Sao_Paulo";
    const [rows, today] = await Promise.all([
      this.repo.workload(f.now, f.soonBefore),
      this.repo.slaOutcomesSince(startOfDay(this.clock.now(), zone)),
    ]);
    type Bucket = {
      total: number;
      severity: Record<string, number>;
      sla: { breached: number; breaching: number; ok: number };
    };
    const bucket = (): Bucket => ({ total: 0, severity: {}, sla: { breached: 0, breaching: 0, ok: 0 } });
    const agents = new Map<string, Bucket & { userId: string | null; name: string | null }>();
    const teams = new Map<string, Bucket & { team: string | null }>();
    for (const r of rows) {
      const n = Number(r.n);
      const a = agents.get(r.assignee_user_id ?? "") ?? {
        ...bucket(),
        userId: r.assignee_user_id,
        name: r.assignee_name,
      };
      const t = teams.get(r.team ?? "") ?? { ...bucket(), team: r.team };
      for (const b of [a, t]) {
        b.total += n;
        b.severity[r.severity] = (b.severity[r.severity] ?? 0) + n;
        b.sla[r.state] += n;
      }
      agents.set(r.assignee_user_id ?? "", a);
      teams.set(r.team ?? "", t);
    }
    const byTotal = <T extends { total: number }>(xs: Iterable<T>) => [...xs].sort((x, y) => y.total - x.total);
    const decided = today.fulfilled + today.breached;
    return {
      agents: byTotal(agents.values()),
      teams: byTotal(teams.values()),
      today: { ...today, compliance: decided ? today.fulfilled / decided : null },
    };
  }
}

/** Midnight of `now`'s day in `zone` (DST days included), as an ISO instant. */
function startOfDay(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).startOf("day").toUTC().toISO()!;
}
