import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/platform/version.js";
import {
  ADMIN,
  type BrowserSession,
  field,
  networkQuiet,
  openBrowserSession,
  skipBrowser,
} from "../fixtures/browser.js";
import { startSmtp } from "../fixtures/smtp.js";

/**
 * The "not available" page must come at once, without asking the server (the acceptance says within 1 s, and
 * the times are printed). The test fails past a guard of 3 s, well under the 10 s of retries it replaced, so a
 * second test file sharing the 2 cores does not fail it.
 */
const NOT_AVAILABLE_GUARD_MS = 3_000;

/**
 * With PLANTAO_TEST_SCREENS=1, one screenshot per page, language and width, for people to look at after a
 * change (git-ignored); 120 full-page captures are left out of ordinary runs.
 */
const screens = process.env.PLANTAO_TEST_SCREENS === "1" ? join(projectRoot, "test-results/screens") : undefined;
const CUSTOMER = { email: "cliente@acme.example", password: "customer password 1", name: "Ana Lima" };
const AGENT = { email: "agente@plantao.example", password: "agent password 1", name: "Bruno Agente" };

/**
 * Words that give away the other language. Chosen so they are not words of the language being read, nor
 * names, ids or units that both share (SIP, NOC, PBX, min, h).
 */
const portugueseWords = [
  "Nível",
  "Crítico",
  "Alto",
  "Médio",
  "Baixo",
  "Horário",
  "comercial",
  "Salvar",
  "Novo",
  "Nova",
  "Nenhum",
  "Nenhuma",
  "Sucesso",
  "Falha",
  "Chamados",
  "chamado",
  "úteis",
  "dias",
  "anos",
  "meses",
  "Usuários",
  "Organizações",
  "Sim",
  "Não",
  "Quando",
  "Quem",
  "Carregando",
  "Erro",
  "Visão",
  "Ações",
  "Responsável",
  "Gerente",
  "Telefone",
  "Semana",
  "Mensal",
  "Diária",
  "Nome",
  "Contatos",
  "CONTADO",
  "restaurado",
  "às",
  "todo",
  "cada",
];
const englishWords = [
  "Save",
  "New",
  "None",
  "Success",
  "Failure",
  "Tickets",
  "ticket",
  "within",
  "restored",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "business",
  "days",
  "years",
  "Users",
  "Organizations",
  "Yes",
  "No",
  "Loading",
  "Error",
  "the",
  "and",
  "of",
  "with",
  "every",
  "Level",
  "Critical",
  "High",
  "Medium",
  "Low",
  "Assignee",
  "Manager",
  "Phone",
  "Settings",
  "Name",
  "scheduled_call",
  "emergencyContacts",
  "Overview",
  "Never",
];

const foreign = { "pt-BR": englishWords, en: portugueseWords } as const;
type Lang = keyof typeof foreign;

interface Visit {
  name: string;
  path: () => string;
  staff: boolean;
  /** false where the words are another issue's to fix (the ticket screens); layout is still checked. */
  words?: false;
}

