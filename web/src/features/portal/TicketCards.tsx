import { Anchor, Badge, Card, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useFormat } from "../../shell/format";
import { severityColor, statusColor } from "../tickets/model";
import { type CustomerPromise, type PortalTicket, promiseColor } from "./model";

/** A promise of the customer SLA: when it is due, and whether it was kept. */
export function PromiseLine({ label, promise }: { label: string; promise: CustomerPromise | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!promise) return null;
  return (
    <Group gap={6} wrap="wrap" data-testid="promise">
      <Text size="sm" c="dimmed">
        {label}:
      </Text>
      <Text size="sm">
        {promise.status === "met"
          ? t("portal.promise.metAt", { at: format.deadline(promise.at) })
          : t("portal.promise.dueBy", { at: format.deadline(promise.dueAt) })}
      </Text>
      <Badge size="sm" variant="light" color={promiseColor[promise.status]}>
        {t(`portal.promise.status.${promise.status}`)}
      </Badge>
    </Group>
  );
}

export function TicketBadges({ ticket }: { ticket: Pick<PortalTicket, "status" | "severity"> }) {
  const { t } = useTranslation();
  return (
    <Group gap={6}>
      <Badge color={statusColor[ticket.status] ?? "gray"} variant="light">
        {t(`tickets.statuses.${ticket.status as "new"}`, { defaultValue: ticket.status })}
      </Badge>
      <Badge color={severityColor[ticket.severity] ?? "gray"}>
        {t(`tickets.severities.${ticket.severity as "low"}`, { defaultValue: ticket.severity })}
      </Badge>
    </Group>
  );
}

/** Tickets as cards, readable on a phone as on a desktop. */
export function TicketCards({ tickets, empty }: { tickets: readonly PortalTicket[]; empty: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!tickets.length)
    return (
      <Text c="dimmed" py="md">
        {empty}
      </Text>
    );
  return (
    <Stack gap="sm">
      {tickets.map((ticket) => (
        <Card key={ticket.number} withBorder padding="sm" radius="md" data-testid="portal-ticket">
          <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
            <div style={{ minWidth: 0, flex: "1 1 240px" }}>
              <Anchor component={Link} to={`/portal/tickets/${ticket.number}`} fw={600}>
                #{ticket.number} {ticket.subject}
              </Anchor>
              <Text size="xs" c="dimmed">
                {t(`tickets.types.${ticket.type as "bug"}`, { defaultValue: ticket.type })} ·{" "}
                {t("portal.openedBy", { name: ticket.requesterName, at: format.dateTime(ticket.createdAt) })}
              </Text>
            </div>
            <TicketBadges ticket={ticket} />
          </Group>
          {!["resolved", "closed"].includes(ticket.status) && (
            <Stack gap={2} mt={6}>
              <PromiseLine label={t("portal.promise.firstResponse")} promise={ticket.sla.firstResponse} />
              <PromiseLine label={t("portal.promise.resolution")} promise={ticket.sla.resolution} />
            </Stack>
          )}
        </Card>
      ))}
    </Stack>
  );
}
