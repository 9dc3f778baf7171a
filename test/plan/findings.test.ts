import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPlan, type PlanDocument } from "../../src/modules/plan/document.js";
import { type Finding, findingLocaleOf, findPlanProblems, longestBackupGap } from "../../src/modules/plan/findings.js";
import { type ChangeRecord, cadenceFindings } from "../../src/modules/status/changes.js";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

const created = new Date("2026-03-10T15:00:00Z");
const now = new Date("2026-04-01T12:00:00Z");

/** The default plan made free of findings, so each rule can be switched on alone. */
function sound(): PlanDocument {
  const p = defaultPlan(created);
  p.disasterRecovery.rpo = { value: 4, unit: "hours" };
  p.tiers.L1.severities = ["medium"];
  p.tiers.L2.severities = ["low"];
  p.tiers.L3.severities = [];
  p.kpis.availability.serviceAvailabilityPercent = 99.9;
  return p;
}

const ids = (p: PlanDocument, at = now) => findPlanProblems(p, at).map((f) => f.id);
const finding = (p: PlanDocument, id: string) => findPlanProblems(p, now).find((f) => f.id === id);

describe("plan findings", () => {
  it("finds nothing in a sound plan", () => {
    expect(findPlanProblems(sound(), now)).toEqual([]);
  });

  it("lists the default plan's problems, most severe first, including the RPO the backups cannot meet", () => {
    const found = findPlanProblems(defaultPlan(created), now);
    expect(found.map((f) => f.id)).toEqual([
      "rpo-backup-gap",
      "tier-slower-than-severity:L3",
      "tier-off-hours-for-severity:L3",
      "tier-slower-than-severity:L2",
      "tier-off-hours-for-severity:L2",
      "kpi-service-above-system",
    ]);
    const rpo = found[0]!;
    expect(rpo).toMatchObject({
      severity: "critical",
      fields: ["/disasterRecovery/rpo", "/backups/full/cron", "/backups/incremental/cron"],
    });
    expect(rpo.detail).toContain("4 h apart");
    expect(rpo.suggestion).toMatch(/5-15 minutes.*hourly file snapshots.*WAL archiving/);
  });

  describe("RPO against the backup schedule", () => {
    it("measures the longest gap between any two backups", () => {
      const p = defaultPlan(created);
      expect(longestBackupGap(p, now)).toBe(240);
      p.backups.incremental.cron = "0 * * * 1-5";
      // Weekends have only the nightly full backup.
      expect(longestBackupGap(p, now)).toBe(24 * 60);
    });

    it("fires when backups are further apart than the RPO, not when they fit", () => {
      const p = sound();
      expect(ids(p)).toEqual([]);
      p.backups.incremental.cron = "0 */6 * * *";
      expect(ids(p)).toEqual(["rpo-backup-gap"]);
      expect(finding(p, "rpo-backup-gap")?.detail).toContain("6 h apart");
    });
  });

  describe("tiers against severities", () => {
    it("says which severities a tier may answer too late for", () => {
      const p = sound();
      p.tiers.L3.severities = ["critical", "high"];
      const slow = finding(p, "tier-slower-than-severity:L3")!;
      expect(slow.severity).toBe("critical");
      expect(slow.detail).toBe(
        "L3 may take up to 2 business days (comercial) to respond, but Crítico (30 minutes) and Alto (2 hours) require a faster response.",
      );
      expect(slow.fields).toEqual([
        "/tiers/L3/responseTime/maximum",
        "/severities/critical/response",
        "/severities/high/response",
      ]);
    });

    it("is a warning without the critical class and silent when the tier is fast enough", () => {
      const p = sound();
      p.tiers.L2.severities = ["medium", "low"];
      expect(finding(p, "tier-slower-than-severity:L2")?.severity).toBe("warning");
      p.tiers.L2.responseTime.maximum = { value: 4, unit: "hours" };
      expect(ids(p)).toEqual([]);
    });

    it("flags a business-hours tier handling a 24x7 severity, not one on a 24x7 calendar", () => {
      const p = sound();
      p.tiers.L1.severities = ["high"];
      p.tiers.L1.responseTime = {
        target: { value: 30, unit: "minutes" },
        maximum: { value: 1, unit: "hours" },
        calendar: "comercial",
      };
      expect(ids(p)).toEqual(["tier-off-hours-for-severity:L1"]);
      expect(finding(p, "tier-off-hours-for-severity:L1")?.severity).toBe("warning");
      p.tiers.L1.responseTime.calendar = "24x7";
      expect(ids(p)).toEqual([]);
    });
  });

  describe("maintenance window against business hours", () => {
    it("fires when the window overlaps opening hours, naming the days", () => {
      const p = sound();
      Object.assign(p.maintenanceWindow, { start: "17:00", end: "20:00", days: ["friday", "saturday"] });
      const f = finding(p, "maintenance-in-business-hours:comercial")!;
      expect(f.detail).toContain("on friday");
      expect(f.detail).not.toContain("saturday");
    });

    it("compares across time zones and ignores 24x7 calendars", () => {
      const p = sound();
      // 09:00-10:00 UTC is 06:00-07:00 in São Paulo: before opening.
      Object.assign(p.maintenanceWindow, { start: "09:00", end: "10:00", timezone: "UTC" });
      expect(ids(p)).toEqual([]);
      // 12:00-13:00 UTC is 09:00-10:00 in São Paulo.
      Object.assign(p.maintenanceWindow, { start: "12:00", end: "13:00" });
      expect(ids(p)).toEqual(["maintenance-in-business-hours:comercial"]);
    });
  });

  describe("KPI targets", () => {
    it("flags a service availability above the system uptime it runs on", () => {
      const p = sound();
      p.kpis.availability.serviceAvailabilityPercent = 99.95;
      expect(ids(p)).toEqual(["kpi-service-above-system"]);
    });

    it("flags maintenance windows that alone exceed the downtime budget, only when maintenance counts", () => {
      const p = sound();
      p.kpis.availability.maintenanceCountsAsDowntime = true;
      // About 3.2 windows of 3 h a month against 43.8 minutes allowed by 99.9%.
      const f = finding(p, "kpi-maintenance-exceeds-downtime-budget")!;
      expect(f.severity).toBe("critical");
      expect(f.detail).toContain("allows 43.8 min");
      // One 30-minute window a month fits.
      Object.assign(p.maintenanceWindow, { start: "02:00", end: "02:30" });
      p.updates.fixes.inMaintenanceWindow = false;
      expect(ids(p)).toEqual([]);
    });
  });

  describe("recovery time", () => {
    it("flags an RTO the restore test cannot prove, and restore tests without integrity checks", () => {
      const p = sound();
      p.disasterRecovery.rto = { value: 2, unit: "hours" };
      p.severities.critical.resolution = { value: 2, unit: "hours" };
      expect(ids(p)).toEqual(["rto-unproven"]);
      p.backups.restoreTest.timeLimit = { value: 120, unit: "minutes" };
      expect(ids(p)).toEqual([]);
      p.backups.restoreTest.validateIntegrity = false;
      expect(ids(p)).toEqual(["rto-unproven:integrity"]);
    });

    it("flags a critical resolution time longer than the RTO", () => {
      const p = sound();
      p.severities.critical.resolution = { value: 6, unit: "hours" };
      expect(ids(p)).toEqual(["critical-resolution-beyond-rto"]);
      p.severities.critical.resolution = { value: 240, unit: "minutes" };
      expect(ids(p)).toEqual([]);
    });
  });

  describe("review", () => {
    it("is overdue three months plus grace after the last review, not before", () => {
      const p = sound();
      expect(ids(p, new Date("2026-06-23T23:59:59Z"))).toEqual([]);
      expect(ids(p, new Date("2026-06-24T00:00:00Z"))).toEqual(["review-overdue"]);
      expect(finding(p, "review-overdue")).toBeUndefined();
      expect(findPlanProblems(p, new Date("2026-07-01T00:00:00Z"))[0]!.detail).toContain("due on 2026-06-10");
    });
  });
});

