import { describe, expect, it } from "vitest";
import { changedColumns, type TicketRow } from "./repository.js";

describe("changedColumns", () => {
  const before = {
    id: "t1",
    number: 7,
    subject: "Tronco SIP sem registro",
    description: "PBX-01",
    status: "open",
    assignee_user_id: null,
    tags: "[]",
    updated_at: "2026-12-07T12:00:00.000Z",
  } as unknown as TicketRow;

  it("keeps only what differs, so the ticket's text is not written again on a status change", () => {
    const after = { ...before, status: "on_hold", updated_at: "2026-12-07T12:01:00.000Z" } as TicketRow;
    expect(changedColumns(before, after)).toEqual({ status: "on_hold", updated_at: "2026-12-07T12:01:00.000Z" });
  });

  it("counts null to a value and a value to null as changes, and nothing when nothing changed", () => {
    expect(changedColumns(before, { ...before, assignee_user_id: "u1" } as TicketRow)).toEqual({
      assignee_user_id: "u1",
    });
    const assigned = { ...before, assignee_user_id: "u1" } as TicketRow;
    expect(changedColumns(assigned, before)).toEqual({ assignee_user_id: null });
    expect(changedColumns(before, { ...before })).toEqual({});
  });
});
