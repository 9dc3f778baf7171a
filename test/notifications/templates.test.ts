import { describe, expect, it } from "vitest";
import { chatPayload } from "../../src/modules/notifications/chat.js";
import { escapeHtml, mailBodies, render, type Template, templates } from "../../src/modules/notifications/templates.js";

const onlyPortuguese: Record<string, Template> = {
  "survey.reminder": {
    kind: "survey",
    optOut: true,
    render: { "pt-BR": (p) => ({ subject: `Pesquisa #${p.n}`, paragraphs: ["Como foi?"] }) },
  },
};

describe("notification templates", () => {
  it("fall back to pt-BR when a template lacks the language", () => {
    const r = render(onlyPortuguese, "survey.reminder", "en", { n: 3 });
    expect(r).toMatchObject({ subject: "Pesquisa #3", locale: "pt-BR" });
    expect(render(templates, "ticket.escalation.customer", "en", { number: 1 }).locale).toBe("en");
    expect(() => render(templates, "nope", "pt-BR", {})).toThrow(/unknown notification template/);
  });

  it("escape parameters in HTML and keep unsafe links inert", () => {
    const { text, html } = mailBodies(
      {
        subject: "<b>",
        paragraphs: ["a & b", "<img src=x onerror=alert(1)>\nline"],
        action: { label: "Go", url: "javascript:alert(1)" },
      },
      "en",
      "https://plantao.example/notifications/preferences",
    );
    expect(html).toContain("<p>&lt;img src=x onerror=alert(1)&gt;<br>line</p>");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("<title>&lt;b&gt;</title>");
    expect(text).toContain("a & b");
    expect(text).toContain(
      "To choose which notifications you receive: https://plantao.example/notifications/preferences",
    );
    expect(escapeHtml(`'"`)).toBe("&#39;&quot;");
  });

  it("shape chat payloads without letting text become markup", () => {
    const r = { subject: "S <x>", paragraphs: ["p & q"], action: { label: "Abrir", url: "https://x.example/1" } };
    const n = {
      id: "1",
      template: "t",
      kind: "k",
      locale: "pt-BR",
      params: {},
      thread: null,
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    expect(chatPayload("telegram", n, r)).toMatchObject({
      text: expect.stringContaining("<b>S &lt;x&gt;</b>\np &amp; q"),
    });
    expect(chatPayload("discord", n, r)).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(chatPayload("slack", n, r)).toMatchObject({ text: "S <x>\np & q" });
  });
});
