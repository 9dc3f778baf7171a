import type { DomainEvent } from "../../platform/events/bus.js";
import { eventSpec } from "../../platform/events/catalogue.js";
import { type Actor, tenantOf } from "./actor.js";
import { roleAllows, scopesAllow } from "./roles.js";

/**
 * Whether the actor may see an event, from its audience in the event catalogue: the actor (its role, and its
 * token's scopes if any) must read the event's area (a customer is never shown `monitor.*` events about its
 * own organization's monitors, an agent never `backup.*` ones), and the tenancy must let it in: provider-wide
 * events are for staff, an organization's for staff and that organization's users, a per-user event for that
 * user alone. An uncatalogued type is shown to no one.
 */
export function mayReadEvent(actor: Actor, event: Pick<DomainEvent, "type" | "organizationId" | "subjectId">): boolean {
  const spec = eventSpec(event.type);
  if (!spec) return false;
  const { area } = spec;
  if (!roleAllows(actor.role, area, "read") || (actor.scopes && !scopesAllow(actor.scopes, area, "read"))) return false;
  const tenant = tenantOf(actor);
  switch (spec.tenancy) {
    case "provider":
      return tenant === undefined;
    case "organization":
      return tenant === undefined || event.organizationId === tenant;
    case "user":
      return event.subjectId === actor.userId;
  }
}
