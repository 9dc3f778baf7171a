import { Badge, Button, Card, Group, Modal, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { type PbxConnection, pbxStateColor, type pbxStates } from "./model";
import { PbxConnectionForm } from "./PbxConnectionForm";

/** PBX connections (admins): each AMI connection with its live state, the node holding it and its last error. */
export function PbxConnectionsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [form, setForm] = useState<{ connection?: PbxConnection; opened: boolean; key: number }>({
    opened: false,
    key: 0,
  });
  const openForm = (connection?: PbxConnection) => setForm((f) => ({ connection, opened: true, key: f.key + 1 }));
  const closeForm = () => setForm((f) => ({ ...f, opened: false }));
  // The state changes as nodes connect, lose and take over sessions: read it again every few seconds.
  const list = useQuery({
    queryKey: ["pbx-connections"],
    refetchInterval: 5_000,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/pbx-connections", { params: { query: { limit: 200 } }, signal })).items,
  });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE("/api/v1/pbx-connections/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["pbx-connections"] }),
  });
  const items = list.data ?? [];
  return (
    <>
      <PageHeader title={t("phone.pbxTitle")} subtitle={t("phone.pbxSubtitle")}>
        <Group justify="flex-end">
          <Button onClick={() => openForm()}>{t("phone.newPbx")}</Button>
        </Group>
      </PageHeader>
      <ProblemAlert error={list.error ?? remove.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("phone.name")}</Table.Th>
                <Table.Th>{t("phone.host")}</Table.Th>
                <Table.Th>{t("phone.state")}</Table.Th>
                <Table.Th>{t("phone.connectedAt")}</Table.Th>
                <Table.Th>{t("phone.extensionsCount")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((c) => (
                <Table.Tr key={c.id} data-testid="pbx-row">
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {c.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {c.username}@{c.host}:{c.port}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge size="sm" variant="light" color={c.enabled ? (pbxStateColor[c.state] ?? "gray") : "gray"}>
                        {c.enabled ? t(`phone.states.${c.state as (typeof pbxStates)[number]}`) : t("phone.disabled")}
                      </Badge>
                      {c.lastError && (
                        <Badge size="sm" variant="light" color="red" title={c.lastError}>
                          {t("phone.failing")}
                        </Badge>
                      )}
                    </Group>
                    {c.lastError && (
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {c.lastError}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{format.dateTime(c.connectedAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{Object.keys(c.extensions).length}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group justify="flex-end" gap={4} wrap="nowrap">
                      <Button
                        size="xs"
                        variant="subtle"
                        onClick={() => openForm(c)}
                        aria-label={t("phone.editNamed", { name: c.name })}
                      >
                        {t("common.edit")}
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        loading={remove.isPending && remove.variables === c.id}
                        onClick={() => {
                          if (window.confirm(t("phone.confirmDelete", { name: c.name }))) remove.mutate(c.id);
                        }}
                      >
                        {t("phone.delete")}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: list.isSuccess, items }} colSpan={6} text={t("phone.noPbx")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Modal
        opened={form.opened}
        onClose={closeForm}
        title={form.connection ? t("phone.editPbx") : t("phone.newPbx")}
        size="lg"
      >
        <PbxConnectionForm key={form.key} connection={form.connection} onDone={closeForm} />
      </Modal>
    </>
  );
}
