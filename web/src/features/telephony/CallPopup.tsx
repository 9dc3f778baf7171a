import { Anchor, Badge, Button, CloseButton, Group, Paper, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type EventOf, followEvents } from "../events/eventStream";

type Ringing = EventOf<"call.ringing">["payload"];

/**
 * The call pop-up of the staff shell: a call ringing this agent (the server sends `call.ringing` to the rung
 * agent alone) shows the caller, their organization and open tickets with links; it closes when the call is
 * answered elsewhere or hangs up (`call.ended`), or when dismissed.
 */
export function CallPopup() {
  const { t } = useTranslation();
  const [calls, setCalls] = useState<Ringing[]>([]);
  useEffect(
    () =>
      followEvents("/api/v1/events", {
        onEvent: (event) => {
          if (event.type === "call.ringing") {
            const call = event.payload;
            setCalls((list) => [call, ...list.filter((c) => c.callId !== call.callId)].slice(0, 3));
          } else if (event.type === "call.ended") {
            const { callId } = event.payload;
            setCalls((list) => list.filter((c) => c.callId !== callId));
          }
        },
        onState: () => {},
      }),
    [],
  );
  if (!calls.length) return null;
  const dismiss = (callId: string) => setCalls((list) => list.filter((c) => c.callId !== callId));
  return (
    <Stack gap="sm" pos="fixed" bottom={16} right={16} w={360} style={{ zIndex: 300 }}>
      {calls.map((call) => (
        <Paper
          key={call.callId}
          withBorder
          shadow="lg"
          p="md"
          role="alertdialog"
          aria-label={t("telephony.ringing")}
          data-testid="call-popup"
        >
          <Group justify="space-between" wrap="nowrap" mb="xs">
            <Group gap="xs" wrap="nowrap">
              <Badge color="green" variant="filled">
                {t("telephony.ringing")}
              </Badge>
              {call.queue && (
                <Text size="xs" c="dimmed">
                  {t("telephony.queue", { queue: call.queue })}
                </Text>
              )}
            </Group>
            <CloseButton aria-label={t("telephony.dismiss")} onClick={() => dismiss(call.callId)} />
          </Group>
          <Text fw={600} data-testid="call-popup-caller">
            {call.contactName ?? call.from}
          </Text>
          {call.contactName && (
            <Text size="sm" c="dimmed">
              {call.from}
            </Text>
          )}
          <Text size="sm" mb="xs" data-testid="call-popup-organization">
            {call.organizationName ?? t("telephony.unknownCaller")}
          </Text>
          {call.organizationId &&
            (call.tickets.length ? (
              <Stack gap={4}>
                <Text size="xs" fw={600} c="dimmed">
                  {t("telephony.openTickets", { count: call.tickets.length })}
                </Text>
                {call.tickets.map((ticket) => (
                  <Anchor
                    key={ticket.ticketId}
                    component={Link}
                    to={`/tickets/${ticket.ticketId}`}
                    size="sm"
                    lineClamp={1}
                    data-testid="call-popup-ticket"
                  >
                    #{ticket.number} {ticket.subject}
                  </Anchor>
                ))}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                {t("telephony.noOpenTickets")}
              </Text>
            ))}
          {call.organizationId && (
            <Button
              mt="sm"
              size="compact-sm"
              variant="light"
              component={Link}
              to={`/tickets?organization=${call.organizationId}`}
              onClick={() => dismiss(call.callId)}
            >
              {t("telephony.organizationTickets")}
            </Button>
          )}
        </Paper>
      ))}
    </Stack>
  );
}
