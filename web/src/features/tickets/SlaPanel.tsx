import { Badge, Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { compactDuration, useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { type SlaClock, type Status, slaStatusColor, type Tier } from "./model";

/** How often the panel recomputes on its own, so "time left" keeps moving while nobody touches the ticket. */
const REFRESH_MS = 30_000;

function ClockCard({ clock }: { clock: SlaClock }) {
  const { t } = useTranslation();
  const format = useFormat();
  const time = compactDuration(clock.remainingBusinessMinutes);
  const counting = clock.status === "running" || clock.status === "paused";
  const outcome =
    clock.status === "breached"
      ? t("tickets.sla.late", { time })
      : clock.status === "fulfilled"
        ? t("tickets.sla.fulfilledAt", { at: format.deadline(clock.fulfilledAt) })
        : clock.status === "stopped"
          ? t("tickets.sla.stoppedAt", { at: format.deadline(clock.stoppedAt) })
          : t("tickets.sla.left", { time });
  return (
    <Card withBorder padding="sm" radius="md" data-testid="sla-clock" data-kind={clock.kind} data-status={clock.status}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text fw={600} size="sm">
          {t(`tickets.sla.kinds.${clock.kind}`)}
          {clock.tier ? ` · ${t(`tickets.tiers.${clock.tier as Tier}`, { defaultValue: clock.tier })}` : ""}
        </Text>
        <Badge size="sm" color={slaStatusColor[clock.status]}>
          {t(`tickets.sla.statuses.${clock.status}`)}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed">
        {t("tickets.sla.calendar")}: {clock.calendarName}
      </Text>
      <Text size="sm" mt={4}>
        {t("tickets.sla.target")}: {format.deadline(clock.targetAt)}
      </Text>
      <Text size="sm">
        {t("tickets.sla.breach")}: {format.deadline(clock.breachAt)}
      </Text>
      <Text
        size="sm"
        fw={counting || clock.status === "breached" ? 600 : undefined}
        c={clock.status === "breached" ? "red" : undefined}
      >
        {outcome}
      </Text>
      {clock.status === "breached" && clock.fulfilledAt && (
        <Text size="xs">{t("tickets.sla.fulfilledAt", { at: format.deadline(clock.fulfilledAt) })}</Text>
      )}
      <Text size="xs" c="dimmed">
        {t("tickets.sla.elapsed", { time: compactDuration(clock.elapsedBusinessMinutes) })}
      </Text>
      {clock.pauses.length > 0 && (
        <Stack gap={0} mt={4}>
          <Text size="xs" fw={600}>
            {t("tickets.sla.pauses")}
          </Text>
          {clock.pauses.map((p) => {
            const reason = t(`tickets.statuses.${p.reason as Status}`, { defaultValue: p.reason });
            return (
              <Text size="xs" key={p.from}>
                {p.to
                  ? t("tickets.sla.pauseSpan", { reason, from: format.deadline(p.from), to: format.deadline(p.to) })
                  : t("tickets.sla.pauseOngoing", { reason, from: format.deadline(p.from) })}
              </Text>
            );
          })}
        </Stack>
      )}
    </Card>
  );
}

/** The ticket's SLA clocks, recomputed when the ticket changes (its `updatedAt` is in the key) and every 30 s. */
export function SlaPanel({ ticketId, updatedAt }: { ticketId: string; updatedAt: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const sla = useQuery({
    queryKey: ["tickets", ticketId, "sla", updatedAt],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/tickets/{id}/sla", { params: { path: { id: ticketId } }, signal })),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-label={t("tickets.sla.title")}>
      <Title order={3} size="h5" mb="xs">
        {t("tickets.sla.title")}
      </Title>
      {sla.isPending ? (
        <Loader size="sm" aria-label={t("common.loading")} />
      ) : sla.isError ? (
        <ProblemAlert error={sla.error} />
      ) : (
        <Stack gap="xs">
          {sla.data.clocks.length === 0 && (
            <Text size="sm" c="dimmed">
              {t("tickets.sla.none")}
            </Text>
          )}
          {sla.data.clocks.map((c) => (
            <ClockCard key={`${c.kind}:${c.tier ?? ""}:${c.startedAt}`} clock={c} />
          ))}
          <Text size="xs" c="dimmed">
            {t("tickets.sla.computed", { at: format.dateTime(sla.data.computedAt), version: sla.data.planVersion })}
          </Text>
        </Stack>
      )}
    </Card>
  );
}
