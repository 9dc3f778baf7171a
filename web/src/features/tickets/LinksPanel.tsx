import { ActionIcon, Anchor, Badge, Button, Card, Group, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "./ActionAlert";
import {
  type LinkKind,
  linkKinds,
  type Status,
  statusColor,
  type Ticket,
  ticketByNumber,
  UnknownTicketNumber,
} from "./model";

/** Links from this ticket to others: related, duplicate, parent/child. Staff add them by ticket number. */
export function LinksPanel({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const client = useQueryClient();
  const writable = can("tickets", "write") && isStaff(user.role);
  const [kind, setKind] = useState<LinkKind>("related");
  const [number, setNumber] = useState("");
  const key = ["tickets", ticket.id, "links"];
  const links = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/tickets/{id}/links", { params: { path: { id: ticket.id } }, signal })).items,
  });
  const add = useMutation({
    mutationFn: async () => {
      const other = await ticketByNumber(number);
      if (!other) throw new UnknownTicketNumber(t("tickets.links.unknownNumber", { number: number.trim() }));
      return unwrap(
        await api.POST("/api/v1/tickets/{id}/links", {
          params: { path: { id: ticket.id } },
          body: { ticketId: other.id, kind },
        }),
      ).items;
    },
    onSuccess: (items) => {
      setNumber("");
      client.setQueryData(key, items);
      void client.invalidateQueries({ queryKey: ["tickets", ticket.id, "timeline"] });
    },
  });
  const remove = useMutation({
    mutationFn: async (linkId: string) =>
      unwrap(await api.DELETE("/api/v1/tickets/{id}/links/{linkId}", { params: { path: { id: ticket.id, linkId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const errors = fieldErrors(add.error);
  const numberError = add.error instanceof UnknownTicketNumber ? add.error.message : (errors["/ticketId"] ?? undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="ticket-links-title">
      <Stack gap="sm">
        <Title order={3} size="h5" id="ticket-links-title">
          {t("tickets.links.title")}
        </Title>
        <ProblemAlert error={links.error} />
        {links.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("tickets.links.none")}
          </Text>
        )}
        {links.data?.map((link) => (
          <Group key={link.id} gap="xs" wrap="nowrap" justify="space-between" data-testid="ticket-link">
            <Stack gap={0}>
              <Text size="xs" c="dimmed">
                {t(`tickets.links.kinds.${link.kind}`)}
              </Text>
              <Group gap={6} wrap="nowrap">
                <Anchor component={Link} to={`/tickets/${link.ticketId}`} size="sm">
                  #{link.number} {link.subject}
                </Anchor>
                <Badge size="xs" variant="light" color={statusColor[link.status] ?? "gray"}>
                  {t(`tickets.statuses.${link.status as Status}`, { defaultValue: link.status })}
                </Badge>
              </Group>
            </Stack>
            {writable && (
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t("tickets.links.remove", { number: link.number })}
                loading={remove.isPending && remove.variables === link.id}
                onClick={() => remove.mutate(link.id)}
              >
                ×
              </ActionIcon>
            )}
          </Group>
        ))}
        <ActionAlert error={remove.error} />
        {writable && (
          <form onSubmit={submit} noValidate>
            <Stack gap="xs">
              {!(add.error instanceof UnknownTicketNumber) && (
                <ActionAlert error={add.error} shown={["/ticketId", "/kind"]} conflict={t("tickets.links.already")} />
              )}
              <Select
                label={t("tickets.links.kind")}
                allowDeselect={false}
                data={linkKinds.map((k) => ({ value: k, label: t(`tickets.links.kinds.${k}`) }))}
                value={kind}
                error={errors["/kind"]}
                onChange={(v) => v && setKind(v as LinkKind)}
              />
              <TextInput
                label={t("tickets.links.number")}
                placeholder="#123"
                value={number}
                error={numberError}
                onChange={(e) => setNumber(e.currentTarget.value)}
              />
              <Button type="submit" variant="light" loading={add.isPending} disabled={!number.trim()}>
                {t("tickets.links.add")}
              </Button>
            </Stack>
          </form>
        )}
      </Stack>
    </Card>
  );
}
