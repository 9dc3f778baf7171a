import { describe, expect, it } from "vitest";
import {
  automaticReason,
  baseSubject,
  legacySubject,
  messageIdsOf,
  ourSubjectNumber,
  splitQuoted,
  threadKeys,
  ticketNumberInSubject,
} from "../../src/modules/mail/core.js";
import { render, templates } from "../../src/modules/notifications/templates.js";

const guard = (headers: Record<string, string>, extra: Partial<Parameters<typeof automaticReason>[0]> = {}) =>
  automaticReason({
    headers: new Map(Object.entries(headers)),
    from: "ana@acme.example",
    ownAddresses: new Set(["plantao@plantao.example", "suporte@plantao.example"]),
    ...extra,
  });

describe("loop and auto-reply guards", () => {
  it("lets a person's mail through", () => {
    expect(guard({})).toBeNull();
    expect(guard({ "auto-submitted": "no" })).toBeNull();
    expect(guard({ "auto-submitted": "No; comment" })).toBeNull();
    expect(guard({ precedence: "first-class" })).toBeNull();
  });
  it("names why a mail is automatic", () => {
    expect(guard({ "auto-submitted": "auto-replied" })).toBe("auto-submitted");
    expect(guard({ "auto-submitted": "auto-generated" })).toBe("auto-submitted");
    expect(guard({ "x-autoreply": "yes" })).toBe("x-autoreply");
    expect(guard({ "x-autorespond": "1" })).toBe("x-autoreply");
    for (const p of ["bulk", "list", "junk", "BULK"]) expect(guard({ precedence: p })).toBe("precedence");
    expect(guard({ "x-loop": "plantao" })).toBe("x-loop");
    expect(guard({}, { from: "Suporte@Plantao.example" })).toBe("own-sender");
    expect(guard({}, { envelopeFrom: "" })).toBe("bounce");
    expect(guard({}, { contentType: "multipart/report; report-type=delivery-status" })).toBe("bounce");
    expect(guard({}, { from: "MAILER-DAEMON@mx.acme.example" })).toBe("bounce");
  });
});

describe("threading keys", () => {
  it("reads the ticket number of the configured tag, the last one", () => {
    expect(ticketNumberInSubject("Re: [#1234] Tronco caiu", "#")).toBe(1234);
    expect(ticketNumberInSubject("Re: [#12] fwd [#34]", "#")).toBe(34);
    expect(ticketNumberInSubject("Chamado 1234", "#")).toBeNull();
    expect(ticketNumberInSubject("[TKT-77] x", "TKT-")).toBe(77);
    expect(ticketNumberInSubject("[#77] x", "TKT-")).toBeNull();
    expect(ticketNumberInSubject("[#99999999999999999999] x", "#")).toBeNull();
  });
  it("orders In-Reply-To first, then References newest first, without repeats", () => {
    expect(messageIdsOf("<a@x> junk <b@y>")).toEqual(["<a@x>", "<b@y>"]);
    expect(threadKeys("<c@x>", "<a@x> <b@x> <c@x>")).toEqual(["<c@x>", "<b@x>", "<a@x>"]);
    expect(threadKeys(undefined, ["<a@x>", "<b@x>"])).toEqual(["<b@x>", "<a@x>"]);
    expect(threadKeys(undefined, undefined)).toEqual([]);
  });
  it("groups a burst by its subject without reply prefixes", () => {
    expect(baseSubject("RE: Fwd: Enc:  URGENTE   agora")).toBe("urgente agora");
    expect(baseSubject("Res: teste")).toBe(baseSubject("teste"));
  });
});

describe("quoted history", () => {
  it("folds an English or Portuguese attribution and what follows", () => {
    expect(splitQuoted("Obrigado!\n\nEm qua., 25 de nov. de 2026 às 09:00, Suporte escreveu:\n> texto")).toEqual({
      body: "Obrigado!",
      quoted: "Em qua., 25 de nov. de 2026 às 09:00, Suporte escreveu:\n> texto",
    });
    expect(splitQuoted("Thanks\r\nOn Wed, Nov 25, 2026, Support wrote:\r\n> old").body).toBe("Thanks");
    expect(splitQuoted("Ok\n-----Original Message-----\nFrom: x").quoted).toContain("Original Message");
  });
  it("folds a trailing block of quoted lines and keeps interleaved answers", () => {
    expect(splitQuoted("Sim.\n\n> pergunta\n>\n> mais")).toEqual({ body: "Sim.", quoted: "> pergunta\n>\n> mais" });
    const inline = "> pergunta 1\nresposta 1\n> pergunta 2\nresposta 2";
    expect(splitQuoted(inline)).toEqual({ body: inline, quoted: "" });
    expect(splitQuoted("> só citação")).toEqual({ body: "> só citação", quoted: "" });
  });
});

describe("8-bit headers", () => {
  it("decodes a Latin-1 subject from its bytes, leaves UTF-8 alone", () => {
    const latin = Buffer.concat([
      Buffer.from("From: a@b.example\r\nSubject: "),
      Buffer.from("Ligação não completa", "latin1"),
      Buffer.from("\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nx"),
    ]);
    expect(legacySubject(latin)).toBe("Ligação não completa");
    expect(legacySubject(Buffer.from("Subject: Ligação\r\n\r\nx"))).toBeNull();
    expect(legacySubject(Buffer.from("From: a@b\r\n\r\nx"))).toBeNull();
  });
});

describe("one ticket tag for our subjects and the intake", () => {
  it("our outgoing subjects carry the plan's tag, and the intake reads the number back with the same tag", () => {
    const params = { number: 42, subject: "Sem áudio", name: "Ana", link: "https://x/t/1" };
    const plain = render(templates, "ticket.received", "pt-BR", params).subject;
    expect(plain.startsWith("[Plantão] #42 Sem áudio")).toBe(true);
    const tagged = render(templates, "ticket.received", "en", { ...params, ticketTag: "TK-" }).subject;
    expect(tagged.startsWith("[Plantão] TK-42 Sem áudio")).toBe(true);
    expect(ourSubjectNumber(`Re: ${tagged}`, "TK-")).toBe(42);
    expect(ourSubjectNumber(`Re: ${plain}`, "#")).toBe(42);
    expect(ourSubjectNumber(`Re: ${plain}`, "TK-")).toBeNull();
    expect(ourSubjectNumber("Re: [Plantão] TK-4x", "TK-")).toBeNull();
  });
});
