import { Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";

const statusColor: Record<string, string> = { ringing: "blue", answered: "green", completed: "gray", missed: "red" };

/** A ticket's calls (staff): each call's status and time, a missed call's callback, and click-to-call. */
export function CallsPanel({ ticketId, closed }: { ticketId: string; closed: boolean }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const writable = can("tickets", "write") && !closed;
  const { dateTime } = useFormat();
  const client = useQueryClient();
  const key = ["calls", { ticketId }];
  const calls = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/calls", { params: { query: { ticketId, limit: 20 } }, signal })).items,
  });
  const refresh = () => client.invalidateQueries({ queryKey: key });
  const dial = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/tickets/{id}/calls", { params: { path: { id: ticketId } }, body: {} })),
    onSuccess: refresh,
  });
  const done = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/calls/{id}/callback/complete", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const items = calls.data ?? [];
  return (
    <Card withBorder data-testid="calls-panel">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {t("telephony.calls")}
        </Title>
        {writable && (
          <Button size="compact-sm" variant="light" loading={dial.isPending} onClick={() => dial.mutate()}>
            {t("telephony.call")}
          </Button>
        )}
      </Group>
      {dial.error && <ProblemAlert error={dial.error} />}
      {done.error && <ProblemAlert error={done.error} />}
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("telephony.noCalls")}
        </Text>
      ) : (
        <Stack gap="xs">
          {items.map((c) => (
            <Stack key={c.id} gap={2} data-testid="ticket-call">
              <Group gap="xs" wrap="nowrap">
                <Badge size="sm" color={statusColor[c.status] ?? "gray"}>
                  {t(`telephony.status.${c.status as "ringing" | "answered" | "completed" | "missed"}`)}
                </Badge>
                <Text size="sm">{c.direction === "outbound" ? c.to : c.from}</Text>
              </Group>
              <Text size="xs" c="dimmed">
                {dateTime(c.ringingAt ?? c.createdAt)}
              </Text>
              {c.callback && (
                <Group gap="xs" data-testid="callback-task">
                  <Badge size="sm" variant="outline" color={c.callback.status === "done" ? "gray" : "orange"}>
                    {t(`telephony.callback.${c.callback.status as "pending" | "overdue" | "done"}`)}
                  </Badge>
                  {c.callback.status !== "done" && (
                    <>
                      <Text size="xs">{t("telephony.callbackDue", { at: dateTime(c.callback.dueAt) })}</Text>
                      {writable && (
                        <Button size="compact-xs" variant="subtle" onClick={() => done.mutate(c.id)}>
                          {t("telephony.callbackDone")}
                        </Button>
                      )}
                    </>
                  )}
                </Group>
              )}
            </Stack>
          ))}
        </Stack>
      )}
    </Card>
  );
}
