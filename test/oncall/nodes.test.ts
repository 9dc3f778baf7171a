import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createServices } from "../../src/services.js";
import { openNode } from "../fixtures/nodes.js";
import { engines, scratchDatabase, TEST_PASSWORD } from "../harness.js";

/** Three nodes on one database: each step of a page runs once, whichever node's queue fires it. */
describe.each(engines)("pages across nodes on %s", (engine) => {
  it("notifies each step once and escalates once with three nodes draining at the same time", async () => {
    const scratch = await scratchDatabase(engine);
    const clock = new ManualClock("2026-12-01T15:00:00.000Z");
    const nodes = [
      await openNode(scratch.url, "a", { clock }),
      await openNode(scratch.url, "b", { clock }),
      await openNode(scratch.url, "c", { clock }),
    ];
    try {
      const services = nodes.map((n) => createServices(n));
      const [s] = services;
      await s!.plan.ensureSeeded();
      await s!.directory.bootstrap({ providerName: "Provedor" });
      await s!.escalationPolicies.ensureSeeded();
      const user = (role: "noc" | "manager", name: string) =>
        s!.directory.createUser(null, { email: `${name}@provedor.example`, name, role, password: TEST_PASSWORD });
      const engineer = await user("noc", "ana");
      const manager = await user("manager", "gil");
      const actor = { ...(await s!.directory.findUserByEmail("gil@provedor.example"))! };
      const req = { ip: "127.0.0.1", headers: {} };
      const rotation = await s!.rotations.create(
        actor,
        {
          name: "NOC",
          timezone: "America/Sao_Paulo",
          layers: [
            { name: "L", participants: [engineer.id], handoff: { every: "day", at: "09:00" }, startsOn: "2026-11-01" },
          ],
        },
        req,
      );
      const policy = await s!.escalationPolicies.create(
        actor,
        {
          name: "Dois passos",
          steps: [
            { targets: [{ kind: "rotation", rotationId: rotation.id }], waitMinutes: 5 },
            { targets: [{ kind: "user", userId: manager.id }], waitMinutes: 5 },
          ],
        },
        req,
      );
      const subject = { type: "incident", id: randomUUID() };
      // Two nodes page about the same subject at once: one page.
      const pages =
        engine === "postgres"
          ? await Promise.all(
              services
                .slice(0, 2)
                .map((x) => x.escalations.page({ subject, policyId: policy.id, severity: "critical", title: "T" })),
            )
          : [
              await services[0]!.escalations.page({ subject, policyId: policy.id, severity: "critical", title: "T" }),
              await services[1]!.escalations.page({ subject, policyId: policy.id, severity: "critical", title: "T" }),
            ];
      expect(pages[0]!.pageId).toBe(pages[1]!.pageId);
      const pageId = pages[0]!.pageId;
      const drainAll = async () => {
        for (let i = 0; i < 3; i++) {
          if (engine === "postgres") await Promise.all(nodes.map((n) => n.jobs.drain()));
          else for (const n of nodes) await n.jobs.drain();
        }
      };
      await drainAll();
      clock.set("2026-12-01T15:05:00.000Z");
      await drainAll();
      clock.set("2026-12-01T15:10:00.000Z");
      await drainAll();

      const db = nodes[0]!.db;
      const deliveries = await db
        .selectFrom("page_deliveries")
        .select(["step", "round", "user_id"])
        .where("page_id", "=", pageId)
        .orderBy("step")
        .execute();
      expect(deliveries).toEqual([
        { step: 0, round: 0, user_id: engineer.id },
        { step: 1, round: 0, user_id: manager.id },
      ]);
      const events = await db.selectFrom("events").select("type").where("subject_id", "=", pageId).execute();
      expect(events.map((e) => e.type).sort()).toEqual(["page.escalated", "page.triggered"]);
      expect((await services[2]!.pages.get(actor, pageId)).exhaustedAt).toBe("2026-12-01T15:10:00.000Z");
      // The link one node signed is good on another: they share the secret key.
      const notification = await db
        .selectFrom("notifications")
        .select("params")
        .where("thread", "=", `page:${pageId}`)
        .where("channel", "=", "email")
        .where("recipient", "=", "ana@provedor.example")
        .executeTakeFirstOrThrow();
      const token = /token=([A-Za-z0-9._-]+)/.exec(JSON.parse(notification.params).ackUrl)![1]!;
      const acked = await services[2]!.pages.acknowledgeByLink(token, req);
      expect(acked.outcome).toBe("acknowledged");
    } finally {
      for (const n of nodes) await n.close();
      await scratch.drop();
    }
  });
});
