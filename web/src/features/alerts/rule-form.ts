import { type Comparison, comparisons, type Severity, severities } from "../../../../src/modules/alerts/rules";
import { type Aggregation, aggregations } from "../../../../src/modules/metrics/aggregate";
import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";
import type { Rule } from "./model";

/** Pure shaping of the rule editor: a rule as form fields, and the fields as the API's body. */

export type { Aggregation, Comparison, Severity };
export { aggregations, comparisons, severities };

export type RuleInput = NonNullable<paths["/api/v1/alert-rules"]["post"]["requestBody"]>["content"]["application/json"];
export type PreviewInput = NonNullable<
  paths["/api/v1/alert-rules/preview"]["post"]["requestBody"]
>["content"]["application/json"];
type PreviewBody = JsonBody<paths["/api/v1/alert-rules/preview"]["post"]["responses"][200]>;
/** The preview's answer, its `[ms, value]` points as the typed client hands them back (tuples as arrays). */
export type Preview = Omit<PreviewBody, "items"> & {
  items: (Omit<PreviewBody["items"][number], "points"> & { points: readonly (readonly number[])[] })[];
};

/** A name/value row (label matcher, label, annotation); the key keeps its inputs mounted while it is edited. */
export interface Row {
  key: number;
  name: string;
  value: string;
}

/** Numbers as Mantine's NumberInput gives them: a number, or the text being typed ("" when empty). */
type Num = number | string;

export interface RuleForm {
  name: string;
  kind: "metric" | "monitor";
  monitorId: string | null;
  metric: string;
  match: Row[];
  fn: Aggregation;
  quantile: Num;
  windowSeconds: Num;
  by: string[];
  op: Comparison;
  threshold: Num;
  recoveryThreshold: Num;
  forSeconds: Num;
  keepFiringForSeconds: Num;
  severity: Severity;
  labels: Row[];
  annotations: Row[];
  enabled: boolean;
}

/** A new rule starts as the plan's CPU default does: the 5-minute average above 70 for 10 minutes. */
export const emptyRule: RuleForm = {
  name: "",
  kind: "metric",
  monitorId: null,
  metric: "",
  match: [],
  fn: "avg",
  quantile: 0.95,
  windowSeconds: 300,
  by: [],
  op: ">",
  threshold: 70,
  recoveryThreshold: "",
  forSeconds: 600,
  keepFiringForSeconds: 0,
  severity: "medium",
  labels: [],
  annotations: [],
  enabled: true,
};

export const rowsOf = (record: Record<string, string> | undefined): Row[] =>
  Object.entries(record ?? {}).map(([name, value], key) => ({ key, name, value }));

/** Rows with a name, as a record (a row left without a name is not sent). */
export const recordOf = (rows: readonly Row[]): Record<string, string> =>
  Object.fromEntries(rows.filter((r) => r.name.trim() !== "").map((r) => [r.name.trim(), r.value]));

export const nextKey = (rows: readonly Row[]) => Math.max(-1, ...rows.map((r) => r.key)) + 1;

export function formOf(rule: Rule): RuleForm {
  const e = rule.expression;
  return {
    ...emptyRule,
    name: rule.name,
    kind: rule.kind,
    monitorId: rule.monitorId,
    forSeconds: rule.forSeconds,
    keepFiringForSeconds: rule.keepFiringForSeconds,
    severity: rule.severity,
    labels: rowsOf(rule.labels),
    annotations: rowsOf(rule.annotations),
    enabled: rule.enabled,
    ...(e
      ? {
          metric: e.metric,
          match: rowsOf(e.match),
          fn: e.fn,
          quantile: e.quantile ?? emptyRule.quantile,
          windowSeconds: e.windowSeconds,
          by: e.by ?? [],
          op: e.op,
          threshold: e.threshold,
          recoveryThreshold: e.recoveryThreshold ?? "",
        }
      : {}),
  };
}

/** A typed number, or undefined while the field is empty or holds no number yet ("-", "1e"). */
export function numberOf(value: Num): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The rule as the API takes it. Empty required numbers are left out, so the server names the field at fault
 * (a problem+json pointer) rather than the form guessing its rules.
 */
export function inputOf(form: RuleForm): RuleInput {
  const common = {
    name: form.name.trim(),
    kind: form.kind,
    forSeconds: numberOf(form.forSeconds),
    keepFiringForSeconds: numberOf(form.keepFiringForSeconds),
    severity: form.severity,
    labels: recordOf(form.labels),
    annotations: recordOf(form.annotations),
    enabled: form.enabled,
  };
  if (form.kind === "monitor") return { ...common, monitorId: form.monitorId };
  const expression = {
    metric: form.metric,
    match: recordOf(form.match),
    fn: form.fn,
    windowSeconds: numberOf(form.windowSeconds),
    ...(form.fn === "quantile" ? { quantile: numberOf(form.quantile) } : {}),
    by: form.by,
    op: form.op,
    threshold: numberOf(form.threshold),
    recoveryThreshold: numberOf(form.recoveryThreshold) ?? null,
  };
  // The missing numbers stay missing on purpose (see above): the cast says what the server will check.
  return { ...common, expression: expression as NonNullable<RuleInput["expression"]> };
}

/** The preview's body once the expression is complete enough to evaluate; null before (nothing to ask yet). */
export function previewOf(form: RuleForm): PreviewInput | null {
  if (form.kind !== "metric" || !form.metric) return null;
  const input = inputOf(form);
  const e = input.expression!;
  if (e.windowSeconds === undefined || e.threshold === undefined) return null;
  if (form.fn === "quantile" && e.quantile === undefined) return null;
  const { name, ...rest } = input;
  return name ? input : rest;
}
