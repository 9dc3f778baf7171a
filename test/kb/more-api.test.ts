import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "../../src/modules/identity/actor.js";
import { ManualClock } from "../../src/platform/clock.js";
import {
  createOrganization,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
  withoutRoutingRules,
} from "../harness.js";
import { MP4_HEAD, PNG_HEAD, WEBM_HEAD } from "./media-fixtures.js";

type Headers = Record<string, string>;
const DAY = 86_400_000;

/**
 * The knowledge base around its articles, through the API on both engines: videos (magic bytes, size limit,
 * ranges, captions, posters), suggestions and deflection, an article inserted into a reply, problem/solution
 * drafts from resolved tickets, feedback, review reminders and the stale list, training tracks; and, for every
 * resource, that a customer never reaches support-team or internal content nor another organization's data.
 */
describe.each(engines)("knowledge base videos, suggestions, drafts, upkeep and tracks on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-12-07T13:00:00.000Z");
  let admin: Headers;
  let manager: Headers;
  let agent: { headers: Headers; user: { id: string; email: string } };
  let customerA: { headers: Headers; user: { id: string } };
  let customerAdminA: Headers;
  let customerB: Headers;
  let orgA: string;
  const articles: Record<string, string> = {};

  const call = (method: string, url: string, headers: Headers = admin, payload?: unknown) =>
    t.app.inject({ method: method as "GET", url, headers, payload: payload as object });
  const ok = async (method: string, url: string, headers: Headers = admin, payload?: unknown) => {
    const res = await call(method, url, headers, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? null : res.json();
  };
  const req = { ip: "127.0.0.1", headers: {} } as never;
  let editor: Actor;
  // Articles through the core's service (its own suite covers its routes).
  const article = async (title: string, body: string, audience: string, purpose = "procedure") =>
    (
      await t.services.kb.articles.create(
        editor,
        { title, body, audience: audience as "public", purpose: purpose as "faq", status: "published" },
        req,
      )
    ).id;
  const upload = (articleId: string, bytes: Buffer, type = "video/mp4", headers: Headers = admin) =>
    t.app.inject({
      method: "POST",
      url: `/api/v1/kb/videos?articleId=${articleId}&title=Tutorial`,
      headers: { ...headers, "content-type": type },
      payload: bytes,
    });
  const mp4 = (size: number) => Buffer.concat([Buffer.from(MP4_HEAD), Buffer.alloc(size - MP4_HEAD.length, 7)]);

  beforeAll(async () => {
    t = await testApp(engine, { clock, config: { kbVideoMaxBytes: 64 * 1024 } });
    await withoutRoutingRules(t);
    const adminUser = await tokenFor(t, "admin");
    admin = adminUser.headers;
    editor = (await t.services.directory.findUserByEmail(adminUser.user.email))!;
    manager = (await tokenFor(t, "manager")).headers;
    agent = await tokenFor(t, "agent");
    orgA = (await createOrganization(t, "Cliente A")).id;
    const orgB = (await createOrganization(t, "Cliente B")).id;
    customerA = await tokenFor(t, "customer", { organizationId: orgA });
    customerAdminA = (await tokenFor(t, "customer-admin", { organizationId: orgA })).headers;
    customerB = (await tokenFor(t, "customer", { organizationId: orgB })).headers;
    articles.public = await article(
      "Como configurar um ramal SIP no softphone",
      "Abra as configurações do softphone e informe usuário, senha e domínio SIP.",
      "public",
    );
    articles.customers = await article(
      "Correio de voz: como ativar e ouvir mensagens",
      "Disque *97 para ouvir as mensagens do correio de voz do seu ramal.",
      "customers",
      "faq",
    );
    articles.support = await article(
      "Reiniciar o SBC de borda sem derrubar chamadas",
      "Procedimento interno: drenar o SBC de borda e reiniciar em janela.",
      "support",
    );
    articles.internal = await article(
      "Senhas do cofre do SBC de borda",
      "Onde ficam as credenciais do SBC de borda e quem pode abrir o cofre.",
      "internal",
    );
  }, 300_000);
  afterAll(async () => t?.close());

  // videos ------------------------------------------------------------------------------------------------

  describe("videos", () => {
    let video: { id: string; size: number; sha256: string };
    let supportVideo: string;
    let publicVideo: string;

    it("uploads MP4 and WebM by their bytes, whatever the declared type, and refuses anything else", async () => {
      const res = await upload(articles.customers!, mp4(20_000));
      expect(res.statusCode).toBe(201);
      video = res.json();
      expect(video).toMatchObject({ articleId: articles.customers, contentType: "video/mp4", size: 20_000 });
      const webm = await upload(
        articles.public!,
        Buffer.concat([Buffer.from(WEBM_HEAD), Buffer.alloc(500)]),
        "application/octet-stream",
      );
      expect(webm.statusCode).toBe(201);
      expect(webm.json().contentType).toBe("video/webm");
      publicVideo = webm.json().id;
      supportVideo = (await upload(articles.support!, mp4(2000))).json().id;

      const html = await upload(articles.customers!, Buffer.from("<html><script>alert(1)</script></html>".repeat(5)));
      expect(html.statusCode).toBe(415);
      expect(html.headers["content-type"]).toContain("application/problem+json");
      const tooBig = await upload(articles.customers!, mp4(65 * 1024));
      expect(tooBig.statusCode).toBe(413);
      const empty = await upload(articles.customers!, Buffer.alloc(0));
      expect(empty.statusCode).toBeGreaterThanOrEqual(400);
      expect(empty.statusCode).toBeLessThan(500);
      const asJson = await t.app.inject({
        method: "POST",
        url: `/api/v1/kb/videos?articleId=${articles.customers}`,
        headers: admin,
        payload: { fuzz: 1 },
      });
      expect(asJson.statusCode).toBeGreaterThanOrEqual(400);
      expect(asJson.statusCode).toBeLessThan(500);
      expect((await ok("GET", `/api/v1/kb/videos?articleId=${articles.customers}`)).items).toHaveLength(1);
    });

    it("only editors upload; a customer may not", async () => {
      expect((await upload(articles.customers!, mp4(1000), "video/mp4", customerA.headers)).statusCode).toBe(403);
      expect((await upload(articles.customers!, mp4(1000), "video/mp4", agent.headers)).statusCode).toBe(201);
    });

    it("streams with byte ranges: 200 whole, 206 one range, 416 past the end, If-Range", async () => {
      const url = `/api/v1/kb/videos/${video.id}/stream`;
      const whole = await call("GET", url, customerA.headers);
      expect(whole.statusCode).toBe(200);
      expect(whole.headers["accept-ranges"]).toBe("bytes");
      expect(whole.rawPayload.length).toBe(20_000);
      expect(whole.rawPayload.subarray(4, 8).toString()).toBe("ftyp");
      const etag = whole.headers.etag as string;
      const part = await call("GET", url, { ...customerA.headers, range: "bytes=4-7" });
      expect(part.statusCode).toBe(206);
      expect(part.headers["content-range"]).toBe("bytes 4-7/20000");
      expect(part.rawPayload.toString()).toBe("ftyp");
      const tail = await call("GET", url, { ...customerA.headers, range: "bytes=-100" });
      expect(tail.statusCode).toBe(206);
      expect(tail.headers["content-range"]).toBe("bytes 19900-19999/20000");
      expect(tail.rawPayload.length).toBe(100);
      const past = await call("GET", url, { ...customerA.headers, range: "bytes=20000-" });
      expect(past.statusCode).toBe(416);
      expect(past.headers["content-range"]).toBe("bytes */20000");
      const same = await call("GET", url, { ...customerA.headers, range: "bytes=0-3", "if-range": etag });
      expect(same.statusCode).toBe(206);
      const changed = await call("GET", url, { ...customerA.headers, range: "bytes=0-3", "if-range": '"other"' });
      expect(changed.statusCode).toBe(200);
      expect(changed.rawPayload.length).toBe(20_000);
      const cached = await call("GET", url, { ...customerA.headers, "if-none-match": etag });
      expect(cached.statusCode).toBe(304);
      const head = await t.app.inject({ method: "HEAD", url, headers: customerA.headers });
      expect(head.statusCode).toBe(200);
      expect(head.headers["content-length"]).toBe("20000");
    });

    it("captions are WebVTT only, and the poster an image by its bytes", async () => {
      const vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nDisque *97\n";
      const put = (body: string, headers: Headers = admin) =>
        t.app.inject({
          method: "PUT",
          url: `/api/v1/kb/videos/${video.id}/captions/pt-BR`,
          headers: { ...headers, "content-type": "text/vtt" },
          payload: body,
        });
      const saved = await put(vtt);
      expect(saved.statusCode).toBe(200);
      expect(saved.json().captions).toEqual([
        { lang: "pt-BR", label: "Português", url: `/api/v1/kb/videos/${video.id}/captions/pt-BR` },
      ]);
      expect((await put("1\n00:00:01,000 --> 00:00:02,000\nSRT\n")).statusCode).toBe(400);
      expect((await put(vtt, customerA.headers)).statusCode).toBe(403);
      const read = await call("GET", `/api/v1/kb/videos/${video.id}/captions/pt-BR`, customerA.headers);
      expect(read.statusCode).toBe(200);
      expect(read.headers["content-type"]).toContain("text/vtt");
      expect(read.body).toBe(vtt);
      expect((await call("GET", `/api/v1/kb/videos/${video.id}/captions/en`, customerA.headers)).statusCode).toBe(404);

      const poster = (bytes: Buffer, type = "image/png") =>
        t.app.inject({
          method: "PUT",
          url: `/api/v1/kb/videos/${video.id}/poster`,
          headers: { ...admin, "content-type": type },
          payload: bytes,
        });
      expect((await poster(mp4(500))).statusCode).toBe(415);
      const png = Buffer.concat([Buffer.from(PNG_HEAD), Buffer.alloc(200, 1)]);
      const withPoster = await poster(png, "image/jpeg");
      expect(withPoster.statusCode).toBe(200);
      expect(withPoster.json().posterUrl).toBe(`/api/v1/kb/videos/${video.id}/poster`);
      const image = await call("GET", `/api/v1/kb/videos/${video.id}/poster`, customerA.headers);
      expect(image.statusCode).toBe(200);
      expect(image.headers["content-type"]).toBe("image/png");
      expect(image.rawPayload.equals(png)).toBe(true);
    });

    it("the help centre plays a public article's videos without JavaScript: poster, captions, and only public ones", async () => {
      const page = async (id: string) => (await call("GET", `/help/articles/${id}?lang=pt-BR`, {})).body;
      const before = await page(articles.public!);
      expect(before).toContain(`<source src="/api/v1/kb/videos/${publicVideo}/stream" type="video/webm">`);
      expect(before).not.toContain("<track");
      // A caption and a poster show at once (the rendered page is dropped on every video change).
      const vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nAbra as configurações\n";
      const caption = await t.app.inject({
        method: "PUT",
        url: `/api/v1/kb/videos/${publicVideo}/captions/pt-BR`,
        headers: { ...admin, "content-type": "text/vtt" },
        payload: vtt,
      });
      expect(caption.statusCode, caption.body).toBe(200);
      const png = Buffer.concat([Buffer.from(PNG_HEAD), Buffer.alloc(100, 1)]);
      const poster = await t.app.inject({
        method: "PUT",
        url: `/api/v1/kb/videos/${publicVideo}/poster`,
        headers: { ...admin, "content-type": "image/png" },
        payload: png,
      });
      expect(poster.statusCode, poster.body).toBe(200);
      const after = await page(articles.public!);
      expect(after).toContain(`poster="/api/v1/kb/videos/${publicVideo}/poster"`);
      expect(after).toContain(
        `<track kind="captions" srclang="pt-BR" label="Português" src="/api/v1/kb/videos/${publicVideo}/captions/pt-BR" default>`,
      );
      expect(after).not.toContain("<script");
      // Everything the player asks for is served to a visitor who is not signed in.
      for (const path of ["stream", "poster", "captions/pt-BR"])
        expect((await call("GET", `/api/v1/kb/videos/${publicVideo}/${path}`, {})).statusCode, path).toBe(200);
      // The customers' and the support team's videos are not the help centre's.
      expect((await call("GET", `/help/articles/${articles.support}`, {})).body).not.toContain(supportVideo);
      expect((await call("GET", `/help/articles/${articles.customers}`, {})).body).not.toContain(video.id);
    });

    it("a video is seen by whoever may read its article: never support content by a customer or anyone signed out", async () => {
      for (const path of ["", "/stream", "/poster", "/captions/pt-BR"]) {
        expect((await call("GET", `/api/v1/kb/videos/${supportVideo}${path}`, customerA.headers)).statusCode).toBe(404);
        expect((await call("GET", `/api/v1/kb/videos/${video.id}${path}`, {})).statusCode).toBe(404);
      }
      expect((await call("GET", `/api/v1/kb/videos/${supportVideo}/stream`, agent.headers)).statusCode).toBe(200);
      expect((await call("GET", `/api/v1/kb/videos/${publicVideo}/stream`, {})).statusCode).toBe(200);
      expect((await call("GET", `/api/v1/kb/videos/${video.id}`, customerB)).statusCode).toBe(200);
      const listed = (await ok("GET", "/api/v1/kb/videos", customerA.headers)).items.map((v: { id: string }) => v.id);
      expect(listed).toContain(video.id);
      expect(listed).not.toContain(supportVideo);
      expect((await call("GET", `/api/v1/kb/videos?articleId=${articles.support}`, customerA.headers)).statusCode).toBe(
        404,
      );
    });
  });

  // attachments --------------------------------------------------------------------------------------------

  describe("attachments", () => {
    const attach = (articleId: string, bytes: Buffer, filename: string, type: string, headers: Headers = admin) =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/kb/articles/${articleId}/attachments?filename=${encodeURIComponent(filename)}`,
        headers: { ...headers, "content-type": type },
        payload: bytes,
      });
    const png = Buffer.concat([Buffer.from(PNG_HEAD), Buffer.alloc(300, 2)]);
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(300, 3)]);

    it("attaches images and documents by their bytes; an image shows in the article, in the help centre too", async () => {
      const image = await attach(articles.public!, png, "tela de configuração.png", "application/octet-stream");
      expect(image.statusCode, image.body).toBe(201);
      const a = image.json();
      expect(a).toMatchObject({ contentType: "image/png", size: png.length, filename: "tela de configuração.png" });
      expect(a.markdown).toBe(`![tela de configuração.png](/api/v1/kb/attachments/${a.id})`);
      const doc = await attach(articles.public!, pdf, "manual.pdf", "application/pdf");
      expect(doc.statusCode, doc.body).toBe(201);
      expect(doc.json().markdown).toBe(`[manual.pdf](/api/v1/kb/attachments/${doc.json().id})`);
      // Pasted into the article, the image shows in the help centre, served to a visitor not signed in.
      await t.services.kb.articles.update(
        editor,
        articles.public!,
        { body: `Abra as configurações do softphone.\n\n${a.markdown}\n\n${doc.json().markdown}` },
        req,
      );
      await t.services.kb.articles.transition(editor, articles.public!, "published", undefined, req);
      const help = (await call("GET", `/help/articles/${articles.public}`, {})).body;
      expect(help).toContain(`<img src="/api/v1/kb/attachments/${a.id}" alt="tela de configuração.png">`);
      expect(help).toContain(`<a href="/api/v1/kb/attachments/${doc.json().id}">manual.pdf</a>`);
      const shown = await call("GET", `/api/v1/kb/attachments/${a.id}`, {});
      expect(shown.statusCode).toBe(200);
      expect(shown.headers["content-type"]).toBe("image/png");
      expect(shown.headers["content-disposition"]).toMatch(/^inline; /);
      expect(shown.headers["x-content-type-options"]).toBe("nosniff");
      expect(shown.rawPayload.equals(png)).toBe(true);
      const download = await call("GET", `/api/v1/kb/attachments/${doc.json().id}`, customerA.headers);
      expect(download.headers["content-disposition"]).toBe(
        `attachment; filename="manual.pdf"; filename*=UTF-8''manual.pdf`,
      );
      expect(download.headers["content-security-policy"]).toContain("sandbox");
      const part = await call("GET", `/api/v1/kb/attachments/${doc.json().id}`, { range: "bytes=0-4" });
      expect(part.statusCode).toBe(206);
      expect(part.rawPayload.toString()).toBe("%PDF-");
      expect((await call("GET", `/api/v1/kb/attachments/${a.id}`, { range: "bytes=9999-" })).statusCode).toBe(416);
      const listed = await ok("GET", `/api/v1/kb/articles/${articles.public}/attachments`, customerB);
      expect(listed.items.map((i: { id: string }) => i.id)).toEqual([a.id, doc.json().id]);
    });

    it("refuses other files (415), files over the limit (413) and customers; a hidden article's files are not found", async () => {
      const html = await attach(
        articles.public!,
        Buffer.from("<html><script>alert(1)</script>"),
        "x.html",
        "image/png",
      );
      expect(html.statusCode).toBe(415);
      expect(html.headers["content-type"]).toContain("application/problem+json");
      expect((await attach(articles.public!, Buffer.alloc(0), "vazio.png", "image/png")).statusCode).toBe(415);
      const big = await t.app.inject({
        method: "POST",
        url: `/api/v1/kb/articles/${articles.public}/attachments?filename=big.pdf`,
        headers: { ...admin, "content-type": "application/pdf", "content-length": String(26 * 1024 * 1024) },
        payload: pdf,
      });
      expect(big.statusCode).toBe(413);
      expect(big.headers["content-type"]).toContain("application/problem+json");
      const noName = await t.app.inject({
        method: "POST",
        url: `/api/v1/kb/articles/${articles.public}/attachments`,
        headers: { ...admin, "content-type": "application/pdf" },
        payload: pdf,
      });
      expect(noName.statusCode).toBe(400);
      expect(noName.json().errors[0].pointer).toBe("/filename");
      expect((await attach(articles.public!, png, "x.png", "image/png", customerA.headers)).statusCode).toBe(403);
      const secret = await attach(articles.support!, png, "diagrama.png", "image/png");
      expect(secret.statusCode).toBe(201);
      for (const headers of [customerA.headers, {}]) {
        expect((await call("GET", `/api/v1/kb/attachments/${secret.json().id}`, headers)).statusCode).toBe(404);
      }
      expect(
        (await call("GET", `/api/v1/kb/articles/${articles.support}/attachments`, customerA.headers)).statusCode,
      ).toBe(404);
      expect((await call("GET", `/api/v1/kb/attachments/${secret.json().id}`, agent.headers)).statusCode).toBe(200);
      expect((await call("DELETE", `/api/v1/kb/attachments/${secret.json().id}`, customerA.headers)).statusCode).toBe(
        403,
      );
      expect((await call("DELETE", `/api/v1/kb/attachments/${secret.json().id}`)).statusCode).toBe(204);
      expect((await call("GET", `/api/v1/kb/attachments/${secret.json().id}`, agent.headers)).statusCode).toBe(404);
    });
  });

  // suggestions, deflection, replies ----------------------------------------------------------------------

  describe("suggestions", () => {
    const suggest = async (q: string, headers: Headers) =>
      (await ok("GET", `/api/v1/kb/suggestions?q=${encodeURIComponent(q)}`, headers)).items as {
        id: string;
        title: string;
        summary: string;
      }[];

    it("suggests the best articles for what a customer types, only from their audience", async () => {
      const hits = await suggest("como configurar ramal", customerA.headers);
      expect(hits[0]?.id).toBe(articles.public);
      expect((await suggest("correio de voz", customerA.headers))[0]).toMatchObject({
        id: articles.customers,
        summary: expect.stringContaining("*97"),
      });
      for (const q of ["reiniciar SBC de borda", "senhas do cofre", "SBC"]) {
        const ids = (await suggest(q, customerA.headers)).map((h) => h.id);
        expect(ids).not.toContain(articles.support);
        expect(ids).not.toContain(articles.internal);
      }
      expect((await suggest("reiniciar SBC de borda", agent.headers)).map((h) => h.id)).toContain(articles.support);
      expect(await suggest("co", customerA.headers)).toEqual([]);
      expect(await suggest("de a o", customerA.headers)).toEqual([]);
      expect(await suggest("x".repeat(10_000), customerA.headers)).toEqual([]);
      expect((await call("GET", "/api/v1/kb/suggestions?q=ramal")).statusCode).toBe(200);
      expect((await call("GET", "/api/v1/kb/suggestions?q=ramal", {})).statusCode).toBe(401);
    });

    it("fills a list from the postings' heaviest articles without ranking every match, within the reader's audience", async () => {
      const first = async (q: string, headers: Headers) =>
        (await ok("GET", `/api/v1/kb/suggestions?q=${encodeURIComponent(q)}&limit=1`, headers)).items.map(
          (h: { id: string }) => h.id,
        );
      const ranked = vi.spyOn(t.services.kb.repo, "searchText");
      try {
        // A title term weighs more than a body one; a typed prefix completes through the prefix index.
        expect(await first("ramal", customerA.headers)).toEqual([articles.public]);
        expect(await first("corr", customerA.headers)).toEqual([articles.customers]);
        expect(await first("como configurar ram", customerA.headers)).toEqual([articles.public]);
        expect([articles.support, articles.internal]).toContain((await first("SBC", agent.headers))[0]);
        expect(ranked).not.toHaveBeenCalled();
        // The support team's articles are the only ones holding "SBC": none is the customer's, so the full
        // search has its turn, and finds none either.
        expect(await first("SBC", customerA.headers)).toEqual([]);
        expect(await first("SBC de borda", customerAdminA)).toEqual([]);
        expect(ranked).toHaveBeenCalled();
      } finally {
        ranked.mockRestore();
      }
    });

    it("reuses a list of suggestions only until an article is written", async () => {
      const ids = async (q: string, headers: Headers) => (await suggest(q, headers)).map((h) => h.id);
      // Every answer is kept for these words and this reader: the one after each write must show the write.
      const q = "xilofone quântico";
      expect(await ids(q, customerA.headers)).toEqual([]);
      const id = await article(
        "Xilofone quântico no ramal",
        "Afine o xilofone quântico antes da chamada.",
        "customers",
      );
      expect(await ids(q, customerA.headers)).toEqual([id]);
      expect(await ids(q, agent.headers)).toEqual([id]);
      const update = (patch: object) => t.services.kb.articles.update(editor, id, patch, req);
      // A new working copy: editors see its title at once, readers the published one.
      await update({ title: "Xilofone quântico no ramal (revisado)" });
      expect((await suggest(q, agent.headers))[0]?.title).toBe("Xilofone quântico no ramal (revisado)");
      expect((await suggest(q, customerA.headers))[0]?.title).toBe("Xilofone quântico no ramal");
      await update({ audience: "support" });
      expect(await ids(q, customerA.headers)).toEqual([]);
      expect(await ids(q, agent.headers)).toEqual([id]);
      await t.services.kb.articles.transition(editor, id, "archived", undefined, req);
      expect(await ids(q, agent.headers)).toEqual([]);
    });

    it("records deflection when a customer leaves the form, and counts it for managers", async () => {
      const post = (body: unknown, headers: Headers = customerA.headers) =>
        call("POST", "/api/v1/kb/deflections", headers, body);
      expect(
        (
          await post({
            query: "correio de voz",
            shownArticleIds: [articles.customers],
            openedArticleIds: [articles.customers],
          })
        ).statusCode,
      ).toBe(201);
      expect((await post({ query: "ramal", shownArticleIds: [articles.public], outcome: "solved" })).statusCode).toBe(
        201,
      );
      // An article the customer may not read is not theirs to report (nor is its existence confirmed).
      const stranger = await post({ query: "sbc", shownArticleIds: [articles.support] });
      expect(stranger.statusCode).toBe(400);
      expect(stranger.json().errors[0].pointer).toBe("/shownArticleIds");
      expect((await post({ query: "x", shownArticleIds: [articles.public], outcome: "submitted" })).statusCode).toBe(
        400,
      );
      const ticket = await ok("POST", "/api/v1/portal/tickets", customerA.headers, {
        subject: "Correio de voz não toca",
        description: "Ninguém ouve a mensagem",
        type: "feature_failure",
        severity: "low",
      });
      expect(
        (
          await post({
            query: "correio",
            shownArticleIds: [articles.customers],
            outcome: "submitted",
            ticketNumber: ticket.number,
          })
        ).statusCode,
      ).toBe(201);
      // Customer B may not claim customer A's ticket.
      expect(
        (
          await post(
            {
              query: "correio",
              shownArticleIds: [articles.customers],
              outcome: "submitted",
              ticketNumber: ticket.number,
            },
            customerB,
          )
        ).statusCode,
      ).toBe(400);
      await post({ query: "ramal", shownArticleIds: [articles.public] }, customerB);

      const summary = await ok("GET", "/api/v1/kb/deflections/summary", manager);
      expect(summary).toMatchObject({ sessions: 4, deflected: 2, solved: 1, submitted: 1, deflectionRate: 0.75 });
      const own = await ok("GET", "/api/v1/kb/deflections/summary", customerAdminA);
      expect(own).toMatchObject({ sessions: 3, deflected: 1, solved: 1, submitted: 1 });
      expect((await call("GET", "/api/v1/kb/deflections/summary", customerA.headers)).statusCode).toBe(403);
      expect((await call("GET", "/api/v1/kb/deflections/summary", agent.headers)).statusCode).toBe(403);
    });

    it("an agent inserts an article into a reply; never one the requester may not read", async () => {
      const ticket = await ok("POST", "/api/v1/tickets", customerA.headers, {
        subject: "Como ouvir o correio de voz?",
        description: "Não sei ouvir as mensagens de voz",
        type: "question",
        severity: "low",
      });
      const suggested = (await ok("GET", `/api/v1/kb/suggestions?ticketId=${ticket.id}`, agent.headers)).items;
      expect(suggested[0].id).toBe(articles.customers);
      const reply = await ok("POST", `/api/v1/kb/articles/${articles.customers}/reply`, agent.headers, {
        ticketId: ticket.id,
      });
      expect(reply.markdown).toMatch(/^\[Correio de voz: como ativar e ouvir mensagens\]\(http.+\)\n\nDisque \*97/);
      expect(
        (await call("POST", `/api/v1/kb/articles/${articles.support}/reply`, agent.headers, { ticketId: ticket.id }))
          .statusCode,
      ).toBe(409);
      expect(
        (
          await call("POST", `/api/v1/kb/articles/${articles.customers}/reply`, customerA.headers, {
            ticketId: ticket.id,
          })
        ).statusCode,
      ).toBe(403);
      expect((await call("GET", `/api/v1/kb/suggestions?ticketId=${ticket.id}`, customerB)).statusCode).toBe(404);
    });
  });

  // problem/solution drafts -------------------------------------------------------------------------------

  describe("problem/solution drafts", () => {
    let ticketId: string;
    let draftId: string;

    it("drafts a prefilled article from a resolved ticket, linked to it, and refuses an open one", async () => {
      const ticket = await ok("POST", "/api/v1/tickets", customerA.headers, {
        subject: "Chamadas caem após trinta segundos",
        description: "Toda chamada externa cai depois de trinta segundos de conversa.",
        type: "feature_failure",
        severity: "high",
      });
      ticketId = ticket.id;
      expect(
        (await call("POST", "/api/v1/kb/drafts", agent.headers, { sources: [{ type: "ticket", id: ticketId }] }))
          .statusCode,
      ).toBe(400);
      await ok("POST", `/api/v1/tickets/${ticketId}/messages`, agent.headers, {
        body: "O session timer do SBC expirava sem re-INVITE.",
        visibility: "internal",
      });
      await ok("POST", `/api/v1/tickets/${ticketId}/messages`, agent.headers, {
        body: "Ajustamos o session-expires do tronco para 1800 segundos; as chamadas não caem mais.",
        visibility: "public",
      });
      await ok("PATCH", `/api/v1/tickets/${ticketId}`, agent.headers, { status: "resolved" });
      const draft = await ok("POST", "/api/v1/kb/drafts", agent.headers, {
        sources: [{ type: "ticket", id: ticketId }],
      });
      draftId = draft.article.id;
      expect(draft.article).toMatchObject({
        title: "Chamadas caem após trinta segundos",
        purpose: "problem-solution",
        status: "draft",
        audience: "customers",
      });
      expect(draft.sources).toEqual([{ type: "ticket", id: ticketId, reference: `#${ticket.number}` }]);
      const full = await t.services.kb.articles.get(harnessActor(t), draftId);
      expect(full.body).toContain("## Sintoma\n\nToda chamada externa cai");
      expect(full.body).toContain("## Causa\n\nO session timer do SBC expirava sem re-INVITE.");
      expect(full.body).toContain("## Solução\n\nAjustamos o session-expires");
      expect((await ok("GET", `/api/v1/kb/articles/${draftId}/sources`, agent.headers)).items).toEqual([
        { type: "ticket", id: ticketId, reference: `#${ticket.number}`, title: ticket.subject },
      ]);
      expect((await ok("GET", `/api/v1/kb/sources/ticket/${ticketId}/articles`, agent.headers)).items[0].id).toBe(
        draftId,
      );
      expect(
        (await call("POST", "/api/v1/kb/drafts", customerA.headers, { sources: [{ type: "ticket", id: ticketId }] }))
          .statusCode,
      ).toBe(403);
      // A draft is not suggested to anyone.
      const before = (
        await ok("GET", "/api/v1/kb/suggestions?q=chamadas%20caem%20trinta%20segundos", customerA.headers)
      ).items;
      expect(before.map((s: { id: string }) => s.id)).not.toContain(draftId);
    });

    it("drafts from a resolved incident: impact and diagnosis, root cause, fix and affected components", async () => {
      const noc = (await tokenFor(t, "noc")).headers;
      const component = await ok("POST", "/api/v1/components", admin, { name: "Tronco SIP São Paulo" });
      const incident = await ok("POST", "/api/v1/incidents", noc, {
        title: "Tronco SIP de São Paulo fora do ar",
        severity: "high",
        componentIds: [component.id],
      });
      const move = (body: object) => ok("POST", `/api/v1/incidents/${incident.id}/stage`, noc, body);
      expect(
        (await call("POST", "/api/v1/kb/drafts", noc, { sources: [{ type: "incident", id: incident.id }] })).statusCode,
      ).toBe(400);
      await move({ stage: "classification", severity: "high", impact: "Nenhuma chamada sai por São Paulo" });
      await move({ stage: "diagnosis" });
      await move({ stage: "resolution", diagnosis: "A operadora derrubou o registro do tronco" });
      await move({
        stage: "verification",
        fix: "Registro refeito com o novo IP da operadora",
        evidence: "50 chamadas",
      });
      await move({ stage: "documentation", rootCause: "Troca de IP da operadora sem aviso" });
      const draft = await ok("POST", "/api/v1/kb/drafts", noc, {
        sources: [{ type: "incident", id: incident.id }],
        locale: "en",
      });
      expect(draft.article).toMatchObject({ purpose: "problem-solution", status: "draft", locale: "en" });
      const full = await t.services.kb.articles.get(harnessActor(t), draft.article.id);
      expect(full.body).toContain("## Symptom");
      expect(full.body).toContain("Nenhuma chamada sai por São Paulo");
      expect(full.body).toContain("A operadora derrubou o registro do tronco");
      expect(full.body).toContain("## Cause\n\nTroca de IP da operadora sem aviso");
      expect(full.body).toContain("## Fix\n\nRegistro refeito com o novo IP da operadora");
      expect(full.body).toContain("## Affected components\n\n- Tronco SIP São Paulo");
      expect(full.body).toContain(`incident:${incident.id}`);
      expect((await ok("GET", `/api/v1/kb/sources/incident/${incident.id}/articles`, noc)).items[0].id).toBe(
        draft.article.id,
      );
      // Published, customers read the article, never the incident behind it.
      await t.services.kb.articles.transition(harnessActor(t), draft.article.id, "published", undefined, req);
      expect((await ok("GET", `/api/v1/kb/articles/${draft.article.id}/sources`, customerA.headers)).items).toEqual([]);
      expect((await ok("GET", `/api/v1/kb/articles/${draft.article.id}/sources`, noc)).items).toHaveLength(1);
      expect(
        (await call("GET", `/api/v1/kb/sources/incident/${incident.id}/articles`, customerA.headers)).statusCode,
      ).toBe(403);
      expect(
        (
          await call("POST", "/api/v1/kb/drafts/prefill", agent.headers, {
            sources: [{ type: "incident", id: incident.id }],
          })
        ).statusCode,
      ).toBe(200);
    });

    it("once reviewed and published, it is suggested on a new ticket with similar text", async () => {
      const editor = await t.services.directory.findUserByEmail(agent.user.email);
      await t.services.kb.articles.transition(editor!, draftId, "review", undefined, req);
      await t.services.kb.articles.transition(harnessActor(t), draftId, "published", undefined, req);
      const typed = (
        await ok("GET", "/api/v1/kb/suggestions?q=chamada%20cai%20depois%20de%2030%20segundos", customerA.headers)
      ).items;
      expect(typed.map((s: { id: string }) => s.id)).toContain(draftId);
      const next = await ok("POST", "/api/v1/tickets", customerB, {
        subject: "Ligações caindo",
        description: "As chamadas caem após trinta segundos",
        type: "feature_failure",
        severity: "high",
      });
      const forAgent = (await ok("GET", `/api/v1/kb/suggestions?ticketId=${next.id}`, agent.headers)).items;
      expect(forAgent[0].id).toBe(draftId);
      // Customer B reads the article, not customer A's ticket behind it.
      expect((await ok("GET", `/api/v1/kb/articles/${draftId}/sources`, customerB)).items).toEqual([]);
    });
  });

  // feedback and upkeep -----------------------------------------------------------------------------------

  describe("feedback and upkeep", () => {
    it('takes "did this help?" answers from readers only; one per user, anonymous on public articles', async () => {
      const give = (id: string, headers: Headers, body: unknown) =>
        call("POST", `/api/v1/kb/articles/${id}/feedback`, headers, body);
      expect(
        (await give(articles.customers!, customerA.headers, { helpful: false, comment: "Faltou o passo 2" }))
          .statusCode,
      ).toBe(201);
      expect((await give(articles.customers!, customerA.headers, { helpful: true })).statusCode).toBe(201);
      expect((await give(articles.customers!, customerB, { helpful: false })).statusCode).toBe(201);
      expect((await give(articles.public!, {}, { helpful: true, comment: "ótimo" })).statusCode).toBe(201);
      expect((await give(articles.customers!, {}, { helpful: true })).statusCode).toBe(404);
      expect((await give(articles.support!, customerA.headers, { helpful: true })).statusCode).toBe(404);
      expect((await give(articles.public!, {}, { helpful: "sim" })).statusCode).toBe(400);
      const list = await ok("GET", `/api/v1/kb/articles/${articles.customers}/feedback`, admin);
      expect(list).toMatchObject({ helpful: 1, notHelpful: 1 });
      expect(list.items).toHaveLength(2);
      expect(
        (await call("GET", `/api/v1/kb/articles/${articles.customers}/feedback`, customerA.headers)).statusCode,
      ).toBe(403);
    });

    it("reminds the owner through the outbox when the review date comes, and lists stale articles", async () => {
      const reviewAt = new Date(clock.now().getTime() + 10 * DAY).toISOString();
      const set = await ok("PUT", `/api/v1/kb/articles/${articles.customers}/upkeep`, admin, { reviewAt });
      expect(set).toMatchObject({ reviewAt, due: false });
      await ok("PUT", `/api/v1/kb/articles/${articles.support}/upkeep`, admin, {
        reviewAt: new Date(clock.now().getTime() + 20 * DAY).toISOString(),
      });
      expect((await ok("GET", "/api/v1/kb/stale")).items).toEqual([]);
      clock.advance(11 * DAY);
      await t.platform.jobs.drain();
      await t.platform.jobs.drain();
      const outbox = await t.platform.db
        .selectFrom("notifications")
        .select(["template", "user_id", "params"])
        .where("template", "=", "kb.review-due")
        .execute();
      // One message to the owner (one outbox row per channel their preferences allow).
      expect(outbox.length).toBeGreaterThan(0);
      expect(new Set(outbox.map((r) => r.user_id))).toEqual(new Set([editor.userId]));
      expect(new Set(outbox.map((r) => JSON.parse(r.params).title))).toEqual(
        new Set(["Correio de voz: como ativar e ouvir mensagens"]),
      );
      const stale = (await ok("GET", "/api/v1/kb/stale")).items;
      expect(stale.map((a: { id: string }) => a.id)).toEqual([articles.customers]);
      expect(stale[0]).toMatchObject({ review: { due: true }, feedback: { helpful: 1, notHelpful: 1 } });
      // Reviewed: due again in 180 days, off the stale list.
      const reviewed = await ok("PUT", `/api/v1/kb/articles/${articles.customers}/upkeep`, agent.headers, {
        reviewed: true,
      });
      expect(Date.parse(reviewed.reviewAt) - clock.now().getTime()).toBe(180 * DAY);
      expect((await ok("GET", "/api/v1/kb/stale")).items).toEqual([]);
      clock.advance(10 * DAY);
      await t.platform.jobs.drain();
      expect((await ok("GET", "/api/v1/kb/stale", agent.headers)).items.map((a: { id: string }) => a.id)).toEqual([
        articles.support,
      ]);
      expect((await call("GET", "/api/v1/kb/stale", customerA.headers)).statusCode).toBe(403);
      expect(
        (await call("PUT", `/api/v1/kb/articles/${articles.customers}/upkeep`, customerA.headers, { reviewed: true }))
          .statusCode,
      ).toBe(403);
    });
  });

  // tracks ------------------------------------------------------------------------------------------------

  describe("tracks", () => {
    let endUser: string;
    let supportTrack: string;

    it("orders articles and videos per profile; each reader sees only what they may read", async () => {
      const videoId = (await ok("GET", `/api/v1/kb/videos?articleId=${articles.customers}`)).items[0].id;
      const created = await ok("POST", "/api/v1/kb/tracks", manager, {
        title: "Primeiros passos",
        profile: "end-user",
        items: [
          { kind: "article", id: articles.public },
          { kind: "video", id: videoId },
          { kind: "article", id: articles.customers },
          { kind: "article", id: articles.support },
        ],
      });
      endUser = created.id;
      expect(created.items.map((i: { kind: string }) => i.kind)).toEqual(["article", "video", "article", "article"]);
      supportTrack = (
        await ok("POST", "/api/v1/kb/tracks", manager, {
          title: "Suporte N1",
          profile: "support-l1",
          items: [{ kind: "article", id: articles.support }],
        })
      ).id;
      const bad = await call("POST", "/api/v1/kb/tracks", manager, {
        title: "x",
        profile: "end-user",
        items: [
          { kind: "article", id: articles.public },
          { kind: "article", id: articles.public },
        ],
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].pointer).toBe("/items/1");
      expect(
        (await call("POST", "/api/v1/kb/tracks", customerA.headers, { title: "x", profile: "end-user" })).statusCode,
      ).toBe(403);

      const mine = (await ok("GET", "/api/v1/kb/tracks", customerA.headers)).items;
      expect(mine.map((tr: { id: string }) => tr.id)).toEqual([endUser]);
      expect(mine[0].items.map((i: { id: string }) => i.id)).toEqual([articles.public, videoId, articles.customers]);
      expect(mine[0].completion).toEqual({ completed: 0, total: 3, finishedAt: null });
      expect((await call("GET", `/api/v1/kb/tracks/${supportTrack}`, customerA.headers)).statusCode).toBe(404);
      expect((await ok("GET", "/api/v1/kb/tracks", agent.headers)).items).toHaveLength(2);
    });

    it("records each user's completion, and shows a manager who finished what", async () => {
      const mine = await ok("GET", `/api/v1/kb/tracks/${endUser}`, customerA.headers);
      for (const item of mine.items) {
        clock.advance(60_000);
        await ok("PUT", `/api/v1/kb/tracks/${endUser}/progress/${item.kind}/${item.id}`, customerA.headers);
      }
      const done = await ok("GET", `/api/v1/kb/tracks/${endUser}`, customerA.headers);
      expect(done.completion).toEqual({ completed: 3, total: 3, finishedAt: clock.now().toISOString() });
      await ok("PUT", `/api/v1/kb/tracks/${endUser}/progress/article/${articles.public}`, customerB);
      // The support article is not in the customer's track: it cannot be marked.
      expect(
        (await call("PUT", `/api/v1/kb/tracks/${endUser}/progress/article/${articles.support}`, customerA.headers))
          .statusCode,
      ).toBe(404);
      const view = await ok("GET", `/api/v1/kb/tracks/${endUser}/completion`, manager);
      expect(view).toMatchObject({ total: 4, finished: 0 });
      expect(view.users.map((u: { userId: string; completed: number }) => [u.userId, u.completed])).toContainEqual([
        customerA.user.id,
        3,
      ]);
      expect(view.users).toHaveLength(2);
      expect((await call("GET", `/api/v1/kb/tracks/${endUser}/completion`, customerAdminA)).statusCode).toBe(403);
      expect((await call("GET", `/api/v1/kb/tracks/${endUser}/completion`, agent.headers)).statusCode).toBe(403);
      const undone = await ok(
        "DELETE",
        `/api/v1/kb/tracks/${endUser}/progress/article/${articles.public}`,
        customerA.headers,
      );
      expect(undone.completion).toMatchObject({ completed: 2, finishedAt: null });
    });

    it("a what's-new track lists applied improvements and fixes, never security changes", async () => {
      const change = (title: string, kind: string) =>
        ok("POST", "/api/v1/changes", admin, {
          title,
          kind,
          description: `${title}: detalhes`,
          validation: "passed",
          appliedAt: clock.now().toISOString(),
          outcome: "succeeded",
          outsideWindowReason: "teste",
        });
      await change("Nova URA com menu por voz", "improvement");
      await change("Correção do correio de voz", "fix");
      await change("Patch do OpenSSL", "security");
      const created = await ok("POST", "/api/v1/kb/tracks", manager, {
        title: "Novidades",
        profile: "end-user",
        kind: "whats-new",
      });
      const seen = await ok("GET", `/api/v1/kb/tracks/${created.id}`, customerA.headers);
      expect(seen.items.map((i: { title: string }) => i.title).sort()).toEqual([
        "Correção do correio de voz",
        "Nova URA com menu por voz",
      ]);
      expect(seen.items[0].kind).toBe("change");
      await ok("PUT", `/api/v1/kb/tracks/${created.id}/progress/change/${seen.items[0].id}`, customerA.headers);
      expect((await ok("GET", `/api/v1/kb/tracks/${created.id}`, customerA.headers)).completion.completed).toBe(1);
    });
  });
});
