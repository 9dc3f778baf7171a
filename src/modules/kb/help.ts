import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { KbLocale } from "../../platform/db/schema.js";
import { anonymousReader } from "./policy.js";
import { renderFor } from "./reading.js";
import type { KbRepository } from "./repository.js";
import { MAX_QUERY_CHARS, type SearchService } from "./search.js";

export type HelpLocale = KbLocale;

const words = {
  "pt-BR": {
    title: "Central de ajuda",
    search: "Buscar",
    placeholder: "Como podemos ajudar?",
    results: (n: number, q: string) => `${n} resultado(s) para “${q}”`,
    none: "Nenhum artigo encontrado. Tente outras palavras.",
    stopWords: "Digite palavras mais específicas: a busca ignora palavras como “de”, “o” e “para”.",
    tooLong: `A busca aceita até ${MAX_QUERY_CHARS} caracteres.`,
    recent: "Artigos recentes",
    back: "Voltar à central de ajuda",
    updated: "Atualizado em",
    notFound: "Artigo não encontrado",
    notFoundText: "O artigo não existe ou não está disponível publicamente.",
    other: "English",
    translation: "Read in English",
  },
  en: {
    title: "Help centre",
    search: "Search",
    placeholder: "How can we help?",
    results: (n: number, q: string) => `${n} result(s) for “${q}”`,
    none: "No article found. Try other words.",
    stopWords: "Type more specific words: the search ignores words such as “the”, “of” and “to”.",
    tooLong: `The search takes at most ${MAX_QUERY_CHARS} characters.`,
    recent: "Recent articles",
    back: "Back to the help centre",
    updated: "Updated",
    notFound: "Article not found",
    notFoundText: "The article does not exist or is not public.",
    other: "Português",
    translation: "Ler em português",
  },
} as const;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1a1b1e;line-height:1.55}
header a{color:inherit;text-decoration:none}form{display:flex;gap:.5rem;margin:1rem 0}input[type=search]{flex:1;padding:.5rem;font-size:1rem}
button{padding:.5rem 1rem;font-size:1rem}mark{background:#ffe066}li{margin:.6rem 0}.meta,.snippet{color:#555;font-size:.9rem}
.kb-unavailable{color:#888;font-style:italic}pre{background:#f4f4f5;padding:.75rem;overflow:auto}img{max-width:100%}
nav.lang{float:right;font-size:.9rem}figure.video{margin:1rem 0}video{width:100%;max-height:70vh;background:#000}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How long a rendered page is served from memory; a change on this node clears it at once, other nodes' in this time. */
const CACHE_MS = 30_000;
const CACHE_ENTRIES = 20_000;

/** A video of a public article as the help centre plays it (see VideoService). */
export interface HelpVideo {
  title: string;
  contentType: string;
  streamUrl: string;
  posterUrl: string | null;
  captions: { lang: string; label: string; url: string }[];
}

export interface HelpPage {
  status: 200 | 400 | 404;
  html: string;
  gzip: Buffer;
  /**
   * Weak validator of the page (hashed once when rendered): weak, as the gzipped and plain bodies are two
   * encodings of it. A revisit with it in If-None-Match is a 304.
   */
  etag: string;
}

/**
 * The public help centre at /help: server-rendered HTML without JavaScript, public articles only, pt-BR or
 * English. Article pages and the home page are kept rendered in memory (searches are not: their text varies).
 */
export class HelpCentre {
  #cache = new Map<string, { at: number; page: HelpPage }>();
  #videos: (articleId: string) => Promise<HelpVideo[]> = async () => [];

  constructor(
    private readonly repo: KbRepository,
    private readonly search: SearchService,
  ) {}

  /** Where an article's videos come from (the videos are built on the article core, not in it). */
  showVideos(videos: (articleId: string) => Promise<HelpVideo[]>): void {
    this.#videos = videos;
    this.invalidate();
  }

  /** Drop every rendered page (an article was published, archived or changed audience). */
  invalidate(): void {
    this.#cache.clear();
  }

  #page(locale: HelpLocale, title: string, main: string, langHref: string): string {
    const w = words[locale];
    return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · ${w.title}</title><style>${STYLE}</style></head><body><header><nav class="lang"><a href="${esc(langHref)}">${w.other}</a></nav><h1><a href="/help?lang=${locale}">${w.title}</a></h1><form method="get" action="/help" role="search"><input type="hidden" name="lang" value="${locale}"><input type="search" name="q" placeholder="${w.placeholder}" aria-label="${w.search}"><button type="submit">${w.search}</button></form></header><main>${main}</main></body></html>`;
  }

  #done(status: HelpPage["status"], html: string): HelpPage {
    const etag = `W/"${createHash("sha256").update(html).digest("base64url").slice(0, 27)}"`;
    return { status, html, gzip: gzipSync(html), etag };
  }

  async #cached(key: string, make: () => Promise<HelpPage>): Promise<HelpPage> {
    const hit = this.#cache.get(key);
    const now = Date.now();
    if (hit && now - hit.at < CACHE_MS) return hit.page;
    const page = await make();
    if (this.#cache.size >= CACHE_ENTRIES) this.#cache.clear();
    this.#cache.set(key, { at: now, page });
    return page;
  }

  async home(locale: HelpLocale, q: string | undefined): Promise<HelpPage> {
    const w = words[locale];
    const other = locale === "en" ? "pt-BR" : "en";
    if (q?.trim()) {
      const query = q.trim();
      const langHref = `/help?lang=${other}&q=${encodeURIComponent(query.slice(0, MAX_QUERY_CHARS))}`;
      if (query.length > MAX_QUERY_CHARS)
        return this.#done(400, this.#page(locale, w.search, `<p role="alert">${w.tooLong}</p>`, `/help?lang=${other}`));
      const result = await this.search.searchAs(anonymousReader, { q: query, limit: 20 });
      const list = result.items
        .map(
          (i) =>
            `<li><a href="/help/articles/${i.id}?lang=${locale}">${esc(i.title)}</a><div class="snippet">${i.snippet}</div></li>`,
        )
        .join("");
      const body =
        result.notice === "no-search-terms"
          ? `<p role="status">${w.stopWords}</p>`
          : `<h2>${esc(w.results(result.items.length, query))}</h2>${list ? `<ol>${list}</ol>` : `<p>${w.none}</p>`}`;
      return this.#done(200, this.#page(locale, `${w.search}: ${query}`, body, langHref));
    }
    return this.#cached(`home:${locale}`, async () => {
      const rows = await this.repo.articles(
        { limit: 30, locale },
        { audiences: ["public"], organizationId: "", publishedOnly: true },
      );
      const list = rows
        .map((r) => `<li><a href="/help/articles/${r.id}?lang=${locale}">${esc(r.published_title ?? r.title)}</a></li>`)
        .join("");
      return this.#done(
        200,
        this.#page(locale, w.title, `<h2>${w.recent}</h2><ul>${list}</ul>`, `/help?lang=${other}`),
      );
    });
  }

  async article(locale: HelpLocale, address: string): Promise<HelpPage> {
    // An address that is no article id (mistyped, cut) gets the missing article's page (one cached page for all).
    const id = UUID.test(address) ? address.toLowerCase() : null;
    return this.#cached(`article:${locale}:${id ?? ""}`, async () => {
      const w = words[locale];
      const other = locale === "en" ? "pt-BR" : "en";
      const visibility = { audiences: ["public" as const], organizationId: "", publishedOnly: true };
      const [row] = id ? await this.repo.published([id], visibility) : [];
      if (!row)
        return this.#done(
          404,
          this.#page(
            locale,
            w.notFound,
            `<h2>${w.notFound}</h2><p>${w.notFoundText}</p><p><a href="/help?lang=${locale}">${w.back}</a></p>`,
            `/help?lang=${other}`,
          ),
        );
      const translations = (await this.repo.translations(row.translation_group_id)).filter((t) => t.id !== row.id);
      const visibleTranslations = await this.repo.published(
        translations.map((t) => t.id),
        visibility,
      );
      const html = await renderFor(this.repo, anonymousReader, row.published_body, "help", row.locale);
      const videos = videoFigures(await this.#videos(row.id), row.locale);
      const translation = visibleTranslations[0];
      const updated = (row.published_at ?? row.updated_at).slice(0, 10);
      const main = `<article lang="${row.locale}"><h2>${esc(row.published_title)}</h2><p class="meta">${w.updated} ${updated}${
        translation
          ? ` · <a href="/help/articles/${translation.id}?lang=${translation.locale}" hreflang="${translation.locale}">${esc(translation.published_title)}</a>`
          : ""
      }</p>${html}${videos}</article><p><a href="/help?lang=${locale}">${w.back}</a></p>`;
      return this.#done(200, this.#page(locale, row.published_title, main, `/help/articles/${row.id}?lang=${other}`));
    });
  }
}

/**
 * An article's videos as HTML5 players: no JavaScript, byte ranges served by the stream route, WebVTT captions as
 * tracks (the article's language on by default), the poster frame shown before playing.
 */
function videoFigures(videos: HelpVideo[], locale: HelpLocale): string {
  const base = locale.slice(0, 2).toLowerCase();
  return videos
    .map((v) => {
      const fallback = v.captions.find((c) => c.lang.slice(0, 2).toLowerCase() === base);
      const tracks = v.captions
        .map(
          (c) =>
            `<track kind="captions" srclang="${esc(c.lang)}" label="${esc(c.label)}" src="${esc(c.url)}"${c === fallback ? " default" : ""}>`,
        )
        .join("");
      const poster = v.posterUrl ? ` poster="${esc(v.posterUrl)}"` : "";
      return `<figure class="video"><video controls preload="metadata"${poster}><source src="${esc(v.streamUrl)}" type="${esc(v.contentType)}">${tracks}</video><figcaption>${esc(v.title)}</figcaption></figure>`;
    })
    .join("");
}
