import {
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { useNow } from "../../shell/useNow";
import { LatencyChart, StateTimeline } from "./charts";
import { LiveBadge } from "./LiveBadge";
import { forget, pollWhen, useMonitoringLive } from "./live";
import { MonitorCard } from "./MonitorCard";
import { MonitorForm } from "./MonitorForm";
import {
  durationText,
  elapsed,
  isRange,
  keys,
  type Monitor,
  monitoring,
  pushUrl,
  type Range,
  ranges,
  type StateChange,
  statusColor,
  uptimeColor,
  uptimeText,
  windowEndingNow,
} from "./model";
import { StatusBadge } from "./StatusBadge";
import { useAgo } from "./time";

/** Pages of state changes read at most for a chart's window (500 changes each): a timeline shows no more. */
const MAX_PAGES = 10;

/** The state intervals that overlap the window, as the API filters them. */
async function intervalsIn(id: string, window: { from: string; to: string }, signal: AbortSignal) {
  const out: StateChange[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, nextCursor } = await monitoring.history(id, cursor, signal, 500, window);
    out.push(...items);
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return out;
}

async function rangeData(id: string, range: Range, signal: AbortSignal) {
  const { seconds, step } = ranges[range];
  const window = windowEndingNow(seconds);
  const [series, uptime, changes] = await Promise.all([
    monitoring.series(id, window, step, signal),
    monitoring.uptime(id, window, signal),
    intervalsIn(id, window, signal),
  ]);
  return { window, series, uptime, changes };
}

/** The probe's own message (as the checked system said it, often English): folded, for whoever needs it. */
function TechnicalDetail({ text }: { text: string }) {
  const { t } = useTranslation();
  return (
    <details style={{ display: "inline-block", marginLeft: 6 }}>
      <summary style={{ cursor: "pointer", fontSize: "var(--mantine-font-size-xs)" }}>
        {t("common.technicalDetail")}
      </summary>
      <Code block style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
        {text}
      </Code>
    </details>
  );
}

const reasonKey = (reason: string) => `monitoring.reasons.${reason}` as "monitoring.reasons.timeout";

/** One monitor: its state, latency and state history over a range, uptime, its changes, and what to do with it. */
export function MonitorPage() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const { can } = useAuth();
  const format = useFormat();
  const ago = useAgo();
  const now = useNow(15_000);
  const live = useMonitoringLive();
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const rangeParam = params.get("range");
  const range: Range = isRange(rangeParam) ? rangeParam : "24h";
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [pushToken, setPushToken] = useState<string | null>(
    (location.state as { pushToken?: string } | null)?.pushToken ?? null,
  );
  const monitor = useQuery({
    queryKey: keys.monitor(id),
    queryFn: ({ signal }) => monitoring.get(id, signal),
    refetchInterval: pollWhen(live),
  });
  const detail = useQuery({
    queryKey: [...keys.detail(id), range],
    queryFn: ({ signal }) => rangeData(id, range, signal),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
  const all = useQuery({ queryKey: keys.list, queryFn: ({ signal }) => monitoring.all(signal), enabled: editing });
  const m = monitor.data;
  const members = useQuery({
    queryKey: keys.members(id),
    queryFn: ({ signal }) => monitoring.members(id, signal),
    enabled: m?.type === "group",
  });
  const related = useQuery({
    queryKey: [...keys.monitor(id), "related", m?.parentId, m?.groupId],
    queryFn: async ({ signal }) => {
      const [parent, group] = await Promise.all([
        m?.parentId ? monitoring.get(m.parentId, signal) : null,
        m?.groupId ? monitoring.get(m.groupId, signal) : null,
      ]);
      return { parent, group };
    },
    enabled: Boolean(m?.parentId || m?.groupId),
  });
  const saved = (next: Monitor) => {
    client.setQueryData(keys.monitor(id), next);
    void client.invalidateQueries({ queryKey: keys.list });
  };
  const toggle = useMutation({
    mutationFn: () => (m?.enabled ? monitoring.pause(id) : monitoring.resume(id)),
    onSuccess: saved,
  });
  const remove = useMutation({
    mutationFn: () => monitoring.remove(id),
    onSuccess: () => {
      void navigate("/monitoring");
      forget(client, id);
    },
  });
  const rotate = useMutation({
    mutationFn: () => monitoring.rotatePushToken(id),
    onSuccess: (answer) => setPushToken(answer.pushToken),
  });
  if (monitor.isPending) return <Loader aria-label={t("common.loading")} />;
  if (!m) return <ProblemAlert error={monitor.error} />;
  const write = can("monitoring", "write");
  const state = m.state;
  const uptime = detail.data?.uptime;
  return (
    <>
      <PageHeader
        title={m.name}
        subtitle={`${t(`monitoring.types.${m.type as "http"}`, { defaultValue: m.type })}${m.target ? ` · ${m.target}` : ""}`}
      >
        <Group gap="sm" data-testid="monitor-header">
          <StatusBadge state={state} size="lg" />
          {state && (
            <Text size="sm" data-testid="state-since">
              {t("monitoring.sinceAt", {
                at: format.dateTime(state.since),
                time: ago(state.since, now),
              })}
            </Text>
          )}
          {state?.flapping && (
            <Badge color="orange" variant="outline">
              {t("monitoring.flapping")}
            </Badge>
          )}
          {!m.enabled && <Badge color="blue">{t("monitoring.paused")}</Badge>}
          <LiveBadge state={live} />
        </Group>
        {state?.reason && (
          <Text size="sm" c="dimmed" data-testid="state-reason">
            {t(reasonKey(state.reason), { defaultValue: state.reason })}
            {state.message && <TechnicalDetail text={state.message} />}
          </Text>
        )}
        {(related.data?.parent || related.data?.group) && (
          <Group gap="md">
            {related.data.parent && (
              <Text size="sm">
                {t("monitoring.fields.parent")}:{" "}
                <Anchor component={Link} to={`/monitoring/${related.data.parent.id}`}>
                  {related.data.parent.name}
                </Anchor>
              </Text>
            )}
            {related.data.group && (
              <Text size="sm">
                {t("monitoring.fields.group")}:{" "}
                <Anchor component={Link} to={`/monitoring/${related.data.group.id}`}>
                  {related.data.group.name}
                </Anchor>
              </Text>
            )}
          </Group>
        )}
        {write && (
          <Group gap="xs">
            <Button variant="light" loading={toggle.isPending} onClick={() => toggle.mutate()}>
              {m.enabled ? t("monitoring.pause") : t("monitoring.resume")}
            </Button>
            <Button variant="default" onClick={() => setEditing(true)}>
              {t("common.edit")}
            </Button>
            <Button variant="subtle" color="red" onClick={() => setDeleting(true)}>
              {t("monitoring.delete")}
            </Button>
          </Group>
        )}
      </PageHeader>
      <ProblemAlert error={toggle.error ?? remove.error ?? rotate.error} />
      {m.type === "heartbeat" && (
        <Card withBorder radius="md" mb="lg" data-testid="push-panel">
          <Title order={5} mb={4}>
            {t("monitoring.push.title")}
          </Title>
          {pushToken ? (
            <Stack gap={6}>
              <Text size="sm">{t("monitoring.push.shownOnce")}</Text>
              <Group gap="xs" wrap="nowrap">
                <Code data-testid="push-url" style={{ wordBreak: "break-all" }}>
                  {pushUrl(pushToken)}
                </Code>
                <CopyButton value={pushUrl(pushToken)}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant="light" color={copied ? "teal" : "blue"} onClick={copy}>
                      {copied ? t("common.copied") : t("common.copy")}
                    </Button>
                  )}
                </CopyButton>
              </Group>
              <Text size="xs" c="dimmed">
                {t("monitoring.push.example", { interval: m.intervalSeconds })}
              </Text>
              <Code block>{`curl -fsS -X POST '${pushUrl(pushToken)}?status=up&msg=OK'`}</Code>
            </Stack>
          ) : (
            <Group justify="space-between">
              <Text size="sm" c="dimmed">
                {t("monitoring.push.hidden")}
              </Text>
              {write && (
                <Button size="xs" variant="light" loading={rotate.isPending} onClick={() => rotate.mutate()}>
                  {t("monitoring.push.rotate")}
                </Button>
              )}
            </Group>
          )}
        </Card>
      )}
      <Group justify="space-between" mb="sm">
        <Title order={4}>{t("monitoring.history")}</Title>
        <SegmentedControl
          value={range}
          onChange={(v) => setParams({ range: v }, { replace: true })}
          data={Object.keys(ranges).map((r) => ({ value: r, label: t(`monitoring.ranges.${r as Range}`) }))}
          aria-label={t("monitoring.range")}
        />
      </Group>
      <ProblemAlert error={detail.error} />
      <SimpleGrid cols={{ base: 2, md: 4 }} mb="md">
        <Figure label={t("monitoring.uptime.ratio")} testId="range-uptime" color={uptimeColor(uptime?.uptime)}>
          {uptimeText(uptime?.uptime, i18n.language)}
        </Figure>
        <Figure label={t("monitoring.uptime.down")} testId="range-down">
          {uptime ? durationText(uptime.downSeconds) : "—"}
        </Figure>
        <Figure label={t("monitoring.uptime.outages")} testId="range-outages">
          {uptime ? String(uptime.outages) : "—"}
        </Figure>
        <Figure
          label={t("monitoring.uptime.excluded")}
          hint={t("monitoring.uptime.excludedHint")}
          testId="range-excluded"
        >
          {uptime ? durationText(uptime.excludedSeconds) : "—"}
        </Figure>
      </SimpleGrid>
      {detail.data && (
        <Card withBorder radius="md" mb="lg">
          <Text size="sm" fw={600} mb={4}>
            {t("monitoring.chart.latency")}
          </Text>
          {detail.data.series.points.length === 0 && (
            <Text size="sm" c="dimmed" data-testid="no-latency">
              {t("monitoring.chart.empty")}
            </Text>
          )}
          <LatencyChart series={detail.data.series} />
          <Text size="sm" fw={600} mt="md" mb={4}>
            {t("monitoring.chart.timeline")}
          </Text>
          <StateTimeline
            changes={detail.data.changes}
            from={detail.data.window.from}
            to={detail.data.window.to}
            step={ranges[range].step}
          />
        </Card>
      )}
      {m.type === "group" && (
        <>
          <Title order={4} mb="sm">
            {t("monitoring.members")}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" mb="lg">
            {members.data?.items.map((member) => (
              <MonitorCard key={member.id} monitor={member} now={now} />
            ))}
          </SimpleGrid>
          {members.data?.items.length === 0 && (
            <Text c="dimmed" mb="lg">
              {t("monitoring.noMembers")}
            </Text>
          )}
        </>
      )}
      <Title order={4} mb="sm">
        {t("monitoring.changes")}
      </Title>
      <StateChanges id={id} now={now} />
      <Modal opened={editing} onClose={() => setEditing(false)} title={t("monitoring.editTitle")} size="xl">
        {editing && (
          <MonitorForm
            monitor={m}
            monitors={all.data ?? []}
            onCancel={() => setEditing(false)}
            onSaved={(next) => {
              setEditing(false);
              saved(next);
              if (next.pushToken) setPushToken(next.pushToken);
            }}
          />
        )}
      </Modal>
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t("monitoring.deleteTitle")}>
        <Stack>
          <Text size="sm">{t("monitoring.deleteConfirm", { name: m.name })}</Text>
          <ProblemAlert error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t("common.cancel")}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              {t("monitoring.delete")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function Figure({
  label,
  hint,
  testId,
  color,
  children,
}: {
  label: string;
  hint?: string;
  testId: string;
  color?: string;
  children: string;
}) {
  return (
    <Card withBorder radius="md" padding="sm" title={hint}>
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={testId}>
        {children}
      </Text>
    </Card>
  );
}

/** Every change of state, newest first, with its reason and how long it lasted. */
function StateChanges({ id, now }: { id: string; now: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = usePagedList([...keys.detail(id), "changes"], (cursor, signal) =>
    monitoring.history(id, cursor, signal, 50),
  );
  return (
    <Card withBorder padding={0} radius="md">
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={720}>
        <Table striped verticalSpacing="xs" aria-label={t("monitoring.changes")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("monitoring.fields.state")}</Table.Th>
              <Table.Th>{t("monitoring.startedAt")}</Table.Th>
              <Table.Th>{t("monitoring.duration")}</Table.Th>
              <Table.Th>{t("monitoring.reason")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.map((c) => (
              <Table.Tr key={c.id} data-testid="state-change" data-status={c.status}>
                <Table.Td>
                  <Badge color={statusColor[c.status]} variant="light">
                    {t(`monitoring.statuses.${c.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{format.dateTime(c.startedAt)}</Table.Td>
                <Table.Td>
                  {durationText(
                    (c.endedAt ? Date.parse(c.endedAt) - Date.parse(c.startedAt) : elapsed(c.startedAt, now)) / 1000,
                  )}
                  {!c.endedAt && (
                    <Text span size="xs" c="dimmed">
                      {" "}
                      ({t("monitoring.ongoing")})
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {c.reason && <Code>{t(reasonKey(c.reason), { defaultValue: c.reason })}</Code>}{" "}
                  {c.message && <TechnicalDetail text={c.message} />}
                </Table.Td>
              </Table.Tr>
            ))}
            <EmptyRow list={list} colSpan={4} text={t("monitoring.noChanges")} />
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <PagedFooter {...list} />
    </Card>
  );
}
