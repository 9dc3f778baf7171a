/**
 * Internal links in an article's Markdown (pure): `kb:<id>` and `/help/articles/<id>` to articles, `ticket:<n>`
 * and `/tickets/<n>` to tickets.
 */
const ARTICLE = /(?:\bkb:|\/help\/articles\/)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi;
const TICKET = /(?:\bticket:|\/tickets\/)(\d{1,12})\b/gi;

export interface InternalLink {
  kind: "article" | "ticket";
  id: string;
}

export function extractLinks(markdown: string): InternalLink[] {
  const seen = new Set<string>();
  const out: InternalLink[] = [];
  for (const [re, kind] of [
    [ARTICLE, "article"],
    [TICKET, "ticket"],
  ] as const) {
    for (const m of markdown.matchAll(re)) {
      const id = kind === "article" ? m[1]!.toLowerCase() : m[1]!;
      if (seen.has(`${kind}:${id}`)) continue;
      seen.add(`${kind}:${id}`);
      out.push({ kind, id });
    }
  }
  return out;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** A link target naming an article, as the renderer resolves it (markdown.ts ARTICLE_HREF); its id captured. */
const ARTICLE_TARGET = `<?(?:kb:|/help/articles/)(${UUID})(?:[?#][^\\s)>]*)?>?`;
/** Link text with at most one level of nested brackets, as authors write it. */
const LABEL = "(?:[^\\[\\]\\n]|\\[[^\\]\\n]*\\])*";
const INLINE_ARTICLE_LINK = new RegExp(
  `!?\\[${LABEL}\\]\\(\\s*${ARTICLE_TARGET}(?:\\s+(?:"[^"]*"|'[^']*'))?\\s*\\)`,
  "gi",
);
const ARTICLE_DEFINITION = new RegExp(`^ {0,3}\\[(${LABEL})\\]:\\s*${ARTICLE_TARGET}.*$`, "gim");
const REFERENCE_USE = new RegExp(`!?\\[(${LABEL})\\](?:\\[(${LABEL})\\])?`, "g");
const BARE_ARTICLE = new RegExp(`(?:\\bkb:|/help/articles/)(${UUID})`, "gi");

/**
 * The Markdown without its links to articles, their own text included, but for the links to `keep` (pure).
 * Index terms, search snippets and summaries are the same for every reader, unlike the rendered page
 * (markdown.ts), and the words of a link often name the linked article: kept there, a hidden article's title
 * would show through a readable one. A reader's copy of the source keeps the links to what that reader may read.
 */
export function withoutArticleLinks(markdown: string, keep: ReadonlySet<string> = new Set()): string {
  if (!/kb:|\/help\/articles\//i.test(markdown)) return markdown;
  const kept = (id: string) => keep.has(id.toLowerCase());
  const hidden = new Set<string>();
  let text = markdown.replace(ARTICLE_DEFINITION, (all, label: string, id: string) => {
    if (kept(id)) return all;
    hidden.add(label.trim().toLowerCase());
    return "";
  });
  text = text.replace(INLINE_ARTICLE_LINK, (all, id: string) => (kept(id) ? all : ""));
  if (hidden.size > 0)
    text = text.replace(REFERENCE_USE, (all, label: string, ref: string | undefined) =>
      hidden.has((ref || label).trim().toLowerCase()) ? "" : all,
    );
  return text.replace(BARE_ARTICLE, (all, id: string) => (kept(id) ? all : ""));
}
