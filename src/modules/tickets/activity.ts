import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import type { EventPayload, EventType } from "../../platform/events/catalogue.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { TicketRow } from "./repository.js";

export type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;
type TicketEventType = Extract<EventType, `ticket.${string}`>;
/** What a ticket event's payload holds besides the ticket's id and number. */
export type TicketEventDetails<T extends TicketEventType> = Omit<EventPayload<T>, "ticketId" | "number">;

/** What every ticket write leaves behind in its transaction: an audit row and a domain event. */
export class TicketActivity {
  constructor(
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async after<T extends TicketEventType>(
    trx: Kysely<DB>,
    actor: Actor,
    req: RequestInfo,
    t: TicketRow,
    type: T,
    details: TicketEventDetails<T>,
  ): Promise<void> {
    await this.record(trx, actor, req, t, type, details);
    await this.publish(trx, t, type, details);
  }

  /** `after` for many tickets at once: their audit rows in one append, their events in one insert. */
  async afterMany<T extends TicketEventType>(
    trx: Kysely<DB>,
    actor: Actor,
    req: RequestInfo,
    type: T,
    changed: readonly { ticket: TicketRow; details: TicketEventDetails<T> }[],
  ): Promise<void> {
    if (!changed.length) return;
    await this.audit.recordMany(
      changed.map(({ ticket, details }) => ({
        action: type,
        actor,
        organizationId: ticket.organization_id,
        target: { type: "ticket", id: ticket.id },
        request: req,
        details,
      })),
      trx,
    );
    await this.events.publishMany(
      changed.map(({ ticket, details }) => this.event(ticket, type, details)),
      trx,
    );
  }

  async record(
    trx: Kysely<DB>,
    actor: Actor,
    req: RequestInfo,
    t: TicketRow,
    type: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(
      {
        action: type,
        actor,
        organizationId: t.organization_id,
        target: { type: "ticket", id: t.id },
        request: req,
        details,
      },
      trx,
    );
  }

  async publish<T extends TicketEventType>(
    trx: Kysely<DB>,
    t: TicketRow,
    type: T,
    details: TicketEventDetails<T>,
  ): Promise<void> {
    await this.events.publish(this.event(t, type, details), trx);
  }

  private event<T extends TicketEventType>(t: TicketRow, type: T, details: TicketEventDetails<T>): NewEvent {
    return {
      type,
      organizationId: t.organization_id,
      subjectId: t.id,
      payload: { ticketId: t.id, number: Number(t.number), ...details },
    } as NewEvent;
  }
}
