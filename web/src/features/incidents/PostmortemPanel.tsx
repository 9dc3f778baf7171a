import { Anchor, Button, Card, Checkbox, Group, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import type { Postmortem } from "./model";

const sections = ["summary", "impact", "timeline", "rootCause", "wentWell", "wentBadly"] as const;
type Section = (typeof sections)[number];

/** The postmortem editor and its action items, tracked to done; each can become a ticket. */
export function PostmortemPanel({ incidentId, writable }: { incidentId: string; writable: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const key = ["incidents", "postmortem", incidentId];
  const query = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/incidents/{id}/postmortem", { params: { path: { id: incidentId } }, signal })),
  });
  const [draft, setDraft] = useState<Record<Section, string> | null>(null);
  const [item, setItem] = useState("");
  useEffect(() => {
    if (query.data && !draft) setDraft(Object.fromEntries(sections.map((s) => [s, query.data[s]])) as never);
  }, [query.data, draft]);
  const refresh = () => client.invalidateQueries({ queryKey: key });
  const save = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.PUT("/api/v1/incidents/{id}/postmortem", {
          params: { path: { id: incidentId } },
          body: draft as Record<Section, string>,
        }),
      ),
    onSuccess: (pm: Postmortem) => client.setQueryData(key, pm),
  });
  const add = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/incidents/{id}/action-items", {
          params: { path: { id: incidentId } },
          body: { title: item },
        }),
      ),
    onSuccess: async () => {
      setItem("");
      await refresh();
    },
  });
  const done = useMutation({
    mutationFn: async (v: { itemId: string; done: boolean }) =>
      unwrap(
        await api.PATCH("/api/v1/incidents/{id}/action-items/{itemId}", {
          params: { path: { id: incidentId, itemId: v.itemId } },
          body: { done: v.done },
        }),
      ),
    onSuccess: refresh,
  });
  const toTicket = useMutation({
    mutationFn: async (itemId: string) =>
      unwrap(
        await api.POST("/api/v1/incidents/{id}/action-items/{itemId}/ticket", {
          params: { path: { id: incidentId, itemId } },
        }),
      ),
    onSuccess: refresh,
  });
  const pm = query.data;
  return (
    <Card withBorder radius="md">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5">
          {t("incidents.postmortem.title")}
        </Title>
        {pm?.updatedAt && (
          <Text size="xs" c="dimmed">
            {t("incidents.postmortem.savedAt", { at: format.dateTime(pm.updatedAt) })}
          </Text>
        )}
      </Group>
      <ProblemAlert error={query.error} />
      {draft && (
        <Stack gap="xs">
          {sections.map((s) => (
            <Textarea
              key={s}
              label={t(`incidents.postmortem.${s}`)}
              autosize
              minRows={2}
              readOnly={!writable}
              value={draft[s]}
              onChange={(e) => setDraft({ ...draft, [s]: e.currentTarget.value })}
            />
          ))}
          <ProblemAlert error={save.error} />
          {writable && (
            <Group justify="flex-end">
              <Button onClick={() => save.mutate()} loading={save.isPending}>
                {t("incidents.postmortem.save")}
              </Button>
            </Group>
          )}
        </Stack>
      )}
      <Title order={3} size="h6" mt="md" mb="xs">
        {t("incidents.postmortem.actionItems")}
      </Title>
      <Stack gap={6}>
        {pm?.actionItems.map((a) => (
          <Group key={a.id} justify="space-between" wrap="nowrap">
            <Checkbox
              label={a.title}
              checked={Boolean(a.doneAt)}
              disabled={!writable}
              onChange={(e) => done.mutate({ itemId: a.id, done: e.currentTarget.checked })}
            />
            {a.ticketId ? (
              <Anchor component={Link} to={`/tickets/${a.ticketId}`} size="sm">
                {t("incidents.postmortem.openTicket")}
              </Anchor>
            ) : (
              writable && (
                <Button
                  size="compact-xs"
                  variant="default"
                  loading={toTicket.isPending && toTicket.variables === a.id}
                  onClick={() => toTicket.mutate(a.id)}
                >
                  {t("incidents.postmortem.makeTicket")}
                </Button>
              )
            )}
          </Group>
        ))}
        {pm && !pm.actionItems.length && (
          <Text size="sm" c="dimmed">
            {t("incidents.postmortem.noItems")}
          </Text>
        )}
      </Stack>
      {writable && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (item.trim()) add.mutate();
          }}
        >
          <Group mt="sm" align="flex-end" wrap="nowrap">
            <TextInput
              label={t("incidents.postmortem.newItem")}
              value={item}
              onChange={(e) => setItem(e.currentTarget.value)}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default" loading={add.isPending} disabled={!item.trim()}>
              {t("incidents.postmortem.add")}
            </Button>
          </Group>
        </form>
      )}
      <ProblemAlert error={add.error ?? done.error ?? toTicket.error} />
    </Card>
  );
}
