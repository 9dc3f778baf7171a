import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Problem = components["schemas"]["Problem"];

/** The typed HTTP client of the Plantão API; paths, parameters and bodies come from the OpenAPI document. */
export const api = createClient<paths>({ credentials: "same-origin" });

/** An RFC 9457 problem returned by the API, thrown so TanStack Query treats it as the query's error. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiProblem";
  }
}

/** Unwraps an openapi-fetch result: its data, or the problem it carried as an ApiProblem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const error = result.error as Partial<Problem> | undefined;
    throw new ApiProblem({
      type: error?.type ?? "about:blank",
      title: error?.title ?? result.response.statusText,
      status: error?.status ?? result.response.status,
      detail: error?.detail,
    });
  }
  return result.data;
}
