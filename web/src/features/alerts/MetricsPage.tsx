import { ActionIcon, Button, Card, Group, Loader, Select, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useFormat, zonedInput, zonedInstant } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { AggregationInputs } from "./AggregationInputs";
import { labelText, stepGrid } from "./chart-data";
import {
  type ExplorerState,
  type MatcherRow,
  matcherOps,
  matcherText,
  paramsOf,
  rangeChoices,
  stateOf,
  stepOf,
  steps,
  windowOf,
} from "./explorer";
import { MetricPicker } from "./MetricPicker";
import { SeriesChart } from "./SeriesChart";

/** A step as people say it: "15 s", "5 min", "1 h", "1 d". */
function stepLabel(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * The metric explorer: one stored metric, narrowed by label matchers, aggregated per step over a range, every
 * matching series drawn with its label set in the legend. Everything chosen is in the URL.
 */
export function MetricsPage() {
  const { t } = useTranslation();
  const { timeZone } = useFormat();
  const [params, setParams] = useSearchParams();
  const [openedAt] = useState(() => Date.now());
  const state = useMemo(() => stateOf(params, openedAt), [params, openedAt]);
  const update = (patch: Partial<ExplorerState>) => setParams(paramsOf({ ...state, ...patch }), { replace: true });
  // Matchers are typed, then applied together: each keystroke would otherwise be a query (and a URL).
  const [rows, setRows] = useState<MatcherRow[]>(state.matchers);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    update({ matchers: rows.filter((r) => r.name.trim() !== "") });
  };
  const query = useQuery({
    queryKey: ["metrics", "query", paramsOf(state).toString()],
    enabled: state.metric !== "",
    placeholderData: keepPreviousData,
    retry: false,
    refetchInterval: state.range === "custom" ? false : 60_000,
    queryFn: async ({ signal }) => {
      const window = windowOf(state, Date.now());
      const step = stepOf(state, window);
      const result = unwrap(
        await api.GET("/api/v1/metrics/query", {
          params: {
            query: {
              metric: state.metric,
              "match[]": state.matchers.map(matcherText),
              from: new Date(window.from).toISOString(),
              to: new Date(window.to).toISOString(),
              step,
              fn: state.fn,
              ...(state.fn === "quantile" ? { quantile: state.quantile } : {}),
            },
          },
          signal,
        }),
      );
      return { ...result, window, step };
    },
  });
  const data = query.data;
  const series = useMemo(
    () => (data?.series ?? []).map((s) => ({ label: labelText(s.labels) || state.metric, points: s.points })),
    [data, state.metric],
  );
  const grid = useMemo(() => (data ? stepGrid(data.window.from, data.window.to, data.step * 1000) : []), [data]);
  return (
    <>
      <PageHeader title={t("alerts.explorer.title")} subtitle={t("alerts.explorer.subtitle")} />
      <Card withBorder radius="md" mb="md">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
            <MetricPicker
              label={t("alerts.editor.metric")}
              placeholder={t("alerts.explorer.chooseMetric")}
              value={state.metric}
              onChange={(metric) => update({ metric })}
            />
            <Group gap="sm" grow wrap="nowrap" align="flex-start">
              <AggregationInputs
                fn={state.fn}
                quantile={state.quantile}
                onFn={(fn) => update({ fn })}
                onQuantile={(v) => typeof v === "number" && v >= 0 && v <= 1 && update({ quantile: v })}
              />
            </Group>
            <Select
              label={t("alerts.explorer.range")}
              allowDeselect={false}
              value={state.range}
              onChange={(v) => {
                if (!v) return;
                // A custom range starts as the window on screen, to be narrowed from there.
                const now = Date.now();
                const window = windowOf(state, now);
                update({
                  range: v as ExplorerState["range"],
                  ...(v === "custom"
                    ? { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() }
                    : {}),
                });
              }}
              data={rangeChoices.map((r) => ({ value: r, label: t(`alerts.explorer.ranges.${r}`) }))}
            />
            <Select
              label={t("alerts.explorer.step")}
              allowDeselect={false}
              value={state.step === null ? "auto" : String(state.step)}
              onChange={(v) => v && update({ step: v === "auto" ? null : Number(v) })}
              data={[
                { value: "auto", label: t("alerts.explorer.autoStep") },
                ...steps.map((s) => ({ value: String(s), label: stepLabel(s) })),
              ]}
            />
          </SimpleGrid>
          {state.range === "custom" && (
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput
                type="datetime-local"
                label={t("alerts.from")}
                value={zonedInput(new Date(state.from), timeZone)}
                onChange={(e) => {
                  const at = zonedInstant(e.currentTarget.value, timeZone);
                  if (at) update({ from: at.toISOString() });
                }}
              />
              <TextInput
                type="datetime-local"
                label={t("alerts.to")}
                value={zonedInput(new Date(state.to), timeZone)}
                onChange={(e) => {
                  const at = zonedInstant(e.currentTarget.value, timeZone);
                  if (at) update({ to: at.toISOString() });
                }}
              />
            </SimpleGrid>
          )}
          <form onSubmit={apply} noValidate>
            <Stack gap={6}>
              <Text fw={500} size="sm">
                {t("alerts.matchers")}
              </Text>
              {rows.map((r) => (
                <Group key={r.key} gap="xs" align="flex-end" wrap="nowrap" data-testid="explorer-matcher">
                  <TextInput
                    label={t("alerts.matcherName")}
                    value={r.name}
                    onChange={(e) => {
                      const name = e.currentTarget.value;
                      setRows((rs) => rs.map((x) => (x.key === r.key ? { ...x, name } : x)));
                    }}
                    style={{ flex: "1 1 6rem", minWidth: 0 }}
                  />
                  <Select
                    label={t("alerts.explorer.op")}
                    allowDeselect={false}
                    value={r.op}
                    onChange={(v) =>
                      v && setRows((rs) => rs.map((x) => (x.key === r.key ? { ...x, op: v as MatcherRow["op"] } : x)))
                    }
                    data={[...matcherOps]}
                    style={{ flex: "0 0 4.5rem" }}
                  />
                  <TextInput
                    label={t("alerts.matcherValue")}
                    value={r.value}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      setRows((rs) => rs.map((x) => (x.key === r.key ? { ...x, value } : x)));
                    }}
                    style={{ flex: "2 1 8rem", minWidth: 0 }}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t("alerts.removeMatcher")}
                    onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                    mb={4}
                  >
                    ×
                  </ActionIcon>
                </Group>
              ))}
              <Group gap="xs">
                <Button
                  variant="default"
                  size="xs"
                  onClick={() =>
                    setRows((rs) => [
                      ...rs,
                      { key: Math.max(-1, ...rs.map((r) => r.key)) + 1, name: "", op: "=", value: "" },
                    ])
                  }
                >
                  {t("alerts.addMatcher")}
                </Button>
                <Button type="submit" size="xs">
                  {t("alerts.explorer.apply")}
                </Button>
              </Group>
            </Stack>
          </form>
        </Stack>
      </Card>
      <ProblemAlert error={query.error} />
      <Card withBorder radius="md" data-testid="explorer-result">
        {state.metric === "" ? (
          <Text c="dimmed">{t("alerts.explorer.chooseMetric")}</Text>
        ) : query.isPending ? (
          <Loader aria-label={t("common.loading")} />
        ) : !data ? null : data.series.length === 0 ? (
          <Text c="dimmed" data-testid="explorer-empty">
            {t("alerts.explorer.noSeries")}
          </Text>
        ) : (
          <Stack gap="xs">
            <Group justify="space-between" gap="xs">
              <Text size="sm" c="dimmed">
                {t("alerts.explorer.seriesCount", { count: data.series.length })} ·{" "}
                {t(`alerts.explorer.resolutions.${data.resolution}`)} · {stepLabel(data.step)}
              </Text>
              {query.isFetching && <Loader size="xs" aria-label={t("common.loading")} />}
            </Group>
            <SeriesChart
              series={series}
              window={[data.window.from, data.window.to]}
              grid={grid}
              label={t("alerts.explorer.chart", { metric: state.metric })}
              testId="explorer-chart"
              height={320}
            />
          </Stack>
        )}
      </Card>
    </>
  );
}
