import { Anchor, Badge, Button, Card, Group, Loader, Modal, MultiSelect, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { tiers } from "../../auth/access";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { LoadMore, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { severities, severityColor, statusColor, statuses } from "./model";
import { NewTicketForm } from "./NewTicketForm";

const csv = (values: string[]) => (values.length ? values.join(",") : undefined);

export function TicketsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const format = useFormat();
  const navigate = useNavigate();
  const [status, setStatus] = useState<string[]>([]);
  const [severity, setSeverity] = useState<string[]>([]);
  const [tier, setTier] = useState<string[]>([]);
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const [creating, setCreating] = useState(false);
  const filter = { status: csv(status), severity: csv(severity), tier: csv(tier), q: q || undefined };
  const list = usePagedList(["tickets", "queue", filter], async (cursor, signal) =>
    unwrap(await api.GET("/api/v1/tickets", { params: { query: { ...filter, cursor, limit: 50 } }, signal })),
  );

  return (
    <>
      <PageHeader title={t("tickets.title")} subtitle={t("tickets.subtitle")}>
        <Group justify="space-between" align="flex-end" mt="xs">
          <Group align="flex-end">
            <TextInput
              type="search"
              label={t("common.search")}
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              w={220}
            />
            <MultiSelect
              label={t("tickets.status")}
              data={statuses.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) }))}
              value={status}
              onChange={setStatus}
              clearable
              w={220}
            />
            <MultiSelect
              label={t("tickets.severity")}
              data={severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) }))}
              value={severity}
              onChange={setSeverity}
              clearable
              w={200}
            />
            <MultiSelect
              label={t("tickets.tier")}
              data={[...tiers]}
              value={tier}
              onChange={setTier}
              clearable
              w={160}
            />
          </Group>
          {can("tickets", "write") && <Button onClick={() => setCreating(true)}>{t("tickets.new")}</Button>}
        </Group>
      </PageHeader>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>#</Table.Th>
                <Table.Th>{t("tickets.subject")}</Table.Th>
                <Table.Th>{t("tickets.status")}</Table.Th>
                <Table.Th>{t("tickets.severity")}</Table.Th>
                <Table.Th>{t("tickets.tier")}</Table.Th>
                <Table.Th>{t("tickets.requester")}</Table.Th>
                <Table.Th>{t("tickets.createdAt")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((ticket) => (
                <Table.Tr key={ticket.id} data-testid="ticket-row">
                  <Table.Td>{ticket.number}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/tickets/${ticket.id}`}>
                      {ticket.subject}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusColor[ticket.status] ?? "gray"} variant="light">
                      {t(`tickets.statuses.${ticket.status as (typeof statuses)[number]}`, {
                        defaultValue: ticket.status,
                      })}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={severityColor[ticket.severity] ?? "gray"}>
                      {t(`tickets.severities.${ticket.severity as (typeof severities)[number]}`, {
                        defaultValue: ticket.severity,
                      })}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{ticket.tier}</Table.Td>
                  <Table.Td>{ticket.requester.name}</Table.Td>
                  <Table.Td>{format.dateTime(ticket.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
              {list.isSuccess && list.items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text c="dimmed" ta="center" py="md">
                      {t("tickets.none")}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {list.isPending && (
          <Group justify="center" p="md">
            <Loader size="sm" aria-label={t("common.loading")} />
          </Group>
        )}
        <LoadMore {...list} />
      </Card>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("tickets.new")} size="lg">
        {creating && (
          <NewTicketForm
            onCancel={() => setCreating(false)}
            onCreated={(ticket) => {
              setCreating(false);
              void navigate(`/tickets/${ticket.id}`);
            }}
          />
        )}
      </Modal>
    </>
  );
}
