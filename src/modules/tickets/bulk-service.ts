import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { DB } from "../../platform/db/schema.js";
import { Problem, problemTypeUri } from "../../platform/http/problems.js";
import type { Actor } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import type { RequestInfo } from "./activity.js";
import { customersUsePortal } from "./audience.js";
import type { TicketChange } from "./changes.js";
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
 * Tickets changed per transaction. A chunk reads its tickets in one statement, checks each one's change in
 * memory and writes those that pass with a few set-based statements, taking the audit chain's lock once and
 * committing once. Fifty also bounds the per-ticket fallback (a savepoint each) under PostgreSQL's 64 cached
 * subtransactions per backend (past them every snapshot reads pg_subtrans).
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
 * One action over many tickets, a chunk at a time: each ticket is checked on its own (a refused one does not
 * stop the others, and the answer holds a result per ticket), and the chunk's accepted changes are written
 * together. Should that write fail, the chunk is redone one ticket at a time, each under its own savepoint, so
 * each ticket still changes entirely (history, events, SLA clocks) or not at all. Merges go one at a time
 * through the ticket service.
 */
export class TicketBulkService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly tickets: TicketService,
    private readonly log: Pick<Logger, "warn">,
  ) {}

  async run(actor: Actor, input: BulkInput, req: RequestInfo) {
    if (!isStaff(actor.role)) throw customersUsePortal("Bulk changes");
    const field = needs[input.action];
    if (input[field] === undefined && !(input.action === "tag" && input.removeTags)) throw missing(field);
    const results: BulkResult[] = [];
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
        const written = await this.db
          .transaction()
          .execute(async (trx) => {
            const checked = await this.tickets.changes.check(trx, actor, chunk, patchOf);
            const accepted = [...checked.values()].filter((c): c is TicketChange => !(c instanceof Problem));
            await this.tickets.changes.apply(trx, actor, accepted, req, prepared);
            return checked;
          })
          .catch((error: unknown) => {
            this.log.warn({ err: error }, "a bulk change's chunk failed as a whole; redoing it ticket by ticket");
            return null;
          });
        if (written) {
          for (const ticketId of chunk) {
            const outcome = written.get(ticketId)!;
            results.push(outcome instanceof Problem ? refused(ticketId, outcome) : { ticketId, ok: true });
          }
        } else {
          results.push(...(await this.oneByOne(actor, chunk, patchOf, req, prepared)));
        }
      }
    }
    const failed = results.filter((r) => !r.ok).length;
    return { succeeded: results.length - failed, failed, results };
  }

  /** A chunk one ticket at a time in one transaction, each ticket under its own savepoint. */
  private async oneByOne(
    actor: Actor,
    chunk: string[],
    patchOf: (before: TicketRow) => TicketPatch,
    req: RequestInfo,
    prepared: Awaited<ReturnType<TicketService["prepareUpdate"]>>,
  ): Promise<BulkResult[]> {
    const results: BulkResult[] = [];
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
    return results;
  }
}

/** A refusal as the answer shows it; anything but a Problem is not a refusal and goes up. */
function refused(ticketId: string, error: unknown): BulkResult {
  if (!(error instanceof Problem)) throw error;
  return {
    ticketId,
    ok: false,
    status: error.status,
    type: problemTypeUri(error.typeId),
    detail: error.detail ?? error.title,
  };
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
