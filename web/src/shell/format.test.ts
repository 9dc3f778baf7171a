import { describe, expect, it } from "vitest";
import { formatDateTime, formatNumber, formatSeconds } from "./format";

describe("one format per language", () => {
  const at = "2026-12-06T08:53:00Z";
  it("writes a date and time as dd/mm/yyyy hh:mm in pt-BR, in the viewer's zone, without a comma", () => {
    expect(formatDateTime(at, "pt-BR", "America/Sao_Paulo")).toBe("06/12/2026 05:53");
    expect(formatDateTime(at, "en", "America/Sao_Paulo")).toBe("12/06/2026 05:53");
    expect(formatDateTime(at, "pt-BR", "UTC")).toBe("06/12/2026 08:53");
  });
  it("uses the decimal comma in pt-BR", () => {
    expect(formatSeconds(400, "pt-BR")).toBe("0,4 s");
    expect(formatSeconds(400, "en")).toBe("0.4 s");
    expect(formatNumber(99.95, "pt-BR", 2)).toBe("99,95");
  });
});
