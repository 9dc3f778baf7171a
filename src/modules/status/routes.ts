import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { changeRoutes } from "./change-routes.js";
import { componentRoutes } from "./component-routes.js";
import { statusPageRoutes } from "./page-routes.js";
import type { StatusModule } from "./route-kit.js";
import { subscriptionRoutes } from "./subscription-routes.js";
import { windowRoutes } from "./window-routes.js";

export type { StatusModule };

/** A form's fields, a repeated name as a list (the page's component checkboxes). */
function formOf(fields: Iterable<[string, string]>): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [k, v] of fields) {
    const had = form[k];
    form[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return form;
}

/** The status module's routes, one file per resource, under the parsers for the page's forms and mail clients' one-click posts. */
export function statusRoutes(m: StatusModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    // The public page's forms post urlencoded bodies (no JavaScript): parsed here, for these routes only.
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
      done(null, formOf(new URLSearchParams(String(body))));
    });
    // RFC 8058's one-click unsubscribe SHOULD be posted as multipart/form-data (its own example is), and mail
    // providers do: read with the runtime's own multipart reader, text fields only.
    app.addContentTypeParser(
      "multipart/form-data",
      { parseAs: "string" },
      async (request: FastifyRequest, body: string | Buffer) => {
        const contentType = request.headers["content-type"] ?? "";
        try {
          const data = await new Response(String(body), { headers: { "content-type": contentType } }).formData();
          const fields: [string, string][] = [];
          data.forEach((v, k) => {
            if (typeof v === "string") fields.push([k, v]);
          });
          return formOf(fields);
        } catch {
          throw new Problem(
            400,
            ProblemType.malformedBody,
            "Malformed body",
            "The multipart/form-data body could not be read",
          );
        }
      },
    );
    for (const part of [statusPageRoutes, componentRoutes, windowRoutes, subscriptionRoutes, changeRoutes])
      await app.register(part(m));
  };
  return plugin;
}
