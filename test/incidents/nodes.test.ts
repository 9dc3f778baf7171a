import { describe, expect, it } from "vitest";
import type { AlertPayload, AlertWork } from "../../src/modules/incidents/alert-intake.js";
import { createServices } from "../../src/services.js";
import { openNode } from "../fixtures/nodes.js";
import { engines, scratchDatabase } from "../harness.js";

/**
 * Two nodes opening bursts of alerts of the same groups at once: one incident and one page per group. PostgreSQL
 * only: two SQLite nodes in one process cannot race write transactions (a single-node engine; the old one-alert
 * path failed the same way with "database is locked").
 */
describe.skipIf(!engines.includes("postgres"))("alert bursts across nodes on postgres", () => {
  const engine = "postgres";
  it("opens each group's incident once when two nodes' bursts race on the same groups", async () => {
    const scratch = await scratchDatabase(engine);
    const nodes = [await openNode(scratch.url, "a"), await openNode(scratch.url, "b")];
    try {
      const services = nodes.map((n) => createServices(n));
      const [s] = services;
      await s!.plan.ensureSeeded();
      await s!.directory.bootstrap({ providerName: "Provedor" });
      await s!.escalationPolicies.ensureSeeded();
      const alert = (node: string, group: number): AlertWork => ({
        type: "alert.firing",
        alert: {
          alertId: `00000000-0000-7000-8000-${node === "a" ? "0" : "1"}${String(group).padStart(11, "0")}`,
          fingerprint: `${node}${group}`,
          groupKey: `{}:{instance="pbx-${group}"}`,
          ruleId: null,
          ruleName: "PbxDown",
          severity: "critical",
          labels: { alertname: "PbxDown", instance: `pbx-${group}` },
          annotations: { summary: `PBX ${group} down` },
          monitorId: null,
          startsAt: new Date().toISOString(),
          endsAt: null,
        } satisfies AlertPayload,
      });
      const groups = Array.from({ length: 10 }, (_, i) => i);
      // Opposite orders, so each node's transaction meets the other's groups first.
      await Promise.all([
        services[0]!.incidents.alertIntake.onAlerts(groups.map((g) => alert("a", g))),
        services[1]!.incidents.alertIntake.onAlerts([...groups].reverse().map((g) => alert("b", g))),
      ]);
      const db = nodes[0]!.db;
      const incidents = await db.selectFrom("incidents").select(["id", "alert_group_key"]).execute();
      expect(incidents.map((i) => i.alert_group_key).sort()).toEqual(
        groups.map((g) => `{}:{instance="pbx-${g}"}`).sort(),
      );
      const links = await db.selectFrom("incident_alerts").select(["incident_id", "fingerprint"]).execute();
      expect(links).toHaveLength(20);
      for (const i of incidents) expect(links.filter((l) => l.incident_id === i.id)).toHaveLength(2);
      const pages = await db.selectFrom("pages").select("subject_id").execute();
      expect(pages.map((p) => p.subject_id).sort()).toEqual(incidents.map((i) => i.id).sort());
    } finally {
      for (const n of nodes) await n.close();
      await scratch.drop();
    }
  }, 30_000);
});
