import type { Actor } from "./actor.js";
import { type Area, roleAllows, scopesAllow } from "./roles.js";

/**
 * Which area an event belongs to, by its type's prefix: a reader of the event stream sees an event only
 * when it may read that area (a customer is never shown `monitor.*` events about its own organization's
 * monitors, an agent never `backup.*` ones). Types without a known prefix belong to the stream itself.
 */
const areaByPrefix: readonly [prefix: string, area: Area][] = [
  ["ticket.", "tickets"],
  ["monitor.", "monitoring"],
  ["backup.", "backups"],
  ["drill.", "backups"],
  ["runbook.", "backups"],
  ["plan.", "plan"],
  ["webhook.", "webhooks"],
  ["organization.", "organizations"],
  ["user.", "users"],
  ["token.", "tokens"],
  ["audit.", "audit"],
];

export function eventArea(type: string): Area {
  return areaByPrefix.find(([prefix]) => type.startsWith(prefix))?.[1] ?? "events";
}

/** Whether the actor (its role, and its token's scopes if any) may read events of this type. */
export function mayReadEvent(actor: Actor, type: string): boolean {
  const area = eventArea(type);
  return roleAllows(actor.role, area, "read") && (!actor.scopes || scopesAllow(actor.scopes, area, "read"));
}
