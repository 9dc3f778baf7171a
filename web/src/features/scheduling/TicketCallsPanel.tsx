import { Badge, Button, Card, Group, Modal, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { statusColour } from "./model";
import { SlotPicker } from "./SlotPicker";

/** On a ticket's page: its scheduled calls, and booking one on the customer's behalf. */
export function TicketCallsPanel({ ticket }: { ticket: { id: string; number: number; status: string } }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [open, setOpen] = useState(false);
  const calls = useQuery({
    queryKey: ["scheduled-calls", "list", "ticket", ticket.id],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/scheduled-calls", { params: { query: { ticketId: ticket.id, limit: 50 } }, signal }),
      ).items,
  });
  return (
    <Card withBorder radius="md" padding="sm">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {t("scheduling.panelTitle")}
        </Title>
        {ticket.status !== "closed" && (
          <Button size="xs" variant="light" onClick={() => setOpen(true)}>
            {t("scheduling.book")}
          </Button>
        )}
      </Group>
      <Stack gap={4}>
        {(calls.data ?? []).length === 0 && (
          <Text size="sm" c="dimmed">
            {t("scheduling.none")}
          </Text>
        )}
        {(calls.data ?? []).map((c) => (
          <Group key={c.id} gap={6} justify="space-between" wrap="nowrap">
            <Text size="sm">
              {f.deadline(c.startsAt)} · {c.engineer.name}
            </Text>
            <Badge size="sm" variant="light" color={statusColour[c.status]}>
              {t(`scheduling.statuses.${c.status}`)}
            </Badge>
          </Group>
        ))}
      </Stack>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title={t("scheduling.bookTitle", { number: ticket.number })}
        size="xl"
      >
        <SlotPicker ticketId={ticket.id} onDone={() => setOpen(false)} />
      </Modal>
    </Card>
  );
}
