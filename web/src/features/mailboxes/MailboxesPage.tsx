import { Anchor, Badge, Button, Card, Group, Modal, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { MailboxForm } from "./MailboxForm";
import type { Mailbox } from "./model";

export function MailboxesPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const [form, setForm] = useState<{ mailbox?: Mailbox; opened: boolean; key: number }>({ opened: false, key: 0 });
  const openForm = (mailbox?: Mailbox) => setForm((f) => ({ mailbox, opened: true, key: f.key + 1 }));
  const closeForm = () => setForm((f) => ({ ...f, opened: false }));
  const list = useQuery({
    queryKey: ["mailboxes"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/mailboxes", { params: { query: { limit: 200 } }, signal })).items,
  });
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const orgName = (id: string | null) =>
    id ? (organizations.data?.find((o) => o.id === id)?.name ?? id) : t("mailboxes.bySender");
  const items = list.data ?? [];
  return (
    <>
      <PageHeader title={t("mailboxes.title")} subtitle={t("mailboxes.subtitle")}>
        <Group justify="flex-end">
          <Button onClick={() => openForm()}>{t("mailboxes.new")}</Button>
        </Group>
      </PageHeader>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("mailboxes.address")}</Table.Th>
                <Table.Th>{t("mailboxes.organization")}</Table.Th>
                <Table.Th>{t("mailboxes.intake")}</Table.Th>
                <Table.Th>{t("mailboxes.lastPolled")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((m) => (
                <Table.Tr key={m.id} data-testid="mailbox-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/mailboxes/${m.id}`}>
                      {m.address}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{orgName(m.organizationId)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge size="xs" variant="light" color={m.enabled ? "green" : "gray"}>
                        {m.enabled ? t("mailboxes.on") : t("mailboxes.off")}
                      </Badge>
                      <Badge size="xs" variant="light">
                        {m.imap ? `IMAP ${m.imap.host}` : "SMTP"}
                      </Badge>
                      {m.lastError && (
                        <Badge size="xs" color="red" variant="light" title={m.lastError}>
                          {t("mailboxes.failing")}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{m.imap ? format.dateTime(m.lastPolledAt) : "—"}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      <Button
                        size="xs"
                        variant="subtle"
                        onClick={() => openForm(m)}
                        aria-label={t("mailboxes.editNamed", { address: m.address })}
                      >
                        {t("common.edit")}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: list.isSuccess, items }} colSpan={5} text={t("mailboxes.none")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Modal
        opened={form.opened}
        onClose={closeForm}
        title={form.mailbox ? t("mailboxes.edit") : t("mailboxes.new")}
        size="lg"
      >
        <MailboxForm key={form.key} mailbox={form.mailbox} onDone={closeForm} />
      </Modal>
    </>
  );
}
