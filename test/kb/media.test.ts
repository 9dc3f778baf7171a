import { describe, expect, it } from "vitest";
import { problemSolutionDraft } from "../../src/modules/kb/drafts.js";
import { ifRangeHolds, parseRange, sniffPoster, sniffVideo, webvttFault } from "../../src/modules/kb/media.js";
import { replyMarkdown } from "../../src/modules/kb/suggestions.js";
import { completionOf, profilesOf } from "../../src/modules/kb/tracks.js";
import { bytes, MP4_HEAD, WEBM_HEAD } from "./media-fixtures.js";

describe("media types by magic bytes", () => {
  it("knows MP4 and WebM, and nothing else", () => {
    expect(sniffVideo(MP4_HEAD)).toBe("video/mp4");
    expect(sniffVideo(WEBM_HEAD)).toBe("video/webm");
    expect(sniffVideo(bytes([0, 0, 0, 0x14], "ftypqt  "))).toBeNull();
    expect(sniffVideo(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], "matroska"))).toBeNull();
    expect(sniffVideo(bytes("<html><script>alert(1)</script>"))).toBeNull();
    expect(sniffVideo(bytes([0x89], "PNG\r\n\x1a\n"))).toBeNull();
    expect(sniffVideo(new Uint8Array())).toBeNull();
  });
  it("knows PNG, JPEG and WebP posters", () => {
    expect(sniffPoster(bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a]))).toBe("image/png");
    expect(sniffPoster(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniffPoster(bytes("RIFF", [1, 2, 3, 4], "WEBPVP8 "))).toBe("image/webp");
    expect(sniffPoster(bytes("<svg onload=alert(1)>"))).toBeNull();
    expect(sniffPoster(MP4_HEAD)).toBeNull();
  });
});

