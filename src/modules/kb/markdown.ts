import MarkdownIt, { type StateCore, type Token } from "markdown-it";

/**
 * Server-side Markdown rendering of articles with markdown-it. Raw HTML is off (`<script>`, `<img onerror>`,
 * `<iframe>` come out as text), and links and images keep only http(s), mailto, relative and in-page targets:
 * `javascript:`, `vbscript:`, `data:` and the like are left as text. Internal links (`kb:<id>`,
 * `/help/articles/<id>`, `ticket:<number>`) resolve through `RenderLinks`: an article the reader may not see
 * becomes "unavailable" with neither its title nor the link's own text, which could name it.
 */
export interface RenderLinks {
  /** Titles of the linked articles the reader may see; an id missing here is unavailable. */
  articles: ReadonlyMap<string, string>;
  articleHref(id: string): string;
  /** Where a ticket link goes; null renders it as plain text (the public help centre). */
  ticketHref(number: string): string | null;
  unavailable: string;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const ARTICLE_HREF = new RegExp(`^(?:kb:|/help/articles/)(${UUID})(?:[?#].*)?$`, "i");
const TICKET_HREF = /^(?:ticket:|\/tickets\/)(\d{1,12})$/i;
const BARE = new RegExp(`(?:\\bkb:|/help/articles/)(${UUID})|\\bticket:(\\d{1,12})\\b`, "gi");
const SAFE_URL = /^(?:https?:\/\/|mailto:|\/(?!\/)|#|\.{0,2}\/|[\w.-]+(?:[/?#]|$))/i;

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
md.validateLink = (url: string) => {
  const u = url.trim();
  if (ARTICLE_HREF.test(u) || TICKET_HREF.test(u)) return true;
  if (/^[a-z][a-z0-9+.-]*:/i.test(u) && !/^(?:https?|mailto):/i.test(u)) return false;
  return SAFE_URL.test(u);
};
// External links open without handing over the opener.
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const href = String(tokens[idx]!.attrGet("href") ?? "");
  if (/^https?:\/\//i.test(href)) tokens[idx]!.attrSet("rel", "noopener noreferrer nofollow");
  return self.renderToken(tokens, idx, options);
};

function textToken(state: StateCore, content: string): Token {
  const t = new state.Token("text", "", 0);
  t.content = content;
  return t;
}

/** Internal links: resolved, or "unavailable" with their inner text dropped. */
md.core.ruler.push("kb_links", (state) => {
  const links = (state.env as { links?: RenderLinks } | undefined)?.links;
  if (!links) return;
  for (const block of state.tokens) {
    if (block.type !== "inline" || !block.children) continue;
    const out: Token[] = [];
    const children = block.children;
    for (let i = 0; i < children.length; i++) {
      const t = children[i]!;
      if (t.type === "link_open") {
        const href = String(t.attrGet("href") ?? "");
        const article = ARTICLE_HREF.exec(href);
        const ticket = TICKET_HREF.exec(href);
        if (article) {
          const id = article[1]!.toLowerCase();
          if (links.articles.has(id)) {
            t.attrSet("href", links.articleHref(id));
            out.push(t);
            continue;
          }
          // Skip everything up to the matching close: the author's words could name the hidden article.
          let depth = 1;
          while (depth > 0 && ++i < children.length) {
            if (children[i]!.type === "link_open") depth++;
            if (children[i]!.type === "link_close") depth--;
          }
          out.push(...unavailable(state, links.unavailable));
          continue;
        }
        if (ticket) {
          const target = links.ticketHref(ticket[1]!);
          if (target) {
            t.attrSet("href", target);
            out.push(t);
            continue;
          }
          // Plain text: keep the words, drop the link.
          let depth = 1;
          while (depth > 0 && ++i < children.length) {
            const c = children[i]!;
            if (c.type === "link_open") depth++;
            else if (c.type === "link_close") depth--;
            else out.push(c);
          }
          continue;
        }
        out.push(t);
        continue;
      }
      if (t.type === "text" && BARE.test(t.content)) {
        BARE.lastIndex = 0;
        let last = 0;
        for (const m of t.content.matchAll(BARE)) {
          if (m.index! > last) out.push(textToken(state, t.content.slice(last, m.index)));
          last = m.index! + m[0].length;
          if (m[1]) {
            const id = m[1].toLowerCase();
            const title = links.articles.get(id);
            if (title === undefined) {
              out.push(...unavailable(state, links.unavailable));
              continue;
            }
            const open = new state.Token("link_open", "a", 1);
            open.attrSet("href", links.articleHref(id));
            out.push(open, textToken(state, title), new state.Token("link_close", "a", -1));
          } else {
            const target = links.ticketHref(m[2]!);
            if (!target) {
              out.push(textToken(state, `#${m[2]}`));
              continue;
            }
            const open = new state.Token("link_open", "a", 1);
            open.attrSet("href", target);
            out.push(open, textToken(state, `#${m[2]}`), new state.Token("link_close", "a", -1));
          }
        }
        if (last < t.content.length) out.push(textToken(state, t.content.slice(last)));
        continue;
      }
      out.push(t);
    }
    block.children = out;
  }
});

function unavailable(state: StateCore, label: string): Token[] {
  const open = new state.Token("span_open", "span", 1);
  open.attrSet("class", "kb-unavailable");
  return [open, textToken(state, label), new state.Token("span_close", "span", -1)];
}

/** The article's HTML, safe to put in a page. */
export function renderMarkdown(markdown: string, links: RenderLinks): string {
  return md.render(markdown, { links });
}
