import { benchEngines, load, measureSeconds, report, startBenchServer } from "./harness.js";

/**
 * Enough concurrent connections to keep the server busy: with 10, the load generator (sharing the 2 cores)
 * was the bottleneck and the server sat idle about 30% of the time in a CPU profile, so the ratio measured
 * the client's scheduling rather than the cost of the token check and the read.
 */
const CONNECTIONS = 50;

/**
 * Throughput of a token-authenticated, database-backed read (GET /api/v1/organizations/{id} with a bearer
 * token: token check, role and scope check, then the organization read from the database under the tenant
 * filter) against a bare route on the same app, in the same run.
 */
export default async function apiTokenRead(): Promise<void> {
  for (const engine of benchEngines) {
    let token = "";
    let path = "";
    const server = await startBenchServer(engine, async ({ app, services }) => {
      app.get("/bench/bare", { schema: { hide: true } }, async () => ({ ok: true }));
      await services.directory.bootstrap({});
      const [provider] = await services.directory.listOrganizations({ limit: 1 }, {});
      path = `/api/v1/organizations/${provider!.id}`;
      await services.directory.createUser(null, {
        email: "bench@example.com",
        name: "Bench",
        role: "agent",
        password: "bench password 123",
      });
      const actor = await services.directory.findUserByEmail("bench@example.com");
      token = (await services.authentication.createToken(actor!, { name: "bench", scopes: ["*:read"] })).token;
    });
    try {
      const bare = await load(server.origin, { path: "/bench/bare", connections: CONNECTIONS });
      const read = await load(server.origin, {
        path,
        connections: CONNECTIONS,
        headers: { authorization: `Bearer ${token}` },
      });
      report(
        {
          name: "api-token-read",
          metric: "requests/s",
          value: Math.round(read.requestsPerSec),
          baseline: Math.round(bare.requestsPerSec),
          engine,
          endpoint: "GET /api/v1/organizations/{id} (Bearer token)",
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