/** The pages of the app; ids are filled in once the fixtures exist. */
const ids: Record<string, string> = {};
const pages: Visit[] = [
  { name: "home", path: () => "/", staff: true },
  { name: "system", path: () => "/system", staff: true },
  { name: "tickets", path: () => "/tickets", staff: true },
  { name: "ticket", path: () => `/tickets/${ids.ticket}`, staff: true, words: false },
  { name: "monitoring", path: () => "/monitoring", staff: true },
  { name: "monitor", path: () => `/monitoring/${ids.monitor}`, staff: true },
  { name: "alerts", path: () => "/alerts", staff: true },
  { name: "metrics", path: () => "/metric-explorer", staff: true },
  { name: "metrics-chart", path: () => "/metric-explorer?metric=instance%3Acpu_usage%3Apercent&range=6h", staff: true },
  { name: "plan", path: () => "/plan", staff: true },
  { name: "plan-findings", path: () => "/plan?tab=findings", staff: true },
  { name: "plan-edit", path: () => "/plan?tab=edit", staff: true },
  { name: "backups", path: () => "/backups", staff: true },
  { name: "backup-job", path: () => `/backups/jobs/${ids.backupJob}`, staff: true },
  { name: "continuity", path: () => "/continuity", staff: true },
  { name: "runbook", path: () => `/continuity/runbooks/${ids.runbook}`, staff: true },
  { name: "organizations", path: () => "/organizations", staff: true },
  { name: "organization", path: () => `/organizations/${ids.organization}`, staff: true },
  { name: "users", path: () => "/users", staff: true },
  { name: "audit", path: () => "/audit", staff: true },
  { name: "events", path: () => "/events", staff: true },
  { name: "webhooks", path: () => "/webhooks", staff: true },
  { name: "webhook", path: () => `/webhooks/${ids.webhook}`, staff: true },
  { name: "calls", path: () => "/calls", staff: true },
  { name: "pbx", path: () => "/pbx", staff: true },
  { name: "profile", path: () => "/profile", staff: true },
  { name: "canned-responses", path: () => "/tickets/canned-responses", staff: true },
  { name: "routing", path: () => "/tickets/routing", staff: true },
  { name: "incidents", path: () => "/incidents", staff: true },
  { name: "incident", path: () => `/incidents/${ids.incident}`, staff: true },
  { name: "oncall", path: () => "/oncall", staff: true },
  { name: "oncall-pages", path: () => "/oncall/pages", staff: true },
  { name: "oncall-policies", path: () => "/oncall/policies", staff: true },
  { name: "status-page", path: () => "/status-page", staff: true },
  { name: "kb", path: () => "/kb", staff: true },
  { name: "kb-tracks", path: () => "/kb/tracks", staff: true },
  { name: "chat", path: () => "/chat", staff: true },
  { name: "mailboxes", path: () => "/mailboxes", staff: true },
  { name: "scheduled-calls", path: () => "/scheduled-calls", staff: true },
  { name: "notification-preferences", path: () => "/notifications/preferences", staff: true },
];

/**
 * What one page shows that a reader should not see; empty when the page is right. Browser code, kept as text:
 * the test program is compiled without the DOM's types.
 */
const inspectInBrowser = `({ words, wide }) => {
  const found = [];
  const part = (selector) => document.querySelector(selector)?.innerText ?? "";
  let text = [part("header"), part("nav"), part("main")].join("\\n");
  // Identifiers (event types, calendar ids, commands) are shown as code and read the same in any language.
  for (const code of document.querySelectorAll("main code")) text = text.split(code.innerText).join(" ");
  for (const word of words) {
    const m = new RegExp("(^|[^\\\\p{L}_])" + word + "($|[^\\\\p{L}_])", "u").exec(text);
    if (m) found.push('word "' + word + '" in "…' + text.slice(Math.max(0, m.index - 30), m.index + word.length + 30).replace(/\\s+/g, " ") + '…"');
  }
  for (const badge of document.querySelectorAll(".mantine-Badge-root, .mantine-Badge-label"))
    if (badge.scrollWidth > badge.clientWidth + 1)
      found.push('badge cut: "' + badge.innerText + '" (' + badge.scrollWidth + " > " + badge.clientWidth + ")");
  const root = document.documentElement;
  if (wide && root.scrollWidth > root.clientWidth) found.push("page scrolls sideways: " + root.scrollWidth + " > " + root.clientWidth);
  return found;
}`;

async function inspect(page: Page, lang: Lang, wide: boolean, words: boolean): Promise<string[]> {
  return page.evaluate(`(${inspectInBrowser})(${JSON.stringify({ words: words ? foreign[lang] : [], wide })})`);
}

