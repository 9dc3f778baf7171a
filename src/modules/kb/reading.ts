import { createTwoFilesPatch, diffLines, diffWordsWithSpace } from "diff";
import { extractLinks, withoutArticleLinks } from "./links.js";
import { renderMarkdown } from "./markdown.js";
import type { Reader } from "./policy.js";
import { isCustomer } from "./policy.js";
import type { KbRepository } from "./repository.js";
import { visibilityOf } from "./service.js";

export type RenderPlace = "console" | "help";

const unavailableLabel = { "pt-BR": "artigo indisponível", en: "article unavailable" } as const;

/** Titles of the articles a Markdown text links to that the reader may read, by id. */
async function readableLinks(repo: KbRepository, reader: Reader, markdown: string): Promise<Map<string, string>> {
  const ids = extractLinks(markdown)
    .filter((l) => l.kind === "article")
    .map((l) => l.id);
  if (ids.length === 0) return new Map();
  const visible = await repo.published(ids, { ...visibilityOf(reader), publishedOnly: true });
  return new Map(visible.map((r) => [r.id, r.published_title]));
}

/**
 * Renders an article's Markdown for one reader: links to articles the reader may read carry their titles
 * and point to the place's article page (the public help centre, the portal for customers, the console for
 * staff); the others read "unavailable". Also the Markdown source as that reader may have it: without the
 * links (and their words) to articles they may not read.
 */
export async function readFor(
  repo: KbRepository,
  reader: Reader,
  markdown: string,
  place: RenderPlace,
  locale: "pt-BR" | "en",
): Promise<{ html: string; source: string }> {
  const titles = await readableLinks(repo, reader, markdown);
  const staff = reader.role !== null && !isCustomer(reader.role);
  const html = renderMarkdown(markdown, {
    articles: titles,
    articleHref: (id) =>
      place === "help" ? `/help/articles/${id}` : staff ? `/kb/articles/${id}` : `/portal/kb/articles/${id}`,
    ticketHref: (n) => (place === "console" && staff ? `/tickets/${n}` : null),
    unavailable: unavailableLabel[locale],
  });
  return { html, source: withoutArticleLinks(markdown, new Set(titles.keys())) };
}

export async function renderFor(
  repo: KbRepository,
  reader: Reader,
  markdown: string,
  place: RenderPlace,
  locale: "pt-BR" | "en",
): Promise<string> {
  return (await readFor(repo, reader, markdown, place, locale)).html;
}

type Op = "same" | "added" | "removed";

/** The change between two versions (pure): the title by words, the body by lines, and a unified diff. */
export function versionDiff(
  from: { version: number; title: string; body: string },
  to: { version: number; title: string; body: string },
) {
  const op = (c: { added?: boolean; removed?: boolean }): Op => (c.added ? "added" : c.removed ? "removed" : "same");
  return {
    from: from.version,
    to: to.version,
    title: diffWordsWithSpace(from.title, to.title).map((c) => ({ op: op(c), text: c.value })),
    lines: diffLines(from.body, to.body).map((c) => ({ op: op(c), text: c.value })),
    unified: createTwoFilesPatch(`v${from.version}`, `v${to.version}`, from.body, to.body, undefined, undefined, {
      context: 3,
    }),
  };
}
