import { Anchor, Badge, Button, Card, Chip, Group, Modal, MultiSelect, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { tiers } from "../../auth/access";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { useNow } from "../../shell/useNow";
import { severities, severityColor, statusColor, statuses, type Ticket, type Tier } from "./model";
import { NewTicketForm } from "./NewTicketForm";

const csv = (values: string[]) => (values.length ? values.join(",") : undefined);
const HOUR = 3_600_000;
/** Relative times age at this pace, and "due within 1 h" is asked again at it while that filter is on. */
const TICK_MS = 30_000;

function NextBreach({ ticket, now }: { ticket: Ticket; now: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!ticket.slaDueAt && !ticket.slaBreached) return <Text c="dimmed">—</Text>;
  return (
    <Group gap={6} wrap="nowrap">
      {ticket.slaBreached && (
        <Badge size="sm" color="red">
          {t("tickets.slaBreachedBadge")}
        </Badge>
      )}
      {ticket.slaDueAt && (
        <Text
          size="sm"
          c={ticket.slaBreached ? "red" : undefined}
          title={format.dateTime(ticket.slaDueAt)}
          data-testid="next-breach"
        >
          {format.relative(ticket.slaDueAt, now)}
        </Text>
      )}
    </Group>
  );
}

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
  const [sla, setSla] = useState<string[]>([]);
  const now = useNow(TICK_MS);
  const dueSoon = sla.includes("dueSoon");
  const filter = {
    status: csv(status),
    severity: csv(severity),
    tier: csv(tier),
    q: q || undefined,
    breached: sla.includes("breached") ? true : undefined,
  };
  const list = usePagedList(
    ["tickets", "queue", filter, dueSoon],
    async (cursor, signal) => {
      // "Within 1 h" counts from when the page is fetched, so each refetch moves the window along.
      const dueBefore = dueSoon ? new Date(Date.now() + HOUR).toISOString() : undefined;
      return unwrap(
        await api.GET("/api/v1/tickets", { params: { query: { ...filter, dueBefore, cursor, limit: 50 } }, signal }),
      );
    },
    { refetchInterval: dueSoon ? TICK_MS : false },
  );

  return (
    <>
      <PageHeader title={t("tickets.title")} subtitle={t("tickets.subtitle")}>
        <Group justify="space-between" align="flex-end" mt="xs" wrap="nowrap">
          <Group align="flex-end" style={{ flex: 1 }}>
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
              data={tiers.map((x) => ({ value: x, label: t(`tickets.tiers.${x as Tier}`) }))}
              value={tier}
              onChange={setTier}
              clearable
              w={160}
            />
            <Chip.Group multiple value={sla} onChange={setSla}>
              <Group gap="xs" pb={6} role="group" aria-label={t("tickets.slaFilters")}>
                <Chip value="breached" color="red" size="sm">
                  {t("tickets.filterBreached")}
                </Chip>
                <Chip value="dueSoon" color="orange" size="sm">
                  {t("tickets.filterDueSoon")}
                </Chip>
              </Group>
            </Chip.Group>
          </Group>
          {can("tickets", "write") && <Button onClick={() => setCreating(true)}>{t("tickets.new")}</Button>}
        </Group>
      </PageHeader>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={880}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>#</Table.Th>
                <Table.Th>{t("tickets.subject")}</Table.Th>
                <Table.Th>{t("tickets.status")}</Table.Th>
                <Table.Th>{t("tickets.severity")}</Table.Th>
                <Table.Th>{t("tickets.tier")}</Table.Th>
                <Table.Th>{t("tickets.nextBreach")}</Table.Th>
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
                  <Table.Td>
                    <NextBreach ticket={ticket} now={now} />
                  </Table.Td>
                  <Table.Td>{ticket.requester.name}</Table.Td>
                  <Table.Td>{format.dateTime(ticket.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={list} colSpan={8} text={t("tickets.none")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <PagedFooter {...list} />
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
