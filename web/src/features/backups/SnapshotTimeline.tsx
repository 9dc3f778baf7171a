import { Badge, Button, Card, Group, Stack, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../shell/format";
import { type BackupKind, backupKinds, kindColor, type Snapshot } from "./model";
import { retentionReason } from "./wording";

const WIDTH = 1000;
const LANE = 28;
const PAD = 12;
/** The table lists this many snapshots, newest first; the timeline shows them all. */
const LISTED = 100;

const lanes: (BackupKind | null)[] = [...backupKinds, null];
const color = (kind: BackupKind | null) => `var(--mantine-color-${kind ? kindColor[kind] : "gray"}-6)`;

/**
 * Every snapshot on a time axis, one lane per kind: filled when a retention rule keeps it, hollow when the
 * next prune removes it. Hovering a dot names the rules that keep it.
 */
export function SnapshotTimeline({
  snapshots,
  onRestore,
}: {
  snapshots: Snapshot[];
  /** Offers a restore of each listed snapshot when given. */
  onRestore?: (snapshot: Snapshot) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const times = snapshots.map((s) => Date.parse(s.time));
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  const x = (ms: number) => PAD + ((ms - start) / span) * (WIDTH - 2 * PAD);
  const used = lanes.filter((k) => snapshots.some((s) => s.kind === k));
  const height = used.length * LANE + PAD;
  const kept = snapshots.filter((s) => s.retention.keep).length;
  if (!snapshots.length) return <Text c="dimmed">{t("backups.noSnapshots")}</Text>;
  return (
    <Stack gap="sm">
      <Group gap="md">
        {used.map((k) => (
          <Group key={k ?? "none"} gap={4}>
            <svg width={12} height={12} aria-hidden="true">
              <circle cx={6} cy={6} r={5} fill={color(k)} />
            </svg>
            <Text size="xs">{k ? t(`backups.kinds.${k}`) : t("backups.kinds.none")}</Text>
          </Group>
        ))}
        <Group gap={4}>
          <svg width={12} height={12} aria-hidden="true">
            <circle cx={6} cy={6} r={4.5} fill="none" stroke="var(--mantine-color-gray-5)" strokeWidth={1.5} />
          </svg>
          <Text size="xs">{t("backups.pruned")}</Text>
        </Group>
        <Text size="xs" c="dimmed" data-testid="snapshot-counts">
          {t("backups.keptOf", { kept, total: snapshots.length })}
        </Text>
      </Group>
      <Card withBorder padding="xs" radius="md">
        <svg
          viewBox={`0 0 ${WIDTH} ${height}`}
          width="100%"
          role="img"
          aria-label={t("backups.timeline")}
          data-testid="snapshot-timeline"
        >
          {used.map((k, lane) => (
            <line
              key={k ?? "none"}
              x1={PAD}
              x2={WIDTH - PAD}
              y1={PAD + lane * LANE + LANE / 2}
              y2={PAD + lane * LANE + LANE / 2}
              stroke="var(--mantine-color-gray-3)"
            />
          ))}
          {snapshots.map((s, i) => {
            const lane = used.indexOf(s.kind);
            const keep = s.retention.keep;
            return (
              <circle
                key={s.id}
                cx={x(times[i]!)}
                cy={PAD + lane * LANE + LANE / 2}
                r={keep ? 5 : 4}
                fill={keep ? color(s.kind) : "var(--mantine-color-body)"}
                stroke={keep ? "none" : "var(--mantine-color-gray-5)"}
                strokeWidth={1.5}
                data-keep={keep}
              >
                <title>
                  {`${s.shortId} · ${format.dateTime(s.time)} · ${keep ? s.retention.reasons.map((r) => retentionReason(r, t)).join(", ") : t("backups.pruned")}`}
                </title>
              </circle>
            );
          })}
        </svg>
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            {format.dateTime(new Date(start).toISOString())}
          </Text>
          <Text size="xs" c="dimmed">
            {format.dateTime(new Date(start + span).toISOString())}
          </Text>
        </Group>
      </Card>
      <Table.ScrollContainer minWidth={700}>
        <Table striped verticalSpacing={4} aria-label={t("backups.snapshots")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("backups.snapshot")}</Table.Th>
              <Table.Th>{t("backups.time")}</Table.Th>
              <Table.Th>{t("backups.kind")}</Table.Th>
              <Table.Th>{t("backups.retention")}</Table.Th>
              {onRestore && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {snapshots.slice(0, LISTED).map((s) => (
              <Table.Tr key={s.id} data-testid="snapshot-row" data-keep={s.retention.keep}>
                <Table.Td ff="monospace">{s.shortId}</Table.Td>
                <Table.Td>{format.dateTime(s.time)}</Table.Td>
                <Table.Td>
                  {s.kind ? (
                    <Badge variant="light" color={kindColor[s.kind]}>
                      {t(`backups.kinds.${s.kind}`)}
                    </Badge>
                  ) : (
                    "—"
                  )}
                </Table.Td>
                <Table.Td>
                  {s.retention.keep ? (
                    <Text size="sm">
                      {s.retention.reasons.map((r) => retentionReason(r, t)).join(" · ") || t("backups.keptNoTier")}
                    </Text>
                  ) : (
                    <Badge color="gray" variant="outline">
                      {t("backups.pruned")}
                    </Badge>
                  )}
                </Table.Td>
                {onRestore && (
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      variant="light"
                      aria-label={t("backups.restoreSnapshot", { snapshot: s.shortId })}
                      onClick={() => onRestore(s)}
                    >
                      {t("backups.restore")}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {snapshots.length > LISTED && (
        <Text size="xs" c="dimmed">
          {t("backups.listedOf", { listed: LISTED, total: snapshots.length })}
        </Text>
      )}
    </Stack>
  );
}
