import { Anchor, Badge, Button, Card, Group, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import { levelColor } from "./model";

/** One mailbox: its state and the intake log (what happened to each mail, every fault), newest first. */
export function MailboxPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const mailbox = useQuery({
    queryKey: ["mailboxes", id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/mailboxes/{id}", { params: { path: { id } }, signal })),
  });
  const log = useQuery({
    queryKey: ["mailboxes", id, "log"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/mailboxes/{id}/log", { params: { path: { id }, query: { limit: 200 } }, signal }))
        .items,
    refetchInterval: 10_000,
  });
  const poll = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/mailboxes/{id}/poll", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["mailboxes", id] }),
  });
  const m = mailbox.data;
  const items = log.data ?? [];
  return (
    <>
      <PageHeader title={m?.address ?? t("mailboxes.title")} subtitle={t("mailboxes.logSubtitle")}>
        {m?.imap && (
          <Group justify="flex-end">
            <Button variant="default" loading={poll.isPending} onClick={() => poll.mutate()}>
              {t("mailboxes.pollNow")}
            </Button>
          </Group>
        )}
      </PageHeader>
      <ProblemAlert error={mailbox.error ?? log.error} />
      <ActionAlert error={poll.error} />
      {poll.data && (
        <Text size="sm" c="dimmed" mb="sm" role="status">
          {poll.data.error
            ? t("mailboxes.pollFailed", { error: poll.data.error })
            : t("mailboxes.polled", { count: poll.data.taken })}
        </Text>
      )}
      {m?.lastError && (
        <Text size="sm" c="red" mb="sm">
          {t("mailboxes.lastError", { error: m.lastError })}
        </Text>
      )}
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={820}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("mailboxes.at")}</Table.Th>
                <Table.Th>{t("mailboxes.event")}</Table.Th>
                <Table.Th>{t("mailboxes.sender")}</Table.Th>
                <Table.Th>{t("mailboxes.subject")}</Table.Th>
                <Table.Th>{t("mailboxes.detail")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e) => (
                <Table.Tr key={e.id} data-testid="intake-log-row">
                  <Table.Td>{format.preciseTime(e.at)}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" variant="light" color={levelColor[e.level]}>
                      {e.event}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: "anywhere" }}>{e.sender ?? "—"}</Table.Td>
                  <Table.Td>{e.subject ?? "—"}</Table.Td>
                  <Table.Td>
                    {e.detail}{" "}
                    {e.ticketId && (
                      <Anchor component={Link} to={`/tickets/${e.ticketId}`} size="sm">
                        {t("mailboxes.openTicket")}
                      </Anchor>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: log.isSuccess, items }} colSpan={5} text={t("mailboxes.noLog")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </>
  );
}
