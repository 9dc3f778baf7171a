import {
  Badge,
  Button,
  Card,
  Code,
  Group,
  List,
  Menu,
  Modal,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { Schedule } from "../../shell/Schedule";
import { JobGauges, rpoQuery } from "./Gauges";
import {
  type BackupKind,
  backups,
  type Job,
  kindColor,
  type Operation,
  type Run,
  runColor,
  type Snapshot,
  shortDuration,
} from "./model";
import { RestoreForm } from "./RestoreForm";
import { SnapshotTimeline } from "./SnapshotTimeline";
import { checkDetail } from "./wording";

/** While something is queued or running, lists are fetched again at this pace. */
const ACTIVE_MS = 5_000;

function Snapshots({ job, writer, onRestoreQueued }: { job: Job; writer: boolean; onRestoreQueued: () => void }) {
  const { t } = useTranslation();
  const [restoring, setRestoring] = useState<Snapshot | null>(null);
  const snapshots = useQuery({
    queryKey: ["backups", "snapshots", job.id],
    queryFn: ({ signal }) => backups.snapshots(job.id, signal),
  });
  if (!snapshots.data) return <ProblemAlert error={snapshots.error} />;
  return (
    <>
      <SnapshotTimeline snapshots={snapshots.data.items} onRestore={writer ? setRestoring : undefined} />
      <Modal opened={restoring !== null} onClose={() => setRestoring(null)} title={t("backups.restore")} size="lg">
        {restoring && (
          <RestoreForm
            job={job}
            snapshot={restoring}
            onCancel={() => setRestoring(null)}
            onQueued={() => {
              setRestoring(null);
              onRestoreQueued();
            }}
          />
        )}
      </Modal>
    </>
  );
}

/** Locks in the repository; stale ones are shown for an operator to remove, never removed here. */
function Locks({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const locks = useQuery({ queryKey: ["backups", "locks", id], queryFn: ({ signal }) => backups.locks(id, signal) });
  if (!locks.data) return <ProblemAlert error={locks.error} />;
  if (!locks.data.items.length) return <Text c="dimmed">{t("backups.noLocks")}</Text>;
  return (
    <Table verticalSpacing={4} aria-label={t("backups.locks")}>
      <Table.Tbody>
        {locks.data.items.map((l) => (
          <Table.Tr key={l.id} data-testid="lock-row">
            <Table.Td ff="monospace">{l.id.slice(0, 8)}</Table.Td>
            <Table.Td>{format.dateTime(l.time)}</Table.Td>
            <Table.Td>
              {l.username}@{l.hostname} (pid {l.pid})
            </Table.Td>
            <Table.Td>
              {l.exclusive && <Badge variant="light">{t("backups.exclusive")}</Badge>}{" "}
              {l.stale && <Badge color="orange">{t("backups.stale")}</Badge>}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RestoreTests({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = usePagedList(
    ["backups", "restore-tests", id],
    (cursor, signal) => backups.restoreTests(id, cursor, signal),
    { refetchInterval: ACTIVE_MS },
  );
  return (
    <Card withBorder padding={0} radius="md">
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing="xs" aria-label={t("backups.restoreTests")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("backups.startedAt")}</Table.Th>
              <Table.Th>{t("backups.snapshot")}</Table.Th>
              <Table.Th>{t("backups.status")}</Table.Th>
              <Table.Th>{t("backups.measuredRto")}</Table.Th>
              <Table.Th>{t("backups.checks")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.map((test) => (
              <Table.Tr key={test.id} data-testid="restore-test-row" data-status={test.status}>
                <Table.Td>
                  {format.dateTime(test.createdAt)}
                  <Text size="xs" c="dimmed">
                    {t(`backups.triggers.${test.trigger}`)}
                  </Text>
                </Table.Td>
                <Table.Td ff="monospace">{test.snapshotId?.slice(0, 8) ?? "—"}</Table.Td>
                <Table.Td>
                  <Badge
                    color={test.status === "passed" ? "green" : test.status === "failed" ? "red" : "blue"}
                    variant="light"
                  >
                    {t(`backups.testStatuses.${test.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{test.durationMs === null ? "—" : shortDuration(test.durationMs / 60_000)}</Table.Td>
                <Table.Td>
                  <List size="sm" spacing={2}>
                    {test.checks.map((c) => (
                      <List.Item key={c.name} c={c.status === "failed" ? "red" : undefined}>
                        {c.status === "passed" ? "✓" : "✗"}{" "}
                        <b>{t(`backups.checkNames.${c.name as "rto"}`, { defaultValue: c.name })}</b>:{" "}
                        {checkDetail(c, t, format.seconds)}
                      </List.Item>
                    ))}
                  </List>
                  {test.error && (
                    <Text size="sm" c="red">
                      {test.error}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            <EmptyRow list={list} colSpan={5} text={t("backups.noRestoreTests")} />
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <PagedFooter {...list} />
    </Card>
  );
}

function Runs({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = usePagedList(["backups", "runs", id], (cursor, signal) => backups.runs(id, cursor, signal), {
    refetchInterval: ACTIVE_MS,
  });
  return (
    <Card withBorder padding={0} radius="md">
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped verticalSpacing="xs" aria-label={t("backups.runs")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("backups.startedAt")}</Table.Th>
              <Table.Th>{t("backups.operation")}</Table.Th>
              <Table.Th>{t("backups.status")}</Table.Th>
              <Table.Th>{t("backups.duration")}</Table.Th>
              <Table.Th>{t("backups.snapshot")}</Table.Th>
              <Table.Th>{t("backups.error")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.map((run: Run) => (
              <Table.Tr key={run.id} data-testid="backup-run-row" data-status={run.status}>
                <Table.Td>{format.dateTime(run.startedAt ?? run.createdAt)}</Table.Td>
                <Table.Td>
                  {t(`backups.operations.${run.operation}`)}
                  {run.kind && (
                    <Badge ml={6} size="xs" variant="light" color={kindColor[run.kind]}>
                      {t(`backups.kinds.${run.kind}`)}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={runColor[run.status]}>
                    {t(`backups.runStatuses.${run.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{format.seconds(run.durationMs)}</Table.Td>
                <Table.Td ff="monospace">{run.snapshotId?.slice(0, 8) ?? "—"}</Table.Td>
                <Table.Td>
                  {run.reason && <Code>{run.reason}</Code>}{" "}
                  <Text span size="sm" c="red">
                    {run.error}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
            <EmptyRow list={list} colSpan={6} text={t("backups.noRuns")} />
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <PagedFooter {...list} />
    </Card>
  );
}

/** One backup job: its RPO and RTO, snapshots with their retention, restore tests and runs. */
export function BackupJobPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "snapshots";
  const job = useQuery({ queryKey: ["backups", "job", id], queryFn: ({ signal }) => backups.job(id, signal) });
  const rpo = useQuery(rpoQuery);
  const refresh = () => void client.invalidateQueries({ queryKey: ["backups"] });
  // Snapshots and the measured RPO and RTO change when a run or restore test ends: watch for that.
  const active = (items?: { status: string }[]) =>
    items?.some((x) => x.status === "queued" || x.status === "running") ? ACTIVE_MS : false;
  const latestRuns = useQuery({
    queryKey: ["backups", "latest-runs", id],
    queryFn: ({ signal }) => backups.runs(id, undefined, signal),
    refetchInterval: (q) => active(q.state.data?.items),
  });
  const latestTests = useQuery({
    queryKey: ["backups", "latest-tests", id],
    queryFn: ({ signal }) => backups.restoreTests(id, undefined, signal),
    refetchInterval: (q) => active(q.state.data?.items),
  });
  const ended = (items?: { id: string; status: string }[]) =>
    items?.find((x) => x.status !== "queued" && x.status !== "running")?.id;
  const lastRun = ended(latestRuns.data?.items);
  const lastTest = ended(latestTests.data?.items);
  useEffect(() => {
    if (!lastRun && !lastTest) return;
    void client.invalidateQueries({ queryKey: ["backups", "snapshots", id] });
    void client.invalidateQueries({ queryKey: ["backups", "rpo"] });
  }, [client, id, lastRun, lastTest]);
  const act = useMutation({
    mutationFn: (what: { run: BackupKind } | { operation: Operation } | { restoreTest: true }): Promise<unknown> =>
      "run" in what
        ? backups.run(id, what.run)
        : "operation" in what
          ? backups.operation(id, what.operation)
          : backups.startRestoreTest(id),
    onSuccess: (_, what) => {
      refresh();
      setParams({ tab: "restoreTest" in what ? "restore-tests" : "runs" });
    },
  });
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState(false);
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => backups.setEnabled(id, enabled),
    onSuccess: (saved) => {
      client.setQueryData(["backups", "job", id], saved);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => backups.remove(id),
    onSuccess: () => {
      refresh();
      void navigate("/backups");
    },
  });
  const j = job.data;
  if (!j) return <ProblemAlert error={job.error} />;
  const measured = rpo.data?.jobs.find((x) => x.jobId === id);
  const writer = can("backups", "write");
  return (
    <>
      <PageHeader title={j.name} subtitle={t(`backups.sources.${j.source.kind}`)}>
        {writer && (
          <Group justify="flex-end" gap="xs">
            <Switch
              label={t("backups.enabled")}
              checked={j.enabled}
              disabled={toggle.isPending}
              onChange={(e) => toggle.mutate(e.currentTarget.checked)}
            />
            <Button variant="default" color="red" onClick={() => setDeleting(true)}>
              {t("backups.deleteJob")}
            </Button>
            <Menu>
              <Menu.Target>
                <Button loading={act.isPending}>{t("backups.runNow")}</Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => act.mutate({ run: "full" })}>{t("backups.kinds.full")}</Menu.Item>
                <Menu.Item onClick={() => act.mutate({ run: "incremental" })}>
                  {t("backups.kinds.incremental")}
                </Menu.Item>
                <Menu.Item onClick={() => act.mutate({ operation: "check" })}>
                  {t("backups.operations.check")}
                </Menu.Item>
                <Menu.Item onClick={() => act.mutate({ operation: "prune" })}>
                  {t("backups.operations.prune")}
                </Menu.Item>
                <Menu.Item onClick={() => act.mutate({ operation: "unlock" })}>
                  {t("backups.operations.unlock")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
            <Button variant="light" onClick={() => act.mutate({ restoreTest: true })}>
              {t("backups.startRestoreTest")}
            </Button>
          </Group>
        )}
      </PageHeader>
      <ProblemAlert error={act.error ?? toggle.error} />
      <SimpleGrid cols={{ base: 1, md: 2 }} mb="lg">
        <Card withBorder radius="md">
          <Stack gap={4}>
            <Text size="sm">
              {t("backups.fields.repositoryUrl")}: <Code>{j.repository.url}</Code>
            </Text>
            {j.source.paths && (
              <Text size="sm">
                {t("backups.fields.paths")}: <Code>{j.source.paths.join(", ")}</Code>
              </Text>
            )}
            {j.source.url && (
              <Text size="sm">
                {t("backups.fields.databaseUrl")}: <Code>{j.source.url}</Code>
              </Text>
            )}
            <Text size="sm">
              {t("backups.fields.dataClass")}: {j.dataClass}
            </Text>
            <Text size="sm">{t("backups.schedule")}:</Text>
            <Stack gap={6} pl="sm">
              {(["full", "incremental", "frequent", "check", "prune", "restoreTest"] as const)
                .filter((k) => j.schedule[k])
                .map((k) => (
                  <div key={k}>
                    <Text size="sm" fw={500}>
                      {t(`backups.scheduleKinds.${k}`)}
                    </Text>
                    <Schedule
                      cron={j.schedule[k] ?? ""}
                      timeZone={j.schedule.timezone}
                      runs={k === "incremental" || k === "frequent" ? 3 : 2}
                    />
                  </div>
                ))}
            </Stack>
          </Stack>
        </Card>
        <Card withBorder radius="md">
          {measured ? <JobGauges job={measured} /> : <ProblemAlert error={rpo.error} />}
        </Card>
      </SimpleGrid>
      <Tabs value={tab} onChange={(v) => setParams(v ? { tab: v } : {})} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="snapshots">{t("backups.snapshots")}</Tabs.Tab>
          <Tabs.Tab value="restore-tests">{t("backups.restoreTests")}</Tabs.Tab>
          <Tabs.Tab value="runs">{t("backups.runs")}</Tabs.Tab>
          <Tabs.Tab value="locks">{t("backups.locks")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="snapshots">
          <Snapshots job={j} writer={writer} onRestoreQueued={() => setParams({ tab: "runs" })} />
        </Tabs.Panel>
        <Tabs.Panel value="restore-tests">
          <RestoreTests id={id} />
        </Tabs.Panel>
        <Tabs.Panel value="runs">
          <Runs id={id} />
        </Tabs.Panel>
        <Tabs.Panel value="locks">
          <Locks id={id} />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t("backups.deleteJob")}>
        <Stack>
          <ProblemAlert error={remove.error} />
          <Text>{t("backups.confirmDelete", { name: j.name })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t("common.cancel")}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              {t("backups.deleteJob")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
