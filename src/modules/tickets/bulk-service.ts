import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema.js";
import { Problem, problemTypeUri } from "../../platform/http/problems.js";
import type { Actor } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import type { RequestInfo } from "./activity.js";
import { customersUsePortal } from "./audience.js";
import type { Severity, Status } from "./model.js";
import type { TicketRow } from "./repository.js";
import type { TicketPatch, TicketService } from "./service.js";

export const bulkActions = ["assign", "status", "severity", "tier", "team", "tag", "merge"] as const;
export type BulkAction = (typeof bulkActions)[number];

export interface BulkInput {
  ticketIds: string[];
  action: BulkAction;
  assigneeId?: string | null;
  status?: Status;
  severity?: Severity;
  tier?: "L1" | "L2" | "L3";
  team?: string | null;
  addTags?: string[];
  removeTags?: string[];
  intoTicketId?: string;
}

export type BulkResult =
  | { ticketId: string; ok: true }
  | { ticketId: string; ok: false; status: number; type: string; detail: string };

/**
 * Tickets changed per transaction. One commit per ticket made a bulk change on PostgreSQL a queue of commits
 * behind the audit chain's lock (each ticket's transaction holds it from its audit row to its commit); a chunk
 * takes the lock once and commits once, and a savepoint per ticket keeps each ticket all-or-nothing. Fifty
 * stays under PostgreSQL's 64 cached subtransactions per backend (past them every snapshot reads pg_subtrans).
 */
const CHUNK = 50;

const missing = (field: string) =>
  Problem.invalid({ in: "body", pointer: `/${field}`, message: "is required by this action" });

/** The field each action needs in the body. */
const needs: Record<BulkAction, keyof BulkInput> = {
  assign: "assigneeId",
  status: "status",
  severity: "severity",
  tier: "tier",
  team: "team",
  tag: "addTags",
  merge: "intoTicketId",
};

/**
 * One action over many tickets. Each ticket changes entirely (history, events, SLA clocks) or not at all, under
 * its own savepoint in a transaction per chunk of tickets; one ticket's refusal does not stop the others, and
 * the answer holds a result per ticket. Merges go one at a time through the ticket service.
 */
export class TicketBulkService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly tickets: TicketService,
  ) {}

  async run(actor: Actor, input: BulkInput, req: RequestInfo) {
    if (!isStaff(actor.role)) throw customersUsePortal("Bulk changes");
    const field = needs[input.action];
    if (input[field] === undefined && !(input.action === "tag" && input.removeTags)) throw missing(field);
    const results: BulkResult[] = [];
    const refused = (ticketId: string, error: unknown): BulkResult => {
      if (!(error instanceof Problem)) throw error;
      return {
        ticketId,
        ok: false,
        status: error.status,
        type: problemTypeUri(error.typeId),
        detail: error.detail ?? error.title,
      };
    };
    if (input.action === "merge") {
      for (const ticketId of input.ticketIds) {
        try {
          await this.tickets.merge(actor, ticketId, input.intoTicketId!, req);
          results.push({ ticketId, ok: true });
        } catch (error) {
          results.push(refused(ticketId, error));
        }
      }
    } else {
      const patchOf = patchFor(input.action, input);
      const prepared = await this.tickets.prepareUpdate({ assigneeId: input.assigneeId });
      for (let start = 0; start < input.ticketIds.length; start += CHUNK) {
        const chunk = input.ticketIds.slice(start, start + CHUNK);
        const trx = await this.db.startTransaction().execute();
        try {
          for (const ticketId of chunk) {
            const sp = await trx.savepoint("ticket").execute();
            try {
              await this.tickets.applyUpdate(sp, actor, ticketId, patchOf, req, prepared);
              await sp.releaseSavepoint("ticket").execute();
              results.push({ ticketId, ok: true });
            } catch (error) {
              await sp.rollbackToSavepoint("ticket").execute();
              await sp.releaseSavepoint("ticket").execute();
              results.push(refused(ticketId, error));
            }
          }
          await trx.commit().execute();
        } catch (error) {
          await trx.rollback().execute();
          throw error;
        }
      }
    }
    const failed = results.filter((r) => !r.ok).length;
    return { succeeded: results.length - failed, failed, results };
  }
}

/** The change an action makes to one ticket, given the ticket as it is. */
function patchFor(action: Exclude<BulkAction, "merge">, input: BulkInput): (before: TicketRow) => TicketPatch {
  switch (action) {
    case "assign":
      return () => ({ assigneeId: input.assigneeId ?? null });
    case "status":
      return () => ({ status: input.status! });
    case "severity":
      return () => ({ severity: input.severity! });
    case "tier":
      return () => ({ tier: input.tier! });
    case "team":
      return () => ({ team: input.team ?? null });
    case "tag":
      return (before) => {
        const removed = new Set(input.removeTags ?? []);
        const current = JSON.parse(before.tags) as string[];
        const tags = [...new Set([...current, ...(input.addTags ?? [])])].filter((t) => !removed.has(t));
        if (tags.length > 30) throw Problem.invalid({ in: "body", pointer: "/addTags", message: "more than 30 tags" });
        return { tags };
      };
  }
}
