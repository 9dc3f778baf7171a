import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { alertRoutes } from "./modules/alerts/routes.js";
import { auditRoutes } from "./modules/audit/routes.js";
import { backupRoutes } from "./modules/backups/routes.js";
import { chatRoutes } from "./modules/chat/routes.js";
import { authorize } from "./modules/identity/actor.js";
import { installAuthentication } from "./modules/identity/authenticate.js";
import { installAuthorization } from "./modules/identity/authorization.js";
import { eventAsReadBy } from "./modules/identity/event-visibility.js";
import { identityRoutes } from "./modules/identity/routes.js";
import { incidentRoutes } from "./modules/incidents/routes.js";
import { kbExtrasRoutes } from "./modules/kb/extras-routes.js";
import { kbRoutes } from "./modules/kb/routes.js";
import { mailRoutes } from "./modules/mail/routes.js";
import { metricsRoutes } from "./modules/metrics/routes.js";
import { monitoringMetrics } from "./modules/monitoring/metrics.js";
import { monitoringRoutes } from "./modules/monitoring/routes.js";
import { notificationRoutes } from "./modules/notifications/routes.js";
import { oncallRoutes } from "./modules/oncall/routes.js";
import { planRoutes } from "./modules/plan/routes.js";
import { reportRoutes } from "./modules/reports/routes.js";
import { runbookRoutes } from "./modules/runbooks/routes.js";
import { schedulingRoutes } from "./modules/scheduling/routes.js";
import { slaRoutes } from "./modules/sla/routes.js";
import { statusRoutes } from "./modules/status/routes.js";
import { systemRoutes } from "./modules/system/routes.js";
import { telephonyRoutes } from "./modules/telephony/routes.js";
import { consoleRoutes } from "./modules/tickets/console-routes.js";
import { portalRoutes } from "./modules/tickets/portal-routes.js";
import { ticketConsoleRoutes } from "./modules/tickets/queue-routes.js";
import { ticketRoutes } from "./modules/tickets/routes.js";
import { webhookRoutes } from "./modules/webhooks/routes.js";
import { eventRoutes } from "./platform/events/routes.js";
import { installBodyHandling } from "./platform/http/bodies.js";
import { clientErrorHandler, frameworkErrors, installErrorHandling, sendProblem } from "./platform/http/errors.js";
import { installMetrics } from "./platform/http/metrics.js";
import { installOpenApi } from "./platform/http/openapi.js";
import { ProblemType } from "./platform/http/problems.js";
import { securityHeaders } from "./platform/http/security-headers.js";
import { lazySerializerFactory } from "./platform/http/serialization.js";
import type { Platform } from "./platform/runtime.js";
import { packageVersion, readCommit } from "./platform/version.js";
import { createServices, type Services } from "./services.js";

export const BODY_LIMIT = 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Composition root: the HTTP layer over a running platform, with every module's routes. */
export async function buildApp(
  platform: Platform,
  services: Services = createServices(platform),
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: platform.log.child({ part: "http" }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    trustProxy: true,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: {
      // Unknown properties are an error, never silently dropped; all errors are reported at once.
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: "array", useDefaults: true },
    },
    routerOptions: { maxParamLength: 200 },
    schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory } },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const headers = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(headers);
    reply.header("x-request-id", String(request.id));
    done();
  });
  installErrorHandling(app);
  installBodyHandling(app);
  installAuthorization(app);
  const commit = platform.config.commit || readCommit();
  await installOpenApi(app, packageVersion);
  const registry = installMetrics(app, platform);
  const unobserveMonitoring = monitoringMetrics(registry, services.monitoring.engine);
  app.addHook("onClose", async () => unobserveMonitoring());

  await installAuthentication(app, services.authentication);
  await app.register(systemRoutes(platform, registry, { version: packageVersion, commit }));
  await app.register(identityRoutes(services, { secureCookies: platform.config.secureCookies }));
  await app.register(auditRoutes({ ...services, clock: platform.clock, timezone: platform.config.timezone }));
  await app.register(planRoutes(services.plan));
  await app.register(ticketRoutes(services.ticketAudience, { attachmentMaxBytes: platform.config.attachmentMaxBytes }));
  await app.register(consoleRoutes(services.cannedResponses, services.presence));
  await app.register(portalRoutes({ ...services, attachmentMaxBytes: platform.config.attachmentMaxBytes }));
  await app.register(reportRoutes(services));
  await app.register(ticketConsoleRoutes(services.ticketConsole, services.tickets));
  await app.register(webhookRoutes(services.webhooks));
  await app.register(mailRoutes(services.mail.mailboxes, services.mail.poller));
  await app.register(notificationRoutes(services.notifications));
  await app.register(monitoringRoutes(services.monitoring));
  await app.register(metricsRoutes(services.metrics));
  await app.register(alertRoutes(services.alerts));
  await app.register(backupRoutes(services.backups));
  await app.register(runbookRoutes(services.runbooks));
  await app.register(incidentRoutes(services.incidents, { evidenceMaxBytes: platform.config.attachmentMaxBytes }));
  await app.register(slaRoutes({ plan: services.plan }));
  await app.register(
    oncallRoutes({
      rotations: services.rotations,
      policies: services.escalationPolicies,
      pages: services.pages,
    }),
  );
  await app.register(statusRoutes(services.status));
  await app.register(schedulingRoutes(services.scheduledCalls));
  await app.register(kbExtrasRoutes(services.kbExtras));
  await app.register(kbRoutes(services.kb));
  await app.register(
    chatRoutes(services.chat, {
      events: platform.events,
      attachmentMaxBytes: platform.config.attachmentMaxBytes,
      now: () => platform.clock.now().getTime(),
    }),
  );
  await app.register(telephonyRoutes(services.telephony));
  // Who sees which event is the event catalogue's audience (area, tenancy), checked per viewer.
  await app.register(
    eventRoutes(platform, async (request) => {
      const actor = authorize(request, "events", "read");
      return (event) => eventAsReadBy(actor, event);
    }),
  );

  const webDir = platform.config.webDir;
  const hasWeb = existsSync(join(webDir, "index.html"));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ["index.html"] });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const wantsPage =
      hasWeb &&
      request.method === "GET" &&
      !path.startsWith("/api/") &&
      !/^\/(healthz|readyz|metrics)$/.test(path) &&
      !/\.[a-z0-9]+$/i.test(path);
    // History fallback: client-side routes load the SPA; everything else is a clear 404.
    if (wantsPage) return reply.type("text/html").sendFile("index.html");
    return sendProblem(request, reply, {
      status: 404,
      type: ProblemType.notFound,
      title: "Not found",
      detail: `${request.method} ${path} is not a route of this server`,
    });
  });
  return app;
}
