import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;

describe.each(engines)("knowledge-base articles on %s", (engine) => {
  let t: TestContext;
  const h: Record<string, Headers> = {};
  let orgA: string;
  const clock = new ManualClock("2026-12-06T12:00:00.000Z");
  const ids: Record<string, string> = {};

  const call = async (method: string, url: string, headers?: Headers, payload?: unknown) => {
    clock.advance(1000);
    return t.app.inject({ method: method as "GET", url, headers, payload: payload as object });
  };
  const publish = async (key: string, audience: string, extra: Record<string, unknown> = {}) => {
    const res = await call("POST", "/api/v1/kb/articles", h.admin, {
      title: `Segredo ${key} roteador`,
      body: `Procedimento ${key} do roteador.`,
      audience,
      purpose: "procedure",
      status: "published",
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    ids[key] = res.json().id;
  };

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    orgA = (await createOrganization(t, "Cliente A")).id;
    const orgB = (await createOrganization(t, "Cliente B")).id;
    for (const role of ["admin", "manager", "agent", "noc", "security", "auditor"] as const)
      h[role] = (await tokenFor(t, role)).headers;
    h.customerA = (await tokenFor(t, "customer", { organizationId: orgA })).headers;
    h.customerAdminA = (await tokenFor(t, "customer-admin", { organizationId: orgA })).headers;
    h.customerB = (await tokenFor(t, "customer", { organizationId: orgB })).headers;
    for (const a of ["public", "customers", "support", "admins", "internal"]) await publish(a, a);
    await publish("onlyA", "customers", { organizationId: orgA });
  }, 120_000);
  afterAll(async () => t?.close());

  it("lets an agent draft and submit, and only a manager or admin publish; versions keep every text with diffs", async () => {
    const direct = await call("POST", "/api/v1/kb/articles", h.agent, {
      title: "Reiniciar o PABX",
      body: "Passo 1",
      audience: "support",
      purpose: "procedure",
      status: "published",
    });
    expect(direct.statusCode).toBe(403);
    const draft = await call("POST", "/api/v1/kb/articles", h.agent, {
      title: "Reiniciar o PABX",
      body: "Passo 1",
      audience: "support",
      purpose: "procedure",
      tags: ["PABX", "pabx", " reinício "],
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const id = draft.json().id;
    expect(draft.json()).toMatchObject({
      status: "draft",
      version: 1,
      publishedVersion: null,
      tags: ["pabx", "reinício"],
    });
    expect((await call("POST", `/api/v1/kb/articles/${id}/status`, h.agent, { status: "published" })).statusCode).toBe(
      403,
    );
    expect((await call("POST", `/api/v1/kb/articles/${id}/status`, h.agent, { status: "review" })).json().status).toBe(
      "review",
    );
    const queue = await call("GET", "/api/v1/kb/review-queue", h.manager);
    expect(queue.json().items.map((a: { id: string }) => a.id)).toContain(id);
    expect((await call("GET", "/api/v1/kb/review-queue", h.agent)).statusCode).toBe(403);
    const back = await call("POST", `/api/v1/kb/articles/${id}/status`, h.manager, {
      status: "draft",
      note: "Falta o passo 2",
    });
    expect(back.json()).toMatchObject({ status: "draft", reviewNote: "Falta o passo 2" });
    await call("PATCH", `/api/v1/kb/articles/${id}`, h.agent, { body: "Passo 1\nPasso 2", note: "passo 2" });
    await call("POST", `/api/v1/kb/articles/${id}/status`, h.agent, { status: "review" });
    const pub = await call("POST", `/api/v1/kb/articles/${id}/status`, h.manager, { status: "published" });
    expect(pub.json()).toMatchObject({ status: "published", version: 2, publishedVersion: 2 });
    // An edit after publishing is a new draft version; readers keep seeing version 2.
    await call("PATCH", `/api/v1/kb/articles/${id}`, h.agent, { title: "Reiniciar o PABX com segurança" });
    const versions = await call("GET", `/api/v1/kb/articles/${id}/versions`, h.agent);
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const diff = await call("GET", `/api/v1/kb/articles/${id}/diff?from=1&to=2`, h.agent);
    expect(
      diff.json().lines.some((l: { op: string; text: string }) => l.op === "added" && l.text.includes("Passo 2")),
    ).toBe(true);
    expect(diff.json().unified).toContain("+Passo 2");
    const noc = await call("GET", `/api/v1/kb/articles/${id}`, h.noc);
    expect(noc.statusCode).toBe(404); // support audience: not for NOC
  });

  it("shows each role only the audiences it may read, in the list, the article and the search", async () => {
    const expected: Record<string, string[]> = {
      customerA: ["public", "customers", "onlyA"],
      customerB: ["public", "customers"],
      agent: ["public", "customers", "support", "internal", "onlyA"],
      admin: ["public", "customers", "support", "admins", "internal", "onlyA"],
    };
    for (const [who, keys] of Object.entries(expected)) {
      const all = ["public", "customers", "support", "admins", "internal", "onlyA"];
      const search = await call("GET", "/api/v1/kb/search?q=segredo%20roteador&limit=50", h[who]);
      const found = new Set(search.json().items.map((i: { id: string }) => i.id));
      const list = await call("GET", "/api/v1/kb/articles?limit=200", h[who]);
      const listed = new Set(list.json().items.map((i: { id: string }) => i.id));
      for (const key of all) {
        const may = keys.includes(key);
        expect(found.has(ids[key]), `${who} search ${key}`).toBe(may);
        expect(listed.has(ids[key]), `${who} list ${key}`).toBe(may);
        const one = await call("GET", `/api/v1/kb/articles/${ids[key]}`, h[who]);
        expect(one.statusCode, `${who} get ${key}`).toBe(may ? 200 : 404);
      }
    }
    // Asking for an audience one may not read gives nothing, not an error.
    const asked = await call("GET", "/api/v1/kb/search?q=segredo&audience=internal", h.customerA);
    expect(asked.json().items).toEqual([]);
  });

  it("never shows a customer a support-team, administrators' or internal article: every role × audience, in search, suggestions, links and /help", async () => {
    const all = ["public", "customers", "support", "admins", "internal", "onlyA"];
    const staff = ["public", "customers", "internal", "onlyA"];
    const expected: Record<string, string[]> = {
      anonymous: ["public"],
      customerA: ["public", "customers", "onlyA"],
      customerAdminA: ["public", "customers", "onlyA"],
      customerB: ["public", "customers"],
      agent: ["public", "customers", "support", "internal", "onlyA"],
      noc: staff,
      security: staff,
      auditor: staff,
      manager: all,
      admin: all,
    };
    // One customers' article linking every audience's, both ways an author writes a link.
    const guide = await call("POST", "/api/v1/kb/articles", h.admin, {
      title: "Índice de procedimentos do roteador",
      body: all
        .map((k) => `- Passo do roteador: [Segredo ${k} roteador](kb:${ids[k]}) e /help/articles/${ids[k]}`)
        .join("\n"),
      audience: "customers",
      purpose: "manual",
      status: "published",
    });
    expect(guide.statusCode, guide.body).toBe(201);
    const guideId = guide.json().id as string;
    for (const [who, keys] of Object.entries(expected)) {
      const headers = who === "anonymous" ? {} : h[who];
      const search = await call("GET", "/api/v1/kb/search?q=segredo%20roteador&limit=50", headers);
      const suggested = await call("GET", "/api/v1/kb/suggestions?q=segredo%20roteador&limit=20", headers);
      if (who === "anonymous") {
        // Signed out, the API answers nothing; the help centre is the public's (below).
        expect(search.statusCode).toBe(401);
        expect(suggested.statusCode).toBe(401);
      } else {
        expect(search.statusCode, `${who} search`).toBe(200);
        expect(suggested.statusCode, `${who} suggestions`).toBe(200);
      }
      const found = new Set(search.statusCode === 200 ? search.json().items.map((i: { id: string }) => i.id) : []);
      const offered = new Set(
        suggested.statusCode === 200 ? suggested.json().items.map((i: { id: string }) => i.id) : [],
      );
      // The rendered page and the Markdown source a reader gets: both without what the reader may not read
      // (an editor gets the source as written).
      const read = who === "anonymous" ? null : (await call("GET", `/api/v1/kb/articles/${guideId}`, headers)).json();
      const rendered: string = read?.html ?? "";
      const source: string = read?.body ?? "";
      // Snippets and summaries are the same for every reader: the guide's link words never name what it links.
      const hiddenTitles = all.filter((k) => !keys.includes(k)).map((k) => `Segredo ${k} roteador`);
      for (const title of hiddenTitles) {
        expect(search.body, `${who} search text`).not.toContain(title);
        expect(suggested.body, `${who} suggestion text`).not.toContain(title);
      }
      for (const key of all) {
        const may = keys.includes(key);
        if (who === "anonymous") continue;
        expect(found.has(ids[key]), `${who} search ${key}`).toBe(may);
        expect(offered.has(ids[key]), `${who} suggestions ${key}`).toBe(may);
        // Asking for the audience by name gives nothing more.
        {
          const audience = key === "onlyA" ? "customers" : key;
          const asked = await call("GET", `/api/v1/kb/search?q=segredo&audience=${audience}&limit=50`, headers);
          expect(
            asked.json().items.some((i: { id: string }) => i.id === ids[key]),
            `${who} search audience=${audience}`,
          ).toBe(may);
        }
        expect(rendered.includes(`Segredo ${key} roteador`), `${who} link title ${key}`).toBe(may);
        expect(rendered.includes(ids[key]!), `${who} link target ${key}`).toBe(may);
        const editor = ["agent", "noc", "security", "manager", "admin"].includes(who);
        expect(source.includes(`Segredo ${key} roteador`), `${who} source title ${key}`).toBe(may || editor);
        expect(source.includes(ids[key]!), `${who} source target ${key}`).toBe(may || editor);
      }
    }
    // The help centre is the anonymous reader's: public articles only, in its search, its list and its pages,
    // and a link from a public article to any other is shown as unavailable.
    const index = await call("POST", "/api/v1/kb/articles", h.admin, {
      title: "Índice público do roteador",
      body: all.map((k) => `- Passo do roteador: [Segredo ${k} roteador](kb:${ids[k]})`).join("\n"),
      audience: "public",
      purpose: "manual",
      status: "published",
    });
    const helpSearch = (await call("GET", "/help?q=segredo%20roteador&lang=pt-BR")).body;
    const helpByIndex = (await call("GET", "/help?q=%C3%ADndice%20roteador&lang=pt-BR")).body;
    expect(helpByIndex).toContain(index.json().id);
    const helpHome = (await call("GET", "/help?lang=pt-BR")).body;
    const helpIndex = (await call("GET", `/help/articles/${index.json().id}`)).body;
    expect(helpIndex).toContain("artigo indisponível");
    for (const key of all) {
      const may = key === "public";
      expect(helpSearch.includes(ids[key]!), `/help search ${key}`).toBe(may);
      expect(helpHome.includes(ids[key]!), `/help home ${key}`).toBe(may);
      expect(helpIndex.includes(`Segredo ${key} roteador`), `/help link ${key}`).toBe(may);
      expect(helpIndex.includes(ids[key]!), `/help link target ${key}`).toBe(may);
      expect((await call("GET", `/help/articles/${ids[key]}`, { accept: "text/html" })).statusCode).toBe(
        may ? 200 : 404,
      );
    }
    for (const key of all.filter((k) => k !== "public")) expect(helpByIndex).not.toContain(`Segredo ${key} roteador`);
    expect(helpSearch).not.toContain(guideId);
    expect(helpHome).not.toContain(guideId);
  });

  it("renders a link to an article the reader may not see as unavailable, without its title", async () => {
    const res = await call("POST", "/api/v1/kb/articles", h.admin, {
      title: "Guia com links",
      body: `Veja [o segredo interno](kb:${ids.internal}) e kb:${ids.public}.\n\n<script>alert(1)</script>`,
      audience: "customers",
      purpose: "manual",
      status: "published",
    });
    const id = res.json().id;
    const asCustomer = await call("GET", `/api/v1/kb/articles/${id}`, h.customerA);
    expect(asCustomer.json().html).toContain("artigo indisponível");
    expect(asCustomer.json().html).not.toMatch(/segredo interno|Segredo internal/);
    expect(asCustomer.json().html).toContain(`<a href="/portal/kb/articles/${ids.public}">Segredo public roteador</a>`);
    expect(asCustomer.json().body).not.toMatch(/segredo interno/);
    expect(asCustomer.json().html).not.toContain("<script>");
    const asAgent = await call("GET", `/api/v1/kb/articles/${id}`, h.agent);
    expect(asAgent.json().html).toContain(`href="/kb/articles/${ids.internal}"`);
  });

  it("keeps pt-BR and English translations of one article together", async () => {
    const en = await call("POST", "/api/v1/kb/articles", h.admin, {
      title: "Router secret public",
      body: "English text",
      audience: "public",
      purpose: "procedure",
      status: "published",
      locale: "en",
      translationOf: ids.public,
    });
    expect(en.statusCode, en.body).toBe(201);
    expect(en.json().translationGroupId).toBe(ids.public);
    const again = await call("POST", "/api/v1/kb/articles", h.admin, {
      title: "Outra",
      body: "x",
      audience: "public",
      purpose: "faq",
      locale: "pt-BR",
      translationOf: ids.public,
    });
    expect(again.statusCode).toBe(400);
    const pt = await call("GET", `/api/v1/kb/articles/${ids.public}`, h.customerA);
    expect(pt.json().translations).toEqual([{ id: en.json().id, locale: "en", title: "Router secret public" }]);
    const help = await call("GET", `/help/articles/${ids.public}`);
    expect(help.body).toContain(`/help/articles/${en.json().id}?lang=en`);
  });

  it("serves the help centre without JavaScript, public articles only, in pt-BR and English", async () => {
    const home = await call("GET", "/help", { "accept-language": "en-GB,en;q=0.9" });
    expect(home.statusCode).toBe(200);
    expect(home.headers["content-type"]).toContain("text/html");
    expect(home.body).toContain("Help centre");
    expect(home.body).not.toContain("<script");
    const pt = await call("GET", "/help?lang=pt-BR&q=segredo%20roteador");
    expect(pt.body).toContain("Central de ajuda");
    expect(pt.body).toContain(`/help/articles/${ids.public}`);
    for (const key of ["customers", "support", "admins", "internal", "onlyA"]) {
      expect(pt.body).not.toContain(ids[key]);
      const page = await call("GET", `/help/articles/${ids[key]}`, { accept: "text/html" });
      expect(page.statusCode).toBe(404);
      expect(page.body).not.toContain(`Segredo ${key}`);
    }
    const article = await call("GET", `/help/articles/${ids.public}?lang=en`, { "accept-encoding": "gzip" });
    expect(article.headers["content-encoding"]).toBe("gzip");
    // A revisit with the page's validator is a 304 without a body, gzipped or not.
    const etag = String(article.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const again = await call("GET", `/help/articles/${ids.public}?lang=en`, { "if-none-match": etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    // A mistyped address is the help centre's own 404 page for a browser, problem+json for an API client.
    const typo = await call("GET", `/help/articles/${ids.public!.slice(0, 20)}`, { accept: "text/html" });
    expect(typo.statusCode).toBe(404);
    expect(typo.headers["content-type"]).toContain("text/html");
    expect(typo.body).toContain("Artigo não encontrado");
    const typoApi = await call("GET", "/help/articles/nao-existe");
    expect(typoApi.statusCode).toBe(404);
    expect(typoApi.headers["content-type"]).toContain("application/problem+json");
    const stop = await call("GET", "/help?q=de%20o%20para");
    expect(stop.statusCode).toBe(200);
    expect(stop.body).toContain("ignora");
    const long = await call("GET", `/help?q=${"a".repeat(10_000)}`, { accept: "text/html" });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain("1000");
    const api = await call("GET", `/help?q=${"a".repeat(10_000)}`);
    expect(api.headers["content-type"]).toContain("application/problem+json");
  });

  it("drops an archived article from the help centre at once", async () => {
    expect((await call("GET", `/help/articles/${ids.public}`)).statusCode).toBe(200);
    await call("POST", `/api/v1/kb/articles/${ids.public}/status`, h.admin, { status: "archived" });
    expect((await call("GET", `/help/articles/${ids.public}`, { accept: "text/html" })).statusCode).toBe(404);
    await call("POST", `/api/v1/kb/articles/${ids.public}/status`, h.admin, { status: "draft" });
    await call("POST", `/api/v1/kb/articles/${ids.public}/status`, h.admin, { status: "published" });
    expect((await call("GET", `/help/articles/${ids.public}`)).statusCode).toBe(200);
  });

  it("lets admins and managers arrange categories, refusing a bad parent", async () => {
    const top = await call("POST", "/api/v1/kb/categories", h.manager, { name: "Telefonia", nameEn: "Telephony" });
    expect(top.statusCode, top.body).toBe(201);
    const child = await call("POST", "/api/v1/kb/categories", h.admin, { name: "Ramais", parentId: top.json().id });
    expect(child.statusCode).toBe(201);
    const loop = await call("PATCH", `/api/v1/kb/categories/${top.json().id}`, h.admin, { parentId: child.json().id });
    expect(loop.statusCode).toBe(400);
    expect((await call("POST", "/api/v1/kb/categories", h.agent, { name: "X" })).statusCode).toBe(403);
    const list = await call("GET", "/api/v1/kb/categories", h.customerA);
    expect(list.json().items.map((c: { name: string }) => c.name)).toEqual(["Telefonia", "Ramais"]);
    const bad = await call("POST", "/api/v1/kb/articles", h.admin, {
      title: "x",
      body: "x",
      audience: "public",
      purpose: "faq",
      categoryId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    });
    expect(bad.statusCode).toBe(400);
    expect((await call("DELETE", `/api/v1/kb/categories/${top.json().id}`, h.admin)).statusCode).toBe(204);
  });

  it("refuses customers writing articles", async () => {
    const res = await call("POST", "/api/v1/kb/articles", h.customerA, {
      title: "x",
      body: "x",
      audience: "public",
      purpose: "faq",
    });
    expect(res.statusCode).toBe(403);
  });
});
