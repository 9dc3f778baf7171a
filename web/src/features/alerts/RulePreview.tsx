import { Badge, Group, Stack, Table, Text } from "@mantine/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../shell/format";
import { clipped, labelText, stepGrid } from "./chart-data";
import type { Preview } from "./rule-form";
import { type Level, SeriesChart, type Shade } from "./SeriesChart";

const PENDING = "rgba(250, 176, 5, 0.22)";
const FIRING = "rgba(250, 82, 82, 0.22)";
/** Intervals listed under the chart; a noisy rule shows its first ones and how many more there are. */
const LISTED = 20;

/**
 * A rule replayed over the last 24 hours: the expression's value per series group with the threshold (and
 * recovery threshold) across it, pending stretches shaded yellow and firing ones red, and those listed.
 */
export function RulePreview({
  preview,
  threshold,
  recoveryThreshold,
  name,
}: {
  preview: Preview;
  threshold: number;
  recoveryThreshold: number | null;
  name: string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const from = Date.parse(preview.from);
  const to = Date.parse(preview.to);
  const grid = useMemo(() => stepGrid(from, to, preview.stepSeconds * 1000, false), [from, to, preview.stepSeconds]);
  const series = useMemo(
    () =>
      preview.items.map((i) => ({ label: labelText(i.labels) || name || t("alerts.chart.value"), points: i.points })),
    [preview.items, name, t],
  );
  const levels = useMemo<Level[]>(
    () => [
      { label: t("alerts.editor.threshold"), value: threshold, color: "#e03131" },
      ...(recoveryThreshold === null
        ? []
        : [{ label: t("alerts.editor.recoveryThreshold"), value: recoveryThreshold, color: "#2f9e44", dash: [6, 4] }]),
    ],
    [t, threshold, recoveryThreshold],
  );
  const shades = useMemo<Shade[]>(
    () =>
      preview.items.flatMap((i) => [
        ...clipped(i.pending, from, to).map((s) => ({ ...s, color: PENDING })),
        ...clipped(i.firing, from, to).map((s) => ({ ...s, color: FIRING })),
      ]),
    [preview.items, from, to],
  );
  const intervals = preview.items
    .flatMap((i) => [
      ...i.pending.map((p) => ({ ...p, state: "pending" as const, labels: i.labels })),
      ...i.firing.map((f) => ({ ...f, state: "firing" as const, labels: i.labels })),
    ])
    .sort((a, b) => a.from.localeCompare(b.from));
  if (preview.items.length === 0)
    return (
      <Text c="dimmed" size="sm" data-testid="preview-empty">
        {t("alerts.editor.previewNoData")}
      </Text>
    );
  return (
    <Stack gap="xs">
      <SeriesChart
        series={series}
        window={[from, to]}
        grid={grid}
        levels={levels}
        shades={shades}
        label={t("alerts.editor.previewChart")}
        testId="rule-preview-chart"
        height={220}
      />
      <Group gap="xs">
        <Badge variant="light" color="yellow">
          {t("alerts.states.pending")}
        </Badge>
        <Badge variant="light" color="red">
          {t("alerts.states.firing")}
        </Badge>
      </Group>
      {intervals.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="preview-none">
          {t("alerts.previewNone")}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={360}>
          <Table verticalSpacing={4} data-testid="preview-intervals">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("alerts.state")}</Table.Th>
                <Table.Th>{t("alerts.from")}</Table.Th>
                <Table.Th>{t("alerts.to")}</Table.Th>
                <Table.Th>{t("alerts.labels")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {intervals.slice(0, LISTED).map((i) => (
                <Table.Tr key={`${i.state}${i.from}${labelText(i.labels)}`}>
                  <Table.Td>
                    <Badge variant="light" color={i.state === "firing" ? "red" : "yellow"}>
                      {t(`alerts.states.${i.state}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{format.dateTime(i.from)}</Table.Td>
                  <Table.Td>{i.to ? format.dateTime(i.to) : t("alerts.ongoing")}</Table.Td>
                  <Table.Td style={{ overflowWrap: "anywhere" }}>{labelText(i.labels) || "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {intervals.length > LISTED && (
            <Text size="xs" c="dimmed">
              {t("alerts.editor.moreIntervals", { count: intervals.length - LISTED })}
            </Text>
          )}
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
