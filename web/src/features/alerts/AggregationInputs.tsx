import { NumberInput, Select } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { aggregations } from "./rule-form";

type Aggregation = (typeof aggregations)[number];

/**
 * How a metric's samples are aggregated (per step in the explorer, over the window in a rule), and which
 * quantile when that is the aggregation. Two fields, laid out by the form around them.
 */
export function AggregationInputs({
  fn,
  quantile,
  onFn,
  onQuantile,
  errors = {},
}: {
  fn: Aggregation;
  quantile: number | string;
  onFn: (fn: Aggregation) => void;
  onQuantile: (value: number | string) => void;
  errors?: { fn?: string; quantile?: string };
}) {
  const { t } = useTranslation();
  return (
    <>
      <Select
        label={t("alerts.editor.fn")}
        allowDeselect={false}
        value={fn}
        error={errors.fn}
        onChange={(v) => v && onFn(v as Aggregation)}
        data={aggregations.map((a) => ({ value: a, label: t(`alerts.fns.${a}`) }))}
      />
      {fn === "quantile" && (
        <NumberInput
          label={t("alerts.editor.quantile")}
          min={0}
          max={1}
          step={0.01}
          decimalScale={4}
          value={quantile}
          error={errors.quantile}
          onChange={onQuantile}
        />
      )}
    </>
  );
}
