import { Badge, Card, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { keys, monitoring, shardRanges } from "./model";

/** The monitoring nodes for those who run the platform: who is alive, what each holds, the last heartbeat. */
export function NodesSection() {
  const { t } = useTranslation();
  const { relative, dateTime } = useFormat();
  const nodes = useQuery({
    queryKey: keys.nodes,
    queryFn: ({ signal }) => monitoring.nodes(signal),
    refetchInterval: 5_000,
  });
  // Heartbeats are judged against when they were fetched, not a clock that ticks more slowly.
  const now = nodes.dataUpdatedAt;
  const free = nodes.data?.shards.filter((s) => !s.owner).length ?? 0;
  return (
    <section aria-label={t("monitoring.nodes.title")} data-testid="monitoring-nodes">
      <Title order={4} mb={4}>
        {t("monitoring.nodes.title")}
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {t("monitoring.nodes.hint", { lease: (nodes.data?.leaseMs ?? 3000) / 1000 })}
      </Text>
      <ProblemAlert error={nodes.error} />
      {nodes.data && (
        <Card withBorder radius="md" padding="sm">
          {nodes.data.nodes.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t("monitoring.nodes.none")}
            </Text>
          ) : (
            <Table verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("monitoring.nodes.node")}</Table.Th>
                  <Table.Th>{t("monitoring.nodes.state")}</Table.Th>
                  <Table.Th>{t("monitoring.nodes.heartbeat")}</Table.Th>
                  <Table.Th>{t("monitoring.nodes.started")}</Table.Th>
                  <Table.Th>{t("monitoring.nodes.shards")}</Table.Th>
                  <Table.Th>{t("monitoring.nodes.monitors")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {nodes.data.nodes.map((n) => (
                  <Table.Tr key={n.nodeId}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {n.nodeId}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={n.alive ? "green" : "gray"} variant="light">
                        {t(n.alive ? "monitoring.nodes.alive" : "monitoring.nodes.silent")}
                      </Badge>
                    </Table.Td>
                    <Table.Td title={dateTime(n.lastHeartbeat)}>{relative(n.lastHeartbeat, now)}</Table.Td>
                    <Table.Td>{dateTime(n.startedAt)}</Table.Td>
                    <Table.Td>
                      {n.shards.length}{" "}
                      {n.shards.length > 0 && (
                        <Text span size="xs" c="dimmed">
                          ({shardRanges(n.shards)})
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{n.monitors}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {free > 0 && (
            <Text size="sm" c="orange" mt="xs">
              {t("monitoring.nodes.free", { count: free })}
            </Text>
          )}
        </Card>
      )}
    </section>
  );
}
