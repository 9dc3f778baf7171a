import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type PlanVersion = paths["/api/v1/plan"]["get"]["responses"][200]["content"]["application/json"];
export type PlanDocument = PlanVersion["document"];

/**
 * Fresh for a few seconds: the page's first mount takes what the opening prefetch (area.ts) just fetched rather
 * than asking again; a save invalidates both queries at once.
 */
const OPENING_FRESH_MS = 5_000;

export const planQuery = queryOptions({
  queryKey: ["plan", "current"],
  staleTime: OPENING_FRESH_MS,
  queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/plan", { signal })),
});

export type Finding =
  paths["/api/v1/plan/findings"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

type FindingsLocale = NonNullable<NonNullable<paths["/api/v1/plan/findings"]["get"]["parameters"]["query"]>["locale"]>;

/**
 * The current plan's findings. The UI words them from their key and params (useFindingText); the server's own
 * texts, asked in the UI's language, stand in for a key this build does not know.
 */
export const findingsQuery = (language: string) => {
  const locale: FindingsLocale = language === "pt-BR" ? "pt-BR" : "en";
  return queryOptions({
    queryKey: ["plan", "findings", locale],
    staleTime: OPENING_FRESH_MS,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/plan/findings", { params: { query: { locale } }, signal })).items,
  });
};

export type HolidayRegion =
  paths["/api/v1/plan/holiday-regions"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

/** The countries, states and cities a calendar can take its holidays from (the server's holiday data). */
export const holidayRegionsQuery = (language: string) => {
  const locale: FindingsLocale = language === "pt-BR" ? "pt-BR" : "en";
  return queryOptions({
    queryKey: ["plan", "holiday-regions", locale],
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/plan/holiday-regions", { params: { query: { locale } }, signal })).items,
  });
};
