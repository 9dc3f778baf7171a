// The role grants are the server's own table: the navigation shows what the API would allow.
import {
  type Access,
  type Area,
  areas,
  grants,
  isStaff,
  type Role,
  roleAllows,
  roles,
  tiers,
} from "../../../src/modules/identity/roles";

export type { Access, Area, Role };
export { areas, grants, isStaff, roleAllows, roles, tiers };

/** The scopes a token of this role may carry: per area, read and (where granted) write. */
export function grantableScopes(role: Role): { area: Area; access: Access }[] {
  return areas.flatMap((area) => {
    const granted = grants[role][area];
    if (!granted) return [];
    return granted === "write"
      ? [
          { area, access: "read" as const },
          { area, access: "write" as const },
        ]
      : [{ area, access: "read" as const }];
  });
}
