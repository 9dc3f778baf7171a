import { Badge, Button, Card, Group, Modal, Stack, Table, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { type ScheduledCall, statusColour } from "./model";
import { SlotPicker } from "./SlotPicker";

/** Calls with reschedule and cancel while booked; staff also record the outcome once the time has come. */
export function CallsTable({
  items,
  staff,
  showTicket,
}: {
  items: ScheduledCall[];
  staff: boolean;
  showTicket: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const [moving, setMoving] = useState<ScheduledCall | null>(null);
  const [cancelling, setCancelling] = useState<ScheduledCall | null>(null);
  const [recording, setRecording] = useState<{ call: ScheduledCall; outcome: "held" | "no_show" } | null>(null);
  const [text, setText] = useState("");
  const refresh = () => void client.invalidateQueries({ queryKey: ["scheduled-calls"] });
  const cancel = useMutation({
    mutationFn: async (call: ScheduledCall) =>
      unwrap(
        await api.POST("/api/v1/scheduled-calls/{id}/cancel", {
          params: { path: { id: call.id } },
          body: text.trim() ? { reason: text.trim() } : {},
        }),
      ),
    onSuccess: () => setCancelling(null),
    onSettled: refresh,
  });
  const outcome = useMutation({
    mutationFn: async (r: { call: ScheduledCall; outcome: "held" | "no_show" }) =>
      unwrap(
        await api.POST("/api/v1/scheduled-calls/{id}/outcome", {
          params: { path: { id: r.call.id } },
          body: { outcome: r.outcome, ...(text.trim() ? { note: text.trim() } : {}) },
        }),
      ),
    onSuccess: () => setRecording(null),
    onSettled: () => {
      refresh();
      void client.invalidateQueries({ queryKey: ["ticket"] });
    },
  });
  const record = (call: ScheduledCall, o: "held" | "no_show") => {
    setText("");
    setRecording({ call, outcome: o });
  };
  const askCancel = (call: ScheduledCall) => {
    setText("");
    setCancelling(call);
  };
  const started = (c: ScheduledCall) => new Date(c.startsAt).getTime() <= Date.now();
  return (
    <>
      <ProblemAlert error={cancel.error ?? outcome.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("scheduling.when")}</Table.Th>
                {showTicket && <Table.Th>{t("scheduling.ticket")}</Table.Th>}
                <Table.Th>{t("scheduling.with")}</Table.Th>
                {staff && <Table.Th>{t("scheduling.attendee")}</Table.Th>}
                <Table.Th>{t("scheduling.status")}</Table.Th>
                <Table.Th>{t("scheduling.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text c="dimmed" size="sm">
                      {t("scheduling.none")}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {items.map((c) => (
                <Table.Tr key={c.id} data-testid="call-row">
                  <Table.Td>
                    <Text size="sm">{f.deadline(c.startsAt)}</Text>
                    <Text size="xs" c="dimmed">
                      {c.topic}
                    </Text>
                  </Table.Td>
                  {showTicket && <Table.Td>#{c.ticketNumber}</Table.Td>}
                  <Table.Td>{c.engineer.name}</Table.Td>
                  {staff && <Table.Td>{c.attendee.name}</Table.Td>}
                  <Table.Td>
                    <Badge color={statusColour[c.status]} variant="light">
                      {t(`scheduling.statuses.${c.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {c.status === "booked" && (
                      <Group gap={4} wrap="nowrap">
                        {staff && started(c) ? (
                          <>
                            <Button size="xs" color="green" onClick={() => record(c, "held")}>
                              {t("scheduling.held")}
                            </Button>
                            <Button size="xs" variant="default" onClick={() => record(c, "no_show")}>
                              {t("scheduling.noShow")}
                            </Button>
                          </>
                        ) : (
                          <Button size="xs" variant="default" onClick={() => setMoving(c)}>
                            {t("scheduling.reschedule")}
                          </Button>
                        )}
                        <Button size="xs" color="red" variant="subtle" onClick={() => askCancel(c)}>
                          {t("scheduling.cancel")}
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Modal opened={moving !== null} onClose={() => setMoving(null)} title={t("scheduling.rescheduleTitle")} size="xl">
        {moving && <SlotPicker moving={moving} onDone={() => setMoving(null)} />}
      </Modal>
      <Modal opened={cancelling !== null} onClose={() => setCancelling(null)} title={t("scheduling.cancel")}>
        <Stack>
          <Text>{t("scheduling.cancelConfirm")}</Text>
          <Textarea
            label={t("scheduling.cancelReason")}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setCancelling(null)}>
              {t("scheduling.keep")}
            </Button>
            <Button color="red" loading={cancel.isPending} onClick={() => cancelling && cancel.mutate(cancelling)}>
              {t("scheduling.cancel")}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={recording !== null} onClose={() => setRecording(null)} title={t("scheduling.outcomeTitle")}>
        <Stack>
          <Textarea
            label={t("scheduling.outcomeNote")}
            value={text}
            autosize
            minRows={3}
            onChange={(e) => setText(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button loading={outcome.isPending} onClick={() => recording && outcome.mutate(recording)}>
              {recording?.outcome === "held" ? t("scheduling.held") : t("scheduling.noShow")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
