import type { components, paths } from "../../api/schema";

export type { DetailField, Kind, Severity, Stage } from "../../../../src/modules/incidents/stages";
// The processes are the server's own rules, so the stepper cannot drift from what the API accepts.
export {
  detailFields,
  kinds,
  operationalStages,
  requirements,
  resolvedStage,
  securityStages,
  severities,
  stagesOf,
} from "../../../../src/modules/incidents/stages";

type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
export type Incident = Json<paths["/api/v1/incidents"]["get"]["responses"][200]>["items"][number];
export type IncidentDetail = Json<paths["/api/v1/incidents/{id}"]["get"]["responses"][200]>;
export type IncidentUpdate = Json<paths["/api/v1/incidents/{id}/updates"]["get"]["responses"][200]>["items"][number];
export type Postmortem = Json<paths["/api/v1/incidents/{id}/postmortem"]["get"]["responses"][200]>;
export type Clock = Incident["clocks"][number];
export type StageBody = NonNullable<
  paths["/api/v1/incidents/{id}/stage"]["post"]["requestBody"]
>["content"]["application/json"];
export type Problem = components["schemas"]["Problem"];

export const severityColor: Record<string, string> = { critical: "red", high: "orange", medium: "yellow", low: "gray" };
export const statusColor: Record<string, string> = { open: "red", resolved: "green", closed: "gray" };
export const clockColor: Record<Clock["status"], string> = { running: "blue", fulfilled: "green", breached: "red" };
