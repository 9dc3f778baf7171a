import type { OrganizationRow, TokenRow, UserRow } from "./repository.js";
import { customerRoles, type Role, type Tier } from "./roles.js";

/** The public shape of a user: never the password hash, TOTP seed or lockout counters. */
export function presentUser(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    organizationId: u.organization_id,
    tier: u.tier as Tier | null,
    teams: JSON.parse(u.teams) as string[],
    locale: u.locale,
    timezone: u.timezone,
    totpEnabled: Boolean(u.totp_enabled),
    disabled: Boolean(u.disabled),
    lockedUntil: u.locked_until,
    lastLoginAt: u.last_login_at,
    createdAt: u.created_at,
    updatedAt: u.updated_at,
  };
}

/**
 * A user as the API answers it: the tier and teams are the provider's staff organisation, so a customer's user (its
 * own profile, its customer-admin's list) goes without them; staff users keep them.
 */
export function userForApi<U extends { role: Role; tier: unknown; teams: unknown }>(u: U) {
  if (!customerRoles.includes(u.role)) return u;
  const { tier: _tier, teams: _teams, ...rest } = u;
  return rest;
}

export function presentOrganization(o: OrganizationRow) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    kind: o.kind,
    serviceTier: o.service_tier,
    calendar: o.calendar,
    contacts: JSON.parse(o.contacts),
    phoneNumbers: JSON.parse(o.phone_numbers) as string[],
    sipIdentities: JSON.parse(o.sip_identities) as string[],
    createdAt: o.created_at,
    updatedAt: o.updated_at,
  };
}

export function presentToken(t: TokenRow) {
  return {
    id: t.id,
    userId: t.user_id,
    name: t.name,
    prefix: t.prefix,
    scopes: JSON.parse(t.scopes) as string[],
    expiresAt: t.expires_at,
    lastUsedAt: t.last_used_at,
    revokedAt: t.revoked_at,
    createdAt: t.created_at,
  };
}

/** A token with its owner, for those who contain anyone's tokens; never the secret or its hash. */
export function presentTokenWithOwner(t: TokenRow & { owner_name: string; owner_email: string }) {
  return { ...presentToken(t), owner: { name: t.owner_name, email: t.owner_email } };
}
