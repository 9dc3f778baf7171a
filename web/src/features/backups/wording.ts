import type { TFunction } from "i18next";

const units = { y: "years", m: "months", d: "days", h: "hours" } as const;

/** A restic duration ("1y6m", "30d") in words: "1 ano e 6 meses", "30 days". */
export function resticDuration(text: string, t: TFunction): string {
  const parts = [...text.matchAll(/(\d+)([ymdh])/g)].map(([, n, u]) =>
    t(`plan.units.${units[u as keyof typeof units]}`, { count: Number(n) }),
  );
  return parts.length ? parts.join(t("backups.wording.and")) : text;
}

/**
 * A retention rule in the reader's language. The server gives restic's own words ("daily snapshot",
 * "hourly within 2d", "within 30d", "has tags [a b]"), which are stable ids: each maps to a message.
 */
export function retentionReason(reason: string, t: TFunction): string {
  const bucket = /^(last|hourly|daily|weekly|monthly|yearly) snapshot$/.exec(reason);
  if (bucket) return t(`backups.wording.keep.${bucket[1] as "daily"}`);
  const within = /^(?:(hourly|daily|weekly|monthly|yearly) )?within (\S+)$/.exec(reason);
  if (within)
    return t(`backups.wording.within.${(within[1] ?? "any") as "daily"}`, { span: resticDuration(within[2] ?? "", t) });
  const tags = /^has tags \[(.*)\]$/.exec(reason);
  if (tags) return t("backups.wording.tags", { tags: tags[1] });
  return reason;
}

/** A restore-test check's result: its message key with values when the server gave one, else its English detail. */
export function checkDetail(
  check: { detail: string; key?: string; params?: Record<string, string | number> },
  t: TFunction,
  seconds: (ms: number) => string,
): string {
  if (!check.key) return check.detail;
  const params = { ...check.params };
  if (typeof params.ms === "number") params.time = seconds(params.ms);
  return t(`backups.wording.checks.${check.key}` as "backups.wording.checks.rto.passed", {
    ...params,
    defaultValue: check.detail,
  });
}
