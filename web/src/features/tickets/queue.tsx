import { Badge, Group, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { api, type JsonBody, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useFormat } from "../../shell/format";
import { followEvents } from "../events/eventStream";

export type QueueQuery = NonNullable<paths["/api/v1/tickets/queue"]["get"]["parameters"]["query"]>;
export type QueuePage = JsonBody<paths["/api/v1/tickets/queue"]["get"]["responses"][200]>;
export type QueueItem = QueuePage["items"][number];
export type QueueName = NonNullable<QueueQuery["queue"]>;
export type QueueSort = NonNullable<QueueQuery["sort"]>;
export type SavedView = JsonBody<paths["/api/v1/ticket-views"]["get"]["responses"][200]>["items"][number];

export const queueNames: readonly QueueName[] = [
  "open",
  "mine",
  "team",
  "unassigned",
  "breaching",
  "breached",
  "watched",
  "all",
];
export const QUEUE_KEY = ["queue"] as const;

export async function fetchQueue(query: QueueQuery, signal?: AbortSignal): Promise<QueuePage> {
  return unwrap(await api.GET("/api/v1/tickets/queue", { params: { query }, signal }));
}

/** The queues' counts; `enabled` false holds them back (the queue page asks once its first page is in). */
export function useQueueCounts(enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...QUEUE_KEY, "counts"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/tickets/queue/counts", { signal })),
  });
}

/**
 * Keeps every queue on screen live: a ticket event from the stream (created, changed, replied, SLA) refetches
 * the queues and their counts, coalesced so a burst of events costs one refetch.
 */
export function useLiveQueues(extraKeys: readonly (readonly string[])[] = []) {
  const client = useQueryClient();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the keys are fixed per page
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const close = followEvents("/api/v1/events", {
      onEvent: (event) => {
        if (!event.type.startsWith("ticket.")) return;
        if (timer) return;
        timer = setTimeout(() => {
          timer = undefined;
          void client.invalidateQueries({ queryKey: QUEUE_KEY });
          for (const key of extraKeys) void client.invalidateQueries({ queryKey: [...key] });
        }, 100);
      },
      onState: () => {},
    });
    return () => {
      close();
      if (timer) clearTimeout(timer);
    };
  }, [client]);
}

/**
 * The share of the SLA target consumed, counted from when the ticket opened to its next breach: under half
 * green, under 75 % yellow, under 100 % orange, then red (and red once any clock breached).
 */
export function slaColor(item: Pick<QueueItem, "slaDueAt" | "slaBreached" | "createdAt">, now: number): string {
  if (item.slaBreached) return "red";
  if (!item.slaDueAt) return "gray";
  const start = Date.parse(item.createdAt);
  const due = Date.parse(item.slaDueAt);
  const share = due > start ? (now - start) / (due - start) : 1;
  if (share >= 1) return "red";
  if (share >= 0.75) return "orange";
  if (share >= 0.5) return "yellow";
  return "green";
}

/** "3:12:05" to the next breach, or how long ago it passed; live at the pace of `now`. */
export function countdown(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h >= 48 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${h}:${pad(m)}:${pad(sec)}`;
}

export function SlaCountdown({ item, now }: { item: QueueItem; now: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const color = slaColor(item, now);
  if (!item.slaDueAt)
    return item.slaBreached ? (
      <Badge size="sm" color="red">
        {t("tickets.slaBreachedBadge")}
      </Badge>
    ) : (
      <Text c="dimmed">—</Text>
    );
  const left = Date.parse(item.slaDueAt) - now;
  return (
    <Group gap={6} wrap="nowrap">
      <Badge
        size="sm"
        color={color}
        variant={color === "red" ? "filled" : "light"}
        title={format.dateTime(item.slaDueAt)}
        data-testid="sla-countdown"
        data-sla-color={color}
        style={{ fontVariantNumeric: "tabular-nums" }}
      >
        {left < 0 ? `−${countdown(left)}` : countdown(left)}
      </Badge>
    </Group>
  );
}
