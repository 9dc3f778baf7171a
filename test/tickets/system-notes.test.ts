import { describe, expect, it } from "vitest";
import { mailBodies, render, templates } from "../../src/modules/notifications/templates.js";
import {
  noteLocaleOf,
  renderNote,
  renderStored,
  type SystemNote,
  storedNote,
} from "../../src/modules/tickets/system-notes.js";

describe("system notes", () => {
  it("are written in either language from the same key and parameters", () => {
    const note = {
      key: "sla.warning",
      params: {
        clock: "tier_response",
        tier: "L2",
        at: "2026-11-25T15:00:00.000Z",
        breachAt: "2026-11-25T17:00:00.000Z",
      },
    } as const;
    expect(renderNote(note, "en")).toBe(
      "SLA target reached: tier_response (L2) at 2026-11-25T15:00:00.000Z; breach at 2026-11-25T17:00:00.000Z",
    );
    expect(renderNote(note, "pt-BR")).toBe(
      "Meta de SLA atingida: resposta do nível (L2) em 2026-11-25T15:00:00.000Z; violação em 2026-11-25T17:00:00.000Z",
    );
    const escalation: SystemNote = {
      key: "sla.escalation",
      params: {
        step: 2,
        clock: "first_response",
        notified: ["assignee", "L3"],
        changes: [{ field: "severity", before: "medium", after: "high" }],
        skipped: [],
      },
    };
    expect(renderNote(escalation, "pt-BR")).toBe(
      "Escalonamento, passo 2 (primeira resposta): notificados responsável, L3; severidade médio → alto",
    );
    expect(renderNote({ key: "ticket.merged_into", params: { number: 7 } }, "pt-BR")).toBe("Mesclado no #7");
  });

  it("are stored with their English text, and rows without a key (or with an unknown one) read as stored", () => {
    const stored = storedNote({ key: "ticket.merged_from", params: { number: 9 } });
    expect(stored).toEqual({
      body: "#9 was merged into this ticket",
      body_key: "ticket.merged_from",
      body_params: '{"number":9}',
    });
    expect(renderStored(stored, "pt-BR")).toBe("#9 foi mesclado neste chamado");
    expect(renderStored({ body: "old", body_key: null, body_params: null }, "pt-BR")).toBe("old");
    expect(renderStored({ body: "future", body_key: "sla.someday", body_params: "{}" }, "en")).toBe("future");
    expect(renderStored({ body: "broken", body_key: "sla.breached", body_params: "{" }, "en")).toBe("broken");
  });

  it("follow Accept-Language when it names Portuguese or English, by weight", () => {
    expect(noteLocaleOf(undefined)).toBeNull();
    expect(noteLocaleOf("")).toBeNull();
    expect(noteLocaleOf("de-DE, fr;q=0.9")).toBeNull();
    expect(noteLocaleOf("pt-PT")).toBe("pt-BR");
    expect(noteLocaleOf("en-GB,pt-BR;q=0.9")).toBe("en");
    expect(noteLocaleOf("en;q=0.4, pt;q=0.8")).toBe("pt-BR");
    expect(noteLocaleOf("pt;q=0, en")).toBe("en");
  });
});

describe("the customer's escalation mail", () => {
  it("says the ticket is followed up, in Portuguese or English, and nothing internal", () => {
    const params = { number: 42, subject: "Sem áudio", name: "Rita" };
    const pt = render(templates, "ticket.escalation.customer", "pt-BR", params);
    expect(pt.subject).toBe("[Plantão] Seu chamado #42 está em acompanhamento");
    const ptText = mailBodies(pt, "pt-BR").text;
    expect(ptText).toContain('Olá, Rita.\n\nSeu chamado #42 "Sem áudio"');
    const en = render(templates, "ticket.escalation.customer", "en", params);
    expect(en.subject).toBe("[Plantão] Your ticket #42 is being followed up");
    for (const m of [pt, en]) {
      const { text, html } = mailBodies(m, m.locale);
      expect(text).not.toMatch(/SLA|severid|severity|L[123]|prazo|breach/i);
      expect(html).not.toMatch(/SLA|severid|severity|L[123]|prazo|breach/i);
    }
  });
});
