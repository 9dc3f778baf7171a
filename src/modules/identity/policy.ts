import type { Actor } from "./actor.js";
import { customerRoles, type Role } from "./roles.js";

/** Who may create or change a user with this role in this organization (beyond the area grant). */
export function canManageUser(actor: Actor, target: { role: Role; organizationId: string }): boolean {
  switch (actor.role) {
    case "admin":
      return true;
    case "manager":
      return target.role !== "admin";
    case "customer-admin":
      return customerRoles.includes(target.role) && target.organizationId === actor.organizationId;
    default:
      return false;
  }
}

/** Tokens are personal: their owner manages them; an admin may revoke anyone's. */
export function canManageToken(actor: Actor, ownerId: string): boolean {
  return actor.userId === ownerId || actor.role === "admin";
}
