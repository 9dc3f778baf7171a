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
