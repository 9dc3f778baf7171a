import { benchEngines, load, measureSeconds, report, startBenchServer } from "./harness.js";

const CONNECTIONS = 10;

/**
 * Throughput of a database-backed API read (GET /api/v1/version reads the schema version from the database)
 * against a route that does no work, registered on the same app so both pay the same hooks, in the same run.
 */
export default async function apiRead(): Promise<void> {
  for (const engine of benchEngines) {
    const server = await startBenchServer(engine, ({ app }) => {
      app.get("/bench/bare", { schema: { hide: true } }, async () => ({ ok: true }));
    });
    try {
      const bare = await load(server.origin, { path: "/bench/bare", connections: CONNECTIONS });
      const read = await load(server.origin, { path: "/api/v1/version", connections: CONNECTIONS });
      report(
        {
          name: "api-read",
          metric: "requests/s",
          value: Math.round(read.requestsPerSec),
          baseline: Math.round(bare.requestsPerSec),
          engine,
          endpoint: "GET /api/v1/version",
          baselineEndpoint: "GET /bench/bare",
          connections: CONNECTIONS,
          seconds: measureSeconds,
          latencyP99Ms: read.latencyP99Ms,
          baselineLatencyP99Ms: bare.latencyP99Ms,
          node: process.version,
        },
        0.5,
      );
    } finally {
      await server.close();
    }
  }
}
