import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terms } from "../../src/modules/kb/text.js";
import { up as queueReindex } from "../../src/platform/db/migrations/0049_kb_reindex_linking.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;

/**
 * A knowledge base indexed before links to articles were left out of the index: a readable article's index still
 * holds the words of its link to a support-team article (often that article's title), so a customer searching
 * for them found the readable one. Migration 0049 queues the job that indexes such articles again.
 */
describe.each(engines)("indexing again the articles that link to articles, on %s", (engine) => {
  let t: TestContext;
  let admin: Headers;
  let customer: Headers;
  const ids: Record<string, string> = {};

  const publish = async (key: string, audience: string, title: string, body: string) => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/kb/articles",
      headers: admin,
      payload: { title, body, audience, purpose: "procedure", status: "published" },
    });
    expect(res.statusCode, res.body).toBe(201);
    ids[key] = res.json().id;
  };
  const found = async (q: string) => {
    const res = await t.app.inject({ url: `/api/v1/kb/search?q=${encodeURIComponent(q)}`, headers: customer });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { id: string }[]).map((i) => i.id);
  };

  beforeAll(async () => {
    t = await testApp(engine);
    admin = (await tokenFor(t, "admin")).headers;
    customer = (await tokenFor(t, "customer", { organizationId: (await createOrganization(t)).id })).headers;
    await publish("hidden", "support", "Senha mestra do zebuíno", "Procedimento interno.");
    await publish("plain", "customers", "Caixa postal cheia", "Apague mensagens antigas da caixa postal.");
    await publish(
      "linking",
      "customers",
      "Correio de voz do ramal",
      `Para configurar o correio de voz, veja [Senha mestra do zebuíno](kb:${ids.hidden}).`,
    );
  }, 60_000);
  afterAll(async () => t?.close());

  it("the job queued by migration 0049 drops the link's words from the index; other articles stay found", async () => {
    expect(await found("zebuíno")).toEqual([]);
    // The index as it was written before the fix: the link's own words indexed with the body.
    const { locale, title } = (await t.services.kb.repo.article(ids.linking!))!;
    await t.services.kb.repo.indexArticle(ids.linking!, {
      titleTerms: terms(title, locale).join(" "),
      bodyTerms: terms("Para configurar o correio de voz, veja Senha mestra do zebuíno.", locale).join(" "),
      trigrams: [],
    });
    expect(await found("zebuíno")).toEqual([ids.linking]);

    await queueReindex(t.platform.db);
    await t.platform.jobs.drain();
    const job = await t.platform.db
      .selectFrom("jobs")
      .select("status")
      .where("kind", "=", "kb.reindex-linking")
      .executeTakeFirstOrThrow();
    expect(job.status).toBe("succeeded");

    expect(await found("zebuíno")).toEqual([]);
    expect(await found("senha mestra")).toEqual([]);
    expect((await found("configurar correio de voz"))[0]).toBe(ids.linking);
    expect((await found("caixa postal"))[0]).toBe(ids.plain);
  });

  it("queues nothing on a database with nothing indexed", async () => {
    const fresh = await testApp(engine);
    try {
      await queueReindex(fresh.platform.db);
      const queued = await fresh.platform.db
        .selectFrom("jobs")
        .select("id")
        .where("kind", "=", "kb.reindex-linking")
        .execute();
      expect(queued).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
