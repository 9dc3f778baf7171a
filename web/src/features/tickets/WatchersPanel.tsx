import { ActionIcon, Button, Card, Group, Select, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "./ActionAlert";
import { staffUsers, type Ticket } from "./model";

/** Who is mailed about the ticket's replies and status changes. Anyone watches it; staff add and remove others. */
export function WatchersPanel({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const client = useQueryClient();
  const writable = can("tickets", "write");
  const staff = isStaff(user.role);
  const [chosen, setChosen] = useState<string | null>(null);
  const key = ["tickets", ticket.id, "watchers"];
  const watchers = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/tickets/{id}/watchers", { params: { path: { id: ticket.id } }, signal })).items,
  });
  const people = useQuery({
    queryKey: ["users", "staff"],
    queryFn: ({ signal }) => staffUsers(signal),
    enabled: staff && writable,
  });
  const watch = useMutation({
    mutationFn: async (userId?: string) =>
      unwrap(
        await api.POST("/api/v1/tickets/{id}/watchers", {
          params: { path: { id: ticket.id } },
          body: userId ? { userId } : {},
        }),
      ).items,
    onSuccess: (items) => {
      setChosen(null);
      client.setQueryData(key, items);
    },
  });
  const unwatch = useMutation({
    mutationFn: async (userId: string) =>
      unwrap(
        await api.DELETE("/api/v1/tickets/{id}/watchers/{userId}", { params: { path: { id: ticket.id, userId } } }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const list = watchers.data ?? [];
  const watching = list.some((w) => w.userId === user.id);
  const errors = fieldErrors(watch.error);
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) watch.mutate(chosen);
  };
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="ticket-watchers-title">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={3} size="h5" id="ticket-watchers-title">
            {t("tickets.watchers.title")}
          </Title>
          {writable && watchers.isSuccess && (
            <Button
              size="xs"
              variant={watching ? "default" : "light"}
              loading={(watch.isPending && !watch.variables) || (unwatch.isPending && unwatch.variables === user.id)}
              onClick={() => (watching ? unwatch.mutate(user.id) : watch.mutate(undefined))}
            >
              {watching ? t("tickets.watchers.unwatch") : t("tickets.watchers.watch")}
            </Button>
          )}
        </Group>
        <ProblemAlert error={watchers.error} />
        <ActionAlert error={watch.error ?? unwatch.error} shown={chosen ? ["/userId"] : []} />
        {watchers.isSuccess && list.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("tickets.watchers.none")}
          </Text>
        )}
        {list.map((w) => (
          <Group key={w.userId} justify="space-between" wrap="nowrap" gap="xs" data-testid="ticket-watcher">
            <Stack gap={0}>
              <Text size="sm">
                {w.name}
                {w.userId === user.id ? ` (${t("tickets.watchers.you")})` : ""}
              </Text>
              <Text size="xs" c="dimmed">
                {w.email}
              </Text>
            </Stack>
            {writable && staff && w.userId !== user.id && (
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t("tickets.watchers.remove", { name: w.name })}
                loading={unwatch.isPending && unwatch.variables === w.userId}
                onClick={() => unwatch.mutate(w.userId)}
              >
                ×
              </ActionIcon>
            )}
          </Group>
        ))}
        {writable && staff && (
          <form onSubmit={add} noValidate>
            <Group gap="xs" align="flex-end" wrap="nowrap">
              <Select
                label={t("tickets.watchers.add")}
                searchable
                clearable
                style={{ flex: 1 }}
                data={(people.data ?? [])
                  .filter((u) => !list.some((w) => w.userId === u.id))
                  .map((u) => ({ value: u.id, label: u.name }))}
                value={chosen}
                error={chosen ? errors["/userId"] : undefined}
                onChange={setChosen}
              />
              <Button type="submit" variant="light" disabled={!chosen} loading={watch.isPending && !!watch.variables}>
                {t("tickets.watchers.addButton")}
              </Button>
            </Group>
          </form>
        )}
      </Stack>
    </Card>
  );
}
