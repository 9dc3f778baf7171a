import { stemmer as englishStem } from "@orama/stemmers/english";
import { stemmer as portugueseStem } from "@orama/stemmers/portuguese";
import type { KbLocale } from "../../platform/db/schema.js";
import { withoutArticleLinks } from "./links.js";

/**
 * The one normalisation of knowledge-base text, used for indexing and for queries alike, so both engines see
 * the same terms: lower case, stop words dropped, a Snowball stem (Portuguese or English), then NFKD with the
 * accents removed. Terms are letters a–z and digits only, never query syntax on either engine.
 */

// Snowball's Portuguese and English stop-word lists (the common part: articles, pronouns, prepositions, auxiliaries).
const PT_STOP = new Set(
  (
    "de a o que e do da em um para com nao uma os no se na por mais as dos como mas ao ele das seu sua ou quando " +
    "muito nos ja eu tambem so pelo pela ate isso ela entre depois sem mesmo aos seus quem nas me esse eles voce " +
    "essa num nem suas meu minha numa pelos elas qual nos lhe deles essas esses pelas este dele tu te voces vos " +
    "lhes meus minhas teu tua teus tuas nosso nossa nossos nossas dela delas esta estes estas aquele aquela " +
    "aqueles aquelas isto aquilo estou esta estamos estao estive esteve estivemos estiveram era eram fui foi " +
    "fomos foram seja sejam ser sou somos sao tenho tem temos tinha tinham tive teve ha havia hei houve sobre " +
    "cada onde porque pois entao lo la los las"
  ).split(" "),
);
const EN_STOP = new Set(
  (
    "a an the and or but if of at by for with about to from in on into over under is are was were be been being " +
    "am do does did doing have has had having i me my we our you your he him his she her it its they them their " +
    "what which who whom this that these those as until while so than too very can will just not no nor only own " +
    "same some such both each few more most other any all how why when where here there then once again further " +
    "should would could out up down off"
  ).split(" "),
);

const WORD = /[\p{L}\p{N}]+/gu;
const MAX_WORD = 40;

/** Lower case, accents removed (NFKD then combining marks dropped), ASCII letters and digits left. */
export function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/**
 * Portuguese typed without accents ("configuracao", "ligacoes", "padrao") gets its nasal endings back, so the
 * stemmer, which expects them, gives the same stem as for the accented word; "-ais" plurals ("ramais",
 * "canais") become their "-al" singular, which Snowball leaves apart.
 */
function portugueseWord(word: string): string {
  let w = word;
  if (/^[a-z0-9]+$/.test(w)) {
    if (w.endsWith("coes")) w = `${w.slice(0, -4)}ções`;
    else if (w.endsWith("cao")) w = `${w.slice(0, -3)}ção`;
    else if (w.endsWith("oes") && w.length > 4) w = `${w.slice(0, -3)}ões`;
    else if (w.endsWith("ao") && w.length > 3) w = `${w.slice(0, -2)}ão`;
  }
  if (w.length > 4 && w.endsWith("ais")) w = `${w.slice(0, -3)}al`;
  return w;
}

function stem(word: string, locale: KbLocale): string {
  if (locale === "en") return englishStem(word);
  return portugueseStem(portugueseWord(word));
}

/** The words of a text, lower case, accents kept (for stemming), at most `limit` of them. */
export function words(text: string, limit = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  for (const m of text.normalize("NFC").toLowerCase().matchAll(WORD)) {
    if (out.length >= limit) break;
    if (m[0].length <= MAX_WORD) out.push(m[0]);
  }
  return out;
}

function isStop(word: string, locale: KbLocale): boolean {
  const f = fold(word);
  return locale === "en" ? EN_STOP.has(f) : PT_STOP.has(f);
}

/** The index terms of a text in a language: stems, accents removed, stop words dropped, in text order. */
export function terms(text: string, locale: KbLocale, limit?: number): string[] {
  const out: string[] = [];
  for (const w of words(text, limit)) {
    if (isStop(w, locale)) continue;
    const t = fold(stem(w, locale)).replace(/[^a-z0-9]/g, "");
    if (t) out.push(t);
  }
  return out;
}

/** Longest query kept: words past it are dropped, so a 10,000-character query costs what a short one does. */
export const MAX_QUERY_WORDS = 12;

/** The words of a search query that count: a stop word in either language is dropped ("para" or "com" are no English search terms). */
export function queryWords(query: string): string[] {
  return words(query, MAX_QUERY_WORDS * 4).filter((w) => !isStop(w, "pt-BR") && !isStop(w, "en"));
}

/**
 * The terms of a search query, in either language (the reader may search English articles in Portuguese
 * and the other way round): the union of the Portuguese and English stems, without duplicates.
 */
export function queryTerms(query: string): string[] {
  const ws = queryWords(query);
  const pt = terms(ws.join(" "), "pt-BR");
  const en = terms(ws.join(" "), "en");
  return [...new Set([...pt, ...en])].slice(0, MAX_QUERY_WORDS * 2);
}

/** Trigrams of each word (accents removed, not stemmed), padded as pg_trgm does: "  r", " ra", "ram"… "al ". */
export function trigrams(text: string, limit = 200): string[] {
  const out = new Set<string>();
  for (const w of words(text)) {
    const f = fold(w).replace(/[^a-z0-9]/g, "");
    if (f.length < 3) continue;
    const padded = `  ${f} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
    if (out.size >= limit) break;
  }
  return [...out].slice(0, limit);
}

/** Markdown reduced to its words: links to articles (their text too), code fences, link targets, images and markup characters removed. */
export function markdownText(markdown: string): string {
  return withoutArticleLinks(markdown)
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, " ")
    .replace(/[#*_`>~|-]+/g, " ");
}
