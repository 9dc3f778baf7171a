import { startBenchServer } from "/work/main/bench/harness.js";
const s = await startBenchServer("sqlite", async ({ services }) => {
  await services.plan.ensureSeeded();
  await services.identity.bootstrap({});
  await services.identity.createUser(null, { email: "b@example.com", name: "B", role: "agent", password: "bench password 123" });
});
const actor = await s.services.identity.findUserByEmail("b@example.com");
const { token } = await s.services.identity.createToken(actor!, { name: "b", scopes: ["*:read", "tickets:write"] });
const org = (await s.services.identity.listOrganizations({ limit: 1 }, {}))[0]!.id;
await Promise.all(Array.from({ length: 20 }, async (_, i) => {
  const t0 = performance.now();
  const res = await Promise.race([
    fetch(`${s.origin}/api/v1/tickets`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ organizationId: org, subject: "x", description: "y", type: "bug", severity: "high" }) }),
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error("timeout")), 5000)),
  ]).catch((e) => e);
  console.log(i, res instanceof Error ? res.message : res.status, (performance.now() - t0).toFixed(1));
}));
await s.close();
