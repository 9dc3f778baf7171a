import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { changeRoutes } from "./change-routes.js";
import { componentRoutes } from "./component-routes.js";
import { statusPageRoutes } from "./page-routes.js";
import type { StatusModule } from "./route-kit.js";
import { subscriptionRoutes } from "./subscription-routes.js";
import { windowRoutes } from "./window-routes.js";

export type { StatusModule };

/** The status module's routes, one file per resource, under one parser for the page's urlencoded forms. */
export function statusRoutes(m: StatusModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    // The public page's forms post urlencoded bodies (no JavaScript): parsed here, for these routes only.
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
      const form: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(String(body))) {
        const had = form[k];
        form[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      }
      done(null, form);
    });
    for (const part of [statusPageRoutes, componentRoutes, windowRoutes, subscriptionRoutes, changeRoutes])
      await app.register(part(m));
  };
  return plugin;
}
