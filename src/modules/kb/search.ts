import type { KbAudience, KbLocale } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import type { Actor } from "../identity/actor.js";
import type { Reader } from "./policy.js";
import type { KbRepository, PublishedRow, Visibility } from "./repository.js";
import { readerOf, visibilityOf } from "./service.js";
import { MAX_QUERY_WORDS, markdownText, queryTerms, queryWords, terms, trigrams, words } from "./text.js";

/** Longest query accepted, in characters: past it a clear 400, not a slow search. */
export const MAX_QUERY_CHARS = 1000;
/** Full-text candidates ranked before merging with the title fallback. */
const TEXT_CANDIDATES = 60;
/** Articles heaviest in each query term whose rank the engine computes (see `KbRepository.searchText`). */
const CANDIDATES_PER_TERM = 100;
/** Full-text matches SQLite's FTS5 keeps, best first, before the reader's visibility filters them. */
const TEXT_TOP = 300;
/**
 * Articles heaviest in each query term a suggestion scores (see `KbRepository.suggestText`): enough that the
 * reader's visibility leaves a full list, few enough that a short prefix costs what a long one does.
 */
const SUGGESTION_CANDIDATES_PER_TERM = 60;
/** Title trigram similarity (Jaccard) a typo'd title needs to count. */
const TITLE_SIMILARITY = 0.25;
const SNIPPET_WORDS = 28;

export interface SearchHit {
  id: string;
  title: string;
  snippet: string;
  score: number;
  locale: KbLocale;
  audience: KbAudience;
  purpose: string;
}

export interface SearchResult {
  items: SearchHit[];
  /** Why there is nothing to search for: the query had only stop words or no words at all. */
  notice?: "no-search-terms";
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * The best window of the published body around the query's terms, HTML-escaped, matching words in `<mark>`
 * (pure). Words match when their stem in the article's language is a query term (or starts with the query's
 * last term, typed as a prefix).
 */
export function snippet(body: string, locale: KbLocale, query: string[], prefix: string | null): string {
  const text = markdownText(body).replace(/\s+/g, " ").trim();
  const tokens = text.split(" ").filter(Boolean);
  const wanted = new Set(query);
  // Words repeat in a body: each distinct one is stemmed once.
  const seen = new Map<string, boolean>();
  const hit = tokens.map((tok) => {
    let matches = seen.get(tok);
    if (matches === undefined) {
      const [t] = terms(tok, locale);
      matches = !!t && (wanted.has(t) || (prefix !== null && t.startsWith(prefix)));
      seen.set(tok, matches);
    }
    return matches;
  });
  let best = 0;
  let bestCount = -1;
  for (let start = 0; start < Math.max(1, tokens.length - SNIPPET_WORDS + 1); start++) {
    let count = 0;
    for (let i = start; i < Math.min(tokens.length, start + SNIPPET_WORDS); i++) if (hit[i]) count++;
    if (count > bestCount) {
      best = start;
      bestCount = count;
    }
    if (tokens.length > 2000 && start > 2000) break;
  }
  const end = Math.min(tokens.length, best + SNIPPET_WORDS);
  const parts = tokens
    .slice(best, end)
    .map((tok, i) => (hit[best + i] ? `<mark>${escapeHtml(tok)}</mark>` : escapeHtml(tok)));
  return `${best > 0 ? "… " : ""}${parts.join(" ")}${end < tokens.length ? " …" : ""}`;
}

/**
 * What of a query decides its results (pure): its words and whether it ends in a space (the last word then is
 * no prefix being typed). Two queries with the same key, by readers of the same visibility, find the same.
 */
export function queryKey(q: string): string {
  return `${words(q).join(" ")}${/\s$/.test(q) ? " " : ""}`;
}

/**
 * Knowledge-base search, the same on both engines: the query normalised like the articles (Portuguese and
 * English stems), full-text candidates ranked by the engine (BM25 / ts_rank_cd), merged with a trigram match on
 * titles so a typo still finds its article; only what the reader may read.
 */
export class SearchService {
  constructor(private readonly repo: KbRepository) {}

