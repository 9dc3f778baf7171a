/** The ticket vocabulary and its rules, free of storage and HTTP. */
export const channels = ["portal", "email", "chat", "phone", "scheduled_call", "api", "monitoring"] as const;
export type Channel = (typeof channels)[number];

/** Ticket types: the plan's examples per tier; the plan's tiers and SLA policies select among these. */
export const ticketTypes = [
  "usage_question",
  "login_problem",
  "extension_trunk_configuration",
  "sip_trunk_integration",
  "feature_failure",
  "monitoring_configuration",
  "bug",
  "performance",
  "security",
] as const;

export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];

export const statuses = ["new", "open", "pending_customer", "pending_vendor", "on_hold", "resolved", "closed"] as const;
export type Status = (typeof statuses)[number];

/** Statuses in which the ticket still waits for the provider's work (the open queue). */
export const openStatuses: readonly Status[] = ["new", "open", "pending_customer", "pending_vendor", "on_hold"];

const transitions: Record<Status, readonly Status[]> = {
  new: ["open", "pending_customer", "pending_vendor", "on_hold", "resolved", "closed"],
  open: ["pending_customer", "pending_vendor", "on_hold", "resolved", "closed"],
  pending_customer: ["open", "pending_vendor", "on_hold", "resolved", "closed"],
  pending_vendor: ["open", "pending_customer", "on_hold", "resolved", "closed"],
  on_hold: ["open", "pending_customer", "pending_vendor", "resolved", "closed"],
  resolved: ["open", "closed"],
  closed: ["open"],
};

/** Whether a status change makes sense; closing a closed ticket, for one, does not. */
export function canTransition(from: Status, to: Status): boolean {
  return transitions[from].includes(to);
}

/** Customers may reopen, resolve or close their tickets; every other status is the provider's call. */
export function customerMayChangeStatusTo(to: Status): boolean {
  return to === "open" || to === "resolved" || to === "closed";
}
