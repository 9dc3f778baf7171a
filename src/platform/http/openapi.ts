import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { eventSchemas } from "../events/catalogue.js";
import { acceptsEmptyObject } from "./bodies.js";
import { ProblemSchema } from "./problems.js";

type OpenApiPathItem = {
  post?: { requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> } };
};

export const apiVersion = "v1";

/** OpenAPI 3.1 from the route schemas, served at /api/openapi.json and browsable at /api/docs (assets local). */
export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.addSchema(ProblemSchema);
  // The event catalogue, so clients type the event stream's and webhooks' payloads from this document.
  for (const schema of eventSchemas()) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Plantão API",
        version,
        description:
          "Support and operations platform for VoIP providers. Errors are RFC 9457 problem+json with a stable `type`.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          session: { type: "apiKey", in: "cookie", name: "plantao_session" },
        },
      },
    },
    // @fastify/swagger marks every request body required; an action POST whose body has no required field
    // may be sent without one (see bodies.ts).
    transformObject: (documents) => {
      if (!("openapiObject" in documents)) return documents.swaggerObject;
      const paths = (documents.openapiObject.paths ?? {}) as Record<string, OpenApiPathItem>;
      for (const item of Object.values(paths)) {
        const body = item.post?.requestBody;
        if (body && acceptsEmptyObject(body.content?.["application/json"]?.schema)) body.required = false;
      }
      return documents.openapiObject;
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: "/api/docs",
    staticCSP: true,
    uiConfig: { deepLinking: true },
  });
  app.get("/api/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
