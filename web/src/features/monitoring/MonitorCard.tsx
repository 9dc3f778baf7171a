import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Tooltip } from "@mantine/core";
import { useInViewport } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useFormat } from "../../shell/format";
import { batcher } from "./batch";
import {
  type CardFigures,
  keys,
  latencyText,
  type Monitor,
  monitoring,
  OVERVIEW_MAX_IDS,
  statusColor,
  uptimeColor,
  uptimeText,
} from "./model";
import { Sparkline } from "./Sparkline";
import { StatusBadge } from "./StatusBadge";
import { useAgo } from "./time";

/** The card's figures age slowly: minute aggregates are written once a minute. */
const REFRESH_MS = 60_000;
/** Cards asking within this long share one request: those mounting, scrolling in or refreshing together. */
const GATHER_MS = 20;
export const uptimeWindows = [
  { key: "24h", field: "uptime24h" },
  { key: "7d", field: "uptime7d" },
  { key: "30d", field: "uptime30d" },
] as const;

export interface CardStats {
  figures: CardFigures;
  /** The sparkline's window: the server's minutes start and its now. */
  from: string;
  to: string;
}

const loadCard = batcher<CardStats>(
  async (ids) => {
    const overview = await monitoring.overview(ids);
    return new Map(
      overview.items.map((figures) => [figures.monitorId, { figures, from: overview.minutesFrom, to: overview.at }]),
    );
  },
  { max: OVERVIEW_MAX_IDS, waitMs: GATHER_MS },
);

/**
 * The last hour of latency (one point a minute), the last check and the 24 h, 7 d and 30 d uptimes of one
 * monitor. The cards on screen ask together, so a page of cards is one request; null for a monitor deleted
 * meanwhile.
 */
export async function cardStats(id: string): Promise<CardStats | null> {
  return (await loadCard(id)) ?? null;
}

export function MonitorCard({ monitor, now }: { monitor: Monitor; now: number }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const ago = useAgo();
  const { ref, inViewport } = useInViewport();
  const stats = useQuery({
    queryKey: keys.card(monitor.id),
    queryFn: () => cardStats(monitor.id),
    enabled: inViewport,
    refetchInterval: inViewport ? REFRESH_MS : false,
    staleTime: REFRESH_MS / 2,
  });
  const state = monitor.state;
  const figures = stats.data?.figures;
  const lastCheckAt = figures?.lastCheckAt ?? state?.lastCheckAt ?? null;
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
        {stats.data ? (
          <Sparkline
            points={stats.data.figures.minutes}
            from={stats.data.from}
            to={stats.data.to}
            step={60}
            label={t("monitoring.card.sparkline")}
          />
        ) : (
          <div style={{ height: 40 }} />
        )}
        <SimpleGrid cols={4} spacing={4}>
          <Figure
            label={t("monitoring.card.latency")}
            testId="last-latency"
            title={lastCheckAt ? t("monitoring.card.lastCheck", { time: ago(lastCheckAt, now) }) : undefined}
          >
            {latencyText(figures?.lastLatencyMs ?? state?.lastLatencyMs, i18n.language)}
          </Figure>
          {uptimeWindows.map((w) => {
            const ratio = figures?.[w.field];
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

function Figure({
  label,
  children,
  testId,
  c,
  title,
}: {
  label: string;
  children: string;
  testId: string;
  c?: string;
  title?: string;
}) {
  return (
    <Stack gap={0} align="flex-start" title={title}>
      <Text size="10px" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="xs" fw={600} c={c} data-testid={testId}>
        {children}
      </Text>
    </Stack>
  );
}
