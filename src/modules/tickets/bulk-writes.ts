import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import { type Actor, tenantOf } from "../identity/actor.js";
import type { PlanVersion } from "../plan/service.js";
import type { RequestInfo, TicketActivity } from "./activity.js";
import { type TicketChange, ticketChange } from "./changes.js";
import type { TicketRepository, TicketRow } from "./repository.js";
import type { TicketPatch } from "./service.js";
import type { TicketSlaService } from "./sla-service.js";

/**
 * The writes of a bulk action's chunk: its tickets read in one statement and checked in memory by the rules
 * of a single change, the accepted changes then written with a few set-based statements for them all.
 */
export class TicketChanges {
  constructor(
    private readonly repo: TicketRepository,
    private readonly clock: Clock,
    private readonly activity: TicketActivity,
    private readonly slaClocks: TicketSlaService,
  ) {}

  /**
   * The changes of a bulk action's chunk checked in memory over one read of its tickets: each ticket's change, or
   * the Problem that refuses it (another organization's ticket does not exist for a customer).
   */
  async check(
    trx: Kysely<DB>,
    actor: Actor,
    ids: readonly string[],
    patchOf: (before: TicketRow) => TicketPatch,
  ): Promise<Map<string, TicketChange | Problem>> {
    const now = this.clock.now().toISOString();
    const rows = new Map((await this.repo.findMany(ids, tenantOf(actor), trx)).map((r) => [r.id, r]));
    const checked = new Map<string, TicketChange | Problem>();
    for (const id of ids) {
      const before = rows.get(id);
      if (checked.has(id)) continue;
      try {
        if (!before) throw Problem.notFound("Ticket");
        checked.set(id, ticketChange(actor, before, patchOf(before), now));
      } catch (error) {
        if (!(error instanceof Problem)) throw error;
        checked.set(id, error);
      }
    }
    return checked;
  }

  /**
   * The changes of a bulk action's chunk, each already checked by `ticketChange`, written together inside the
   * caller's transaction: one update of the tickets' rows, one insert of their history, one append of their audit
   * rows and one of their events, then their SLA clocks and timers in a few statements for them all.
   */
  async apply(
    trx: Kysely<DB>,
    actor: Actor,
    changes: readonly TicketChange[],
    req: RequestInfo,
    { versions }: { versions: PlanVersion[] },
  ): Promise<void> {
    const changed = changes.filter((c) => c.history.length);
    if (!changed.length) return;
    const computed = await this.slaClocks.computeMany(trx, changed, versions);
    await this.repo.updateMany(
      computed.map((c) => c.ticket),
      trx,
    );
    await this.repo.insertHistory(
      changed.flatMap((c) => c.history),
      trx,
    );
    await this.activity.afterMany(
      trx,
      actor,
      req,
      "ticket.updated",
      changed.map(({ after, history }) => ({
        ticket: after,
        details: {
          changes: history.map((h) => ({ field: h.field, before: h.before_value, after: h.after_value })),
          actorId: actor.userId,
        },
      })),
    );
    await this.slaClocks.armMany(trx, computed);
  }
}
