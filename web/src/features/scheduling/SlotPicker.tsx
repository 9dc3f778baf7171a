import { Alert, Button, Card, Group, Loader, SegmentedControl, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { dayStart, type ScheduledCall, type Slot } from "./model";

const DAY = 24 * 3_600_000;

/**
 * Free slots for a week in the viewer's zone, grouped by day; a click books the slot on `ticketId` (or, given
 * `moving`, moves that call there). The server keeps the engineers' calendars: only free times come back.
 */
export function SlotPicker({
  ticketId,
  moving,
  onDone,
}: {
  ticketId?: string;
  moving?: ScheduledCall;
  onDone?: (call: ScheduledCall) => void;
}) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const [week, setWeek] = useState(0);
  const [tier, setTier] = useState<"any" | "L2" | "L3">("any");
  const [topic, setTopic] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const from = dayStart(f.timeZone, week * 7);
  const to = new Date(from.getTime() + 7 * DAY);
  const slots = useQuery({
    queryKey: ["scheduled-calls", "slots", from.toISOString(), tier, f.timeZone],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/scheduled-calls/slots", {
          params: {
            query: {
              from: from.toISOString(),
              to: to.toISOString(),
              timeZone: f.timeZone,
              ...(tier === "any" ? {} : { tier }),
            },
          },
          signal,
        }),
      ),
  });
  const book = useMutation({
    mutationFn: async (slot: Slot) =>
      moving
        ? unwrap(
            await api.PATCH("/api/v1/scheduled-calls/{id}", {
              params: { path: { id: moving.id } },
              body: { start: slot.start, engineerId: slot.engineer.id, timeZone: f.timeZone },
            }),
          )
        : unwrap(
            await api.POST("/api/v1/scheduled-calls", {
              body: {
                ticketId: ticketId!,
                engineerId: slot.engineer.id,
                start: slot.start,
                timeZone: f.timeZone,
                ...(topic.trim() ? { topic: topic.trim() } : {}),
              },
            }),
          ),
    onSuccess: (call) => {
      setDone(t(moving ? "scheduling.moved" : "scheduling.booked", { when: f.deadline(call.startsAt) }));
      onDone?.(call);
    },
    onSettled: () => void client.invalidateQueries({ queryKey: ["scheduled-calls"] }),
  });
  // One button per start time: the first free engineer takes it.
  const byDay = new Map<string, Slot[]>();
  for (const s of slots.data?.items ?? []) {
    const day = s.localStart.slice(0, 10);
    const list = byDay.get(day) ?? [];
    if (!list.some((x) => x.start === s.start)) list.push(s);
    byDay.set(day, list);
  }
  const dayLabel = (day: string) =>
    new Date(`${day}T12:00:00Z`).toLocaleDateString(i18n.language, {
      weekday: "long",
      day: "2-digit",
      month: "2-digit",
      timeZone: "UTC",
    });
  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t("scheduling.tier")}
          </Text>
          <SegmentedControl
            value={tier}
            onChange={(v) => setTier(v as "any" | "L2" | "L3")}
            data={[
              { value: "any", label: t("scheduling.anyTier") },
              { value: "L2", label: "L2" },
              { value: "L3", label: "L3" },
            ]}
          />
        </Stack>
        {!moving && (
          <TextInput
            label={t("scheduling.topic")}
            value={topic}
            maxLength={200}
            onChange={(e) => setTopic(e.currentTarget.value)}
          />
        )}
        <Group gap="xs">
          <Button variant="default" disabled={week === 0} onClick={() => setWeek((w) => w - 1)}>
            {t("scheduling.previous")}
          </Button>
          <Button variant="default" disabled={week >= 3} onClick={() => setWeek((w) => w + 1)}>
            {t("scheduling.next")}
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        {t("scheduling.zone", { zone: slots.data?.timeZone ?? f.timeZone })}
      </Text>
      {done && (
        <Alert color="green" role="status" withCloseButton onClose={() => setDone(null)}>
          {done}
        </Alert>
      )}
      <ProblemAlert error={slots.error ?? book.error} />
      {slots.isPending && <Loader size="sm" aria-label={t("common.loading")} />}
      {slots.isSuccess && byDay.size === 0 && <Text c="dimmed">{t("scheduling.noSlots")}</Text>}
      {[...byDay.entries()].map(([day, list]) => (
        <Card key={day} withBorder padding="sm" radius="md">
          <Title order={4} size="h6" mb="xs">
            {dayLabel(day)}
          </Title>
          <Group gap={6}>
            {list.map((s) => (
              <Button
                key={s.start}
                size="xs"
                variant="light"
                data-testid="slot"
                data-start={s.start}
                loading={book.isPending && book.variables?.start === s.start}
                disabled={book.isPending || (!moving && !ticketId)}
                title={t("scheduling.slotTitle", { time: s.localStart.slice(11, 16), name: s.engineer.name })}
                onClick={() => book.mutate(s)}
              >
                {s.localStart.slice(11, 16)}
              </Button>
            ))}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
