import { useTranslation } from "react-i18next";
import { ApiProblem } from "../../api/client";
import { compactDuration, useFormat } from "../../shell/format";
import { usePlanLabels } from "./labels";
import type { Finding } from "./queries";

type Param = Finding["params"][string];
type Words = Record<string, string>;

/** Monday 1 January 2024, the start of a week to name weekdays from. */
const MONDAY = Date.UTC(2024, 0, 1);
const weekdayIndex = { monday: 0, tuesday: 1, wednesday: 2, thursday: 3, friday: 4, saturday: 5, sunday: 6 };

/**
 * The params of a server-made text (a finding, a field error) worded in the reader's language: severities and
 * calendars by their translated labels, durations with the language's plurals, weekdays and dates in its words,
 * instants in the reader's zone. `say` is `t` for keys that arrive at run time.
 */
function useParamWords() {
  const { t, i18n } = useTranslation();
  const labels = usePlanLabels();
  const format = useFormat();
  // Keys and their params come from the server at run time: i18next's compile-time key check cannot apply.
  const say = t as unknown as (key: string, values?: Record<string, unknown>) => string;
  const list = (items: string[]) => new Intl.ListFormat(i18n.language, { type: "conjunction" }).format(items);
  const duration = (value: number, unit: string) => say(`plan.units.${unit}`, { count: value });

  const word = (p: Param): string => {
    switch (p.type) {
      case "text":
        return p.value;
      case "number":
        return format.number(p.value, 4);
      case "duration":
        return duration(p.value, p.unit);
      case "minutes":
        return compactDuration(p.value);
      case "severities":
        return list(
          p.items.map((s) => {
            const name = labels.severity(s.id, s.name);
            return s.response ? `${name} (${duration(s.response.value, s.response.unit)})` : name;
          }),
        );
      case "calendar":
        return labels.calendar(p.id, p.name);
      case "weekdays":
        return list(
          p.days.map((d) =>
            new Date(MONDAY + weekdayIndex[d] * 86_400_000).toLocaleDateString(i18n.language, {
              weekday: "long",
              timeZone: "UTC",
            }),
          ),
        );
      case "date":
        return new Date(`${p.value}T00:00:00Z`).toLocaleDateString(i18n.language, {
          day: "2-digit",
          month: "2-digit",
          year: "numeric",
          timeZone: "UTC",
        });
      case "instant":
        return format.dateTime(p.value);
      case "cadence":
        return say(`plan.cadences.${p.value}`).toLocaleLowerCase(i18n.language);
    }
  };

  const words = (params: Record<string, Param>): Words =>
    Object.fromEntries(Object.entries(params).map(([name, p]) => [name, word(p)]));
  return { say, words, exists: (key: string) => i18n.exists(key) };
}

/**
 * A finding worded in the reader's language from its key and params. A key this build does not know (a newer
 * server) shows the server's own texts.
 */
export function useFindingText() {
  const { say, words, exists } = useParamWords();
  return (f: Finding) => {
    const base = `plan.findingTexts.${f.key}`;
    if (!exists(`${base}.title`)) return { title: f.title, detail: f.detail, suggestion: f.suggestion };
    const values = words(f.params);
    return {
      title: say(`${base}.title`, values),
      detail: say(`${base}.detail`, values),
      suggestion: say(`${base}.suggestion`, values),
    };
  };
}

/**
 * The field errors of a failed plan save, by JSON Pointer, in the reader's language where the server gave the
 * message a key (the plan's rules); shape errors keep the server's words.
 */
export function usePlanFieldErrors(error: unknown): Record<string, string> {
  const { say, words, exists } = useParamWords();
  if (!(error instanceof ApiProblem)) return {};
  return Object.fromEntries(
    (error.problem.errors ?? []).map((e) => {
      const key = `plan.errors.${e.key}`;
      return [e.pointer, e.key && exists(key) ? say(key, words(e.params ?? {})) : e.message];
    }),
  );
}
