import { Select, type SelectProps } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";

/** Options drawn at once: a node exporter stores a thousand names, and the search narrows them. */
const SHOWN = 200;

export const metricNamesKey = ["metrics", "names"] as const;

/** One stored metric, searched by name; a saved name no longer stored stays a choice so it shows. */
export function MetricPicker({
  value,
  onChange,
  ...props
}: Omit<SelectProps, "data" | "value" | "onChange"> & { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  const names = useQuery({
    queryKey: metricNamesKey,
    staleTime: 60_000,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/metrics/names", { signal })).items,
  });
  const data = names.data ?? [];
  return (
    <Select
      searchable
      limit={SHOWN}
      nothingFoundMessage={names.isPending ? t("common.loading") : t("alerts.explorer.noMetrics")}
      data={value && !data.includes(value) ? [value, ...data] : data}
      value={value || null}
      onChange={(v) => onChange(v ?? "")}
      styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
      {...props}
    />
  );
}
