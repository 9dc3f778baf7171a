import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertPayload } from "../../src/modules/incidents/alert-intake.js";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

const T0 = "2026-03-10T12:00:00.000Z";
const MIN = 60_000;

describe.each(engines)("incidents on %s", (engine) => {
  let t: TestContext;
  let clock: ManualClock;
  let noc: Record<string, string>;
  let nocUserId: string;
  let sec: Record<string, string>;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  let customer: Record<string, string>;
  let orgId: string;

  beforeAll(async () => {
    clock = new ManualClock(T0);
    t = await testApp(engine, { clock });
    const nocToken = await tokenFor(t, "noc");
    noc = nocToken.headers;
    nocUserId = nocToken.user.id;
    sec = (await tokenFor(t, "security")).headers;
    admin = (await tokenFor(t, "admin")).headers;
    agent = (await tokenFor(t, "agent")).headers;
    const org = await createOrganization(t);
    orgId = org.id;
    customer = (await tokenFor(t, "customer-admin", { organizationId: org.id })).headers;
  });
  afterAll(() => t?.close());

  const api = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({ method: method as "GET", url, headers, payload: payload as object });
  const move = (id: string, body: Record<string, unknown>, headers = noc) =>
    api("POST", `/api/v1/incidents/${id}/stage`, headers, body);

  it("opens an incident in identification with the plan's critical clocks on 24x7 time", async () => {
    const pbx = (await api("POST", "/api/v1/components", admin, { name: "PBX SP1" })).json();
    // An affected component must be a status component: an unknown id would never show on /status.
    const unknown = await api("POST", "/api/v1/incidents", noc, {
      title: "PBX cluster down",
      severity: "critical",
      componentIds: [pbx.id, "pbx-sp1"],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({
      pointer: "/componentIds/1",
      message: "is not a status component",
    });
    const res = await api("POST", "/api/v1/incidents", noc, {
      title: "PBX cluster down",
      severity: "critical",
      componentIds: [pbx.id],
    });
    expect(res.statusCode, res.body).toBe(201);
    const inc = res.json();
    expect(inc).toMatchObject({ stage: "identification", kind: "operational", status: "open", createdAt: T0 });
    expect(inc.componentIds).toEqual([pbx.id]);
    const patched = await api("PATCH", `/api/v1/incidents/${inc.id}`, noc, { componentIds: ["nope"] });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().errors[0].pointer).toBe("/componentIds/0");
    expect((await api("GET", `/api/v1/incidents/${inc.id}`, noc)).json().componentIds).toEqual([pbx.id]);
    const [response, resolution] = inc.clocks;
    expect(response).toMatchObject({ kind: "response", status: "running", targetAt: "2026-03-10T12:30:00.000Z" });
    expect(resolution).toMatchObject({ kind: "resolution", breachAt: "2026-03-10T16:00:00.000Z", targetMinutes: 240 });
  });

  it("takes every severity's response and resolution times from the plan", async () => {
    // The plan: Critical 30 min / 4 h; High 2 h / 8 h; Medium 4 h / 24 h; Low 8 h / 72 h, on 24x7 time.
    for (const [severity, response, resolution] of [
      ["critical", 30, 240],
      ["high", 120, 480],
      ["medium", 240, 1440],
      ["low", 480, 4320],
    ] as const) {
      const inc = (await api("POST", "/api/v1/incidents", noc, { title: `clocks ${severity}`, severity })).json();
      expect(inc.clocks.map((c: { kind: string; targetMinutes: number }) => [c.kind, c.targetMinutes])).toEqual([
        ["response", response],
        ["resolution", resolution],
      ]);
      expect(Date.parse(inc.clocks[1].breachAt) - Date.parse(T0)).toBe(resolution * MIN);
    }
  });

  it("walks the six operational stages, refusing skips and missing fields with the field named", async () => {
    const inc = (await api("POST", "/api/v1/incidents", noc, { title: "Trunk flapping", severity: "high" })).json();
    const skip = await move(inc.id, { stage: "diagnosis" });
    expect(skip.statusCode).toBe(409);
    expect(skip.json().detail).toContain("cannot skip classification");
    const missing = await move(inc.id, { stage: "classification" });
    expect(missing.statusCode).toBe(400);
    expect(
      missing
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(["/impact", "/severity"]);
    expect((await api("GET", `/api/v1/incidents/${inc.id}`, noc)).json().stage).toBe("identification");

    clock.advance(10 * MIN);
    const classified = await move(inc.id, {
      stage: "classification",
      severity: "critical",
      impact: "All calls to SP fail",
    });
    expect(classified.statusCode, classified.body).toBe(200);
    // Raised to critical: the clocks follow the new severity from the start; the move acknowledged it.
    expect(classified.json()).toMatchObject({ severity: "critical", acknowledgedAt: "2026-03-10T12:10:00.000Z" });
    expect(classified.json().clocks[0]).toMatchObject({ status: "fulfilled", elapsedMinutes: 10 });
    expect(classified.json().clocks[1]).toMatchObject({ breachAt: "2026-03-10T16:00:00.000Z" });

    expect((await move(inc.id, { stage: "diagnosis" })).statusCode).toBe(200);
    expect((await move(inc.id, { stage: "resolution" })).json().errors[0].pointer).toBe("/diagnosis");
    expect((await move(inc.id, { stage: "resolution", diagnosis: "Carrier route flaps" })).statusCode).toBe(200);
    const noEvidence = await move(inc.id, { stage: "verification", fix: "Pinned the route" });
    expect(noEvidence.statusCode).toBe(400);
    expect(noEvidence.json().errors).toEqual([
      { in: "body", pointer: "/evidence", message: "is required to enter verification" },
    ]);
    clock.advance(50 * MIN);
    const verified = await move(inc.id, { stage: "verification", fix: "Pinned the route", evidence: "100 test calls" });
    expect(verified.json()).toMatchObject({ status: "resolved", resolvedAt: "2026-03-10T13:00:00.000Z" });
    expect(verified.json().clocks[1]).toMatchObject({ status: "fulfilled", elapsedMinutes: 60 });

    const noRoot = await move(inc.id, { stage: "documentation" });
    expect(noRoot.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/rootCause"]);
    const documented = await move(inc.id, { stage: "documentation", rootCause: "Carrier BGP" });
    expect(documented.json()).toMatchObject({ status: "closed", stage: "documentation" });

    const detail = (await api("GET", `/api/v1/incidents/${inc.id}`, noc)).json();
    expect(detail.history.map((h: { stage: string }) => h.stage)).toEqual([
      "identification",
      "classification",
      "diagnosis",
      "resolution",
      "verification",
      "documentation",
    ]);
    // Each stage entered is timestamped, with who moved it and the fields it required.
    expect(
      detail.history.map((h: { enteredAt: string; byUserId: string | null; fields: Record<string, string> }) => [
        h.enteredAt,
        h.byUserId,
        h.fields,
      ]),
    ).toEqual([
      ["2026-03-10T12:00:00.000Z", nocUserId, {}],
      ["2026-03-10T12:10:00.000Z", nocUserId, { severity: "critical", impact: "All calls to SP fail" }],
      ["2026-03-10T12:10:00.000Z", nocUserId, {}],
      ["2026-03-10T12:10:00.000Z", nocUserId, { diagnosis: "Carrier route flaps" }],
      ["2026-03-10T13:00:00.000Z", nocUserId, { fix: "Pinned the route", evidence: "100 test calls" }],
      ["2026-03-10T13:00:00.000Z", nocUserId, { rootCause: "Carrier BGP" }],
    ]);
    expect(detail.details).toMatchObject({
      rootCause: "Carrier BGP",
      fix: "Pinned the route",
      evidence: "100 test calls",
    });

    // Back to diagnosis needs a reason, and reopens the incident.
    expect((await move(inc.id, { stage: "diagnosis" })).json().errors[0].pointer).toBe("/reason");
    const back = await move(inc.id, { stage: "diagnosis", reason: "It came back" });
    expect(back.json()).toMatchObject({ status: "open", resolvedAt: null, stage: "diagnosis" });
  });

  it("acknowledges once: twice answers the first acknowledgement unchanged", async () => {
    const inc = (await api("POST", "/api/v1/incidents", noc, { title: "Voicemail slow", severity: "medium" })).json();
    clock.advance(MIN);
    const first = await api("POST", `/api/v1/incidents/${inc.id}/acknowledge`, agent);
    expect(first.statusCode).toBe(200);
    clock.advance(MIN);
    const second = await api("POST", `/api/v1/incidents/${inc.id}/acknowledge`, noc);
    expect(second.json().acknowledgedAt).toBe(first.json().acknowledgedAt);
  });

  it("breaches the response clock through the timers module when nobody acknowledges", async () => {
    const inc = (await api("POST", "/api/v1/incidents", noc, { title: "SBC overload", severity: "critical" })).json();
    clock.advance(31 * MIN);
    await t.platform.jobs.drain();
    const after = (await api("GET", `/api/v1/incidents/${inc.id}`, noc)).json();
    expect(after.clocks[0]).toMatchObject({ status: "breached", breachedAt: new Date(clock.now()).toISOString() });
    expect(after.clocks[1].status).toBe("running");
  });

  it("resolves linked customer tickets with the public update through the tickets service", async () => {
    const ticket = (
      await api("POST", "/api/v1/tickets", customer, {
        subject: "No calls",
        description: "Nothing works",
        type: "feature_failure",
        severity: "high",
      })
    ).json();
    const inc = (
      await api("POST", "/api/v1/incidents", noc, { title: "Outage", severity: "high", ticketIds: [ticket.id] })
    ).json();
    expect(inc.organizationIds).toEqual([orgId]);
    await api("POST", `/api/v1/incidents/${inc.id}/updates`, noc, {
      body: "We are investigating",
      visibility: "public",
    });
    await api("POST", `/api/v1/incidents/${inc.id}/updates`, noc, {
      body: "Router 3 suspected",
      visibility: "internal",
    });
    const steps = [
      { stage: "classification", severity: "high", impact: "Calls fail" },
      { stage: "diagnosis" },
      { stage: "resolution", diagnosis: "Router 3" },
      {
        stage: "verification",
        fix: "Replaced router 3",
        evidence: "Calls work",
        publicUpdate: "Service restored at 13:05.",
      },
    ];
    for (const s of steps) expect((await move(inc.id, s)).statusCode).toBe(200);
    await t.platform.jobs.drain();
    const seen = (await api("GET", `/api/v1/tickets/${ticket.id}`, customer)).json();
    expect(seen.status).toBe("resolved");
    const timeline = (await api("GET", `/api/v1/tickets/${ticket.id}/timeline`, customer)).json();
    expect(JSON.stringify(timeline)).toContain("Service restored at 13:05.");
    expect(JSON.stringify(timeline)).not.toContain("Router 3 suspected");
    const links = (await api("GET", `/api/v1/incidents/${inc.id}/tickets`, noc)).json();
    expect(links.items[0].resolvedAt).not.toBeNull();
    const updates = (await api("GET", `/api/v1/incidents/${inc.id}/updates?visibility=public`, noc)).json();
    expect(updates.items.map((u: { body: string }) => u.body)).toEqual([
      "We are investigating",
      "Service restored at 13:05.",
    ]);
  });

  it("promotes a ticket to an incident", async () => {
    const ticket = (
      await api("POST", "/api/v1/tickets", customer, {
        subject: "Trunk down",
        description: "SIP 503",
        type: "sip_trunk_integration",
        severity: "critical",
      })
    ).json();
    const res = await api("POST", `/api/v1/tickets/${ticket.id}/incident`, noc, {});
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      source: "ticket",
      sourceRef: ticket.id,
      severity: "critical",
      title: "Trunk down",
    });
    const detail = (await api("GET", `/api/v1/incidents/${res.json().id}`, noc)).json();
    expect(detail.tickets.map((l: { ticketId: string }) => l.ticketId)).toEqual([ticket.id]);
  });

  it("opens one incident per alert group at or above the configured severity", async () => {
    const alert = (n: number, severity: AlertPayload["severity"] = "critical"): AlertPayload => ({
      alertId: `00000000-0000-7000-8000-00000000000${n}`,
      fingerprint: `fp${n}`,
      groupKey: '{}:{alertname="MonitorDown"}',
      ruleId: null,
      ruleName: "MonitorDown",
      severity,
      labels: { alertname: "MonitorDown", instance: `pbx-${n}` },
      annotations: { summary: `PBX ${n} down` },
      monitorId: null,
      startsAt: T0,
      endsAt: null,
    });
    const svc = t.services.incidents.alertIntake;
    const first = await svc.onAlertFiring(alert(1));
    const second = await svc.onAlertFiring(alert(2, "high"));
    expect(first).not.toBeNull();
    expect(second).toBe(first);
    expect(await svc.onAlertFiring(alert(3, "medium"))).toBeNull();
    const detail = (await api("GET", `/api/v1/incidents/${first}`, noc)).json();
    expect(detail).toMatchObject({ source: "alert", severity: "critical", title: "PBX 1 down" });
    expect(detail.alerts.map((a: { fingerprint: string }) => a.fingerprint)).toEqual(["fp1", "fp2"]);
    await svc.onAlertResolved({ ...alert(1), endsAt: T0 });
    // Resolved, the group's next alert opens a new incident.
    for (const s of [
      { stage: "classification", severity: "critical", impact: "x" },
      { stage: "diagnosis" },
      { stage: "resolution", diagnosis: "x" },
      { stage: "verification", fix: "x", evidence: "x" },
    ]) {
      expect((await move(first!, s)).statusCode).toBe(200);
    }
    const third = await svc.onAlertFiring(alert(4));
    expect(third).not.toBe(first);
  });

  it("opens a burst of alerts together: one incident and one page per group, joins and resolutions in order", async () => {
    const alert = (n: number, group: string): AlertPayload => ({
      alertId: `00000000-0000-7000-8000-0000000001${String(n).padStart(2, "0")}`,
      fingerprint: `burst${n}`,
      groupKey: `{}:{alertname="Burst",instance="${group}"}`,
      ruleId: null,
      ruleName: "Burst",
      severity: "critical",
      labels: { alertname: "Burst", instance: group },
      annotations: { summary: `Burst ${group} ${n}` },
      monitorId: null,
      startsAt: T0,
      endsAt: null,
    });
    const groups = ["g1", "g2", "g3"];
    await t.platform.events.publishMany([
      ...groups.map((g, i) => ({ type: "alert.firing" as const, payload: alert(i, g) })),
      { type: "alert.firing" as const, payload: alert(3, "g1") },
      { type: "alert.resolved" as const, payload: { ...alert(0, "g1"), endsAt: T0 } },
      { type: "alert.firing" as const, payload: alert(4, "g2") },
    ]);
    await t.platform.fanOut.drain();
    await t.platform.jobs.drain();
    const db = t.platform.db;
    const incidents = await db
      .selectFrom("incidents")
      .select(["id", "alert_group_key", "source_ref"])
      .where("alert_group_key", "like", "%Burst%")
      .orderBy("alert_group_key")
      .execute();
    expect(incidents.map((i) => i.source_ref)).toEqual(
      [alert(0, "g1"), alert(1, "g2"), alert(2, "g3")].map((a) => a.alertId),
    );
    const links = await db
      .selectFrom("incident_alerts")
      .select(["incident_id", "fingerprint", "ends_at"])
      .where(
        "incident_id",
        "in",
        incidents.map((i) => i.id),
      )
      .orderBy("fingerprint")
      .execute();
    expect(links.map((l) => [incidents.findIndex((i) => i.id === l.incident_id), l.fingerprint, l.ends_at])).toEqual([
      [0, "burst0", T0],
      [1, "burst1", null],
      [2, "burst2", null],
      [0, "burst3", null],
      [1, "burst4", null],
    ]);
    const notes = await db
      .selectFrom("incident_updates")
      .select(["incident_id", "body"])
      .where(
        "incident_id",
        "in",
        incidents.map((i) => i.id),
      )
      .execute();
    expect(notes.filter((n) => n.incident_id === incidents[0]!.id).map((n) => n.body)).toEqual([
      "Alert Burst g1 3 (critical) joined this incident",
      "Alert Burst resolved",
    ]);
    const pages = await db
      .selectFrom("pages")
      .select(["subject_id", "step", "round"])
      .where(
        "subject_id",
        "in",
        incidents.map((i) => i.id),
      )
      .execute();
    expect(pages.map((p) => p.subject_id).sort()).toEqual(incidents.map((i) => i.id).sort());
    expect(pages.every((p) => p.step === 0 && p.round === 0)).toBe(true);
  });

  it("consumes alert.firing from the event bus through the fan-out, once", async () => {
    const payload = {
      alertId: "00000000-0000-7000-8000-0000000000a1",
      fingerprint: "fpa1",
      groupKey: '{}:{alertname="SipTrunkDown"}',
      ruleId: null,
      ruleName: "SipTrunkDown",
      severity: "critical" as const,
      labels: { alertname: "SipTrunkDown" },
      annotations: {},
      monitorId: null,
      startsAt: T0,
      endsAt: null,
    };
    await t.platform.events.publish({ type: "alert.firing", payload });
    await t.platform.fanOut.drain();
    await t.platform.jobs.drain();
    const list = (await api("GET", "/api/v1/incidents?limit=200", noc)).json();
    const opened = list.items.filter((i: { alertGroupKey: string | null }) => i.alertGroupKey === payload.groupKey);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ title: "SipTrunkDown", source: "alert", severity: "critical" });
    await t.platform.events.publish({ type: "alert.resolved", payload: { ...payload, endsAt: T0 } });
    await t.platform.fanOut.drain();
    await t.platform.jobs.drain();
    const detail = (await api("GET", `/api/v1/incidents/${opened[0].id}`, noc)).json();
    expect(detail.alerts[0].endsAt).not.toBeNull();
  });

  it("keeps security incidents to the security role and admins, with evidence hashes and containment", async () => {
    expect(
      (await api("POST", "/api/v1/incidents", noc, { title: "x", severity: "high", kind: "security" })).statusCode,
    ).toBe(403);
    const res = await api("POST", "/api/v1/incidents", sec, {
      title: "Toll fraud",
      severity: "critical",
      kind: "security",
    });
    expect(res.statusCode, res.body).toBe(201);
    const inc = res.json();
    expect(inc.stage).toBe("containment");
    for (const who of [noc, agent]) {
      expect((await api("GET", `/api/v1/incidents/${inc.id}`, who)).statusCode).toBe(404);
      const list = (await api("GET", "/api/v1/incidents?limit=200", who)).json();
      expect(list.items.some((i: { id: string }) => i.id === inc.id)).toBe(false);
    }
    expect((await api("GET", `/api/v1/incidents/${inc.id}`, admin)).statusCode).toBe(200);

    const data = Buffer.from("INVITE sip:00999@pbx ... 4000 calls");
    const ev = await api("POST", `/api/v1/incidents/${inc.id}/evidence`, sec, {
      filename: "cdr.txt",
      data: data.toString("base64"),
      description: "CDR extract",
    });
    expect(ev.statusCode, ev.body).toBe(201);
    expect(ev.json().sha256).toBe(createHash("sha256").update(data).digest("hex"));
    const dl = await api("GET", `/api/v1/incidents/${inc.id}/evidence/${ev.json().id}`, sec);
    expect(dl.rawPayload.equals(data)).toBe(true);

    const victim = await tokenFor(t, "agent");
    const acc = await api("POST", `/api/v1/incidents/${inc.id}/accounts`, sec, { kind: "user", refId: victim.user.id });
    expect(acc.statusCode, acc.body).toBe(201);
    const tokens = (await t.services.directory.directorySnapshot()).tokens.filter((k) => k.userId === victim.user.id);
    const tok = await api("POST", `/api/v1/incidents/${inc.id}/accounts`, sec, { kind: "token", refId: tokens[0]!.id });
    expect(tok.statusCode, tok.body).toBe(201);
    expect((await api("GET", "/api/v1/me", victim.headers)).statusCode).toBe(200);
    const revoked = await api("POST", `/api/v1/incidents/${inc.id}/accounts/${tok.json().id}/contain`, sec);
    expect(revoked.json()).toMatchObject({ action: "revoked" });
    expect((await api("GET", "/api/v1/me", victim.headers)).statusCode).toBe(401);
    const disabled = await api("POST", `/api/v1/incidents/${inc.id}/accounts/${acc.json().id}/contain`, sec);
    expect(disabled.json()).toMatchObject({ action: "disabled" });
    expect((await t.services.directory.getUser(victim.user.id)).disabled).toBe(true);
    const audit = await t.services.audit.list({ limit: 50 } as never);
    expect(audit.some((e) => e.action === "user.disabled-by-incident")).toBe(true);

    // The security process: eradication needs how it was contained.
    expect((await move(inc.id, { stage: "eradication" }, sec)).json().errors[0].pointer).toBe("/containment");
    expect((await move(inc.id, { stage: "eradication", containment: "Blocked trunk" }, sec)).statusCode).toBe(200);
    // The rest of the security process, each stage refused without its field (named), then entered with it.
    for (const [stage, field, value] of [
      ["recovery", "eradication", "Rotated the SIP passwords"],
      ["analysis", "evidence", "CDR extract"],
      ["documentation", "rootCause", "Weak SIP password"],
      ["improvement", "preventiveMeasures", "Password policy and fraud alert"],
    ] as const) {
      const refused = await move(inc.id, { stage }, sec);
      expect(refused.statusCode, stage).toBe(400);
      expect(refused.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(`/${field}`);
      const extra = stage === "documentation" ? { fix: "New passwords" } : {};
      const moved = await move(inc.id, { stage, [field]: value, ...extra }, sec);
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const walked = (await api("GET", `/api/v1/incidents/${inc.id}`, sec)).json();
    expect(walked.history.map((h: { stage: string }) => h.stage)).toEqual([
      "containment",
      "eradication",
      "recovery",
      "analysis",
      "documentation",
      "improvement",
    ]);
    expect(walked.resolvedAt).not.toBeNull();
    // Evidence routes refuse an operational incident.
    const op = (await api("POST", "/api/v1/incidents", sec, { title: "op", severity: "low" })).json();
    expect((await api("GET", `/api/v1/incidents/${op.id}/evidence`, sec)).statusCode).toBe(409);
  });

  it("pages a security incident only to the security role and admins, tells no customer, hides the page from others", async () => {
    const secUser = await tokenFor(t, "security");
    const res = await api("POST", "/api/v1/incidents", secUser.headers, {
      title: "Credential stuffing on the portal",
      severity: "critical",
      kind: "security",
      organizationIds: [orgId],
    });
    expect(res.statusCode, res.body).toBe(201);
    const inc = res.json();
    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
    const page = await t.platform.db
      .selectFrom("pages")
      .select(["id", "subject_type"])
      .where("subject_id", "=", inc.id)
      .executeTakeFirstOrThrow();
    expect(page.subject_type).toBe("security_incident");
    // Whoever the plan's critical policy reached is of the security role or an admin; no customer, no contact.
    const told = (await t.platform.db.selectFrom("notifications").select(["template", "params"]).execute()).filter(
      (n) => JSON.stringify(n.params).includes("Credential stuffing"),
    );
    expect(told.length).toBeGreaterThan(0);
    expect(told.map((n) => n.template)).not.toContain("page.customer");
    const deliveries = await t.platform.db
      .selectFrom("page_deliveries")
      .select(["user_id", "target"])
      .where("page_id", "=", page.id)
      .execute();
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) {
      expect(d.user_id, d.target).not.toBeNull();
      expect(["security", "admin"]).toContain((await t.services.directory.getUser(d.user_id!)).role);
    }
    // Nobody else sees the page: not listed, not shown, not acknowledgeable.
    for (const who of [noc, agent]) {
      const listed = (await api("GET", "/api/v1/pages?limit=200", who)).json().items;
      expect(listed.some((p: { id: string }) => p.id === page.id)).toBe(false);
      expect((await api("GET", `/api/v1/pages/${page.id}`, who)).statusCode).toBe(404);
      expect((await api("POST", `/api/v1/pages/${page.id}/acknowledge`, who)).statusCode).toBe(404);
    }
    const seen = (await api("GET", "/api/v1/pages?limit=200", secUser.headers)).json().items;
    expect(seen.some((p: { id: string }) => p.id === page.id)).toBe(true);
    expect((await api("GET", `/api/v1/pages/${page.id}`, admin)).json().title).toBe(
      "Credential stuffing on the portal",
    );
    // Acknowledging the security incident acknowledges its page.
    expect((await api("POST", `/api/v1/incidents/${inc.id}/acknowledge`, secUser.headers)).statusCode).toBe(200);
    expect((await api("GET", `/api/v1/pages/${page.id}`, admin)).json().status).toBe("acknowledged");
  });

  it("keeps incidents from customers", async () => {
    expect((await api("GET", "/api/v1/incidents", customer)).statusCode).toBe(403);
    expect((await api("POST", "/api/v1/incidents", customer, { title: "x", severity: "low" })).statusCode).toBe(403);
    expect(
      (await api("GET", "/api/v1/reports/incidents?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z", customer))
        .statusCode,
    ).toBe(403);
  });

  it("keeps a postmortem with action items tracked to done, each able to become a ticket", async () => {
    const inc = (await api("POST", "/api/v1/incidents", noc, { title: "DB failover", severity: "high" })).json();
    const pm = await api("PUT", `/api/v1/incidents/${inc.id}/postmortem`, noc, {
      summary: "Primary died",
      impact: "5 min of failed calls",
      timeline: "12:00 down, 12:05 up",
      rootCause: "Disk",
      wentWell: "Failover",
      wentBadly: "Alerting late",
    });
    expect(pm.statusCode, pm.body).toBe(200);
    const item = (
      await api("POST", `/api/v1/incidents/${inc.id}/action-items`, noc, { title: "Alert on disk SMART" })
    ).json();
    const asTicket = await api("POST", `/api/v1/incidents/${inc.id}/action-items/${item.id}/ticket`, noc);
    expect(asTicket.statusCode, asTicket.body).toBe(201);
    expect(asTicket.json().ticketId).toBeTruthy();
    expect((await api("POST", `/api/v1/incidents/${inc.id}/action-items/${item.id}/ticket`, noc)).statusCode).toBe(409);
    const done = await api("PATCH", `/api/v1/incidents/${inc.id}/action-items/${item.id}`, noc, { done: true });
    expect(done.json().doneAt).toBe(clock.now().toISOString());
    const read = (await api("GET", `/api/v1/incidents/${inc.id}/postmortem`, agent)).json();
    expect(read).toMatchObject({ rootCause: "Disk", actionItems: [{ title: "Alert on disk SMART" }] });
    const ticket = (await api("GET", `/api/v1/tickets/${asTicket.json().ticketId}`, noc)).json();
    expect(ticket.subject).toBe("Alert on disk SMART");
  });

  it("answers bad input with a 4xx and changes nothing", async () => {
    const inc = (await api("POST", "/api/v1/incidents", noc, { title: "x", severity: "low" })).json();
    for (const body of [
      { stage: "nope" },
      { stage: "classification", severity: "urgent" },
      { stage: "classification", extra: 1 },
    ]) {
      const res = await move(inc.id, body);
      expect(res.statusCode).toBe(400);
    }
    expect(
      (await api("POST", "/api/v1/incidents", noc, { title: "x", severity: "low", ticketIds: [inc.id] })).statusCode,
    ).toBe(400);
    expect((await api("GET", `/api/v1/incidents/${inc.id}`, noc)).json().stage).toBe("identification");
    expect(
      (await api("GET", "/api/v1/reports/incidents?from=2026-03-10T00:00:00Z&to=2026-03-01T00:00:00Z", noc)).statusCode,
    ).toBe(400);
  });
});
