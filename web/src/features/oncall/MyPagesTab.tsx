import { Anchor, Badge, Button, Card, Group, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import type { Page } from "./model";

const severityColour: Record<string, string> = { critical: "red", high: "orange", medium: "yellow", low: "gray" };
const statusColour: Record<Page["status"], string> = { triggered: "red", acknowledged: "blue", resolved: "green" };

/** My pages: those that told me, newest first, with acknowledge; or every page. */
export function MyPagesTab() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const [scope, setScope] = useState<"mine" | "all">("mine");
  const [status, setStatus] = useState<"triggered" | "any">("any");
  const list = useQuery({
    queryKey: ["oncall", "pages", scope, status],
    refetchInterval: 15_000,
    queryFn: async ({ signal }) => {
      const query = { limit: 100, status: status === "any" ? undefined : status };
      const res =
        scope === "mine"
          ? await api.GET("/api/v1/me/pages", { params: { query }, signal })
          : await api.GET("/api/v1/pages", { params: { query }, signal });
      return unwrap(res).items;
    },
  });
  const ack = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/pages/{id}/acknowledge", { params: { path: { id } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ["oncall", "pages"] }),
  });
  const items = list.data ?? [];
  return (
    <Stack gap="sm">
      <Group gap="sm" wrap="wrap">
        <SegmentedControl
          value={scope}
          onChange={(v) => setScope(v as "mine" | "all")}
          data={[
            { value: "mine", label: t("oncall.pages.mine") },
            { value: "all", label: t("oncall.pages.all") },
          ]}
        />
        <SegmentedControl
          value={status}
          onChange={(v) => setStatus(v as "triggered" | "any")}
          data={[
            { value: "any", label: t("oncall.pages.anyStatus") },
            { value: "triggered", label: t("oncall.pages.open") },
          ]}
        />
      </Group>
      <ProblemAlert error={list.error ?? ack.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={720}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("oncall.pages.page")}</Table.Th>
                <Table.Th>{t("oncall.pages.status")}</Table.Th>
                <Table.Th>{t("oncall.pages.step")}</Table.Th>
                <Table.Th>{t("oncall.pages.started")}</Table.Th>
                <Table.Th>{t("oncall.pages.next")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Table.Tr key={p.id} data-testid="page-row">
                  <Table.Td>
                    <Group gap={6} wrap="nowrap" align="flex-start">
                      <Badge color={severityColour[p.severity] ?? "gray"} size="sm">
                        {t(`oncall.severity.${p.severity as "critical"}`, { defaultValue: p.severity })}
                      </Badge>
                      <div>
                        {p.url ? (
                          <Anchor href={p.url} size="sm">
                            {p.title}
                          </Anchor>
                        ) : (
                          <Text size="sm">{p.title}</Text>
                        )}
                        {p.summary && (
                          <Text size="xs" c="dimmed">
                            {p.summary}
                          </Text>
                        )}
                      </div>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusColour[p.status]} variant="light">
                      {t(`oncall.pages.statuses.${p.status}`)}
                    </Badge>
                    {p.acknowledgedBy && (
                      <Text size="xs" c="dimmed">
                        {t("oncall.pages.by", { name: p.acknowledgedBy.name ?? "—", at: f.dateTime(p.acknowledgedAt) })}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {p.step < 0
                      ? "—"
                      : t("oncall.pages.stepOf", { step: p.step + 1, steps: p.steps, round: p.round + 1 })}
                    {p.exhaustedAt && (
                      <Text size="xs" c="red">
                        {t("oncall.pages.exhausted")}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{f.dateTime(p.createdAt)}</Table.Td>
                  <Table.Td>{f.dateTime(p.nextEscalationAt)}</Table.Td>
                  <Table.Td>
                    {p.status === "triggered" && (
                      <Button
                        size="xs"
                        color="red"
                        loading={ack.isPending && ack.variables === p.id}
                        onClick={() => ack.mutate(p.id)}
                        aria-label={t("oncall.pages.acknowledgeNamed", { title: p.title })}
                      >
                        {t("oncall.pages.acknowledge")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: list.isSuccess, items }} colSpan={6} text={t("oncall.pages.none")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </Stack>
  );
}
