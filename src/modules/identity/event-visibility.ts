import type { DomainEvent } from "../../platform/events/bus.js";
import { eventSpec } from "../../platform/events/catalogue.js";
import { type Actor, tenantOf } from "./actor.js";
import { type Area, roleAllows, scopesAllow } from "./roles.js";

/**
 * Whether the actor may see an event, from its audience in the event catalogue: the actor (its role, and its
 * token's scopes if any) must read the event's area (a customer is never shown `monitor.*` events about its
 * own organization's monitors, an agent never `backup.*` ones), and the tenancy must let it in: provider-wide
 * events are for staff, an organization's for staff and that organization's users, a per-user event for that
 * user alone. An uncatalogued type is shown to no one.
 */
/** Ticket fields a customer may see change; tier, assignee, team and tags are the provider's business. */
const customerFields = new Set(["status", "severity", "subject", "type"]);

/**
 * The ticket events a customer is shown: what the portal shows them too. Never SLA clocks (tier clocks among
 * them), escalation steps, links, watchers, attachments (one may belong to an internal note) or internal notes; a
 * field change only when every changed field is one the customer sees.
 */
function customerMaySee(event: { type: string; payload?: unknown }): boolean {
  const payload = (event.payload ?? {}) as { visibility?: string; changes?: { field: string }[] };
  switch (event.type) {
    case "ticket.created":
    case "ticket.csat.rated":
      return true;
    case "ticket.message.created":
      return payload.visibility === "public";
    case "ticket.updated":
      return (payload.changes ?? []).every((c) => customerFields.has(c.field));
    default:
      return false;
  }
}

export function mayReadEvent(
  actor: Actor,
  event: Pick<DomainEvent, "type" | "organizationId" | "subjectId"> & { payload?: unknown },
): boolean {
  const spec = eventSpec(event.type);
  if (!spec) return false;
  const { area } = spec;
  const reads = (a: Area) =>
    roleAllows(actor.role, a, "read") && (!actor.scopes || scopesAllow(actor.scopes, a, "read"));
  if (!reads(area)) return false;
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  if (spec.restricted?.when(payload) && !reads(spec.restricted.area)) return false;
  const tenant = tenantOf(actor);
  if (tenant !== undefined && spec.staffOnly?.(payload)) return false;
  switch (spec.tenancy) {
    case "provider":
      return tenant === undefined;
    case "organization":
      return (
        tenant === undefined || (event.organizationId === tenant && (spec.area !== "tickets" || customerMaySee(event)))
      );
    case "user":
      return event.subjectId === actor.userId;
  }
}

/** Payload fields of the ticket events a customer is shown: never the acting or mentioned staff, nor a visibility. */
const customerPayloadFields = new Set(["ticketId", "number", "changes", "kind", "rating"]);

/**
 * The event as the actor may read it, or null: a customer reads a ticket event with the payload fields the
 * portal would show (the ticket, the changed customer fields, the kind of message, a rating), so the acting
 * agent's id, @mentioned staff and the message's visibility stay out of its stream.
 */
export function eventAsReadBy<
  E extends Pick<DomainEvent, "type" | "organizationId" | "subjectId"> & { payload?: unknown },
>(actor: Actor, event: E): E | null {
  if (!mayReadEvent(actor, event)) return null;
  if (tenantOf(actor) === undefined || eventSpec(event.type)?.area !== "tickets") return event;
  const payload = Object.fromEntries(
    Object.entries((event.payload ?? {}) as Record<string, unknown>).filter(([k]) => customerPayloadFields.has(k)),
  );
  return { ...event, payload };
}

/**
 * The event as the users of `organizationId` may see it (its customer-admin, who reads all its tickets), or null:
 * what a webhook scoped to that organization carries, never staff-only fields or occurrences.
 */
export function eventAsSeenByOrganization<
  E extends Pick<DomainEvent, "type" | "organizationId" | "subjectId"> & { payload?: unknown },
>(organizationId: string, event: E): E | null {
  const reader: Actor = {
    userId: "",
    email: "",
    name: "",
    role: "customer-admin",
    organizationId,
    tier: null,
    teams: [],
    via: "token",
  };
  return eventAsReadBy(reader, event);
}

/**
 * Whether an event is for readers of a further area alone (a security incident, a page about one: the security
 * role and admins). Outside the app nobody can be checked for that area, so no webhook carries such an event, as
 * an escalation step's webhook target skips a security page.
 */
export function beyondWebhooks(event: { type: string; payload?: unknown }): boolean {
  const spec = eventSpec(event.type);
  if (!spec) return true;
  return spec.area === "security" || spec.restricted?.when((event.payload ?? {}) as Record<string, unknown>) === true;
}
