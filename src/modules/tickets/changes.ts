import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import { type Actor, forbidden, tenantOf } from "../identity/actor.js";
import { canTransition, customerMayChangeStatusTo, type Status } from "./model.js";
import type { HistoryRow, TicketRow } from "./repository.js";
import type { TicketPatch } from "./service.js";

/** Fields whose changes land in the ticket history, with the row column each maps to. */
const tracked: Record<keyof TicketPatch, keyof TicketRow> = {
  subject: "subject",
  type: "type",
  severity: "severity",
  tier: "tier",
  status: "status",
  assigneeId: "assignee_user_id",
  team: "team",
  tags: "tags",
};

/** A ticket's row before and after a change, and the history rows of the fields that changed (none: no change). */
export interface TicketChange {
  before: TicketRow;
  after: TicketRow;
  history: HistoryRow[];
}

/**
 * The rules of a change to one ticket, in memory: who may change what, which status may follow which, and the
 * history each changed field leaves. Throws the Problem that refuses it. Shared by a single change and a bulk one.
 */
export function ticketChange(actor: Actor, before: TicketRow, patch: TicketPatch, now: string): TicketChange {
  if (before.merged_into_id) throw Problem.conflict(`Ticket was merged into another ticket and cannot change`);
  if (tenantOf(actor)) {
    const allowed = Object.keys(patch).every((k) => k === "status");
    if (!allowed || (patch.status && !customerMayChangeStatusTo(patch.status))) {
      throw forbidden("Customers may only reopen, resolve or close their tickets");
    }
  }
  if (patch.status && patch.status !== before.status && !canTransition(before.status as Status, patch.status)) {
    throw new Problem(
      409,
      "invalid-transition",
      "Status change not allowed",
      `A ${before.status} ticket cannot become ${patch.status}`,
    );
  }
  if (patch.status === before.status && (patch.status === "closed" || patch.status === "resolved")) {
    throw new Problem(409, "invalid-transition", "Status change not allowed", `The ticket is already ${patch.status}`);
  }
  const after: TicketRow = { ...before, updated_at: now };
  const history: HistoryRow[] = [];
  for (const [key, column] of Object.entries(tracked) as [keyof TicketPatch, keyof TicketRow][]) {
    const value = patch[key];
    if (value === undefined) continue;
    const stored = key === "tags" ? JSON.stringify(value) : value;
    if (stored === before[column]) continue;
    (after as Record<string, unknown>)[column] = stored;
    history.push({
      id: uuidv7(),
      ticket_id: before.id,
      at: now,
      actor_user_id: actor.userId,
      field: key,
      before_value: before[column] === null ? null : String(before[column]),
      after_value: stored === null ? null : String(stored),
    });
  }
  if (after.status !== before.status) {
    if (after.status === "resolved") after.resolved_at = now;
    if (after.status === "closed") after.closed_at = now;
    if (after.status === "open" && (before.status === "resolved" || before.status === "closed")) {
      after.resolved_at = null;
      after.closed_at = null;
    }
  }
  return { before, after, history };
}
