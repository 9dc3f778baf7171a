import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertPayload } from "../../src/modules/incidents/alert-intake.js";
import { ManualClock } from "../../src/platform/clock.js";
import {
  createOrganization,
  createUser,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";

const T0 = "2026-04-01T12:00:00.000Z";

/**
 * The service an incident is about is first-class: the opening alert's `service` label (or given by hand)
 * is the incident's `service`, and figures group by it. And the plan's per-severity procedure tells affected
 * customers: an incident of a paging severity passes its organizations' contacts to the pager.
 */
describe.each(engines)("incidents by service, and affected customers paged, on %s", (engine) => {
  let t: TestContext;
  let noc: Record<string, string>;
  beforeAll(async () => {
    t = await testApp(engine, { clock: new ManualClock(T0) });
    noc = (await tokenFor(t, "noc")).headers;
  }, 240_000);
  afterAll(async () => t?.close());

  const api = (method: string, url: string, payload?: unknown) =>
    t.app.inject({ method: method as "GET", url, headers: noc, ...(payload ? { payload: payload as object } : {}) });
  const alert = (n: number, labels: Record<string, string>): AlertPayload => ({
    alertId: `00000000-0000-7000-8000-0000000001${String(n).padStart(2, "0")}`,
    fingerprint: `svc-fp${n}`,
    groupKey: `{}:{service="${labels.service ?? ""}",n="${n}"}`,
    ruleId: null,
    ruleName: "SipTrunkDown",
    severity: "critical",
    labels: { alertname: "SipTrunkDown", ...labels },
    annotations: { summary: `Alerta ${n}` },
    monitorId: null,
    startsAt: T0,
    endsAt: null,
  });

  it("takes the service from the alert's label, or as given, and groups figures by it", async () => {
    const svc = t.services.incidents.alertIntake;
    const a = await svc.onAlertFiring(alert(1, { service: "sip-trunk" }));
    const b = await svc.onAlertFiring(alert(2, { service: "sip-trunk" }));
    const c = await svc.onAlertFiring(alert(3, {}));
    const manual = await api("POST", "/api/v1/incidents", {
      title: "Portal lento",
      severity: "low",
      service: "portal",
    });
    expect(manual.statusCode, manual.body).toBe(201);
    expect(manual.json().service).toBe("portal");
    expect((await api("GET", `/api/v1/incidents/${a}`)).json().service).toBe("sip-trunk");
    expect((await api("GET", `/api/v1/incidents/${b}`)).json().service).toBe("sip-trunk");
    expect((await api("GET", `/api/v1/incidents/${c}`)).json().service).toBeNull();
    // Too long a service, or an empty one: a 400 naming the field.
    const bad = await api("POST", "/api/v1/incidents", { title: "x", severity: "low", service: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe("/service");

    const report = await api(
      "GET",
      "/api/v1/reports/incidents?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z&groupBy=service",
    );
    expect(report.statusCode, report.body).toBe(200);
    const groups = Object.fromEntries(
      report.json().groups.map((g: { key: string; count: number }) => [g.key, g.count]),
    );
    // The incident without a service is in no service's group (but in the total).
    expect(groups).toEqual({ "sip-trunk": 2, portal: 1 });
    expect(report.json().total).toBe(4);
  });

  it("tells the affected customers' contacts of a critical incident, and nobody else's", async () => {
    const orgA = await createOrganization(t, "Cliente Alfa");
    const orgB = await createOrganization(t, "Cliente Bravo");
    const adminA = await createUser(t, "customer-admin", { organizationId: orgA.id, email: "gestor@alfa.example" });
    await createUser(t, "customer", { organizationId: orgA.id, email: "usuario@alfa.example" });
    await createUser(t, "customer-admin", { organizationId: orgB.id, email: "gestor@bravo.example" });
    const res = await api("POST", "/api/v1/incidents", {
      title: "Queda de tronco SIP",
      severity: "critical",
      organizationIds: [orgA.id],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
    const page = await t.platform.db
      .selectFrom("pages")
      .select(["id", "customers"])
      .where("subject_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(page.customers)).toEqual([{ email: adminA.email, locale: "pt-BR" }]);
    const told = await t.platform.db
      .selectFrom("notifications")
      .select(["recipient", "template"])
      .where("thread", "=", `page:${page.id}`)
      .where("template", "=", "page.customer")
      .execute();
    expect(told.map((n) => n.recipient)).toEqual(["gestor@alfa.example"]);

    // A low incident is not paged: its customers are not told either.
    const low = await api("POST", "/api/v1/incidents", { title: "Lento", severity: "low", organizationIds: [orgB.id] });
    expect(low.statusCode).toBe(201);
    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
    const bravo = await t.platform.db
      .selectFrom("notifications")
      .select("recipient")
      .where("recipient", "=", "gestor@bravo.example")
      .execute();
    expect(bravo).toEqual([]);
  });

  it("derives an alert's components and customers from its monitor and service, and tells those customers", async () => {
    const orgA = await createOrganization(t, "Cliente Monitorado");
    const orgC = await createOrganization(t, "Cliente do Portal");
    const orgD = await createOrganization(t, "Cliente Dono do Monitor");
    const orgX = await createOrganization(t, "Cliente Alheio");
    await createUser(t, "customer-admin", { organizationId: orgA.id, email: "gestor@monitorado.example" });
    await createUser(t, "customer-admin", { organizationId: orgC.id, email: "gestor@portal.example" });
    await createUser(t, "customer-admin", { organizationId: orgD.id, email: "gestor@dono.example" });
    await createUser(t, "customer-admin", { organizationId: orgX.id, email: "gestor@alheio.example" });
    const actor = harnessActor(t);
    const req = { ip: "127.0.0.1", headers: {} };
    const monitor = (name: string, organizationId?: string) =>
      t.services.monitoring.create(
        actor,
        { name, type: "http", target: "http://127.0.0.1:9/", intervalSeconds: 60, organizationId } as never,
        req,
      );
    const m1 = await monitor("Tronco SIP 1");
    const owned = await monitor("PABX do cliente", orgD.id);
    const other = await monitor("Outro");
    const comps = t.services.status.components;
    const trunk = await comps.create(
      actor,
      { name: "Troncos SIP", monitorIds: [m1.id], organizationIds: [orgA.id] },
      req,
    );
    const portal = await comps.create(actor, { name: "Portal", group: "Web", organizationIds: [orgC.id] }, req);
    const shared = await comps.create(actor, { name: "Registro SIP", monitorIds: [m1.id] }, req);
    await comps.create(actor, { name: "Alheio", monitorIds: [other.id], organizationIds: [orgX.id] }, req);

    const svc = t.services.incidents.alertIntake;
    // The monitor (payload) links two components; the `service` label names the other's group.
    const id = (await svc.onAlertFiring({ ...alert(40, { service: " web " }), monitorId: m1.id }))!;
    const incident = (await api("GET", `/api/v1/incidents/${id}`)).json();
    expect([...incident.componentIds].sort()).toEqual([trunk.id, portal.id, shared.id].sort());
    expect([...incident.organizationIds].sort()).toEqual([orgA.id, orgC.id].sort());
    // A monitor's own organization is affected too (here through the `monitor_id` label).
    const byLabel = (await svc.onAlertFiring(alert(41, { monitor_id: owned.id })))!;
    expect((await api("GET", `/api/v1/incidents/${byLabel}`)).json().organizationIds).toEqual([orgD.id]);
    // Nothing links an alert of no known monitor or service: nobody's customers.
    const loose = (await svc.onAlertFiring(alert(42, { service: "nenhum" })))!;
    expect((await api("GET", `/api/v1/incidents/${loose}`)).json().organizationIds).toEqual([]);

    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
    const told = await t.platform.db
      .selectFrom("notifications")
      .innerJoin("pages", (j) => j.on(sql`notifications.thread`, "=", sql`'page:' || pages.id`))
      .select(["notifications.recipient", "pages.subject_id"])
      .where("notifications.template", "=", "page.customer")
      .where("pages.subject_id", "in", [id, byLabel, loose])
      .execute();
    const byIncident = (i: string) =>
      told
        .filter((n) => n.subject_id === i)
        .map((n) => n.recipient)
        .sort();
    expect(byIncident(id)).toEqual(["gestor@monitorado.example", "gestor@portal.example"]);
    expect(byIncident(byLabel)).toEqual(["gestor@dono.example"]);
    expect(byIncident(loose)).toEqual([]);
    expect(told.some((n) => n.recipient === "gestor@alheio.example")).toBe(false);

    // A second alert of the same group from another monitor adds what it affects to the open incident.
    const joined = await svc.onAlertFiring({
      ...alert(43, {}),
      groupKey: alert(40, { service: " web " }).groupKey,
      monitorId: other.id,
    });
    expect(joined).toBe(id);
    expect((await api("GET", `/api/v1/incidents/${id}`)).json().organizationIds).toContain(orgX.id);
  });
});