  /**
   * Trigrams of the query's words the index does not know (none of their stems is an indexed term; the word
   * being typed: no term starts with it), the ones a typo may have changed: a title is looked up by its
   * trigrams only for those, as a known word is found by the full-text search already.
   */
  async #typoTrigrams(q: string, prefixLast: boolean): Promise<string[]> {
    const ws = queryWords(q).slice(0, MAX_QUERY_WORDS);
    const termsOf = ws.map((w, i) => queryTerms(w).map((term) => ({ term, typed: prefixLast && i === ws.length - 1 })));
    const known = await this.repo.knownTerms(termsOf.flat());
    const unknown = ws.filter((_, i) => !termsOf[i]!.some((t) => known.has(t.term)));
    return unknown.length ? trigrams(unknown.join(" "), 60) : [];
  }

  async search(actor: Actor | null, input: { q: string; audience?: KbAudience; limit: number }): Promise<SearchResult> {
    return this.searchAs(readerOf(actor), input);
  }

  async searchAs(reader: Reader, input: { q: string; audience?: KbAudience; limit: number }): Promise<SearchResult> {
    if (input.q.length > MAX_QUERY_CHARS)
      throw Problem.invalid({
        in: "query",
        pointer: "/q",
        message: `the query is longer than ${MAX_QUERY_CHARS} characters`,
      });
    const visibility = { ...visibilityOf(reader, input.audience), publishedOnly: true };
    const qTerms = queryTerms(input.q);
    if (!qTerms.length || !visibility.audiences.length) {
      return { items: [], ...(!qTerms.length && { notice: "no-search-terms" as const }) };
    }
    const raw = words(input.q);
    const lastWord = raw.at(-1) ?? "";
    // The last word is a prefix while it is being typed (no space after it yet).
    const prefixLast = lastWord.length >= 3 && !/\s$/.test(input.q);
    const [text, titles] = await Promise.all([
      this.repo.searchText(qTerms, prefixLast, visibility, TEXT_CANDIDATES, {
        perTerm: CANDIDATES_PER_TERM,
        top: TEXT_TOP,
        enough: input.limit,
      }),
      this.#typoTrigrams(input.q, prefixLast).then((grams) =>
        this.repo.searchTitles(grams, visibility, TITLE_SIMILARITY, input.limit * 2),
      ),
    ]);
    const top = text[0]?.score ?? 0;
    const scores = new Map<string, number>();
    for (const t of text) scores.set(t.id, top > 0 ? t.score / top : 0);
    for (const t of titles) scores.set(t.id, (scores.get(t.id) ?? 0) + t.similarity);
    const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).slice(0, input.limit);
    return { items: await this.#hits(ranked, visibility, qTerms, prefixLast ? lastWord : null) };
  }

  /**
   * Suggestions while a text is typed (a new ticket's subject): the articles heaviest in its terms, a typed last
   * word completed through the postings' prefix index, scored among a bounded candidate set only the reader's
   * visibility filters. When those leave fewer than `limit` (rare words, a typo, few readable matches), the
   * full search answers instead, typo fallback included.
   */
  async suggest(actor: Actor | null, input: { q: string; limit: number }): Promise<SearchHit[]> {
    const reader = readerOf(actor);
    const visibility = { ...visibilityOf(reader), publishedOnly: true };
    const qTerms = queryTerms(input.q);
    if (!qTerms.length || !visibility.audiences.length || input.q.length > MAX_QUERY_CHARS)
      return (await this.searchAs(reader, input)).items;
    const lastWord = words(input.q).at(-1) ?? "";
    const prefixLast = lastWord.length >= 3 && !/\s$/.test(input.q);
    const found = await this.repo.suggestText(
      qTerms,
      prefixLast,
      visibility,
      input.limit,
      SUGGESTION_CANDIDATES_PER_TERM,
    );
    if (found.length < input.limit) return (await this.searchAs(reader, input)).items;
    const top = found[0]!.score;
    return this.#hits(
      found.map((f) => [f.id, top > 0 ? f.score / top : 0]),
      visibility,
      qTerms,
      prefixLast ? lastWord : null,
    );
  }

  /** The ranked articles as hits: their published title, a snippet around the query's terms, best first. */
  async #hits(
    ranked: [string, number][],
    visibility: Visibility,
    qTerms: string[],
    typed: string | null,
  ): Promise<SearchHit[]> {
    const rows = new Map<string, PublishedRow>(
      (
        await this.repo.published(
          ranked.map(([id]) => id),
          visibility,
        )
      ).map((r) => [r.id, r]),
    );
    const prefix = typed === null ? null : (queryTerms(typed).at(0) ?? null);
    const items: SearchHit[] = [];
    for (const [id, score] of ranked) {
      const row = rows.get(id);
      if (!row) continue;
      items.push({
        id,
        title: row.published_title,
        snippet: snippet(row.published_body, row.locale, qTerms, prefix),
        score: Math.round(score * 10_000) / 10_000,
        locale: row.locale,
        audience: row.audience,
        purpose: row.purpose,
      });
    }
    return items;
  }
}