describe("byte ranges (RFC 9110)", () => {
  it("answers one range, clamped to the size", () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=0-9", 100)).toEqual({ kind: "partial", start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(parseRange("bytes=90-500", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(parseRange("bytes=-500", 100)).toEqual({ kind: "partial", start: 0, end: 99 });
    expect(parseRange("bytes=99-99", 100)).toEqual({ kind: "partial", start: 99, end: 99 });
  });
  it("is unsatisfiable past the end, and ignores what it does not understand", () => {
    expect(parseRange("bytes=100-", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=200-300", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-0", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=0-", 0)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=5-2", 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=0-1,5-6", 100)).toEqual({ kind: "full" });
    expect(parseRange("items=0-1", 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=-", 100)).toEqual({ kind: "full" });
    expect(parseRange(`bytes=${"9".repeat(400)}-`, 100)).toEqual({ kind: "unsatisfiable" });
  });
  it("If-Range: the current ETag or a date not before the change keeps the range", () => {
    const changed = new Date("2026-12-06T12:00:00.500Z");
    expect(ifRangeHolds(undefined, '"abc"', changed)).toBe(true);
    expect(ifRangeHolds('"abc"', '"abc"', changed)).toBe(true);
    expect(ifRangeHolds('"old"', '"abc"', changed)).toBe(false);
    expect(ifRangeHolds('W/"abc"', '"abc"', changed)).toBe(false);
    expect(ifRangeHolds("Sun, 06 Dec 2026 12:00:00 GMT", '"abc"', changed)).toBe(true);
    expect(ifRangeHolds("Sun, 06 Dec 2026 11:59:59 GMT", '"abc"', changed)).toBe(false);
    expect(ifRangeHolds("yesterday", '"abc"', changed)).toBe(false);
  });
});

describe("WebVTT captions", () => {
  it("accepts a signature line and a cue", () => {
    expect(webvttFault("WEBVTT\n\n00:00.000 --> 00:02.000\nOlá\n")).toBeNull();
    expect(
      webvttFault("\uFEFFWEBVTT - legendas\r\n\r\n1\r\n00:00:01.000 --> 00:00:03.500 align:start\r\nTexto\r\n"),
    ).toBeNull();
  });
  it("refuses other text", () => {
    expect(webvttFault("1\n00:00:01,000 --> 00:00:02,000\nSRT\n")).toMatch(/WEBVTT/);
    expect(webvttFault("WEBVTTX\n\n00:00.000 --> 00:02.000\n")).toMatch(/WEBVTT/);
    expect(webvttFault("WEBVTT\n\nno cues here\n")).toMatch(/cue/);
    expect(webvttFault("WEBVTT\n\u0000")).toBe("must be text");
  });
});

describe("problem/solution drafts", () => {
  const ticket = {
    type: "ticket" as const,
    id: "0193a000-0000-7000-8000-000000000001",
    reference: "#42",
    title: "Chamadas caem após 30 segundos",
    resolved: true,
    symptom: "Todas as chamadas externas caem aos 30 s.",
    cause: "Session timer do SBC sem re-INVITE.",
    fix: "Ajustamos o session-expires para 1800 s.",
    components: [],
    tags: ["sip", "sbc"],
  };
  it("prefills symptom, cause, fix, components and the sources, in the chosen language", () => {
    const incident = {
      ...ticket,
      type: "incident" as const,
      id: "0193a000-0000-7000-8000-000000000002",
      reference: "Queda SBC",
      cause: "",
      components: ["SBC São Paulo"],
      tags: ["sbc", "incidente"],
    };
    const d = problemSolutionDraft([ticket, incident], "pt-BR");
    expect(d.title).toBe("Chamadas caem após 30 segundos");
    expect(d.body).toContain("## Sintoma\n\nTodas as chamadas externas caem aos 30 s.\n");
    expect(d.body).toContain("## Causa\n\nSession timer do SBC sem re-INVITE.\n");
    expect(d.body).toContain("## Componentes afetados\n\n- SBC São Paulo\n");
    expect(d.body).toContain(`- [Chamado #42](ticket:${ticket.id})`);
    expect(d.body).toContain(`- [Incidente Queda SBC](incident:${incident.id})`);
    expect(d.tags).toEqual(["sip", "sbc", "incidente"]);
    const en = problemSolutionDraft([{ ...ticket, cause: " ", fix: "" }], "en");
    expect(en.body).toContain("## Cause\n\n_To be filled in during review._");
    expect(en.body).toContain("## Fix\n\n_To be filled in during review._");
    expect(en.body).toContain("## Affected components\n\n_To be filled in during review._");
  });
  it("an article goes into a reply as a link and its summary", () => {
    expect(replyMarkdown({ title: "Configurar [ramal]", summary: "Passo a passo." }, "https://x/help/articles/1")).toBe(
      "[Configurar \\[ramal\\]](https://x/help/articles/1)\n\nPasso a passo.\n",
    );
  });
});

describe("tracks", () => {
  it("completion counts the items done and finishes at the last one", () => {
    const done = new Map([
      ["article:a", "2026-12-01T10:00:00.000Z"],
      ["video:v", "2026-12-03T10:00:00.000Z"],
      ["article:gone", "2026-12-09T10:00:00.000Z"],
    ]);
    expect(completionOf(["article:a", "video:v", "article:b"], done)).toEqual({
      completed: 2,
      total: 3,
      finishedAt: null,
    });
    expect(completionOf(["article:a", "video:v"], done)).toEqual({
      completed: 2,
      total: 2,
      finishedAt: "2026-12-03T10:00:00.000Z",
    });
    expect(completionOf([], done)).toEqual({ completed: 0, total: 0, finishedAt: null });
  });
  it("customers take end-user tracks, their admins also the administrator's, staff every one", () => {
    expect(profilesOf("customer")).toEqual(["end-user"]);
    expect(profilesOf("customer-admin")).toEqual(["administrator", "end-user"]);
    expect(profilesOf("agent")).toHaveLength(5);
  });
});

describe("article summaries", () => {
  it("are the first paragraph that is not a heading, in plain text", async () => {
    const { summaryOf } = await import("../../src/modules/kb/articles-adapter.js");
    expect(summaryOf("## Sintoma\n\nDisque **\\*97** e [abra](https://x) o `menu`.\n\nMais.")).toBe(
      "Disque *97 e abra o menu.",
    );
    expect(summaryOf("- um item\n- outro")).toBe("um item outro");
    expect(summaryOf("")).toBe("");
    expect(summaryOf("palavra ".repeat(100)).length).toBeLessThanOrEqual(281);
  });
});
