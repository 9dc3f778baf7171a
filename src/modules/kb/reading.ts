import { createTwoFilesPatch, diffLines, diffWordsWithSpace } from "diff";
import { extractLinks } from "./links.js";
import { renderMarkdown } from "./markdown.js";
import type { Reader } from "./policy.js";
import { isCustomer } from "./policy.js";
import type { KbRepository } from "./repository.js";
import { visibilityOf } from "./service.js";

export type RenderPlace = "console" | "help";

const unavailableLabel = { "pt-BR": "artigo indisponível", en: "article unavailable" } as const;

/**
 * Renders an article's Markdown for one reader: links to articles the reader may read carry their titles
 * and point to the place's article page (the console or the public help centre); the others read "unavailable".
 */
export async function renderFor(
  repo: KbRepository,
  reader: Reader,
  markdown: string,
  place: RenderPlace,
  locale: "pt-BR" | "en",
): Promise<string> {
  const ids = extractLinks(markdown)
    .filter((l) => l.kind === "article")
    .map((l) => l.id);
  const visible = await repo.published(ids, { ...visibilityOf(reader), publishedOnly: true });
  const titles = new Map(visible.map((r) => [r.id, r.published_title]));
  const staff = reader.role !== null && !isCustomer(reader.role);
  return renderMarkdown(markdown, {
    articles: titles,
    articleHref: (id) => (place === "help" ? `/help/articles/${id}` : `/kb/articles/${id}`),
    ticketHref: (n) => (place === "console" && staff ? `/tickets/${n}` : null),
    unavailable: unavailableLabel[locale],
  });
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