/** Largest Contentful Paint of the current document, in ms (the browser buffers the entries); -1 when none. */
function lcp(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      resolve(entries[entries.length - 1]?.startTime ?? -1);
    }).observe({ type: "largest-contentful-paint", buffered: true });
    setTimeout(() => resolve(-1), 2000);
  })`);
}

/** Waits until the page has settled: its main heading is there and no loader spins. */
async function settled(page: Page): Promise<void> {
  await page.locator("main h2, main h1").first().waitFor();
  await page
    .waitForFunction(`!document.querySelector("main .mantine-Loader-root")`, null, { timeout: 5000 })
    .catch(() => undefined);
  await networkQuiet(page);
}

describe.skipIf(skipBrowser)("every page in pt-BR and English, wide and narrow", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let work: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const lcpByPage: Record<string, number> = {};

  beforeAll(async () => {
    if (screens) mkdirSync(screens, { recursive: true });
    work = mkdtempSync(join(tmpdir(), "plantao-e2e-pages-"));
    writeFileSync(join(work, "extensions.conf"), "[default]\n");
    smtp = await startSmtp();
    session = await openBrowserSession({
      name: "pages",
      config: { smtpUrl: smtp.url },
      locale: "pt-BR",
      viewport: { width: 1440, height: 900 },
      // The customer's visit to a staff page asks nothing of the server; anything else logged is a defect.
      expected: () => false,
    });
    ({ page, base } = session);
    const { server } = session;

    // Fixtures through the API, as the admin; names that read the same in both languages.
    const login = await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const headers = { cookie, "x-csrf-token": login.json().csrfToken as string };
    const post = async (url: string, payload: object) => {
      const res = await server.app.inject({ method: "POST", url, payload, headers });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const org = await post("/api/v1/organizations", { name: "Acme Telecom" });
    ids.organization = org.id;
    await post("/api/v1/users", { ...CUSTOMER, role: "customer", organizationId: org.id });
    await post("/api/v1/users", { ...AGENT, role: "agent", tier: "L1" });
    ids.ticket = (
      await post("/api/v1/tickets", {
        subject: "SIP trunk 0800",
        description: "PBX-01",
        organizationId: org.id,
        type: "sip_trunk_integration",
        severity: "high",
      })
    ).id;
    ids.monitor = (await post("/api/v1/monitors", { name: "PBX-01", type: "heartbeat", intervalSeconds: 60 })).id;
    // An hour of a host's CPU, for the metric explorer's chart and its legend.
    const host = await post("/api/v1/scrape-targets", {
      name: "PBX-01",
      url: "http://127.0.0.1:1/metrics",
      enabled: false,
    });
    for (let minute = 60; minute >= 0; minute--)
      await server.services.metrics.ingest(
        { id: host.id, max_series: 100 },
        [
          {
            name: "instance:cpu_usage:percent",
            type: "gauge",
            help: null,
            samples: [{ name: "instance:cpu_usage:percent", labels: {}, value: 20 + (minute % 7), timestampMs: null }],
          },
        ],
        { instance: "PBX-01" },
        Date.now() - minute * 60_000,
      );
    await post("/api/v2/alerts", [
      {
        labels: { alertname: "TrunkDown", host: "PBX-01", severity: "critical" },
        annotations: { summary: "SIP 0800" },
      },
    ]);
    ids.webhook = (
      await post("/api/v1/webhooks", { name: "CRM", url: "http://127.0.0.1:9/hook", eventTypes: ["ticket.created"] })
    ).id;
    ids.runbook = (
      await post("/api/v1/runbooks", {
        name: "PBX restore",
        kind: "other",
        purpose: "**PBX** `pg_restore`",
        steps: [{ title: "pg_restore", description: "`pg_restore -d plantao`", expectedMinutes: 5, ownerRole: "noc" }],
      })
    ).id;
    ids.backupJob = (
      await post("/api/v1/backup-jobs", {
        name: "PBX config",
        source: { kind: "files", paths: [work] },
        repository: { url: join(work, "repo"), password: "e2e repository password" },
      })
    ).id;

    // The critical alert opened an incident (the plan's automatic threshold): its page is walked too.
    const incidents = await server.app.inject({ method: "GET", url: "/api/v1/incidents", headers });
    ids.incident = incidents.json().items[0]?.id;
    if (!ids.incident) throw new Error(`no incident from the critical alert: ${incidents.body}`);

    await session.signIn(page, ADMIN);
    await page.getByRole("navigation").waitFor();
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    await smtp?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    if (Object.keys(lcpByPage).length)
      console.info(
        `LCP (ms) at 1440×900: ${Object.entries(lcpByPage)
          .map(([k, v]) => `${k} ${Math.round(v)}`)
          .join(", ")}`,
      );
  });

  for (const lang of ["pt-BR", "en"] as const) {
    it(`${lang}: no word of the other language, no cut badge, no sideways scroll, no console error`, async () => {
      // The language is the profile's: set it through the header switch as a person would.
      await page.goto(`${base}/profile`);
      await settled(page);
      await page.getByText(lang === "en" ? "EN" : "PT", { exact: true }).click();
      await page.waitForFunction(`document.documentElement.lang === ${JSON.stringify(lang)}`);
      const problems: string[] = [];
      const viewports = [
        { width: 1440, height: 900 },
        { width: 390, height: 844 },
      ];
      for (const viewport of viewports) {
        await page.setViewportSize(viewport);
        for (const visit of pages) {
          await page.goto(`${base}${visit.path()}`);
          await settled(page);
          if (viewport.width === 1440 && lang === "pt-BR") lcpByPage[visit.name] = await lcp(page);
          for (const p of await inspect(page, lang, viewport.width === 1440, visit.words !== false))
            problems.push(`${visit.name} @${viewport.width}: ${p}`);
          if (screens)
            await page.screenshot({
              path: join(screens, `${lang}-${viewport.width}-${visit.name}.png`),
              fullPage: true,
            });
        }
      }
      await page.setViewportSize({ width: 1440, height: 900 });
      expect(problems).toEqual([]);
      expect(session.errors).toEqual([]);
    }, 240_000);
  }

  it("measures the largest contentful paint of every staff page", () => {
    // Performance is measured, not asserted (a page load on a shared 2-core machine measures the machine): the
    // figures are printed and written to test-results/lcp.json, and docs/benchmarks.md records them per run.
    const unmeasured = Object.entries(lcpByPage).filter(([, ms]) => !(ms > 0));
    expect(unmeasured).toEqual([]);
    mkdirSync(join(projectRoot, "test-results"), { recursive: true });
    writeFileSync(
      join(projectRoot, "test-results/lcp.json"),
      JSON.stringify({ at: new Date().toISOString(), loadAverage: loadavg()[0], lcpMs: lcpByPage }, null, 2),
    );
  });

  it("keeps the saved language: English after logging out and in again, in the app and in the next email", async () => {
    // The previous test left the admin in English; sign out and in again.
    await page.goto(`${base}/`);
    await page.getByRole("button", { name: /menu/i }).click();
    await page.getByRole("menuitem", { name: "Log out", exact: true }).click();
    await page.getByLabel(field("Password")).waitFor();
    await page.getByLabel(field("Email")).fill(ADMIN.email);
    await page.getByLabel(field("Password")).fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Home", exact: true }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    const me = await session.server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    expect(me.json().user.locale).toBe("en");
    // The next email to the admin: a password reset, asked for from the login page.
    await session.server.app.inject({
      method: "POST",
      url: "/api/v1/auth/password-reset",
      payload: { email: ADMIN.email },
    });
    // Other mail reaches the admin too (on-call pages of the fixtures' alerts): take the reset's, by subject.
    const reset = () => smtp.inbox.find((m) => m.to === ADMIN.email && /password reset|redefini/i.test(m.subject));
    await expect.poll(reset, { timeout: 5000 }).toBeTruthy();
    const mail = reset()!;
    expect(mail.subject).toBe("Plantão: password reset");
    expect(mail.text).toContain("Hello");
    expect(session.errors).toEqual([]);
  });

  it("sends a customer on a staff URL to the portal within a second, with no staff menu; a staff role lacking an area gets 'not available'", async () => {
    const customer = await session.newPage({ label: "customer", locale: "pt-BR" });
    try {
      const p = customer.page;
      const asked: string[] = [];
      p.on("response", (r) => {
        if (r.status() >= 400) asked.push(`${r.status()} ${new URL(r.url()).pathname}`);
      });
      await p.goto(`${base}/login`);
      await p.getByLabel(field("E-mail")).fill(CUSTOMER.email);
      await p.getByLabel(field("Senha")).fill(CUSTOMER.password);
      await p.getByRole("button", { name: "Entrar" }).click();
      await p.getByRole("navigation").waitFor();
      const took: Record<string, number> = {};
      for (const path of ["/plan", "/audit", "/events", "/backups", "/monitoring", "/users"]) {
        const started = Date.now();
        await p.goto(`${base}${path}`);
        await p.waitForURL((url) => url.pathname === "/portal", { timeout: NOT_AVAILABLE_GUARD_MS });
        await p.getByRole("navigation").waitFor({ timeout: NOT_AVAILABLE_GUARD_MS });
        took[path] = Date.now() - started;
        expect(took[path], path).toBeLessThan(NOT_AVAILABLE_GUARD_MS);
        const nav = await p.getByRole("navigation").textContent();
        for (const staffEntry of ["Eventos ao vivo", "Documentação da API", "Plano", "Monitoramento", "Auditoria"])
          expect(nav, path).not.toContain(staffEntry);
      }
      console.log(`portal shown after (ms): ${JSON.stringify(took)}`);
      expect(asked).toEqual([]);
    } finally {
      await customer.close();
    }

    // An agent is staff but has no audit or backups area: those pages say so at once.
    const agent = await session.newPage({ label: "agent", locale: "pt-BR" });
    try {
      const p = agent.page;
      await p.goto(`${base}/login`);
      await p.getByLabel(field("E-mail")).fill(AGENT.email);
      await p.getByLabel(field("Senha")).fill(AGENT.password);
      await p.getByRole("button", { name: "Entrar" }).click();
      await p.getByRole("navigation").waitFor();
      const took: Record<string, number> = {};
      for (const path of ["/audit", "/backups"]) {
        const started = Date.now();
        await p.goto(`${base}${path}`);
        await p.getByTestId("not-available").waitFor({ timeout: NOT_AVAILABLE_GUARD_MS });
        took[path] = Date.now() - started;
        expect(took[path], path).toBeLessThan(NOT_AVAILABLE_GUARD_MS);
        expect(await p.getByRole("heading", { level: 2 }).textContent()).toBe("Não disponível para o seu perfil");
      }
      console.log(`"not available" shown after (ms): ${JSON.stringify(took)}`);
    } finally {
      await agent.close();
    }
  });

  it("edits calendars and SLA policies in the plan form, with the server's errors on the field at fault in pt-BR", async () => {
    await page.goto(`${base}/profile`);
    await settled(page);
    await page.getByText("PT", { exact: true }).click();
    await page.waitForFunction(`document.documentElement.lang === "pt-BR"`);
    await page.goto(`${base}/plan?tab=edit`);
    await settled(page);
    const business = page.getByRole("group", { name: "Horário comercial" });
    await business.getByLabel("seg Fim", { exact: true }).fill("07:00");
    await page.getByLabel(field("Motivo da mudança")).fill("Horário de segunda");
    await page.getByRole("button", { name: "Salvar nova versão" }).click();
    await business.getByText("Termina às 07:00, não depois do início às 08:00").waitFor();

    // Open until midnight: 24:00 stays 24:00 (a browser time input would show 23:59).
    await business.getByLabel("seg Fim", { exact: true }).fill("24:00");
    expect(await business.getByLabel("seg Fim", { exact: true }).inputValue()).toBe("24:00");
    await business.getByRole("button", { name: "Adicionar data" }).click();
    await business.getByLabel("Data", { exact: true }).fill("2026-12-24");
    await business.getByLabel("Ocasião", { exact: true }).fill("Véspera de Natal");
    await page.getByRole("button", { name: "Adicionar política" }).click();
    const policy = page.getByRole("group", { name: "Política 1" });
    await policy.getByRole("switch", { name: "Crítico", exact: true }).check({ force: true });
    await page.getByRole("button", { name: "Salvar nova versão" }).click();
    await page.waitForURL((url) => url.searchParams.get("tab") === "versions");
    const saved = await session.server.services.plan.current();
    const calendar = saved.document.calendars.comercial!;
    expect(calendar.week.monday).toEqual([{ start: "08:00", end: "24:00" }]);
    expect(calendar.holidays?.custom).toEqual([{ date: "2026-12-24", name: "Véspera de Natal" }]);
    expect(saved.document.slaPolicies).toEqual([
      {
        id: "policy-1",
        name: "Política 1",
        conditions: {},
        severities: { critical: { response: expect.any(Object), resolution: expect.any(Object), calendar: "24x7" } },
      },
    ]);
    // The browser logs the refused save as a failed request: that one was provoked on purpose.
    const refused = /status of 400 \(Bad Request\) \(http:\/\/[^)]*\/api\/v1\/plan\)$/;
    expect(session.errors.filter((e) => !refused.test(e))).toEqual([]);
  });
});
