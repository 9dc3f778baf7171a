import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB, PresenceActivity } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { type Actor, forbidden } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { TicketService } from "./service.js";

/** How long a heartbeat keeps a viewer present: the page beats every 10 s, so two lost beats still count. */
export const PRESENCE_TTL_MS = 30_000;

export class PresenceRepository {
  constructor(readonly db: Kysely<DB>) {}

  current(ticketId: string, userId: string, now: string, executor: Kysely<DB> = this.db) {
    return executor
      .selectFrom("ticket_presence")
      .select(["activity"])
      .where("ticket_id", "=", ticketId)
      .where("user_id", "=", userId)
      .where("expires_at", ">", now)
      .executeTakeFirst();
  }

  async upsert(
    row: { ticket_id: string; user_id: string; activity: PresenceActivity; expires_at: string; updated_at: string },
    trx: Kysely<DB>,
  ): Promise<void> {
    await trx
      .insertInto("ticket_presence")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["ticket_id", "user_id"]).doUpdateSet({
          activity: row.activity,
          expires_at: row.expires_at,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** Removes the row; whether it was live (so its leaving is news). */
  async remove(ticketId: string, userId: string, now: string, trx: Kysely<DB>): Promise<boolean> {
    const live = await this.current(ticketId, userId, now, trx);
    await trx.deleteFrom("ticket_presence").where("ticket_id", "=", ticketId).where("user_id", "=", userId).execute();
    return live !== undefined;
  }

  live(ticketId: string, now: string) {
    return this.db
      .selectFrom("ticket_presence")
      .select(["user_id", "activity", "updated_at"])
      .where("ticket_id", "=", ticketId)
      .where("expires_at", ">", now)
      .orderBy("updated_at")
      .execute();
  }

  /** Forgets rows that expired long ago (a closed tab never says goodbye). */
  async prune(before: string): Promise<void> {
    await this.db.deleteFrom("ticket_presence").where("expires_at", "<", before).execute();
  }
}

/**
 * The collision warning: who else has a ticket open, and whether they are replying. Each staff viewer's page
 * beats every few seconds (a row with an expiry, shared by every node on the database); arriving, starting or
 * stopping a reply and leaving are published as `ticket.presence` so other viewers learn of it at once.
 */
export class PresenceService {
  constructor(
    private readonly deps: {
      repo: PresenceRepository;
      tickets: Pick<TicketService, "get">;
      directory: Pick<DirectoryService, "getUser">;
      events: EventBus;
      clock: Clock;
    },
  ) {}

  async #ticket(actor: Actor, ticketId: string) {
    if (!isStaff(actor.role)) throw forbidden("Only staff share their presence on a ticket");
    return this.deps.tickets.get(actor, ticketId);
  }

  /** Records the actor's heartbeat; returns the others present. */
  async beat(actor: Actor, ticketId: string, activity: PresenceActivity) {
    const ticket = await this.#ticket(actor, ticketId);
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const arrived = await this.deps.repo.db.transaction().execute(async (trx) => {
      const before = await this.deps.repo.current(ticketId, actor.userId, at, trx);
      await this.deps.repo.upsert(
        {
          ticket_id: ticketId,
          user_id: actor.userId,
          activity,
          expires_at: new Date(now.getTime() + PRESENCE_TTL_MS).toISOString(),
          updated_at: at,
        },
        trx,
      );
      if (before?.activity !== activity) await this.#publish(trx, ticket, actor, activity);
      return before === undefined;
    });
    // Arrivals are rare next to beats: a good moment to forget rows of tabs closed an hour ago.
    if (arrived) await this.deps.repo.prune(new Date(now.getTime() - 3_600_000).toISOString());
    return this.others(actor, ticketId);
  }

  async leave(actor: Actor, ticketId: string) {
    const ticket = await this.#ticket(actor, ticketId);
    const at = this.deps.clock.now().toISOString();
    await this.deps.repo.db.transaction().execute(async (trx) => {
      if (await this.deps.repo.remove(ticketId, actor.userId, at, trx)) await this.#publish(trx, ticket, actor, "left");
    });
  }

  /** Staff other than the actor with the ticket open now, replying ones first. */
  async others(actor: Actor, ticketId: string) {
    await this.#ticket(actor, ticketId);
    const rows = (await this.deps.repo.live(ticketId, this.deps.clock.now().toISOString())).filter(
      (r) => r.user_id !== actor.userId,
    );
    const items = await Promise.all(
      rows.map(async (r) => ({
        userId: r.user_id,
        name: (await this.deps.directory.getUser(r.user_id).catch(() => undefined))?.name ?? "",
        activity: r.activity,
        since: r.updated_at,
      })),
    );
    return items.sort((a, b) => Number(b.activity === "replying") - Number(a.activity === "replying"));
  }

  #publish(
    trx: Kysely<DB>,
    ticket: { id: string; number: number; organizationId: string },
    actor: Actor,
    activity: PresenceActivity | "left",
  ) {
    return this.deps.events.publish(
      {
        type: "ticket.presence",
        organizationId: ticket.organizationId,
        subjectId: ticket.id,
        payload: { ticketId: ticket.id, number: ticket.number, userId: actor.userId, name: actor.name, activity },
      },
      trx,
    );
  }
}
