import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type Organization = paths["/api/v1/organizations/{id}"]["get"]["responses"][200]["content"]["application/json"];
export type OrganizationInput = NonNullable<
  paths["/api/v1/organizations"]["post"]["requestBody"]
>["content"]["application/json"];

export async function organizationsPage(q: string, cursor: string | undefined, signal: AbortSignal) {
  return unwrap(
    await api.GET("/api/v1/organizations", { params: { query: { q: q || undefined, cursor, limit: 50 } }, signal }),
  );
}

/** Every organization (up to 200) as id and name, for pickers and for naming an organization in a list. */
export const organizationChoices = queryOptions({
  queryKey: ["organizations", "choices"],
  queryFn: async ({ signal }) =>
    unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  staleTime: 60_000,
});

export async function organization(id: string, signal: AbortSignal) {
  return unwrap(await api.GET("/api/v1/organizations/{id}", { params: { path: { id } }, signal }));
}
