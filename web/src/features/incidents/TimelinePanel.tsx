import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { ticketByNumber } from "../tickets/model";
import type { IncidentDetail } from "./model";

/** Internal notes, public updates and system entries, oldest first, with a box to add one. */
export function TimelinePanel({ incident, writable }: { incident: IncidentDetail; writable: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [body, setBody] = useState("");
  const [visibility, setVisibility] = useState<"internal" | "public">("internal");
  const updates = useQuery({
    queryKey: ["incidents", "updates", incident.id],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/incidents/{id}/updates", {
          params: { path: { id: incident.id }, query: { limit: 500 } },
          signal,
        }),
      ).items,
  });
  const add = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/incidents/{id}/updates", {
          params: { path: { id: incident.id } },
          body: { body, visibility },
        }),
      ),
    onSuccess: async () => {
      setBody("");
      await client.invalidateQueries({ queryKey: ["incidents", "updates", incident.id] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (body.trim()) add.mutate();
  };
  const entries = [
    ...incident.history.map((h) => ({
      key: `s${h.enteredAt}${h.stage}`,
      at: h.enteredAt,
      kind: "stage" as const,
      text: t("incidents.enteredStage", { stage: t(`incidents.stages.${h.stage as "diagnosis"}`) }),
      extra: h.reason,
    })),
    ...(updates.data ?? []).map((u) => ({
      key: u.id,
      at: u.createdAt,
      kind: u.visibility === "public" ? ("public" as const) : ("internal" as const),
      text: u.body,
      extra: null,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Card withBorder radius="md">
      <Title order={2} size="h5" mb="sm">
        {t("incidents.timeline")}
      </Title>
      <ProblemAlert error={updates.error} />
      <Timeline bulletSize={14} lineWidth={2}>
        {entries.map((e) => (
          <Timeline.Item
            key={e.key}
            color={e.kind === "public" ? "blue" : e.kind === "stage" ? "grape" : "gray"}
            title={
              <Group gap={6}>
                <Text size="xs" c="dimmed">
                  {format.dateTime(e.at)}
                </Text>
                {e.kind !== "stage" && (
                  <Badge size="xs" variant="light" color={e.kind === "public" ? "blue" : "gray"}>
                    {t(`incidents.visibility.${e.kind}`)}
                  </Badge>
                )}
              </Group>
            }
          >
            <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {e.text}
            </Text>
            {e.extra && (
              <Text size="xs" c="dimmed">
                {t("incidents.reasonWas", { reason: e.extra })}
              </Text>
            )}
          </Timeline.Item>
        ))}
      </Timeline>
      {writable && (
        <form onSubmit={submit}>
          <Stack gap="xs" mt="md">
            <SegmentedControl
              value={visibility}
              onChange={(v) => setVisibility(v as "internal" | "public")}
              data={[
                { value: "internal", label: t("incidents.visibility.internal") },
                { value: "public", label: t("incidents.visibility.public") },
              ]}
              w="fit-content"
            />
            <Textarea
              aria-label={t("incidents.addUpdate")}
              placeholder={
                visibility === "public" ? t("incidents.publicPlaceholder") : t("incidents.internalPlaceholder")
              }
              autosize
              minRows={2}
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
            />
            <ProblemAlert error={add.error} />
            <Group justify="flex-end">
              <Button type="submit" loading={add.isPending} disabled={!body.trim()}>
                {t("incidents.addUpdate")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Card>
  );
}

/** Tickets linked to the incident: customers' reports, resolved with the public update when it resolves. */
export function TicketsPanel({ incident, writable }: { incident: IncidentDetail; writable: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [number, setNumber] = useState("");
  const [unknown, setUnknown] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: ["incidents"] });
  const link = useMutation({
    mutationFn: async () => {
      const ticket = await ticketByNumber(number);
      if (!ticket) {
        setUnknown(true);
        return null;
      }
      return unwrap(
        await api.POST("/api/v1/incidents/{id}/tickets", {
          params: { path: { id: incident.id } },
          body: { ticketId: ticket.id },
        }),
      );
    },
    onSuccess: async (done) => {
      if (done) setNumber("");
      await refresh();
    },
  });
  const unlink = useMutation({
    mutationFn: async (ticketId: string) =>
      unwrap(
        await api.DELETE("/api/v1/incidents/{id}/tickets/{ticketId}", {
          params: { path: { id: incident.id, ticketId } },
        }),
      ),
    onSuccess: refresh,
  });
  return (
    <Card withBorder radius="md">
      <Title order={2} size="h5" mb="xs">
        {t("incidents.linkedTickets")}
      </Title>
      <Stack gap={6}>
        {incident.tickets.map((l) => (
          <Group key={l.ticketId} justify="space-between" wrap="nowrap">
            <Anchor component={Link} to={`/tickets/${l.ticketId}`} size="sm">
              {t("incidents.ticketLink", { id: l.ticketId.slice(0, 8) })}
            </Anchor>
            <Group gap={4} wrap="nowrap">
              {l.resolvedAt && (
                <Badge size="xs" color="green" variant="light" title={format.dateTime(l.resolvedAt)}>
                  {t("incidents.ticketResolved")}
                </Badge>
              )}
              {writable && (
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={t("incidents.unlink")}
                  onClick={() => unlink.mutate(l.ticketId)}
                >
                  ×
                </ActionIcon>
              )}
            </Group>
          </Group>
        ))}
        {!incident.tickets.length && (
          <Text size="sm" c="dimmed">
            {t("incidents.noTickets")}
          </Text>
        )}
      </Stack>
      {writable && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setUnknown(false);
            link.mutate();
          }}
        >
          <Group mt="sm" align="flex-end" wrap="nowrap">
            <TextInput
              label={t("incidents.ticketNumber")}
              placeholder="#123"
              value={number}
              onChange={(e) => setNumber(e.currentTarget.value)}
              error={unknown ? t("incidents.unknownTicket") : undefined}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default" loading={link.isPending} disabled={!number.trim()}>
              {t("incidents.link")}
            </Button>
          </Group>
        </form>
      )}
      <ProblemAlert error={link.error ?? unlink.error} />
    </Card>
  );
}
