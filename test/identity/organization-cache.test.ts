import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createServices } from "../../src/services.js";
import { openNode } from "../fixtures/nodes.js";
import { engines, harnessActor, testApp } from "../harness.js";

const req = { ip: "127.0.0.1", headers: {} };

describe.each(engines)("organization reads on %s", (engine) => {
  it("show a change at once on the node that made it and within 5 s on another node", async () => {
    const clock = new ManualClock(new Date("2026-11-25T12:00:00Z"));
    const t = await testApp(engine, { clock });
    const other = await openNode(t.databaseUrl, "node-b", { clock, env: {}, config: { dataDir: t.config.dataDir } });
    try {
      const b = createServices(other);
      const org = await t.services.directory.createOrganization(harnessActor(t), { name: "Telefonia Antiga" }, req);
      expect((await b.directory.getOrganization(org.id)).name).toBe("Telefonia Antiga");

      await t.services.directory.updateOrganization(harnessActor(t), org.id, { name: "Telefonia Nova" }, req);
      expect((await t.services.directory.getOrganization(org.id)).name).toBe("Telefonia Nova");
      // The other node may answer from its copy for up to 5 s, never longer.
      clock.advance(4_999);
      expect((await b.directory.getOrganization(org.id)).name).toBe("Telefonia Antiga");
      clock.advance(2);
      expect((await b.directory.getOrganization(org.id)).name).toBe("Telefonia Nova");
      // Another organization's id is not found for a customer, cached or not.
      await expect(b.directory.getOrganization(org.id, t.providerId)).rejects.toMatchObject({ status: 404 });
    } finally {
      await other.close();
      await t.close();
    }
  });
});
