import type { severities, statuses } from "../../../../src/modules/tickets/model";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import type { tiers } from "../../auth/access";

// The ticket vocabulary is the server's own, so the lists here cannot drift from what the API accepts.
export { severities, statuses, ticketTypes } from "../../../../src/modules/tickets/model";

export type Ticket = paths["/api/v1/tickets/{id}"]["get"]["responses"][200]["content"]["application/json"];
export type SlaClock =
  paths["/api/v1/tickets/{id}/sla"]["get"]["responses"][200]["content"]["application/json"]["clocks"][number];
export type Status = (typeof statuses)[number];
export type Severity = (typeof severities)[number];
export type Tier = (typeof tiers)[number];

export const slaStatusColor: Record<SlaClock["status"], string> = {
  running: "blue",
  paused: "gray",
  fulfilled: "green",
  breached: "red",
  stopped: "gray",
};

export const severityColor: Record<string, string> = { critical: "red", high: "orange", medium: "yellow", low: "gray" };
export const statusColor: Record<string, string> = {
  new: "blue",
  open: "cyan",
  pending_customer: "yellow",
  pending_vendor: "yellow",
  on_hold: "gray",
  resolved: "green",
  closed: "dark",
};

/** Staff who can be assigned tickets, for pickers; the first 200 are plenty for a support team. */
export async function staffUsers(signal: AbortSignal) {
  const { items } = unwrap(await api.GET("/api/v1/users", { params: { query: { limit: 200 } }, signal }));
  return items.filter((u) => !["customer", "customer-admin"].includes(u.role) && !u.disabled);
}
