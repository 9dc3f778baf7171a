import { afterAll, beforeAll, describe, it } from "vitest";
import { skipBrowser } from "../fixtures/browser.js";
import { openPagesFixture, type PagesFixture, walkEveryPage } from "./pages-walk.js";

describe.skipIf(skipBrowser)("every page in English, wide and narrow", () => {
  let f: PagesFixture;

  beforeAll(async () => {
    f = await openPagesFixture();
  }, 240_000);

  afterAll(async () => {
    await f?.close();
  });

  it("en: no word of the other language, no cut badge, no sideways scroll, no console error", async () => {
    await walkEveryPage(f, "en");
  }, 240_000);
});
