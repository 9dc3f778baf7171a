import { Alert } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { meQuery } from "../../auth/AuthProvider";

type Others = paths["/api/v1/tickets/{id}/presence"]["get"]["responses"][200]["content"]["application/json"]["items"];

const BEAT_MS = 10_000;

/**
 * The collision warning's data: this page beats every 10 s as viewing (or replying while the box holds text),
 * and learns who else has the ticket open. `refresh` is for the `ticket.presence` events of the event stream,
 * so a colleague who arrives or starts typing shows at once, whichever node served them.
 */
export function usePresence(ticketId: string, replying: boolean, enabled: boolean) {
  const [others, setOthers] = useState<Others>([]);
  const client = useQueryClient();
  // Once the user signed out (the page is about to go), nothing more is sent: it would only be refused.
  const signedIn = useCallback(() => Boolean(client.getQueryData(meQuery.queryKey)), [client]);
  const activity = replying ? "replying" : "viewing";
  const beat = useCallback(async () => {
    if (!signedIn()) return;
    const res = await api.PUT("/api/v1/tickets/{id}/presence", {
      params: { path: { id: ticketId } },
      body: { activity },
    });
    if (res.data) setOthers(res.data.items);
  }, [ticketId, activity, signedIn]);
  const latest = useRef(beat);
  latest.current = beat;
  useEffect(() => {
    if (!enabled) return;
    void latest.current();
    const timer = setInterval(() => void latest.current(), BEAT_MS);
    return () => clearInterval(timer);
  }, [enabled]);
  // Replying or not is news: tell the others now rather than at the next beat.
  useEffect(() => {
    if (enabled) void beat();
  }, [beat, enabled]);
  // Leaving says goodbye (a closed tab is forgotten when its row expires).
  useEffect(() => {
    if (!enabled) return;
    return () => {
      if (signedIn())
        void api.DELETE("/api/v1/tickets/{id}/presence", { params: { path: { id: ticketId } } }).catch(() => {});
    };
  }, [ticketId, enabled, signedIn]);
  const refresh = useCallback(async () => {
    const res = await api.GET("/api/v1/tickets/{id}/presence", { params: { path: { id: ticketId } } });
    setOthers(unwrap(res).items);
  }, [ticketId]);
  return { others, refresh };
}

export function PresenceBanner({ others }: { others: Others }) {
  const { t } = useTranslation();
  if (!others.length) return null;
  const replying = others.filter((o) => o.activity === "replying");
  return (
    <Alert
      color={replying.length ? "orange" : "blue"}
      title={t("ticketConsole.presence.title")}
      role="status"
      data-testid="presence-warning"
      py="xs"
    >
      {others.map((o) => t(`ticketConsole.presence.${o.activity}`, { name: o.name })).join(" ")}
    </Alert>
  );
}
