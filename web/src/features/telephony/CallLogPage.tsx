import { Anchor, Badge, Card, Group, Select, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, LoadMore, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { type Call, callbackStatuses, callStatusColor, callStatuses, formatDuration } from "./model";

type Status = (typeof callStatuses)[number];
type Callback = (typeof callbackStatuses)[number];

/** The call log (staff): every call the PBXs reported, newest first, with its ticket and any callback owed. */
export function CallLogPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const [status, setStatus] = useState<Status | null>(null);
  const [callback, setCallback] = useState<Callback | null>(null);
  const list = usePagedList<Call>(
    ["calls", "log", { status, callback }],
    async (cursor, signal) =>
      unwrap(
        await api.GET("/api/v1/calls", {
          params: {
            query: {
              limit: 50,
              ...(cursor ? { cursor } : {}),
              ...(status ? { status } : {}),
              ...(callback ? { callback } : {}),
            },
          },
          signal,
        }),
      ),
    { refetchInterval: 15_000 },
  );
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const orgName = (id: string | null) => (id ? (organizations.data?.find((o) => o.id === id)?.name ?? "") : "");
  const who = (c: Call) => {
    const number = c.direction === "outbound" ? c.to : c.from;
    return c.contact?.name ? `${c.contact.name} · ${number}` : number;
  };
  return (
    <>
      <PageHeader title={t("phone.callsTitle")} subtitle={t("phone.callsSubtitle")} />
      <Group mb="sm" gap="sm" wrap="wrap">
        <Select
          label={t("phone.statusFilter")}
          placeholder={t("phone.any")}
          clearable
          w={180}
          data={callStatuses.map((s) => ({ value: s, label: t(`telephony.status.${s}`) }))}
          value={status}
          onChange={(v) => setStatus(v as Status | null)}
        />
        <Select
          label={t("phone.callbackFilter")}
          placeholder={t("phone.any")}
          clearable
          w={180}
          data={callbackStatuses.map((s) => ({ value: s, label: t(`telephony.callback.${s}`) }))}
          value={callback}
          onChange={(v) => setCallback(v as Callback | null)}
        />
      </Group>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("phone.when")}</Table.Th>
                <Table.Th>{t("phone.caller")}</Table.Th>
                <Table.Th>{t("phone.organization")}</Table.Th>
                <Table.Th>{t("phone.status")}</Table.Th>
                <Table.Th>{t("phone.duration")}</Table.Th>
                <Table.Th>{t("phone.ticket")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((c) => (
                <Table.Tr key={c.id} data-testid="call-row">
                  <Table.Td>
                    <Text size="sm">{format.dateTime(c.ringingAt ?? c.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={0}>
                      <Text size="sm">
                        {c.direction === "outbound" ? "→ " : "← "}
                        {who(c)}
                      </Text>
                      {c.queue && (
                        <Text size="xs" c="dimmed">
                          {t("telephony.queue", { queue: c.queue })}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{orgName(c.organizationId) || t("telephony.unknownCaller")}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge size="sm" variant="light" color={callStatusColor[c.status] ?? "gray"}>
                        {t(`telephony.status.${c.status as Status}`)}
                      </Badge>
                      {c.callback && (
                        <Badge
                          size="sm"
                          variant="light"
                          color={
                            c.callback.status === "overdue" ? "red" : c.callback.status === "done" ? "gray" : "orange"
                          }
                          title={
                            c.callback.dueAt
                              ? t("telephony.callbackDue", { at: format.dateTime(c.callback.dueAt) })
                              : undefined
                          }
                        >
                          {t(`telephony.callback.${c.callback.status as Callback}`)}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDuration(c.durationSeconds)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {c.ticketId ? (
                      <Anchor component={Link} to={`/tickets/${c.ticketId}`} size="sm">
                        {t("phone.openTicket")}
                      </Anchor>
                    ) : (
                      "—"
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: list.isSuccess, items: list.items }} colSpan={6} text={t("phone.noCalls")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <LoadMore
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
      />
    </>
  );
}
