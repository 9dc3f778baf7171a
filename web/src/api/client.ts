import i18n from "i18next";
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Problem = components["schemas"]["Problem"];
/** The JSON body of a generated request body or response: `JsonBody<paths[P]["get"]["responses"][200]>`. */
export type JsonBody<R> = R extends { content: { "application/json": infer B } } ? B : never;
export type FieldError = NonNullable<Problem["errors"]>[number];

/** The typed HTTP client of the Plantão API; paths, parameters and bodies come from the OpenAPI document. */
export const api = createClient<paths>({ credentials: "same-origin" });

let csrfToken: string | null = null;

/** The session's CSRF token, sent on every request that can change something (the server checks it). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    // Texts the server words itself (plan findings, timelines) come in the reader's language, not the browser's.
    if (i18n.language) request.headers.set("accept-language", i18n.language);
    if (csrfToken && !["GET", "HEAD", "OPTIONS"].includes(request.method))
      request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
};
api.use(csrf);

/** An RFC 9457 problem returned by the API, thrown so TanStack Query treats it as the query's error. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiProblem";
  }

  /** The problem's id: the part of `urn:plantao:problem:<id>` after the prefix. */
  get id(): string {
    return this.problem.type.replace(/^urn:plantao:problem:/, "");
  }
}

/** Unwraps an openapi-fetch result: its data, or the problem it carried as an ApiProblem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || (result.data === undefined && result.response.status !== 204)) {
    const error = result.error as Partial<Problem> | undefined;
    throw new ApiProblem({
      type: error?.type ?? "about:blank",
      title: error?.title ?? result.response.statusText,
      status: error?.status ?? result.response.status,
      detail: error?.detail,
      errors: error?.errors,
    });
  }
  return result.data as T;
}
