import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/platform/version.js";
import { ADMIN, type BrowserSession, networkQuiet, openBrowserSession, skipBrowser } from "../fixtures/browser.js";
import { startSmtp } from "../fixtures/smtp.js";

/**
 * The on-call screens in a real Chromium: the schedule with its warning, my pages with acknowledge, and the
 * mailed link opened without logging in (used, changed). Screenshots at 1440 and 390 px in both languages.
 */
const screens = join(projectRoot, "test-results/screens");

/** Whether the page scrolls sideways (the narrow layout must not). */
const scrollsSideways = (page: Page) =>
  page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth") as Promise<boolean>;

describe.skipIf(skipBrowser)("on-call screens", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let headers: Record<string, string>;
  let adminId: string;

  const api = async (method: "POST" | "GET", url: string, payload?: object) => {
    const res = await session.server.app.inject({ method, url, payload, headers });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const linkFor = async (email: string, title: string) => {
    for (let i = 0; i < 100; i++) {
      const mail = smtp.inbox.find((m) => m.to.includes(email) && m.subject.includes(title));
      const token = mail && /oncall\/acknowledge\?token=([A-Za-z0-9._-]+)/.exec(mail.text)?.[1];
      if (token) return `/oncall/acknowledge?token=${token}`;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no page mail to ${email} about ${title}`);
  };

  beforeAll(async () => {
    mkdirSync(screens, { recursive: true });
    smtp = await startSmtp();
    session = await openBrowserSession({
      name: "oncall",
      config: { smtpUrl: smtp.url },
      viewport: { width: 1440, height: 900 },
      // The used and changed links answer 409 and 400 on purpose; the browser logs each as a failed request.
      expected: (text, url) => url.includes("/api/v1/pages/link") || text.includes("409") || text.includes("400"),
    });
    ({ page, base } = session);
    const login = await session.server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    headers = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": login.json().csrfToken as string,
    };
    adminId = login.json().user.id;
    const noc = await api("POST", "/api/v1/users", {
      email: "noc@provedor.example",
      name: "Bruno NOC",
      password: "noc password 123",
      role: "noc",
    });
    // Weekly from this week's Monday: the admin first, then Bruno; business hours only, so nights are gaps.
    const monday = new Date();
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    await api("POST", "/api/v1/oncall/rotations", {
      name: "NOC",
      team: "noc",
      timezone: "America/Sao_Paulo",
      layers: [
        {
          name: "Dia",
          participants: [adminId, noc.id],
          handoff: { every: "week", at: "00:00" },
          startsOn: monday.toISOString().slice(0, 10),
          between: { from: "07:00", to: "23:00" },
        },
        {
          name: "Feriados",
          participants: [noc.id],
          handoff: { every: "day", at: "00:00" },
          startsOn: monday.toISOString().slice(0, 10),
          days: "holidays",
        },
      ],
    });
    const policy = await api("POST", "/api/v1/escalation-policies", {
      name: "Somente o admin",
      steps: [{ targets: [{ kind: "user", userId: adminId }], waitMinutes: 30 }],
    });
    for (const title of ["PBX-01 fora do ar", "Tronco 0800 instável"]) {
      await session.server.services.escalations.page({
        subject: { type: "incident", id: crypto.randomUUID() },
        policyId: policy.id,
        severity: "critical",
        title,
      });
    }
    await session.signIn(page, ADMIN);
    await page.getByRole("navigation").waitFor();
  }, 240_000);

  afterAll(async () => {
    await session?.close();
    await smtp?.close();
  });

  it("shows the schedule, the policies and my pages in both languages, wide and narrow", async () => {
    const problems: string[] = [];
    for (const lang of ["pt-BR", "en"] as const) {
      await page.goto(`${base}/profile`);
      await page.getByText(lang === "en" ? "EN" : "PT", { exact: true }).click();
      await page.locator(`html[lang="${lang}"]`).waitFor({ state: "attached" });
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        for (const [name, path] of [
          ["calendar", "/oncall"],
          ["pages", "/oncall/pages"],
          ["policies", "/oncall/policies"],
        ] as const) {
          await page.goto(`${base}${path}`);
          await page.locator("main h2").first().waitFor();
          await networkQuiet(page);
          if (await scrollsSideways(page)) problems.push(`${lang} ${name} @${width} scrolls sideways`);
          await page.screenshot({ path: join(screens, `${lang}-${width}-oncall-${name}.png`), fullPage: true });
        }
      }
    }
    expect(problems).toEqual([]);
    await page.setViewportSize({ width: 1440, height: 900 });
    // Back in Portuguese, the schedule names who is on call now and the policies show the plan's matrix.
    await page.goto(`${base}/profile`);
    await page.getByText("PT", { exact: true }).click();
    await page.goto(`${base}/oncall`);
    await page.getByTestId("oncall-now").first().waitFor();
    expect(await page.getByTestId("rotation-card").count()).toBe(1);
    // The nights are gaps, shown as warnings (three in full, the rest counted).
    expect(await page.getByTestId("rotation-warning").count()).toBe(3);
    await page.getByText(/^e mais \d+ aviso/).waitFor();
    await page.goto(`${base}/oncall/policies`);
    await expect.poll(() => page.getByTestId("policy-card").count()).toBe(5);
    expect(await page.getByText("Padrão para Crítico").count()).toBe(1);
    expect(session.errors).toEqual([]);
  }, 240_000);

  it("acknowledges a page from my pages, and the mailed link of the other one without logging in", async () => {
    await page.goto(`${base}/oncall/pages`);
    await page.getByRole("button", { name: "Reconhecer PBX-01 fora do ar" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Reconhecer PBX-01 fora do ar" }).count()).toBe(0);
    await page.getByText("Reconhecido", { exact: true }).first().waitFor();

    // The first page's link is now a clear "already acknowledged", in a browser that is not signed in.
    const other = await session.newPage({ label: "link" });
    try {
      await other.page.goto(`${base}${await linkFor(ADMIN.email, "PBX-01 fora do ar")}`);
      await other.page.getByText(/^Já reconhecido por /).waitFor();
      // The second page's link acknowledges it; used again it says so; changed it says so.
      const link = await linkFor(ADMIN.email, "Tronco 0800 instável");
      await other.page.goto(`${base}${link}`);
      await other.page.getByRole("button", { name: "Reconhecer agora" }).click();
      await other.page.getByText("Reconhecido", { exact: true }).waitFor();
      await other.page.screenshot({ path: join(screens, "pt-BR-390-oncall-link.png") });
      await other.page.goto(`${base}${link}`);
      await other.page.getByText("Este link já foi usado.").waitFor();
      await other.page.goto(`${base}${link.slice(0, -4)}AAAA`);
      await other.page.getByText("Link inválido: ele foi alterado ou cortado.").waitFor();
    } finally {
      await other.close();
    }
  }, 120_000);
});
