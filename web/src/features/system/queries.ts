import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export const versionQuery = queryOptions({
  queryKey: ["system", "version"],
  queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/version", { signal })),
  staleTime: 60_000,
});

export const readinessQuery = queryOptions({
  queryKey: ["system", "readiness"],
  queryFn: async ({ signal }) => unwrap(await api.GET("/readyz", { signal })),
  // Not ready is an answer to show, not a failure to retry; the page polls instead.
  retry: false,
  refetchInterval: 15_000,
});
