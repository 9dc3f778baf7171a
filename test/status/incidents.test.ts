import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicPhase, stageAt } from "../../src/modules/incidents/status-source.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

describe("an incident's public phase", () => {
  it("follows the stage it was in when an update was written", () => {
    expect(
      ["identification", "classification", "diagnosis", "resolution", "verification", "documentation"].map(publicPhase),
    ).toEqual(["investigating", "investigating", "identified", "monitoring", "resolved", "resolved"]);
    const stages = [
      { stage: "identification", entered_at: "2026-12-06T10:00:00.000Z" },
      { stage: "classification", entered_at: "2026-12-06T10:05:00.000Z" },
      { stage: "diagnosis", entered_at: "2026-12-06T10:20:00.000Z" },
    ];
    expect(stageAt(stages, "2026-12-06T10:00:00.000Z")).toBe("identification");
    expect(stageAt(stages, "2026-12-06T10:19:59.999Z")).toBe("classification");
    expect(stageAt(stages, "2026-12-06T11:00:00.000Z")).toBe("diagnosis");
    expect(stageAt([], "2026-12-06T11:00:00.000Z")).toBe("identification");
  });
});

describe.each(engines)("incidents on the status page on %s", (engine) => {
  let t: TestContext;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await testApp(engine);
    admin = (await tokenFor(t, "admin")).headers;
  }, 60_000);
  afterAll(async () => t?.close());

  const api = (method: string, url: string, payload?: unknown) =>
    t.app.inject({ method: method as "GET", url, headers: admin, ...(payload ? { payload } : {}) });

  it("shows an operational incident's public updates on its component, never internal notes or security incidents", async () => {
    const component = (await api("POST", "/api/v1/components", { name: "Chamadas de saída" })).json();
    expect(component.id).toBeTruthy();
    const inc = (
      await api("POST", "/api/v1/incidents", {
        title: "Falha nas chamadas",
        severity: "high",
        componentIds: [component.id],
      })
    ).json();
    expect(
      (await api("POST", `/api/v1/incidents/${inc.id}/updates`, { body: "Investigando", visibility: "public" }))
        .statusCode,
    ).toBe(201);
    await api("POST", `/api/v1/incidents/${inc.id}/updates`, { body: "Roteador 3 suspeito", visibility: "internal" });
    const secret = (
      await api("POST", "/api/v1/incidents", { title: "Vazamento", severity: "critical", kind: "security" })
    ).json();
    await api("POST", `/api/v1/incidents/${secret.id}/updates`, { body: "Contido", visibility: "public" });

    // The page is a snapshot read again at most every second; an incident change shows at the next read.
    await t.services.status.page.refresh();
    const status = (await t.app.inject({ method: "GET", url: "/api/v1/status" })).json();
    const shown = status.incidents.filter((i: { id: string }) => i.id === inc.id || i.id === secret.id);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ title: "Falha nas chamadas", componentIds: [component.id] });
    expect(shown[0].updates).toEqual([expect.objectContaining({ status: "investigating", body: "Investigando" })]);
    const mine = status.components.find((c: { id: string }) => c.id === component.id);
    expect(mine.status).not.toBe("operational");
    const html = (await t.app.inject({ method: "GET", url: "/status" })).body;
    expect(html).toContain("Falha nas chamadas");
    expect(html).not.toContain("Roteador 3");
    expect(html).not.toContain("Vazamento");
  });

  it("keeps the Atom feed well-formed XML when a public text holds control characters", async () => {
    const component = (await api("POST", "/api/v1/components", { name: "Portal" })).json();
    const inc = (
      await api("POST", "/api/v1/incidents", {
        title: "Portal \u0007lento",
        severity: "low",
        componentIds: [component.id],
      })
    ).json();
    await api("POST", `/api/v1/incidents/${inc.id}/updates`, {
      body: "Fila\u001b[0m cheia & <lenta>",
      visibility: "public",
    });
    await t.services.status.page.refresh();
    const atom = (await t.app.inject({ method: "GET", url: "/status/feed.atom" })).body;
    expect(atom).toContain("<title>Portal lento</title>");
    expect(atom).toContain("Fila[0m cheia &amp; &lt;lenta&gt;");
    // XML 1.0's Char production: tab, newline and carriage return are the only controls allowed.
    const controls = [...atom].filter((c) => c.charCodeAt(0) < 0x20 && !"\t\n\r".includes(c));
    expect(controls).toEqual([]);
  });
});
