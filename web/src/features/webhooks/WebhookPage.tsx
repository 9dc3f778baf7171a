import {
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import {
  type Delivery,
  type DeliveryStatus,
  deliveryColor,
  deliveryStatuses,
  redeliverable,
  type Webhook,
  type WebhookWithSecret,
} from "./model";
import { SecretOnce } from "./SecretOnce";
import { WebhookForm } from "./WebhookForm";
import { useTestWebhook, useToggleWebhook } from "./WebhooksPage";

/** How often the log refreshes while a delivery is still to be tried now, and while one waits for a retry. */
const PENDING_REFRESH_MS = 1_500;
const RETRY_REFRESH_MS = 15_000;

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const format = useFormat();
  const client = useQueryClient();
  const [status, setStatus] = useState<DeliveryStatus | null>(null);
  const [refresh, setRefresh] = useState<number | false>(false);
  const list = usePagedList(
    ["webhooks", webhook.id, "deliveries", status],
    async (cursor, signal) =>
      unwrap(
        await api.GET("/api/v1/webhooks/{id}/deliveries", {
          params: { path: { id: webhook.id }, query: { cursor, status: status ?? undefined, limit: 50 } },
          signal,
        }),
      ),
    { refetchInterval: refresh },
  );
  // Deliveries move on their own (the job queue sends them): follow them while any is still moving.
  useEffect(() => {
    const moving = (s: DeliveryStatus) => list.items.some((d) => d.status === s);
    setRefresh(moving("pending") ? PENDING_REFRESH_MS : moving("failed") ? RETRY_REFRESH_MS : false);
  }, [list.items]);
  const retry = useMutation({
    mutationFn: async (d: Delivery) =>
      unwrap(
        await api.POST("/api/v1/webhooks/{id}/deliveries/{deliveryId}/retry", {
          params: { path: { id: webhook.id, deliveryId: d.id } },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["webhooks", webhook.id, "deliveries"] }),
  });
  const writable = can("webhooks", "write");
  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby="delivery-log-title">
      <Group justify="space-between" p="md" pb="xs">
        <Title order={3} size="h4" id="delivery-log-title">
          {t("webhooks.deliveries.title")}
        </Title>
        <Select
          aria-label={t("webhooks.deliveries.statusFilter")}
          placeholder={t("webhooks.deliveries.allStatuses")}
          clearable
          w={200}
          data={deliveryStatuses.map((s) => ({ value: s, label: t(`webhooks.deliveries.statuses.${s}`) }))}
          value={status}
          onChange={(v) => setStatus(v as DeliveryStatus | null)}
        />
      </Group>
      <ProblemAlert error={list.error} />
      <ActionAlert error={retry.error} conflict={t("webhooks.deliveries.notRedeliverable")} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("webhooks.deliveries.at")}</Table.Th>
              <Table.Th>{t("webhooks.deliveries.event")}</Table.Th>
              <Table.Th>{t("webhooks.deliveries.status")}</Table.Th>
              <Table.Th>{t("webhooks.deliveries.attempts")}</Table.Th>
              <Table.Th>{t("webhooks.deliveries.answer")}</Table.Th>
              <Table.Th>{t("webhooks.deliveries.nextAttempt")}</Table.Th>
              {writable && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.map((d) => (
              <Table.Tr key={d.id} data-testid="delivery-row" data-status={d.status}>
                <Table.Td>{format.dateTime(d.createdAt)}</Table.Td>
                <Table.Td>
                  <Code>{d.eventType}</Code>
                  <Text size="xs" c="dimmed">
                    {t("webhooks.deliveries.eventId", { id: d.eventId })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={deliveryColor[d.status]} variant="light">
                    {t(`webhooks.deliveries.statuses.${d.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td data-testid="delivery-attempts">{d.attempts}</Table.Td>
                <Table.Td style={{ maxWidth: 320 }}>
                  <Text size="sm" data-testid="delivery-answer">
                    {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : "—"}
                    {d.responseMs !== null ? ` · ${d.responseMs} ms` : ""}
                  </Text>
                  {d.lastError && (
                    <Text size="xs" c="red" style={{ overflowWrap: "anywhere" }} data-testid="delivery-error">
                      {d.lastError}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{d.nextAttemptAt ? format.dateTime(d.nextAttemptAt) : "—"}</Table.Td>
                {writable && (
                  <Table.Td>
                    {redeliverable(d) && (
                      <Button
                        size="xs"
                        variant="subtle"
                        loading={retry.isPending && retry.variables?.id === d.id}
                        onClick={() => retry.mutate(d)}
                        aria-label={t("webhooks.deliveries.redeliverNamed", { event: d.eventType, id: d.eventId })}
                      >
                        {t("webhooks.deliveries.redeliver")}
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
            <EmptyRow list={list} colSpan={7} text={t("webhooks.deliveries.none")} />
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <PagedFooter {...list} />
    </Card>
  );
}

export function WebhookPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { can } = useAuth();
  const format = useFormat();
  const navigate = useNavigate();
  const client = useQueryClient();
  const writable = can("webhooks", "write");
  const [editing, setEditing] = useState(false);
  // Rotating and deleting break the receiver at once, so both ask first.
  const [confirming, setConfirming] = useState<"rotate" | "delete" | null>(null);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const webhook = useQuery({
    queryKey: ["webhooks", id],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/webhooks/{id}", { params: { path: { id } }, signal })),
  });
  const toggle = useToggleWebhook();
  const test = useTestWebhook();
  const rotate = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/webhooks/{id}/rotate-secret", { params: { path: { id } } })),
    onSuccess: (rotated) => {
      setConfirming(null);
      setSecret(rotated);
    },
  });
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      client.removeQueries({ queryKey: ["webhooks", id] });
      void client.invalidateQueries({ queryKey: ["webhooks"] });
      void navigate("/webhooks");
    },
  });
  if (webhook.isPending) return <Loader aria-label={t("common.loading")} />;
  if (webhook.isError) return <ProblemAlert error={webhook.error} />;
  const w = webhook.data;
  return (
    <>
      <PageHeader title={w.name} subtitle={w.url}>
        <Group gap="xs">
          <Anchor component={Link} to="/webhooks" size="sm">
            {t("webhooks.back")}
          </Anchor>
          {w.eventTypes.map((e) => (
            <Badge key={e} size="sm" variant="light">
              {e}
            </Badge>
          ))}
          <Text size="xs" c="dimmed">
            {t("webhooks.updated", { at: format.dateTime(w.updatedAt) })}
          </Text>
        </Group>
      </PageHeader>
      {secret && <SecretOnce name={secret.name} secret={secret.secret} onClose={() => setSecret(null)} />}
      <Stack gap="md">
        {writable && (
          <Card withBorder padding="md" radius="md">
            <Stack gap="sm">
              <ActionAlert error={toggle.error ?? test.error} />
              <Group gap="sm">
                <Switch
                  label={t("webhooks.enabled")}
                  checked={w.enabled}
                  disabled={toggle.isPending}
                  onChange={() => toggle.mutate(w)}
                />
                <Button variant="light" loading={test.isPending} onClick={() => test.mutate(w.id)}>
                  {t("webhooks.test")}
                </Button>
                <Button variant="default" onClick={() => setEditing(true)}>
                  {t("common.edit")}
                </Button>
                <Button variant="default" onClick={() => setConfirming("rotate")}>
                  {t("webhooks.rotate")}
                </Button>
                <Button variant="subtle" color="red" onClick={() => setConfirming("delete")}>
                  {t("webhooks.delete")}
                </Button>
              </Group>
            </Stack>
          </Card>
        )}
        <DeliveryLog webhook={w} />
      </Stack>
      <Modal opened={editing} onClose={() => setEditing(false)} title={t("webhooks.edit")} size="lg">
        {editing && <WebhookForm webhook={w} onDone={() => setEditing(false)} />}
      </Modal>
      <Modal
        opened={confirming !== null}
        onClose={() => setConfirming(null)}
        title={confirming === "rotate" ? t("webhooks.rotate") : t("webhooks.delete")}
      >
        <Stack gap="sm">
          <ActionAlert error={confirming === "rotate" ? rotate.error : remove.error} />
          <Text size="sm">
            {confirming === "rotate"
              ? t("webhooks.rotateConfirm", { name: w.name })
              : t("webhooks.deleteConfirm", { name: w.name })}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(null)}>
              {t("common.cancel")}
            </Button>
            <Button
              color={confirming === "rotate" ? "orange" : "red"}
              loading={rotate.isPending || remove.isPending}
              onClick={() => (confirming === "rotate" ? rotate.mutate() : remove.mutate())}
            >
              {confirming === "rotate" ? t("webhooks.rotate") : t("webhooks.delete")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
