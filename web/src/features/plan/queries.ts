import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type PlanVersion = paths["/api/v1/plan"]["get"]["responses"][200]["content"]["application/json"];
export type PlanDocument = PlanVersion["document"];

export const planQuery = queryOptions({
  queryKey: ["plan", "current"],
  queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/plan", { signal })),
});

type FindingsLocale = NonNullable<NonNullable<paths["/api/v1/plan/findings"]["get"]["parameters"]["query"]>["locale"]>;

/** The findings written in the UI's language (the server words them; anything but Portuguese reads English). */
export const findingsQuery = (language: string) => {
  const locale: FindingsLocale = language === "pt-BR" ? "pt-BR" : "en";
  return queryOptions({
    queryKey: ["plan", "findings", locale],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/plan/findings", { params: { query: { locale } }, signal })).items,
  });
};
