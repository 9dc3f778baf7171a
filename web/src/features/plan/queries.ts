import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type PlanVersion = paths["/api/v1/plan"]["get"]["responses"][200]["content"]["application/json"];
export type PlanDocument = PlanVersion["document"];

export const planQuery = queryOptions({
  queryKey: ["plan", "current"],
  queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/plan", { signal })),
});

export const findingsQuery = queryOptions({
  queryKey: ["plan", "findings"],
  queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/plan/findings", { signal })).items,
});
