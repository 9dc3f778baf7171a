import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../src/modules/identity/roles.js";
import { defaultRunbooks } from "../../src/modules/runbooks/defaults.js";
import { ManualClock } from "../../src/platform/clock.js";
import { createServices } from "../../src/services.js";
import { openNode } from "../fixtures/nodes.js";
import {
  createOrganization,
  createUser,
  engines,
  scratchDatabase,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";

type Headers = Record<string, string>;
type Json = Record<string, any>;

const MINUTE = 60_000;
const step = (title: string, expectedMinutes: number, owner: Json = { ownerRole: "noc" }) => ({
  title,
  expectedMinutes,
  ...owner,
});

describe.each(engines)("runbooks and drills on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-04-06T02:00:00.000Z");
  let noc: Headers;
  let org: string;

  beforeAll(async () => {
    t = await testApp(engine, { clock, start: true, config: { jobsEnabled: false } });
    await t.services.runbooks.ensureSeeded();
    noc = (await tokenFor(t, "noc")).headers;
    org = (await createOrganization(t)).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const call = async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, headers = noc) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Json }) });
  const ok = async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, status = 200) => {
    const res = await call(method, url, payload);
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as Json;
  };
  const create = (body: Json) => ok("POST", "/api/v1/runbooks", body, 201);
  const runbookCount = async () => (await ok("GET", "/api/v1/runbooks?limit=200")).items.length as number;

  it("seeds the plan's three checklists once, in Portuguese, inside the RTO", async () => {
    const { items, nextCursor } = await ok("GET", "/api/v1/runbooks");
    expect(nextCursor).toBeNull();
    const seeded = items.slice(0, 3);
    expect(seeded.map((r: Json) => r.kind)).toEqual(["full-recovery", "contingency-activation", "plantao-restore"]);
    expect(seeded.map((r: Json) => r.name)).toEqual(defaultRunbooks.map((r) => r.name));
    for (const r of seeded) {
      expect(r).toMatchObject({ version: 1, rtoMinutes: 240, monitorId: null, createdAt: "2026-04-06T02:00:00.000Z" });
      expect(r.expectedMinutes).toBeLessThanOrEqual(240);
      expect(r.steps.every((s: Json) => s.ownerRole && s.ownerUserId === null)).toBe(true);
    }
    const restore = seeded[2].steps.map((s: Json) => s.description).join("\n");
    expect(restore).toContain("plantao backup restore");
    expect(restore).toContain("plantao backup list");

    await t.services.runbooks.ensureSeeded();
    expect(await runbookCount()).toBe(items.length);
    expect(await t.services.auditRepo.list({ action: "runbooks.seeded", limit: 10 })).toHaveLength(1);
    const versions = await ok("GET", `/api/v1/runbooks/${seeded[0].id}/versions`);
    expect(versions.items).toEqual([
      expect.objectContaining({ version: 1, author: null, comment: "Roteiro padrão do plano" }),
    ]);
  });

  it("seeds once when nodes start together, and never brings a deleted default back", async () => {
    const scratch = await scratchDatabase(engine);
    const first = await openNode(scratch.url, "a", { clock });
    const nodes = [first, await openNode(scratch.url, "b", { clock }), await openNode(scratch.url, "c", { clock })];
    try {
      const services = nodes.map((n) => createServices(n));
      await services[0]!.plan.ensureSeeded();
      // better-sqlite3 blocks the process while it waits for a lock, so in-process SQLite nodes take turns.
      if (engine === "postgres") await Promise.all(services.map((s) => s.runbooks.ensureSeeded()));
      else for (const s of services) await s.runbooks.ensureSeeded();
      const rows = await first.db.selectFrom("runbooks").select(["id", "kind"]).orderBy("id").execute();
      expect(rows.map((r) => r.kind)).toEqual(["full-recovery", "contingency-activation", "plantao-restore"]);
      expect(await first.db.selectFrom("runbook_versions").select("version").execute()).toHaveLength(3);

      await first.db.deleteFrom("runbook_versions").where("runbook_id", "=", rows[0]!.id).execute();
      await first.db.deleteFrom("runbooks").where("id", "=", rows[0]!.id).execute();
      await services[1]!.runbooks.ensureSeeded();
      expect(await first.db.selectFrom("runbooks").select("id").execute()).toHaveLength(2);
    } finally {
      for (const n of nodes) await n.close();
      await scratch.drop();
    }
  });

  it("creates, edits as new versions, guards against lost edits and deletes", async () => {
    const created = await create({
      name: "Failover do SBC",
      purpose: "Trocar para o SBC reserva",
      kind: "contingency-activation",
      monitorId: "mon-standby-sbc",
      steps: [step("Conferir o reserva", 5), step("Trocar o DNS", 10, { ownerRole: "admin", description: "TTL 60" })],
      comment: "primeira versão",
    });
    expect(created).toMatchObject({
      name: "Failover do SBC",
      kind: "contingency-activation",
      monitorId: "mon-standby-sbc",
      version: 1,
      expectedMinutes: 15,
      rtoMinutes: 240,
      steps: [
        { title: "Conferir o reserva", description: "", ownerRole: "noc", ownerUserId: null, expectedMinutes: 5 },
        { title: "Trocar o DNS", description: "TTL 60", ownerRole: "admin", ownerUserId: null, expectedMinutes: 10 },
      ],
    });

    clock.advance(MINUTE);
    const owner = await createUser(t, "noc");
    const edited = await ok("PATCH", `/api/v1/runbooks/${created.id}`, {
      baseVersion: 1,
      steps: [step("Conferir o reserva", 5, { ownerUserId: owner.id })],
      comment: "um dono só",
    });
    expect(edited).toMatchObject({
      version: 2,
      name: "Failover do SBC",
      monitorId: "mon-standby-sbc",
      expectedMinutes: 5,
    });
    expect(edited.steps[0]).toMatchObject({ ownerRole: null, ownerUserId: owner.id });

    // Changing the kind drops the monitor, which only a contingency-activation runbook watches.
    const renamed = await ok("PATCH", `/api/v1/runbooks/${created.id}`, { kind: "other" });
    expect(renamed).toMatchObject({ version: 3, kind: "other", monitorId: null });

    const stale = await call("PATCH", `/api/v1/runbooks/${created.id}`, { baseVersion: 2, name: "x" });
    expect(stale.statusCode).toBe(409);
    expect(stale.headers["content-type"]).toContain("application/problem+json");
    expect((await ok("GET", `/api/v1/runbooks/${created.id}`)).name).toBe("Failover do SBC");

    const versions = await ok("GET", `/api/v1/runbooks/${created.id}/versions?limit=2`);
    expect(versions.items.map((v: Json) => v.version)).toEqual([3, 2]);
    expect(versions.items[1]).toMatchObject({
      comment: "um dono só",
      author: { name: expect.stringMatching(/^noc /) },
    });
    const older = await ok("GET", `/api/v1/runbooks/${created.id}/versions?limit=2&cursor=${versions.nextCursor}`);
    expect(older.items.map((v: Json) => [v.version, v.comment])).toEqual([[1, "primeira versão"]]);
    expect(older.nextCursor).toBeNull();

    const audit = await t.services.auditRepo.list({ limit: 50 });
    expect(audit.filter((a) => a.target_id === created.id).map((a) => a.action)).toEqual([
      "runbook.updated",
      "runbook.updated",
      "runbook.created",
    ]);

    expect((await call("DELETE", `/api/v1/runbooks/${created.id}`)).statusCode).toBe(204);
    expect((await call("GET", `/api/v1/runbooks/${created.id}`)).statusCode).toBe(404);
    expect((await call("GET", `/api/v1/runbooks/${created.id}/versions`)).statusCode).toBe(404);
    expect((await call("DELETE", `/api/v1/runbooks/${created.id}`)).statusCode).toBe(404);
  });

  it("rejects bad input with the field at fault and changes nothing", async () => {
    const before = await runbookCount();
    const customer = await createUser(t, "customer", { organizationId: org });
    const pointers = async (payload: unknown, method: "POST" | "PATCH" = "POST", url = "/api/v1/runbooks") => {
      const res = await call(method, url, payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      return res.json().errors.map((e: { pointer: string }) => e.pointer);
    };
    const good = { name: "R", kind: "other", steps: [step("a", 1)] };
    expect(await pointers({ ...good, name: "", extra: 1 })).toEqual(expect.arrayContaining(["/name", "/extra"]));
    expect(await pointers({ ...good, kind: "fire-drill" })).toContain("/kind");
    expect(await pointers({ ...good, steps: [] })).toEqual(["/steps"]);
    expect(await pointers({ ...good, steps: [step("a", -1)] })).toEqual(["/steps/0/expectedMinutes"]);
    expect(await pointers({ ...good, steps: [step("a", 1), step("b", 1, { ownerRole: "customer" })] })).toContain(
      "/steps/1/ownerRole",
    );
    expect(
      await pointers({ ...good, steps: [step("a", 1), step("b", 1, { ownerRole: "noc", ownerUserId: customer.id })] }),
    ).toEqual(["/steps/1"]);
    expect(await pointers({ ...good, steps: [step("a", 1, {})] })).toEqual(["/steps/0"]);
    expect(await pointers({ ...good, steps: [step("a", 1, { ownerUserId: customer.id })] })).toEqual([
      "/steps/0/ownerUserId",
    ]);
    expect(await pointers({ ...good, monitorId: "mon-1" })).toEqual(["/monitorId"]);
    const { id } = (await ok("GET", "/api/v1/runbooks")).items[0];
    expect(await pointers({}, "PATCH", `/api/v1/runbooks/${id}`)).toEqual([""]);
    expect(await pointers({ monitorId: "m" }, "PATCH", `/api/v1/runbooks/${id}`)).toEqual(["/monitorId"]);
    expect((await call("GET", "/api/v1/runbooks/not-a-uuid")).statusCode).toBe(400);
    expect((await call("GET", "/api/v1/runbooks?cursor=%00")).statusCode).toBe(400);
    expect((await call("GET", `/api/v1/runbooks/${id}/versions?cursor=YWJj`)).statusCode).toBe(400);
    expect(await runbookCount()).toBe(before);
    expect((await ok("GET", `/api/v1/runbooks/${id}`)).version).toBe(1);
  });

  it("lets noc, admin and manager write, auditor and security read, and nobody else in", async () => {
    const body = { name: "Roteiro", kind: "other", steps: [step("a", 1)] };
    for (const role of ["noc", "admin", "manager"] as Role[]) {
      const h = (await tokenFor(t, role)).headers;
      const res = await call("POST", "/api/v1/runbooks", body, h);
      expect(res.statusCode, role).toBe(201);
      expect((await call("DELETE", `/api/v1/runbooks/${res.json().id}`, undefined, h)).statusCode).toBe(204);
    }
    const { id } = (await ok("GET", "/api/v1/runbooks")).items[0];
    const drill = await ok("POST", "/api/v1/drills", { runbookId: id }, 201);
    for (const role of ["auditor", "security"] as Role[]) {
      const h = (await tokenFor(t, role)).headers;
      expect((await call("GET", "/api/v1/runbooks", undefined, h)).statusCode).toBe(200);
      expect((await call("GET", `/api/v1/drills/${drill.id}`, undefined, h)).statusCode).toBe(200);
      expect((await call("POST", "/api/v1/runbooks", body, h)).statusCode, role).toBe(403);
      expect((await call("POST", "/api/v1/drills", { runbookId: id }, h)).statusCode).toBe(403);
      expect((await call("PATCH", `/api/v1/drills/${drill.id}/steps/0`, { status: "started" }, h)).statusCode).toBe(
        403,
      );
    }
    const outsiders = [
      (await tokenFor(t, "agent")).headers,
      (await tokenFor(t, "customer", { organizationId: org })).headers,
      (await tokenFor(t, "customer-admin", { organizationId: org })).headers,
    ];
    for (const h of outsiders) {
      for (const [method, url, payload] of [
        ["GET", "/api/v1/runbooks", undefined],
        ["GET", `/api/v1/runbooks/${id}`, undefined],
        ["GET", `/api/v1/runbooks/${id}/versions`, undefined],
        ["POST", "/api/v1/runbooks", body],
        ["PATCH", `/api/v1/runbooks/${id}`, { name: "x" }],
        ["DELETE", `/api/v1/runbooks/${id}`, undefined],
        ["GET", "/api/v1/drills", undefined],
        ["GET", `/api/v1/drills/${drill.id}`, undefined],
        ["POST", "/api/v1/drills", { runbookId: id }],
        ["PATCH", `/api/v1/drills/${drill.id}/steps/0`, { status: "done" }],
        ["POST", `/api/v1/drills/${drill.id}/abort`, { reason: "x" }],
      ] as const) {
        const res = await call(method, url, payload, h);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.body).not.toContain(drill.runbookName);
      }
    }
    expect((await t.app.inject({ url: "/api/v1/drills" })).statusCode).toBe(401);
    // The customer's live events never show drills.
    const seen = await t.platform.events.since(0, 10_000);
    expect(seen.filter((e) => e.type.startsWith("drill.")).every((e) => e.organizationId === null)).toBe(true);
    await ok("POST", `/api/v1/drills/${drill.id}/abort`, { reason: "teste de acesso" });
  });

  it("times a drill step by step on the server clock and compares it with the RTO", async () => {
    const runbook = await create({
      name: "Simulado curto",
      kind: "plantao-restore",
      steps: [
        step("Preparar", 10, { ownerRole: "admin" }),
        step("Restaurar", 30),
        step("Validar", 15),
        step("Avisar", 5),
      ],
    });
    const eventsBefore = (await t.platform.events.since(0, 10_000)).length;
    const started = await ok("POST", "/api/v1/drills", { runbookId: runbook.id, notes: "ambiente de teste" }, 201);
    expect(started).toMatchObject({
      runbookId: runbook.id,
      runbookVersion: 1,
      runbookName: "Simulado curto",
      kind: "plantao-restore",
      status: "running",
      notes: "ambiente de teste",
      startedAt: clock.now().toISOString(),
      finishedAt: null,
      elapsedSeconds: 0,
      expectedMinutes: 60,
      rtoMinutes: 240,
      expectedFitsRto: true,
      rtoVerdict: "on-track",
    });
    expect(started.steps.map((s: Json) => s.status)).toEqual(["pending", "pending", "pending", "pending"]);
    const url = `/api/v1/drills/${started.id}`;

    // Editing the runbook meanwhile does not change the drill's copy.
    await ok("PATCH", `/api/v1/runbooks/${runbook.id}`, { steps: [step("Outro", 1)] });
    expect((await ok("GET", url)).steps).toHaveLength(4);

    clock.advance(2 * MINUTE);
    await ok("PATCH", `${url}/steps/0`, { status: "started" });
    clock.advance(12 * MINUTE);
    const afterFirst = await ok("PATCH", `${url}/steps/0`, { status: "done", note: "ok" });
    expect(afterFirst.steps[0]).toMatchObject({
      status: "done",
      durationSeconds: 720,
      overran: true,
      note: "ok",
      markedBy: expect.stringMatching(/^noc /),
    });
    expect(afterFirst.elapsedSeconds).toBe(14 * 60);
    await ok("PATCH", `${url}/steps/1`, { status: "started" });
    clock.advance(25 * MINUTE);
    const running = await ok("GET", url);
    expect(running.steps[1]).toMatchObject({ status: "started", durationSeconds: 1500, overran: false });
    await ok("PATCH", `${url}/steps/1`, { status: "done" });
    clock.advance(10 * MINUTE);
    // Straight to done: counted from the end of the previous step.
    const straight = await ok("PATCH", `${url}/steps/2`, { status: "done" });
    expect(straight.steps[2]).toMatchObject({ durationSeconds: 600, overran: false });

    expect((await call("PATCH", `${url}/steps/2`, { status: "skipped" })).statusCode).toBe(409);
    expect((await call("PATCH", `${url}/steps/4`, { status: "done" })).statusCode).toBe(404);
    expect((await call("PATCH", `${url}/steps/1`, { status: "finished" })).statusCode).toBe(400);
    const early = await call("POST", `${url}/finish`, {});
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toContain("Steps 3");

    await ok("PATCH", `${url}/steps/3`, { status: "skipped", note: "clientes já avisados" });
    clock.advance(MINUTE);
    const finished = await ok("POST", `${url}/finish`, { notes: "restauração dentro do RTO" });
    expect(finished).toMatchObject({
      status: "finished",
      finishedAt: clock.now().toISOString(),
      elapsedSeconds: 50 * 60,
      rtoVerdict: "within",
      notes: "ambiente de teste\n\nrestauração dentro do RTO",
    });
    expect(finished.steps.map((s: Json) => [s.status, s.durationSeconds])).toEqual([
      ["done", 720],
      ["done", 1500],
      ["done", 600],
      ["skipped", null],
    ]);
    clock.advance(60 * MINUTE);
    expect((await ok("GET", url)).elapsedSeconds).toBe(50 * 60);
    expect((await call("PATCH", `${url}/steps/3`, { status: "started" })).statusCode).toBe(409);
    expect((await call("POST", `${url}/finish`, {})).statusCode).toBe(409);

    const events = (await t.platform.events.since(0, 10_000))
      .slice(eventsBefore)
      .filter((e) => e.type.startsWith("drill."));
    expect(events.map((e) => e.type)).toEqual(["drill.started", "drill.finished"]);
    expect(events[1]!.payload).toMatchObject({
      drillId: started.id,
      outcome: "finished",
      elapsedSeconds: 3000,
      rtoMinutes: 240,
      rtoVerdict: "within",
      stepsDone: 3,
      stepsSkipped: 1,
    });
    const audit = (await t.services.auditRepo.list({ limit: 100 })).filter((a) => a.target_id === started.id);
    expect(audit.map((a) => a.action).reverse()).toEqual([
      "drill.started",
      ...Array(6).fill("drill.step_marked"),
      "drill.finished",
    ]);
  });

  it("marks a drill over the RTO as exceeded, and aborts one with its reason", async () => {
    const { id } = (await ok("GET", "/api/v1/runbooks")).items[1];
    const plan = await t.services.plan.current();
    const document = structuredClone(plan.document);
    document.disasterRecovery.rto = { value: 2, unit: "hours" };
    await t.services.plan.update({ document, comment: "RTO menor" }, { cli: true });

    const slow = await ok("POST", "/api/v1/drills", { runbookId: id }, 201);
    expect(slow.rtoMinutes).toBe(120);
    clock.advance(121 * MINUTE);
    expect((await ok("GET", `/api/v1/drills/${slow.id}`)).rtoVerdict).toBe("exceeded");
    const steps = slow.steps.length as number;
    for (let i = 0; i < steps; i++) await ok("PATCH", `/api/v1/drills/${slow.id}/steps/${i}`, { status: "done" });
    expect((await ok("POST", `/api/v1/drills/${slow.id}/finish`, {})).rtoVerdict).toBe("exceeded");

    const quick = await ok("POST", "/api/v1/drills", { runbookId: id }, 201);
    expect((await call("DELETE", `/api/v1/runbooks/${id}`)).statusCode).toBe(409);
    await ok("PATCH", `/api/v1/drills/${quick.id}/steps/0`, { status: "started" });
    clock.advance(3 * MINUTE);
    expect((await call("POST", `/api/v1/drills/${quick.id}/abort`, {})).json().errors[0].pointer).toBe("/reason");
    const aborted = await ok("POST", `/api/v1/drills/${quick.id}/abort`, { reason: "contingência indisponível" });
    expect(aborted).toMatchObject({ status: "aborted", rtoVerdict: "incomplete", notes: "contingência indisponível" });
    clock.advance(10 * MINUTE);
    expect((await ok("GET", `/api/v1/drills/${quick.id}`)).steps[0]).toMatchObject({
      status: "started",
      durationSeconds: 180,
    });

    document.disasterRecovery.rto = { value: 4, unit: "hours" };
    await t.services.plan.update({ document, comment: "RTO de volta" }, { cli: true });
  });

  it("lets one of two people marking the same step at once win; the other gets a 409", async () => {
    const { id } = (await ok("GET", "/api/v1/runbooks")).items[2];
    const drill = await ok("POST", "/api/v1/drills", { runbookId: id }, 201);
    const url = `/api/v1/drills/${drill.id}/steps/0`;
    const other = (await tokenFor(t, "manager")).headers;
    const answers = await Promise.all([
      call("PATCH", url, { status: "started" }),
      call("PATCH", url, { status: "started" }, other),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const audit = (await t.services.auditRepo.list({ action: "drill.step_marked", limit: 100 })).filter(
      (a) => a.target_id === drill.id,
    );
    expect(audit).toHaveLength(1);
    await ok("POST", `/api/v1/drills/${drill.id}/abort`, { reason: "teste de concorrência" });
  });

  it("lists drills newest first, by runbook and status, and keeps them after the runbook is gone", async () => {
    const runbook = await create({ name: "Para apagar", kind: "other", steps: [step("a", 1)] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await ok("POST", "/api/v1/drills", { runbookId: runbook.id }, 201);
      await ok("PATCH", `/api/v1/drills/${d.id}/steps/0`, { status: "done" });
      await ok("POST", `/api/v1/drills/${d.id}/finish`, {});
      ids.push(d.id);
    }
    const page1 = await ok("GET", `/api/v1/drills?runbookId=${runbook.id}&limit=2`);
    expect(page1.items.map((d: Json) => d.id)).toEqual([ids[2], ids[1]]);
    expect(page1.items[0].steps).toBeUndefined();
    const page2 = await ok("GET", `/api/v1/drills?runbookId=${runbook.id}&limit=2&cursor=${page1.nextCursor}`);
    expect(page2).toEqual({ items: [expect.objectContaining({ id: ids[0], status: "finished" })], nextCursor: null });
    const aborted = await ok("GET", "/api/v1/drills?status=aborted");
    expect(aborted.items.length).toBeGreaterThan(0);
    expect(aborted.items.every((d: Json) => d.status === "aborted")).toBe(true);

    expect((await call("DELETE", `/api/v1/runbooks/${runbook.id}`)).statusCode).toBe(204);
    expect((await ok("GET", `/api/v1/drills/${ids[0]}`)).runbookName).toBe("Para apagar");
    const gone = await call("POST", "/api/v1/drills", { runbookId: runbook.id });
    expect(gone.statusCode).toBe(400);
    expect(gone.json().errors[0].pointer).toBe("/runbookId");
  });
});
