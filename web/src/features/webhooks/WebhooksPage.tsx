import { Anchor, Badge, Button, Card, Group, Modal, Switch, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import type { Webhook, WebhookWithSecret } from "./model";
import { SecretOnce } from "./SecretOnce";
import { WebhookForm } from "./WebhookForm";

/** Turns a webhook on or off from its list row or its page. */
export function useToggleWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (w: Pick<Webhook, "id" | "enabled">) =>
      unwrap(
        await api.PATCH("/api/v1/webhooks/{id}", { params: { path: { id: w.id } }, body: { enabled: !w.enabled } }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["webhooks"] }),
  });
}

/** Sends a `webhook.test` event; its delivery then shows in the log. */
export function useTestWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/webhooks/{id}/test", { params: { path: { id } } })),
    onSuccess: (_, id) => void client.invalidateQueries({ queryKey: ["webhooks", id] }),
  });
}

export function WebhooksPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const writable = can("webhooks", "write");
  // The form keeps its webhook while the modal closes, so the title does not flip during the animation.
  const [form, setForm] = useState<{ webhook?: Webhook; opened: boolean; key: number }>({ opened: false, key: 0 });
  const openForm = (webhook?: Webhook) => setForm((f) => ({ webhook, opened: true, key: f.key + 1 }));
  const closeForm = () => setForm((f) => ({ ...f, opened: false }));
  const [created, setCreated] = useState<WebhookWithSecret | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ["webhooks"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/webhooks", { signal })).items,
  });
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const orgName = (id: string | null) =>
    id ? (organizations.data?.find((o) => o.id === id)?.name ?? id) : t("webhooks.allOrganizations");
  const toggle = useToggleWebhook();
  const test = useTestWebhook();
  const items = list.data ?? [];
  return (
    <>
      <PageHeader title={t("webhooks.title")} subtitle={t("webhooks.subtitle")}>
        {writable && (
          <Group justify="flex-end">
            <Button onClick={() => openForm()}>{t("webhooks.new")}</Button>
          </Group>
        )}
      </PageHeader>
      {created && <SecretOnce name={created.name} secret={created.secret} onClose={() => setCreated(null)} />}
      <ProblemAlert error={list.error} />
      <ActionAlert error={toggle.error ?? test.error} />
      {tested && (
        <Text size="sm" c="dimmed" mb="sm" role="status">
          {t("webhooks.testSent", { name: items.find((w) => w.id === tested)?.name ?? "" })}{" "}
          <Anchor component={Link} to={`/webhooks/${tested}`}>
            {t("webhooks.seeLog")}
          </Anchor>
        </Text>
      )}
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={820}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("webhooks.name")}</Table.Th>
                <Table.Th>{t("webhooks.url")}</Table.Th>
                <Table.Th>{t("webhooks.eventTypes")}</Table.Th>
                <Table.Th>{t("webhooks.organization")}</Table.Th>
                <Table.Th>{t("webhooks.enabled")}</Table.Th>
                {writable && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((w) => (
                <Table.Tr key={w.id} data-testid="webhook-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/webhooks/${w.id}`}>
                      {w.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: "anywhere" }}>{w.url}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {w.eventTypes.map((e) => (
                        <Badge key={e} size="xs" variant="light">
                          {e}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{orgName(w.organizationId)}</Table.Td>
                  <Table.Td>
                    <Switch
                      checked={w.enabled}
                      disabled={!writable || (toggle.isPending && toggle.variables?.id === w.id)}
                      aria-label={t("webhooks.enabledNamed", { name: w.name })}
                      onChange={() => toggle.mutate(w)}
                    />
                  </Table.Td>
                  {writable && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap" justify="flex-end">
                        <Button
                          size="xs"
                          variant="subtle"
                          loading={test.isPending && test.variables === w.id}
                          onClick={() => test.mutate(w.id, { onSuccess: () => setTested(w.id) })}
                          aria-label={t("webhooks.testNamed", { name: w.name })}
                        >
                          {t("webhooks.test")}
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          onClick={() => openForm(w)}
                          aria-label={t("webhooks.editNamed", { name: w.name })}
                        >
                          {t("common.edit")}
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: list.isSuccess, items }} colSpan={6} text={t("webhooks.none")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Modal
        opened={form.opened}
        onClose={closeForm}
        title={form.webhook ? t("webhooks.edit") : t("webhooks.new")}
        size="lg"
      >
        <WebhookForm key={form.key} webhook={form.webhook} onDone={closeForm} onCreated={setCreated} />
      </Modal>
    </>
  );
}
