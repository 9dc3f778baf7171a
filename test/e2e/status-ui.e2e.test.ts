import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

/** The status page's admin screens in Chromium, at 1440 and 390 px: a component made in its editor, the calendar. */
describe.skipIf(skipBrowser)("status page administration in Chromium", () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openBrowserSession({ name: "status-ui", locale: "pt-BR" });
  }, 300_000);
  afterEach(() => {
    expect(session.errors).toEqual([]);
  });
  afterAll(async () => session?.close());

  it("creates a component in the editor and shows the month and week calendar at both widths", async () => {
    const { page, base } = session;
    await session.signIn(page, ADMIN);
    await page.getByRole("link", { name: "Página de status" }).first().waitFor();
    await page.goto(`${base}/status-page`);
    await page.getByRole("heading", { name: "Página de status", exact: true }).waitFor();
    await page.getByRole("button", { name: "Novo componente" }).click();
    await page.getByRole("dialog").getByLabel(field("Nome")).fill("Registro SIP");
    await page.getByRole("dialog").getByRole("button", { name: "Salvar" }).click();
    await page.getByTestId("status-component").filter({ hasText: "Registro SIP" }).waitFor();
    await page.getByRole("tab", { name: "Manutenções" }).click();
    await page.getByTestId("maintenance-calendar").waitFor();
    await page.getByText("Semana").click();
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.getByTestId("maintenance-calendar").waitFor();
      // A string, so the function runs in the page (this file has no DOM types).
      const overflow = (await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) as number;
      expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
    }
    await page.getByRole("tab", { name: "Atualizações" }).click();
    await page.getByText("Nenhuma atualização registrada.").waitFor();
  });
});
