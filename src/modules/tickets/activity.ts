import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { TicketRow } from "./repository.js";

export type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

/** What every ticket write leaves behind in its transaction: an audit row and a domain event. */
export class TicketActivity {
  constructor(
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async after(
    trx: Kysely<DB>,
    actor: Actor,
    req: RequestInfo,
    t: TicketRow,
    type: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.record(trx, actor, req, t, type, details);
    await this.publish(trx, t, type, details);
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

  async publish(trx: Kysely<DB>, t: TicketRow, type: string, details: Record<string, unknown>): Promise<void> {
    await this.events.publish(
      {
        type,
        organizationId: t.organization_id,
        subjectId: t.id,
        payload: { ticketId: t.id, number: Number(t.number), ...details },
      },
      trx,
    );
  }
}
