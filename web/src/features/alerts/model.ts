import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";

export type Alert = JsonBody<paths["/api/v1/alerts"]["get"]["responses"][200]>["items"][number];
export type AlertState = Alert["state"];
export type Silence = JsonBody<paths["/api/v1/silences/{id}"]["get"]["responses"][200]>;
export type SilenceInput = NonNullable<paths["/api/v1/silences"]["post"]["requestBody"]>["content"]["application/json"];

/** What the list shows at first: what needs someone now. */
export const stateFilters = ["firing", "pending", "resolved", "all"] as const;
export type StateFilter = (typeof stateFilters)[number];

export const stateColor: Record<AlertState, string> = {
  firing: "red",
  pending: "yellow",
  resolved: "green",
  inactive: "gray",
};

export const severityColor: Record<string, string> = {
  critical: "red",
  high: "orange",
  medium: "yellow",
  low: "blue",
};

/** The labels worth a column of their own are shown apart; the rest as `name=value` chips. */
export const shownApart = new Set(["alertname", "severity"]);

/** Hours a new silence lasts, offered in its form. */
export const silenceHours = [1, 2, 4, 8, 24, 72] as const;

export type Rule = JsonBody<paths["/api/v1/alert-rules/{id}"]["get"]["responses"][200]>;
