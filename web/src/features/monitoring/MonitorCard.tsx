import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Tooltip } from "@mantine/core";
import { useInViewport } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useFormat } from "../../shell/format";
import {
  keys,
  latencyText,
  type Monitor,
  monitoring,
  type Series,
  statusColor,
  type Uptime,
  uptimeColor,
  uptimeText,
  windowEndingNow,
} from "./model";
import { Sparkline } from "./Sparkline";
import { StatusBadge } from "./StatusBadge";
import { useAgo } from "./time";

const HOUR = 3_600;
const DAY = 86_400;
/** The card's figures age slowly: minute aggregates are written once a minute. */
const REFRESH_MS = 60_000;
export const uptimeWindows = [
  { key: "24h", seconds: DAY },
  { key: "7d", seconds: 7 * DAY },
  { key: "30d", seconds: 30 * DAY },
] as const;

export interface CardStats {
  series: Series;
  uptimes: Uptime[];
}

/**
 * The last hour of latency (one point a minute) and the 24 h, 7 d and 30 d uptimes of one monitor. Four
 * requests per card: fetched only for cards on screen, until the API answers them for many monitors at once.
 */
export async function cardStats(id: string, signal: AbortSignal): Promise<CardStats> {
  const now = Date.now();
  const [series, ...uptimes] = await Promise.all([
    monitoring.series(id, windowEndingNow(HOUR, now), 60, signal),
    ...uptimeWindows.map((w) => monitoring.uptime(id, windowEndingNow(w.seconds, now), signal)),
  ]);
  return { series: series as Series, uptimes: uptimes as Uptime[] };
}

/** The last minute with a latency, as the card's "last latency". */
const lastLatency = (series: Series | undefined) =>
  series?.points.findLast((p) => p.latencyAvg !== null)?.latencyAvg ?? null;

export function MonitorCard({ monitor, now }: { monitor: Monitor; now: number }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const ago = useAgo();
  const { ref, inViewport } = useInViewport();
  const stats = useQuery({
    queryKey: keys.card(monitor.id),
    queryFn: ({ signal }) => cardStats(monitor.id, signal),
    enabled: inViewport,
    refetchInterval: inViewport ? REFRESH_MS : false,
    staleTime: REFRESH_MS / 2,
  });
  const state = monitor.state;
  const series = stats.data?.series;
  return (
    <Card
      ref={ref}
      withBorder
      radius="md"
      padding="sm"
      data-testid="monitor-card"
      data-monitor-id={monitor.id}
      data-status={state?.status ?? "NONE"}
      style={{ borderLeft: `4px solid var(--mantine-color-${state ? statusColor[state.status] : "gray"}-6)` }}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Anchor component={Link} to={`/monitoring/${monitor.id}`} fw={600} truncate>
            {monitor.name}
          </Anchor>
          <StatusBadge state={state} />
        </Group>
        <Group gap={6} wrap="nowrap">
          <Badge variant="light" color="gray" size="sm" style={{ flexShrink: 0 }}>
            {t(`monitoring.types.${monitor.type as "http"}`, { defaultValue: monitor.type })}
          </Badge>
          <Text size="xs" ff="monospace" c="dimmed" truncate title={monitor.target}>
            {monitor.target || "—"}
          </Text>
        </Group>
        {state && (
          <Tooltip label={format.dateTime(state.since)} withinPortal>
            <Text size="xs" c="dimmed" truncate>
              {t("monitoring.since", { time: ago(state.since, now) })}
              {state.reason
                ? ` · ${t(`monitoring.reasons.${state.reason as "timeout"}`, { defaultValue: state.reason })}`
                : ""}
              {state.flapping ? ` · ${t("monitoring.flapping")}` : ""}
            </Text>
          </Tooltip>
        )}
        {series ? (
          <Sparkline
            points={series.points}
            from={series.from}
            to={series.to}
            step={series.step}
            label={t("monitoring.card.sparkline")}
          />
        ) : (
          <div style={{ height: 40 }} />
        )}
        <SimpleGrid cols={4} spacing={4}>
          <Figure label={t("monitoring.card.latency")} testId="last-latency">
            {latencyText(lastLatency(series), i18n.language)}
          </Figure>
          {uptimeWindows.map((w, i) => {
            const ratio = stats.data?.uptimes[i]?.uptime;
            return (
              <Figure
                key={w.key}
                label={t(`monitoring.card.uptime${w.key}`)}
                testId={`uptime-${w.key}`}
                c={uptimeColor(ratio)}
              >
                {uptimeText(ratio, i18n.language)}
              </Figure>
            );
          })}
        </SimpleGrid>
      </Stack>
    </Card>
  );
}

function Figure({ label, children, testId, c }: { label: string; children: string; testId: string; c?: string }) {
  return (
    <Stack gap={0} align="flex-start">
      <Text size="10px" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="xs" fw={600} c={c} data-testid={testId}>
        {children}
      </Text>
    </Stack>
  );
}
