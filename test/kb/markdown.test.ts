import { describe, expect, it } from "vitest";
import { extractLinks, withoutArticleLinks } from "../../src/modules/kb/links.js";
import { renderMarkdown } from "../../src/modules/kb/markdown.js";
import { markdownText, queryTerms, terms, trigrams } from "../../src/modules/kb/text.js";

const visible = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
const hidden = "0190a1b2-c3d4-7e5f-8a9b-ffffffffffff";
const links = {
  articles: new Map([[visible, "Configurar ramal"]]),
  articleHref: (id: string) => `/help/articles/${id}`,
  ticketHref: (n: string) => `/tickets/${n}`,
  unavailable: "artigo indisponível",
};
const render = (md: string) => renderMarkdown(md, links);

// Known XSS vectors (OWASP cheat sheet, markdown-specific ones).
const vectors = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  "<svg/onload=alert(1)>",
  '<iframe src="javascript:alert(1)"></iframe>',
  "[clique](javascript:alert(1))",
  "[clique](JaVaScRiPt:alert(1))",
  "[clique](  javascript:alert(1))",
  "[clique](java\tscript:alert(1))",
  "[x](vbscript:msgbox(1))",
  "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "![x](javascript:alert(1))",
  '![x](https://example.com/a.png"onerror="alert(1))',
  '[x](https://example.com "title" onmouseover="alert(1)")',
  '<a href="javascript:alert(1)">x</a>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  "&#60;script&#62;alert(1)&#60;/script&#62;",
  "[x](&#106;avascript:alert(1))",
  "<details open ontoggle=alert(1)>",
];

describe("article Markdown rendering", () => {
  it.each(vectors)("neutralises %s", (v) => {
    const html = render(v);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|svg|iframe|div|details|a)[^>]*\son\w+\s*=/i);
    expect(html).not.toMatch(/(href|src)\s*=\s*"\s*(javascript|vbscript|data):/i);
    expect(html).not.toMatch(/<(iframe|svg|details|div)\b/i);
  });

  it("keeps ordinary Markdown: headings, lists, code, safe links and images", () => {
    const html = render("# Título\n\n- um\n- dois\n\n`code`\n\n[site](https://example.com) ![img](/files/a.png)");
    expect(html).toContain("<h1>Título</h1>");
    expect(html).toContain("<li>um</li>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain('href="https://example.com" rel="noopener noreferrer nofollow"');
    expect(html).toContain('src="/files/a.png"');
  });

  it("resolves links to readable articles and hides the others without their title or link text", () => {
    const html = render(
      `Veja kb:${visible} e [o segredo interno](kb:${hidden}) e /help/articles/${hidden} e ticket:42`,
    );
    expect(html).toContain(`<a href="/help/articles/${visible}">Configurar ramal</a>`);
    expect(html).not.toContain("segredo");
    expect(html).not.toContain(hidden);
    expect(html.match(/artigo indisponível/g)?.length).toBe(2);
    expect(html).toContain('<a href="/tickets/42">#42</a>');
  });

  it("leaves links to articles, their words too, out of the text every reader shares", () => {
    const body = [
      `Veja [o segredo do cofre](kb:${hidden}), ![cofre](/help/articles/${hidden}) e [cofre [novo]](<kb:${hidden}> "t").`,
      `Ou [o cofre][ref], [Ref][] e kb:${hidden} ou /help/articles/${hidden}?lang=en.`,
      "",
      `[ref]: kb:${hidden} "Cofre"`,
      "Mantém [o manual](https://example.com/manual), [outro][ext] e ticket:42.",
      "",
      "[ext]: https://example.com/x",
    ].join("\n");
    const text = withoutArticleLinks(body);
    expect(text).not.toMatch(/segredo|cofre|Ref\]/i);
    expect(text).not.toContain(hidden);
    expect(text).toContain("[o manual](https://example.com/manual)");
    expect(text).toContain("[outro][ext]");
    expect(text).toContain("ticket:42");
    expect(markdownText(body)).not.toMatch(/segredo|cofre/i);
    expect(withoutArticleLinks("nada a tirar")).toBe("nada a tirar");
  });

  it("finds internal links for backlinks", () => {
    expect(extractLinks(`kb:${visible} [a](/help/articles/${hidden}) ticket:7 kb:${visible}`)).toEqual([
      { kind: "article", id: visible },
      { kind: "article", id: hidden },
      { kind: "ticket", id: "7" },
    ]);
  });
});

describe("search normalisation", () => {
  it("gives configurações, configuracao and configurar one stem", () => {
    const [a] = terms("configurações", "pt-BR");
    expect(terms("configuracao", "pt-BR")).toEqual([a]);
    expect(terms("configurar", "pt-BR")).toEqual([a]);
    expect(terms("Configuração", "pt-BR")).toEqual([a]);
  });
  it("folds -ais plurals and drops stop words in either language", () => {
    expect(terms("ramais", "pt-BR")).toEqual(terms("ramal", "pt-BR"));
    expect(queryTerms("de o a para com the of")).toEqual([]);
  });
  it("caps a huge query to a few terms", () => {
    expect(queryTerms("palavra ".repeat(5000)).length).toBeLessThanOrEqual(24);
    expect(queryTerms(`${"x".repeat(10_000)} ramal`)).toContain(terms("ramal", "pt-BR")[0]);
  });
  it("makes padded word trigrams without accents", () => {
    expect(trigrams("Áudio")).toEqual(["  a", " au", "aud", "udi", "dio", "io "]);
  });
});
