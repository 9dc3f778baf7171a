/** Roles of the provider's staff and of customer companies' users. */
export const roles = ["admin", "manager", "agent", "noc", "security", "auditor", "customer", "customer-admin"] as const;
export type Role = (typeof roles)[number];

export const staffRoles: readonly Role[] = ["admin", "manager", "agent", "noc", "security", "auditor"];
export const customerRoles: readonly Role[] = ["customer", "customer-admin"];

export const tiers = ["L1", "L2", "L3"] as const;
export type Tier = (typeof tiers)[number];

/** Areas of the product; token scopes and role grants are per area. */
export const areas = [
  "organizations",
  "users",
  "tokens",
  "audit",
  "plan",
  "events",
  "tickets",
  "webhooks",
  "monitoring",
  "backups",
  "notifications",
  "incidents",
  "security",
  "kb",
] as const;
export type Area = (typeof areas)[number];
export type Access = "read" | "write";

/** A token scope: `<area>:<read|write>` or `*:<read|write>`; write implies read. */
export type Scope = `${Area | "*"}:${Access}`;
export const scopePattern = `^(\\*|${areas.join("|")}):(read|write)$`;

/**
 * What each role may do per area, before tenancy: customers' grants apply to their own organization only,
 * which the repositories enforce.
 */
export const grants: Record<Role, Partial<Record<Area, Access>>> = {
  admin: {
    organizations: "write",
    users: "write",
    tokens: "write",
    audit: "read",
    plan: "write",
    events: "read",
    tickets: "write",
    webhooks: "write",
    monitoring: "write",
    backups: "write",
    notifications: "write",
    incidents: "write",
    security: "write",
    kb: "write",
  },
  manager: {
    organizations: "write",
    users: "write",
    tokens: "write",
    audit: "read",
    plan: "write",
    events: "read",
    tickets: "write",
    webhooks: "write",
    monitoring: "write",
    backups: "write",
    notifications: "write",
    incidents: "write",
    kb: "write",
  },
  agent: {
    organizations: "read",
    users: "read",
    tokens: "write",
    plan: "read",
    events: "read",
    tickets: "write",
    monitoring: "read",
    incidents: "write",
    kb: "write",
  },
  noc: {
    organizations: "read",
    users: "read",
    tokens: "write",
    plan: "read",
    events: "read",
    tickets: "write",
    monitoring: "write",
    backups: "write",
    incidents: "write",
    kb: "write",
  },
  security: {
    organizations: "read",
    users: "read",
    tokens: "write",
    audit: "read",
    plan: "read",
    events: "read",
    tickets: "write",
    monitoring: "read",
    backups: "read",
    incidents: "write",
    security: "write",
    kb: "write",
  },
  auditor: {
    organizations: "read",
    users: "read",
    tokens: "write",
    audit: "read",
    plan: "read",
    events: "read",
    tickets: "read",
    monitoring: "read",
    backups: "read",
    incidents: "read",
    kb: "read",
  },
  customer: { organizations: "read", tokens: "write", events: "read", tickets: "write", kb: "read" },
  "customer-admin": {
    organizations: "read",
    users: "write",
    tokens: "write",
    events: "read",
    tickets: "write",
    kb: "read",
  },
};

export function isStaff(role: Role): boolean {
  return staffRoles.includes(role);
}

function allows(granted: Access | undefined, wanted: Access): boolean {
  return granted === "write" || (granted === "read" && wanted === "read");
}

export function roleAllows(role: Role, area: Area, access: Access): boolean {
  return allows(grants[role][area], access);
}

/** A token may do what its scopes say and its owner's role allows, never more. */
export function scopesAllow(scopes: readonly string[], area: Area, access: Access): boolean {
  return scopes.some((s) => {
    const [a, level] = s.split(":") as [string, Access];
    return (a === "*" || a === area) && allows(level, access);
  });
}

/** Every scope a role's grants allow: the default scopes of a token. */
export function roleScopes(role: Role): Scope[] {
  return Object.entries(grants[role]).map(([area, access]) => `${area}:${access}` as Scope);
}
