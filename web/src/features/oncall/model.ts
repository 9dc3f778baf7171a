import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";

// Shapes of /api/v1/oncall, /api/v1/escalation-policies and /api/v1/pages come from the generated OpenAPI paths.
export type Rotation = JsonBody<paths["/api/v1/oncall/rotations/{id}"]["get"]["responses"][200]>;
export type RotationInput = JsonBody<paths["/api/v1/oncall/rotations"]["post"]["requestBody"]>;
export type Layer = RotationInput["layers"][number];
export type Schedule = JsonBody<paths["/api/v1/oncall/rotations/{id}/schedule"]["get"]["responses"][200]>;
export type Override = JsonBody<
  paths["/api/v1/oncall/rotations/{id}/overrides"]["get"]["responses"][200]
>["items"][number];
export type OnCallNow = JsonBody<paths["/api/v1/oncall/now"]["get"]["responses"][200]>;
export type Policy = JsonBody<paths["/api/v1/escalation-policies/{id}"]["get"]["responses"][200]>;
export type PolicyInput = JsonBody<paths["/api/v1/escalation-policies"]["post"]["requestBody"]>;
export type Step = PolicyInput["steps"][number];
export type Target = Step["targets"][number];
export type Page = JsonBody<paths["/api/v1/pages/{id}"]["get"]["responses"][200]>;

export const targetKinds = [
  "rotation",
  "oncall",
  "user",
  "team",
  "role",
  "tier",
  "emergencyContacts",
  "customers",
  "webhook",
] as const satisfies readonly Target["kind"][];
export const severities = ["critical", "high", "medium", "low"] as const;
export const targetRoles = ["admin", "manager", "agent", "noc", "security"] as const;

/** The person's colour in the calendar: stable per user id. */
export function colourOf(userId: string | null): string {
  if (!userId) return "var(--mantine-color-red-light)";
  let h = 0;
  for (const c of userId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 60% 70%)`;
}
