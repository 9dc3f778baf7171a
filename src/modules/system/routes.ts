import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Registry } from "prom-client";
import { Type } from "typebox";
import { latestSchemaVersion, schemaVersion } from "../../platform/db/migrate.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import type { Platform } from "../../platform/runtime.js";

const VersionSchema = Type.Object({
  version: Type.String(),
  commit: Type.String(),
  databaseEngine: Type.Union([Type.Literal("sqlite"), Type.Literal("postgres")]),
  schemaVersion: Type.String(),
});

/** Liveness, readiness, metrics and version: the routes an operator and a load balancer use. */
export function systemRoutes(platform: Platform, registry: Registry, info: { version: string; commit: string }) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/healthz",
      {
        config: { public: true },
        schema: {
          tags: ["operations"],
          summary: "Liveness: the process answers",
          response: { 200: Type.Object({ status: Type.Literal("ok") }) },
        },
      },
      async () => ({ status: "ok" as const }),
    );

    app.get(
      "/readyz",
      {
        config: { public: true },
        schema: {
          tags: ["operations"],
          summary: "Readiness: the database answers and every migration is applied",
          response: {
            200: Type.Object({ status: Type.Literal("ready"), schemaVersion: Type.String() }),
            503: Type.Ref("Problem"),
          },
        },
      },
      async () => {
        let version: string;
        try {
          version = await schemaVersion(platform.db);
        } catch (err) {
          throw new Problem(503, ProblemType.notReady, "Not ready", `database unreachable: ${(err as Error).message}`);
        }
        if (version !== latestSchemaVersion) {
          throw new Problem(
            503,
            ProblemType.notReady,
            "Not ready",
            `schema at ${version || "none"}, expected ${latestSchemaVersion}`,
          );
        }
        return { status: "ready" as const, schemaVersion: version };
      },
    );

    app.get(
      "/metrics",
      {
        config: { public: true },
        schema: {
          tags: ["operations"],
          summary: "Prometheus text exposition",
          produces: ["text/plain"],
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );

    app.get(
      "/api/v1/version",
      {
        config: { public: true },
        schema: {
          tags: ["operations"],
          summary: "Version, commit, database engine and schema version",
          response: { 200: VersionSchema },
        },
      },
      async () => ({
        version: info.version,
        commit: info.commit,
        databaseEngine: platform.dialect.engine,
        schemaVersion: await schemaVersion(platform.db),
      }),
    );
  };
  return plugin;
}
