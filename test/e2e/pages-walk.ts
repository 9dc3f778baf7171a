import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { projectRoot } from "../../src/platform/version.js";
import { ADMIN, type BrowserSession, networkQuiet, openBrowserSession } from "../fixtures/browser.js";
import { startSmtp } from "../fixtures/smtp.js";

/**
 * The "not available" page must come at once, without asking the server (the acceptance says within 1 s, and
 * the times are printed). The test fails past a guard of 3 s, well under the 10 s of retries it replaced, so a
 * second test file sharing the 2 cores does not fail it.
 */
export const NOT_AVAILABLE_GUARD_MS = 3_000;

/**
 * With PLANTAO_TEST_SCREENS=1, one screenshot per page, language and width, for people to look at after a
 * change (git-ignored); 120 full-page captures are left out of ordinary runs.
 */
const screens = process.env.PLANTAO_TEST_SCREENS === "1" ? join(projectRoot, "test-results/screens") : undefined;
export const CUSTOMER = { email: "cliente@acme.example", password: "customer password 1", name: "Ana Lima" };
export const AGENT = { email: "agente@plantao.example", password: "agent password 1", name: "Bruno Agente" };

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
export type Lang = keyof typeof foreign;

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
export async function settled(page: Page): Promise<void> {
  await page.locator("main h2, main h1").first().waitFor();
  await page
    .locator("main .mantine-Loader-root")
    .first()
    .waitFor({ state: "detached", timeout: 5000 })
    .catch(() => undefined);
  await networkQuiet(page);
}

export interface PagesFixture {
  session: BrowserSession;
  page: Page;
  base: string;
  smtp: Awaited<ReturnType<typeof startSmtp>>;
  close(): Promise<void>;
}

/**
 * A server with one of everything a page shows, a browser signed in as the admin at 1440×900. The page walks
 * are split by language over two test files so the two test workers share the longest browser suite.
 */
export async function openPagesFixture(): Promise<PagesFixture> {
  if (screens) mkdirSync(screens, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "plantao-e2e-pages-"));
  writeFileSync(join(work, "extensions.conf"), "[default]\n");
  const smtp = await startSmtp();
  const session = await openBrowserSession({
    name: "pages",
    config: { smtpUrl: smtp.url },
    locale: "pt-BR",
    viewport: { width: 1440, height: 900 },
    // The customer's visit to a staff page asks nothing of the server; anything else logged is a defect.
    expected: () => false,
  });
  const { page, base } = session;
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
  return {
    session,
    page,
    base,
    smtp,
    async close() {
      await session.close();
      await smtp.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * Every page at 1440 and 390 px in one language, set through the header switch as a person would: no word of
 * the other language, no cut badge, no sideways scroll at 1440, no console error. With `lcpByPage`, records
 * each page's largest contentful paint at 1440×900.
 */
export async function walkEveryPage(f: PagesFixture, lang: Lang, lcpByPage?: Record<string, number>): Promise<void> {
  // The language is the profile's: set it through the header switch as a person would.
  await f.page.goto(`${f.base}/profile`);
  await settled(f.page);
  await f.page.getByText(lang === "en" ? "EN" : "PT", { exact: true }).click();
  await f.page.locator(`html[lang="${lang}"]`).waitFor({ state: "attached" });
  const problems: string[] = [];
  const viewports = [
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ];
  for (const viewport of viewports) {
    await f.page.setViewportSize(viewport);
    for (const visit of pages) {
      await f.page.goto(`${f.base}${visit.path()}`);
      await settled(f.page);
      if (viewport.width === 1440 && lcpByPage) lcpByPage[visit.name] = await lcp(f.page);
      for (const p of await inspect(f.page, lang, viewport.width === 1440, visit.words !== false))
        problems.push(`${visit.name} @${viewport.width}: ${p}`);
      if (screens)
        await f.page.screenshot({
          path: join(screens, `${lang}-${viewport.width}-${visit.name}.png`),
          fullPage: true,
        });
    }
  }
  await f.page.setViewportSize({ width: 1440, height: 900 });
  expect(problems).toEqual([]);
  expect(f.session.errors).toEqual([]);
}
