import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { fillPlaceholders, unknownPlaceholders } from "../../src/modules/tickets/canned-responses.js";
import { PRESENCE_TTL_MS } from "../../src/modules/tickets/presence.js";
import { ManualClock } from "../../src/platform/clock.js";
import type { DomainEvent } from "../../src/platform/events/bus.js";
import { createPlatform } from "../../src/platform/runtime.js";
import { createServices } from "../../src/services.js";
import { createOrganization, engines, harnessActor, type TestContext, testApp, tokenFor } from "../harness.js";

const req = { ip: "127.0.0.1", headers: {} };

describe("canned response placeholders", () => {
  it("fills known placeholders and names unknown ones", () => {
    expect(
      fillPlaceholders("Olá {{customer.name}}, chamado #{{ ticket.number }} — {{agent.name}}", {
        "customer.name": "Rita",
        "ticket.number": 42,
        "agent.name": "Ana",
      }),
    ).toBe("Olá Rita, chamado #42 — Ana");
    expect(unknownPlaceholders("{{customer.nome}} {{ticket.number}} {{x.y}} {{customer.nome}}")).toEqual([
      "customer.nome",
      "x.y",
    ]);
  });
});

describe.each(engines)("agent console: canned responses and presence on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-25T12:00:00.000Z");
  beforeAll(async () => {
    t = await testApp(engine, { clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it("keeps canned responses per team, checks placeholders and fills them for a ticket", async () => {
    const manager = await tokenFor(t, "manager");
    const voip = await tokenFor(t, "agent");
    const billing = await tokenFor(t, "agent");
    await t.services.directory.updateUser(harnessActor(t), voip.user.id, { teams: ["voip"], name: "Ana" }, req);
    await t.services.directory.updateUser(harnessActor(t), billing.user.id, { teams: ["billing"] }, req);
    const org = await createOrganization(t, "Acme");
    const customer = await tokenFor(t, "customer", { organizationId: org.id });

    const shared = await t.app.inject({
      method: "POST",
      url: "/api/v1/canned-responses",
      headers: manager.headers,
      payload: {
        title: "Saudação",
        body: "Olá {{customer.name}}, sobre o chamado #{{ticket.number}} ({{organization.name}}): {{agent.name}}",
      },
    });
    expect(shared.statusCode).toBe(201);
    expect(shared.json().team).toBeNull();
    const typo = await t.app.inject({
      method: "POST",
      url: "/api/v1/canned-responses",
      headers: manager.headers,
      payload: { title: "Erro", body: "Olá {{cliente.nome}}" },
    });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().errors[0]).toMatchObject({ pointer: "/body" });
    // An agent writes for their own team only, never the shared set.
    const voipOnly = await t.app.inject({
      method: "POST",
      url: "/api/v1/canned-responses",
      headers: voip.headers,
      payload: { team: "voip", title: "Reiniciar ATA", body: "Reinicie o ATA, {{customer.name}}." },
    });
    expect(voipOnly.statusCode).toBe(201);
    for (const team of [null, "billing"]) {
      const refused = await t.app.inject({
        method: "POST",
        url: "/api/v1/canned-responses",
        headers: voip.headers,
        payload: { team, title: "x", body: "y" },
      });
      expect(refused.statusCode).toBe(400);
    }
    // Customers never see them; another team's agent does not see voip's.
    expect((await t.app.inject({ url: "/api/v1/canned-responses", headers: customer.headers })).statusCode).toBe(403);
    const billingList = (await t.app.inject({ url: "/api/v1/canned-responses", headers: billing.headers })).json();
    expect(billingList.items.map((r: { title: string }) => r.title)).toEqual(["Saudação"]);
    expect(
      (await t.app.inject({ url: `/api/v1/canned-responses/${voipOnly.json().id}`, headers: billing.headers }))
        .statusCode,
    ).toBe(404);
    const voipList = (await t.app.inject({ url: "/api/v1/canned-responses?q=ata", headers: voip.headers })).json();
    expect(voipList.items.map((r: { title: string }) => r.title)).toEqual(["Reiniciar ATA"]);

    const ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: customer.headers,
        payload: { subject: "Eco", description: "Eco", type: "performance", severity: "low" },
      })
    ).json();
    const rendered = await t.app.inject({
      method: "POST",
      url: `/api/v1/canned-responses/${shared.json().id}/render`,
      headers: voip.headers,
      payload: { ticketId: ticket.id },
    });
    expect(rendered.statusCode).toBe(200);
    expect(rendered.json().body).toBe(`Olá ${customer.user.name}, sobre o chamado #${ticket.number} (Acme): Ana`);

    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/canned-responses/${voipOnly.json().id}`,
      headers: voip.headers,
      payload: { title: "Reiniciar o ATA" },
    });
    expect(patched.json().title).toBe("Reiniciar o ATA");
    expect(
      (
        await t.app.inject({
          method: "DELETE",
          url: `/api/v1/canned-responses/${voipOnly.json().id}`,
          headers: billing.headers,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: "DELETE",
          url: `/api/v1/canned-responses/${voipOnly.json().id}`,
          headers: voip.headers,
        })
      ).statusCode,
    ).toBe(204);
  });

  it("warns of another agent on the ticket (across two nodes on PostgreSQL), and forgets a closed tab", async () => {
    // Several nodes share one PostgreSQL; on SQLite (one node) both agents use the same one.
    const two = engine === "postgres";
    const platformB = two
      ? await createPlatform({
          config: { ...t.config, nodeId: "node-b" },
          clock,
          logger: pino({ level: "silent" }),
          env: {},
          eventPayloadCheck: "throw",
        })
      : t.platform;
    const appB = two ? await buildApp(platformB, createServices(platformB)) : t.app;
    await appB.ready();
    const seen: DomainEvent[] = [];
    const unsubscribe = platformB.events.subscribe((e) => void seen.push(e));
    await platformB.events.start();
    try {
      const org = await createOrganization(t);
      const ana = await tokenFor(t, "agent");
      const bruno = await tokenFor(t, "agent");
      const customer = await tokenFor(t, "customer", { organizationId: org.id });
      const ticket = (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/tickets",
          headers: customer.headers,
          payload: { subject: "Eco", description: "Eco", type: "performance", severity: "low" },
        })
      ).json();
      const url = `/api/v1/tickets/${ticket.id}/presence`;

      // Ana opens the ticket on node A; Bruno, on node B, sees her, then sees her replying.
      const first = await t.app.inject({ method: "PUT", url, headers: ana.headers, payload: { activity: "viewing" } });
      expect(first.json().items).toEqual([]);
      const onB = await appB.inject({ method: "PUT", url, headers: bruno.headers, payload: { activity: "viewing" } });
      expect(onB.json().items).toMatchObject([{ userId: ana.user.id, name: ana.user.name, activity: "viewing" }]);
      await t.app.inject({ method: "PUT", url, headers: ana.headers, payload: { activity: "replying" } });
      expect((await appB.inject({ url, headers: bruno.headers })).json().items).toMatchObject([
        { userId: ana.user.id, activity: "replying" },
      ]);
      // Node B's event stream carries the change (PostgreSQL NOTIFY, SQLite polling): pages need not poll.
      await expect
        .poll(
          () =>
            seen.some(
              (e) =>
                e.type === "ticket.presence" &&
                (e.payload as { userId: string; activity: string }).userId === ana.user.id &&
                (e.payload as { activity: string }).activity === "replying",
            ),
          { timeout: 5_000 },
        )
        .toBe(true);

      // Leaving is news too; a tab closed without a word stops counting after the TTL.
      await t.app.inject({ method: "DELETE", url, headers: ana.headers });
      expect((await appB.inject({ url, headers: bruno.headers })).json().items).toEqual([]);
      await t.app.inject({ method: "PUT", url, headers: ana.headers, payload: { activity: "viewing" } });
      clock.advance(PRESENCE_TTL_MS + 1);
      expect((await appB.inject({ url, headers: bruno.headers })).json().items).toEqual([]);

      // Customers have no part in it.
      const refused = await t.app.inject({
        method: "PUT",
        url,
        headers: customer.headers,
        payload: { activity: "viewing" },
      });
      expect(refused.statusCode).toBe(403);
    } finally {
      unsubscribe();
      if (two) {
        await appB.close();
        await platformB.close();
      }
    }
  });
});
