import { Alert, Button, Card, Loader, Stack, Switch, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import type prefsPt from "./i18n/pt-BR.json";

type Item =
  paths["/api/v1/me/notification-preferences"]["get"]["responses"][200]["content"]["application/json"]["items"][number];
type Kind = keyof typeof prefsPt.kinds;

/** What a customer can receive; staff see every kind. */
const customerKinds = new Set([
  "ticket.received",
  "ticket.reply",
  "ticket.status",
  "ticket.waiting",
  "ticket.watch",
  "ticket.escalation",
]);
const channels = ["email", "in_app"] as const;

/** The user's choice of notifications: each event kind by channel (the link in every notification mail). */
export function PreferencesPage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const client = useQueryClient();
  const stored = useQuery({
    queryKey: ["me", "notification-preferences"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/me/notification-preferences", { signal })).items,
  });
  const [items, setItems] = useState<Item[]>([]);
  useEffect(() => {
    if (stored.data) setItems(stored.data);
  }, [stored.data]);
  const save = useMutation({
    mutationFn: async () => unwrap(await api.PUT("/api/v1/me/notification-preferences", { body: { items } })).items,
    onSuccess: (saved) => client.setQueryData(["me", "notification-preferences"], saved),
  });
  if (stored.isPending) return <Loader aria-label={t("common.loading")} />;
  if (stored.isError) return <ProblemAlert error={stored.error} />;
  const kinds = [...new Set(items.map((i) => i.kind))].filter((k) => isStaff(user.role) || customerKinds.has(k));
  const enabled = (kind: string, channel: string) =>
    items.find((i) => i.kind === kind && i.channel === channel)?.enabled ?? true;
  const toggle = (kind: Item["kind"], channel: Item["channel"], on: boolean) =>
    setItems((all) => all.map((i) => (i.kind === kind && i.channel === channel ? { ...i, enabled: on } : i)));
  return (
    <>
      <PageHeader title={t("notificationPrefs.title")} subtitle={t("notificationPrefs.subtitle")} />
      <Card withBorder padding="md" radius="md">
        <Stack gap="sm">
          {save.isError && <ProblemAlert error={save.error} />}
          {save.isSuccess && <Alert color="green">{t("notificationPrefs.saved")}</Alert>}
          <Table.ScrollContainer minWidth={320}>
            <Table data-testid="notification-preferences">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("notificationPrefs.kind")}</Table.Th>
                  {channels.map((c) => (
                    <Table.Th key={c}>{t(`notificationPrefs.channels.${c}`)}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {kinds.map((kind) => (
                  <Table.Tr key={kind}>
                    <Table.Td>
                      <Text size="sm">{t(`notificationPrefs.kinds.${kind as Kind}`, { defaultValue: kind })}</Text>
                    </Table.Td>
                    {channels.map((channel) => (
                      <Table.Td key={channel}>
                        <Switch
                          aria-label={`${t(`notificationPrefs.kinds.${kind as Kind}`, { defaultValue: kind })} — ${t(`notificationPrefs.channels.${channel}`)}`}
                          checked={enabled(kind, channel)}
                          onChange={(e) => toggle(kind as Item["kind"], channel, e.currentTarget.checked)}
                        />
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Button onClick={() => save.mutate()} loading={save.isPending} style={{ alignSelf: "flex-start" }}>
            {t("notificationPrefs.save")}
          </Button>
        </Stack>
      </Card>
    </>
  );
}
