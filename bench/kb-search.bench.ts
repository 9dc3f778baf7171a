import { benchEngines, load, measureSeconds, report, startBenchServer } from "./harness.js";
import { seedPublishedArticles } from "./kb-seed.js";

const ARTICLES = Number(process.env.PLANTAO_BENCH_KB_ARTICLES || 10_000);
const QUERIES = 400;
const CONNECTIONS = 10;

const PT =
  "ramal senha fatura boleto portabilidade número áudio chamada ligação queda gravação fila URA codec tronco SIP firewall porta fraude eco ruído latência jitter pacote correio voz desvio celular horário feriado telefone provisionamento relatório bilhetagem usuário permissão integração backup configuração conferência música espera registro autenticação operadora servidor rede roteador NAT cliente atendimento agente supervisor painel portal conta cobrança plano minutos internacional local nacional discagem prefixo mensagem notificação e-mail alerta monitoramento disponibilidade manutenção janela incidente SLA prazo prioridade".split(
    " ",
  );
const PT_VERBS =
  "configurar instalar ativar desativar baixar enviar receber transferir gravar ouvir bloquear liberar verificar testar reiniciar atualizar".split(
    " ",
  );
const EN =
  "extension password invoice porting number audio call drop recording queue codec trunk firewall port fraud echo noise latency jitter packet voicemail forward mobile holiday phone provisioning report billing user permission integration backup settings conference music registration server network router customer agent dashboard portal account plan international message alert monitoring maintenance incident".split(
    " ",
  );
const EN_VERBS =
  "configure install enable disable download send receive transfer record listen block allow check test restart update".split(
    " ",
  );

/** A seeded pseudo-random sequence, so both engines index the same articles. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
const sentence = (r: () => number, words: readonly string[], verbs: readonly string[], n: number) =>
  Array.from({ length: n }, (_, i) => (i % 4 === 0 ? pick(r, verbs) : pick(r, words))).join(" ");

/**
 * 10,000 published articles (four in five pt-BR, one in five English, ~120 words each) on each engine. Search:
 * `services.kb.search` (stems, full text, title trigrams, snippets) for 400 two- and three-word queries (a tenth
 * with a typo), p95 in ms, against a bare LIKE scan over title and body for the same queries' first word, in the
 * same run. Help centre: GET /help/articles/<id> (rendered once, then from memory) against a bare route.
 */
export default async function kbSearch(): Promise<void> {
  for (const engine of benchEngines) {
    const server = await startBenchServer(engine, ({ app }) => {
      app.get("/bench/bare", { schema: { hide: true } }, async () => ({ ok: true }));
    });
    try {
      const { services, platform } = server;
      const { db } = platform;
      const r = rng(42);
      const seeded = Date.now();
      const ids = await seedPublishedArticles(services, ARTICLES, (i) => {
        const en = i % 5 === 4;
        const [words, verbs] = en ? [EN, EN_VERBS] : [PT, PT_VERBS];
        return {
          title: `${sentence(r, words, verbs, 5)} ${i}`,
          body: Array.from({ length: 8 }, () => `${sentence(r, words, verbs, 15)}.`).join(" "),
          locale: en ? "en" : "pt-BR",
          audience: i % 3 === 0 ? "support" : "public",
          purpose: "faq",
        };
      });
      const seedMs = Date.now() - seeded;

      const queries = Array.from({ length: QUERIES }, (_, i) => {
        const words = i % 5 === 4 ? EN : PT;
        let q = `${pick(r, words)} ${pick(r, words)}${i % 2 ? ` ${pick(r, words)}` : ""}`;
        if (i % 10 === 0) q = q.replace(/(\w)(\w)(\w*)$/, "$2$1$3"); // a typo: two letters swapped
        return q;
      });
      const reader = { role: "agent" as const, organizationId: null, userId: null };
      const time = async (fn: (q: string, measured: boolean) => Promise<unknown>) => {
        for (const q of queries.slice(0, 20)) await fn(q, false); // warm up
        const ms: number[] = [];
        // This process's CPU time per query too: on a loaded machine the wall time is mostly waiting for a core,
        // while the CPU time is the search's own cost (all of it on SQLite; PostgreSQL's is in its server).
        const cpuMs: number[] = [];
        for (const q of queries) {
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          await fn(q, true);
          const c = process.cpuUsage(c0);
          ms.push(performance.now() - t0);
          cpuMs.push((c.user + c.system) / 1000);
        }
        const at = (xs: number[], p: number) => {
          const sorted = [...xs].sort((a, b) => a - b);
          return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 100) / 100;
        };
        return {
          p50: at(ms, 0.5),
          p95: at(ms, 0.95),
          p99: at(ms, 0.99),
          cpuP50: at(cpuMs, 0.5),
          cpuP95: at(cpuMs, 0.95),
        };
      };
      let hits = 0;
      const search = await time(async (q, measured) => {
        const res = await services.kb.search.searchAs(reader, { q, limit: 10 });
        if (measured && res.items.length) hits++;
      });
      const like = await time(async (q) => {
        const word = `%${q.split(" ")[0]}%`;
        await db
          .selectFrom("kb_articles")
          .select(["id", "title"])
          .where((eb) => eb.or([eb("title", "like", word), eb("body", "like", word)]))
          .limit(10)
          .execute();
      });
      const loadAverage = (await import("node:os")).loadavg().map((v) => Math.round(v * 100) / 100);
      report({
        name: "kb-search",
        metric: "p95 ms (lower is better)",
        value: search.p95,
        baseline: like.p95,
        engine,
        articles: ARTICLES,
        queries: QUERIES,
        queriesWithResults: hits,
        searchP50Ms: search.p50,
        searchP99Ms: search.p99,
        searchCpuP50Ms: search.cpuP50,
        searchCpuP95Ms: search.cpuP95,
        baselineWhat: "bare LIKE '%word%' over title and body, first 10 rows",
        baselineP50Ms: like.p50,
        seedSeconds: Math.round(seedMs / 100) / 10,
        target: { p95Ms: 30 },
        targetsMet: search.p95 < 30,
        loadAverage,
        node: process.version,
      });

      const publicId = ids[1]!;
      const gz = { "accept-encoding": "gzip" };
      const page = await fetch(`${server.origin}/help/articles/${publicId}`);
      if (page.status !== 200) throw new Error(`help article answered ${page.status}`);
      const bare = await load(server.origin, { path: "/bench/bare", connections: CONNECTIONS });
      const help = await load(server.origin, {
        path: `/help/articles/${publicId}`,
        connections: CONNECTIONS,
        headers: gz,
      });
      const helpSearch = await load(server.origin, {
        path: `/help?q=${encodeURIComponent("configurar ramal")}`,
        connections: CONNECTIONS,
        headers: gz,
      });
      report({
        name: "kb-help-article",
        metric: "requests/s",
        value: Math.round(help.requestsPerSec),
        baseline: Math.round(bare.requestsPerSec),
        engine,
        endpoint: "GET /help/articles/<id> (Accept-Encoding: gzip), 10,000 articles",
        baselineEndpoint: "GET /bench/bare",
        connections: CONNECTIONS,
        seconds: measureSeconds,
        latencyP99Ms: help.latencyP99Ms,
        helpSearchRequestsPerSec: Math.round(helpSearch.requestsPerSec),
        helpSearchP99Ms: helpSearch.latencyP99Ms,
        target: { requestsPerSec: 2000 },
        targetsMet: help.requestsPerSec >= 2000,
        loadAverage: (await import("node:os")).loadavg().map((v) => Math.round(v * 100) / 100),
        node: process.version,
      });
    } finally {
      await server.close();
    }
  }
}