/** A plan that breaks every rule at once (at `now`), so each rule's text can be read in both languages. */
function broken(): PlanDocument {
  const p = sound();
  p.backups.incremental.cron = "0 */6 * * *";
  p.tiers.L1.severities = ["high"];
  p.tiers.L3.severities = ["critical"];
  Object.assign(p.maintenanceWindow, { start: "17:00", end: "20:00", days: ["friday", "saturday"] });
  p.kpis.availability.serviceAvailabilityPercent = 99.95;
  p.kpis.availability.maintenanceCountsAsDowntime = true;
  p.disasterRecovery.rto = { value: 2, unit: "hours" };
  p.severities.critical.resolution = { value: 6, unit: "hours" };
  p.backups.restoreTest.validateIntegrity = false;
  return p;
}

describe("plan findings in Portuguese", () => {
  const late = new Date("2026-07-01T00:00:00Z");
  const english = findPlanProblems(broken(), late, "en");
  const portuguese = findPlanProblems(broken(), late, "pt-BR");
  const pt = (id: string) => portuguese.find((f) => f.id === id)!;

  it("covers every rule, with the same ids, severities and fields as in English", () => {
    expect(new Set(english.map((f) => f.id.split(":")[0]))).toEqual(
      new Set([
        "rpo-backup-gap",
        "tier-slower-than-severity",
        "tier-off-hours-for-severity",
        "maintenance-in-business-hours",
        "kpi-service-above-system",
        "kpi-maintenance-exceeds-downtime-budget",
        "rto-unproven",
        "critical-resolution-beyond-rto",
        "review-overdue",
      ]),
    );
    expect(english.map((f) => f.id)).toContain("rto-unproven:integrity");
    const facts = (list: typeof english) => list.map(({ id, severity, fields }) => ({ id, severity, fields }));
    expect(facts(portuguese)).toEqual(facts(english));
    expect(findPlanProblems(broken(), late)).toEqual(english);
  });

  it.each(["title", "detail", "suggestion"] as const)("writes a Portuguese %s for each finding", (part) => {
    for (const [i, f] of portuguese.entries()) {
      expect(f[part].trim(), f.id).not.toBe("");
      expect(f[part], f.id).not.toBe(english[i]![part]);
    }
  });

  it("puts numbers, durations, dates and days into Portuguese", () => {
    expect(pt("rpo-backup-gap").detail).toContain("no máximo 4 horas de dados, mas pode haver 6 h entre dois backups");
    expect(pt("tier-slower-than-severity:L3").detail).toBe(
      "L3 pode levar até 2 dias úteis (comercial) para responder, mas Crítico (30 minutos) exige resposta mais rápida.",
    );
    expect(pt("tier-off-hours-for-severity:L1").suggestion).toContain(
      "encaminhe os chamados de severidade Alto a um nível",
    );
    expect(pt("maintenance-in-business-hours:comercial").detail).toMatch(/em: sexta-feira\.$/);
    expect(pt("kpi-service-above-system").detail).toContain("99,95% do tempo");
    expect(pt("kpi-maintenance-exceeds-downtime-budget").detail).toContain("permite 43,8 min de indisponibilidade");
    expect(pt("rto-unproven").detail).toContain("em até 2 horas");
    expect(pt("critical-resolution-beyond-rto").detail).toContain("pode levar 6 horas");
    expect(pt("review-overdue").detail).toBe(
      "O plano é revisado trimestralmente; a última revisão foi em 10/03/2026, então a próxima venceu em 10/06/2026.",
    );
  });

  it("names a translation key and typed params for each finding, the same in both languages", () => {
    const facts = (list: Finding[]) => list.map(({ id, key, params }) => ({ id, key, params }));
    expect(facts(portuguese)).toEqual(facts(english));
    const en = (id: string) => english.find((f) => f.id === id)!;
    // The plan's severity and calendar names travel with their ids, so a client shows its own label for them.
    expect(en("tier-slower-than-severity:L3")).toMatchObject({
      key: "tierSlowerThanSeverity",
      params: {
        tier: { type: "text", value: "L3" },
        maximum: { type: "duration", value: 2, unit: "businessDays" },
        calendar: { type: "calendar", id: "comercial", name: "Horário comercial" },
        late: {
          type: "severities",
          items: [{ id: "critical", name: "Crítico", response: { value: 30, unit: "minutes" } }],
        },
      },
    });
    expect(en("tier-off-hours-for-severity:L1").params.uncovered).toEqual({
      type: "severities",
      items: [{ id: "high", name: "Alto" }],
    });
    expect(en("maintenance-in-business-hours:comercial").params.days).toEqual({ type: "weekdays", days: ["friday"] });
    expect(en("rpo-backup-gap").params.gap).toEqual({ type: "minutes", value: 360 });
    expect(en("kpi-maintenance-exceeds-downtime-budget").params.uptime).toEqual({ type: "number", value: 99.9 });
    expect(en("review-overdue").params).toEqual({
      cadence: { type: "cadence", value: "quarterly" },
      lastReviewedAt: { type: "date", value: "2026-03-10" },
      due: { type: "date", value: "2026-06-10" },
    });
  });

  it("has every key in the web app's translations, in both languages, naming only params the server sends", () => {
    const change = (x: Partial<ChangeRecord>): ChangeRecord => ({
      id: "c",
      title: "OpenSSL",
      kind: "security",
      description: "",
      validation: "passed",
      validatedAt: "2026-01-01T00:00:00.000Z",
      windowId: null,
      appliedAt: null,
      outcome: "pending",
      outsideWindowReason: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      ...x,
    });
    const cadence = cadenceFindings([change({}), change({ id: "f", kind: "fix" })], broken(), late, "en");
    expect(cadence.map((f) => f.key)).toEqual([
      "updateSecurityOverdue",
      "updateFixCadence",
      "updateImprovementCadence",
    ]);
    for (const language of ["en", "pt-BR"]) {
      const texts = JSON.parse(readFileSync(`web/src/i18n/${language}.json`, "utf8")).plan.findingTexts as Record<
        string,
        Record<string, string>
      >;
      for (const f of [...english, ...cadence]) {
        const entry = texts[f.key];
        expect(entry, `${language} ${f.key}`).toBeDefined();
        for (const part of ["title", "detail", "suggestion"]) {
          const named = [...(entry?.[part] ?? "").matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
          expect(entry?.[part], `${language} ${f.key}.${part}`).toBeTruthy();
          for (const name of named) expect(Object.keys(f.params), `${language} ${f.key}.${part}`).toContain(name);
        }
      }
    }
  });

  it("takes the language from the first tag of Accept-Language, English otherwise", () => {
    expect(findingLocaleOf("pt-BR,pt;q=0.9,en;q=0.8")).toBe("pt-BR");
    expect(findingLocaleOf("pt")).toBe("pt-BR");
    expect(findingLocaleOf("PT-pt")).toBe("pt-BR");
    expect(findingLocaleOf("en-US,pt-BR;q=0.5")).toBe("en");
    expect(findingLocaleOf("fr-FR,pt-BR;q=0.9")).toBe("en");
    expect(findingLocaleOf("portuguese")).toBe("en");
    expect(findingLocaleOf("")).toBe("en");
    expect(findingLocaleOf(undefined)).toBe("en");
  });
});

describe.each(engines)("GET /api/v1/plan/findings language on %s", (engine) => {
  let t: TestContext;
  let agent: Record<string, string>;
  beforeAll(async () => {
    t = await testApp(engine, { clock: new ManualClock("2026-04-01T12:00:00Z") });
    agent = (await tokenFor(t, "agent")).headers;
  });
  afterAll(async () => {
    await t.close();
  });

  const titles = async (query: string, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ url: `/api/v1/plan/findings${query}`, headers: { ...agent, ...headers } });
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: { id: string; title: string }[] }).items;
  };

  it("answers in the ?locale asked, else in the Accept-Language, else in English, with the same ids", async () => {
    const en = await titles("");
    expect(en[0]).toMatchObject({
      id: "rpo-backup-gap",
      title: "The backup schedule cannot meet the RPO",
      key: "rpoBackupGap",
      params: { rpo: { type: "duration", value: 1, unit: "hours" }, full: { type: "text", value: "0 2 * * *" } },
    });
    const pt = await titles("?locale=pt-BR", { "accept-language": "en" });
    expect(pt[0]?.title).toBe("O agendamento de backups não atende ao RPO");
    expect(pt.map((f) => f.id)).toEqual(en.map((f) => f.id));
    expect(await titles("", { "accept-language": "pt-BR,pt;q=0.9" })).toEqual(pt);
    expect(await titles("?locale=en", { "accept-language": "pt-BR" })).toEqual(en);
  });

  it("refuses an unknown locale with a 400 problem naming the parameter", async () => {
    const res = await t.app.inject({ url: "/api/v1/plan/findings?locale=fr", headers: agent });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body).toContain("/locale");
  });
});
