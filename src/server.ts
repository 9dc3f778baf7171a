import closeWithGrace from "close-with-grace";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import type { Config } from "./platform/config.js";
import { createPlatform, type Platform } from "./platform/runtime.js";
import { createServices, type Services } from "./services.js";

export interface RunningServer {
  app: FastifyInstance;
  platform: Platform;
  services: Services;
  url: string;
  close(): Promise<void>;
}

const STATISTICS_JOB = "db.statistics";

/** Opens the database (migrating it), starts jobs and events, and listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  const platform = await createPlatform({ config });
  let app: FastifyInstance;
  const services = createServices(platform);
  try {
    app = await buildApp(platform, services);
    await services.plan.ensureSeeded();
    await services.runbooks.ensureSeeded();
    await services.escalationPolicies.ensureSeeded();
    const setupUrl = await services.directory.bootstrap(config);
    if (setupUrl) platform.log.warn({ setupUrl }, `No users yet: open ${setupUrl} to create the first administrator`);
    await platform.start();
    await platform.jobs.scheduleHousekeeping(config.timezone);
    // Tables grow from empty to millions of rows without a restart: the planner's statistics follow every 6 h.
    platform.jobs.register(STATISTICS_JOB, () => platform.dialect.refreshStatistics(platform.db));
    await platform.jobs.schedule(STATISTICS_JOB, STATISTICS_JOB, "41 */6 * * *", "UTC");
    await services.backups.rpo.start();
    await services.metrics.start(config.timezone);
    await services.alerts.ensureDefaults();
    await services.alerts.engine.start(config.timezone);
    if (config.monitoringEnabled) await services.monitoring.start();
    services.status.start();
    await services.mail.start(config.timezone);
    if (config.jobsEnabled) services.telephony.pbx.start();
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await services.telephony.pbx.stop();
    await services.monitoring.stop();
    await platform.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  platform.log.info({ url, database: platform.database.safeUrl, node: config.nodeId }, "Plantão is serving");
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await services.telephony.pbx.stop();
      await services.monitoring.stop();
      await platform.close();
    })();
    return closing;
  };
  return { app, platform, services, url, close };
}

/** The `plantao start` process: serve until SIGINT/SIGTERM, then shut down gracefully. */
export async function runServer(config: Config): Promise<void> {
  const server = await startServer(config);
  closeWithGrace({ delay: 20_000 }, async ({ signal, err }) => {
    if (err) server.platform.log.error({ err }, "shutting down after an error");
    else server.platform.log.info({ signal }, "shutting down");
    await server.close();
  });
}
