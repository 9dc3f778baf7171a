import i18next from "i18next";
import { beforeAll, describe, expect, it } from "vitest";
import { resources } from "../../i18n";
import { formatSeconds } from "../../shell/format";
import { checkDetail, retentionReason } from "./wording";

describe("backups wording", () => {
  const pt = i18next.createInstance();
  const en = i18next.createInstance();
  beforeAll(async () => {
    await pt.init({ resources, lng: "pt-BR", interpolation: { escapeValue: false } });
    await en.init({ resources, lng: "en", interpolation: { escapeValue: false } });
  });

  it("words restic's retention rules in each language, with plural rules", () => {
    expect(retentionReason("daily snapshot", pt.t)).toBe("Último de seu dia");
    expect(retentionReason("hourly within 2d", pt.t)).toBe("Um por hora, dentro de 2 dias");
    expect(retentionReason("monthly within 1y", pt.t)).toBe("Um por mês, dentro de 1 ano");
    expect(retentionReason("monthly within 1y", en.t)).toBe("One a month, within 1 year");
    expect(retentionReason("within 1y6m", en.t)).toBe("Within 1 year and 6 months");
    expect(retentionReason("yearly within 3y", en.t)).toBe("One a year, within 3 years");
    expect(retentionReason("something new", en.t)).toBe("something new");
  });

  it("words a restore-test check from its key, and falls back to the English detail", () => {
    const seconds = (ms: number) => formatSeconds(ms, "pt-BR");
    const rto = { detail: "2549 ms within the RTO of 240 min", key: "rto.passed", params: { ms: 2549, rto: 240 } };
    expect(checkDetail(rto, pt.t, seconds)).toBe("2,5 s, dentro do RTO de 240 min");
    const restore = {
      detail: "snapshot 4f2a9c1e restored (12345 files)",
      key: "restore.passed",
      params: { snapshot: "4f2a9c1e", count: 12345 },
    };
    expect(checkDetail(restore, pt.t, seconds)).toBe("Snapshot 4f2a9c1e restaurado (12.345 arquivos)");
    expect(checkDetail(restore, en.t, (ms) => formatSeconds(ms, "en"))).toBe(
      "Snapshot 4f2a9c1e restored (12,345 files)",
    );
    const slow = { detail: "", key: "rto.failed", params: { ms: 15_250_000, rto: 1440 } };
    expect(checkDetail(slow, pt.t, seconds)).toBe("15.250,0 s, acima do RTO de 1.440 min");
    expect(checkDetail({ detail: "PRAGMA integrity_check: 3 errors" }, pt.t, seconds)).toBe(
      "PRAGMA integrity_check: 3 errors",
    );
  });
});
