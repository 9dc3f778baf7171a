import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { useNow } from "../../shell/useNow";
import { severities, severityColor } from "../tickets/model";
import { fetchQueue, QUEUE_KEY, type QueueName, SlaCountdown, useLiveQueues, useQueueCounts } from "../tickets/queue";

const WORKLOAD_KEY = ["tickets", "workload"] as const;

function Stat({ label, value, to, color }: { label: string; value: number | string; to?: string; color?: string }) {
  return (
    <Card withBorder padding="md" radius="md">
      <Stack gap={4}>
        <Text size="xs" tt="uppercase" fw={700} c="dimmed">
          {label}
        </Text>
        <Text size="xl" fw={700} c={color}>
          {to ? (
            <Anchor component={Link} to={to} inherit c={color}>
              {value}
            </Anchor>
          ) : (
            value
          )}
        </Text>
      </Stack>
    </Card>
  );
}

function QueueBox({ title, queue }: { title: string; queue: QueueName }) {
  const { t } = useTranslation();
  const now = useNow(1000);
  const page = useQuery({
    queryKey: [...QUEUE_KEY, "home", queue],
    queryFn: ({ signal }) => fetchQueue({ queue, sort: "urgency", limit: 8 }, signal),
  });
  return (
    <Card withBorder padding="md" radius="md">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          {title}
        </Title>
        <Anchor component={Link} to={`/tickets?queue=${queue}`} size="sm">
          {t("home.seeAll")}
        </Anchor>
      </Group>
      <ProblemAlert error={page.error} />
      {page.data?.items.length === 0 && <Text c="dimmed">{t("tickets.none")}</Text>}
      <Stack gap={6}>
        {page.data?.items.map((item) => (
          <Group key={item.id} justify="space-between" wrap="nowrap" gap="xs" data-testid={`home-${queue}-row`}>
            <Anchor component={Link} to={`/tickets/${item.id}`} size="sm" lineClamp={1} style={{ flex: 1 }}>
              #{item.number} {item.subject}
            </Anchor>
            <Text size="xs" c="dimmed" lineClamp={1} maw={140} visibleFrom="xs">
              {item.organizationName}
            </Text>
            <SlaCountdown item={item} now={now} />
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

function Workload() {
  const { t } = useTranslation();
  const format = useFormat();
  const workload = useQuery({
    queryKey: WORKLOAD_KEY,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/tickets/workload", { signal })),
  });
  const w = workload.data;
  const compliance = w?.today.compliance;
  const breached = w ? w.teams.reduce((s, x) => s + x.sla.breached, 0) : 0;
  const table = (
    rows: {
      key: string;
      name: string;
      total: number;
      severity: Record<string, number>;
      sla: { breached: number; breaching: number };
    }[],
  ) => (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing={4} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th>{t("home.open")}</Table.Th>
            {severities.map((s) => (
              <Table.Th key={s}>
                <Badge size="xs" color={severityColor[s]}>
                  {t(`tickets.severities.${s}`)}
                </Badge>
              </Table.Th>
            ))}
            <Table.Th>{t("queue.names.breaching")}</Table.Th>
            <Table.Th>{t("queue.names.breached")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td>{r.name}</Table.Td>
              <Table.Td fw={600}>{r.total}</Table.Td>
              {severities.map((s) => (
                <Table.Td key={s}>{r.severity[s] ?? 0}</Table.Td>
              ))}
              <Table.Td c={r.sla.breaching ? "orange" : undefined}>{r.sla.breaching}</Table.Td>
              <Table.Td c={r.sla.breached ? "red" : undefined}>{r.sla.breached}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
  return (
    <Stack>
      <ProblemAlert error={workload.error} />
      <SimpleGrid cols={{ base: 1, xs: 3 }}>
        <Stat
          label={t("home.compliance")}
          value={compliance === null || compliance === undefined ? "—" : `${format.number(compliance * 100)} %`}
          color={compliance !== null && compliance !== undefined && compliance < 0.9 ? "red" : undefined}
        />
        <Stat
          label={t("home.decidedToday")}
          value={w ? `${w.today.fulfilled} / ${w.today.fulfilled + w.today.breached}` : "—"}
        />
        <Stat
          label={t("home.breachedOpen")}
          value={breached}
          to="/tickets?queue=breached"
          color={breached ? "red" : undefined}
        />
      </SimpleGrid>
      <Card withBorder padding="md" radius="md">
        <Title order={3} size="h4" mb="xs">
          {t("home.teamWorkload")}
        </Title>
        {w && table(w.teams.map((x) => ({ ...x, key: x.team ?? "", name: x.team ?? t("home.noTeam") })))}
      </Card>
      <Card withBorder padding="md" radius="md">
        <Title order={3} size="h4" mb="xs">
          {t("home.agentWorkload")}
        </Title>
        {w && table(w.agents.map((x) => ({ ...x, key: x.userId ?? "", name: x.name ?? t("tickets.unassigned") })))}
      </Card>
    </Stack>
  );
}

/** The home of each role: customers go to their portal; staff see their queue; managers and admins the workload. */
export function HomePage() {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const counts = useQueueCounts();
  useLiveQueues([WORKLOAD_KEY]);
  if (!isStaff(user.role)) return <Navigate to="/portal" replace />;
  const manager = user.role === "manager" || user.role === "admin";
  const c = counts.data?.queues;
  return (
    <>
      <PageHeader title={t("home.title")} subtitle={t(manager ? "home.managerSubtitle" : "home.agentSubtitle")} />
      {can("tickets") && (
        <Stack>
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Stat label={t("queue.names.mine")} value={c?.mine ?? "—"} to="/tickets?queue=mine" />
            <Stat label={t("queue.names.unassigned")} value={c?.unassigned ?? "—"} to="/tickets?queue=unassigned" />
            <Stat
              label={t("queue.names.breaching")}
              value={c?.breaching ?? "—"}
              to="/tickets?queue=breaching"
              color={c?.breaching ? "orange" : undefined}
            />
            <Stat
              label={t("queue.names.breached")}
              value={c?.breached ?? "—"}
              to="/tickets?queue=breached"
              color={c?.breached ? "red" : undefined}
            />
          </SimpleGrid>
          {manager && <Workload />}
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <QueueBox title={t("home.myQueue")} queue="mine" />
            <QueueBox title={t("home.breachingSoon")} queue="breaching" />
          </SimpleGrid>
        </Stack>
      )}
    </>
  );
}
