import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useAuth } from "../../auth/AuthProvider";
import type { Page } from "../../shell/paging";
import { type DomainEvent, type EventOf, followEvents, type StreamState } from "../events/eventStream";
import { keys, type Monitor, type MonitorState } from "./model";

type StateChanged = EventOf<"monitor.state_changed">["payload"];

/** A newer state replaces the cached one; a late event for an older change leaves it alone. */
function withState(monitor: Monitor, change: StateChanged): Monitor {
  if (monitor.state && monitor.state.since > change.at) return monitor;
  const state: MonitorState = {
    status: change.to,
    reason: change.reason,
    message: change.message,
    since: change.at,
    flapping: change.flapping,
    // A change comes from a check, whose figures the monitor's next read brings.
    lastCheckAt: monitor.state?.lastCheckAt ?? null,
    lastLatencyMs: monitor.state?.lastLatencyMs ?? null,
  };
  return { ...monitor, state };
}

/** Applies `change` to one monitor wherever it is cached: the dashboard's list, a group's members, its page. */
function patch(client: QueryClient, id: string, change: (m: Monitor) => Monitor): void {
  const apply = (m: Monitor) => (m.id === id ? change(m) : m);
  client.setQueryData<Monitor[]>(keys.list, (list) => list?.map(apply));
  client.setQueriesData<Page<Monitor>>({ queryKey: ["monitoring", "members"] }, (page) =>
    page ? { ...page, items: page.items.map(apply) } : page,
  );
  client.setQueryData<Monitor>(keys.monitor(id), (m) => (m ? change(m) : m));
}

/**
 * Applies one live event to the cache: a state change patches the monitor where it is cached and refreshes its
 * figures; flapping marks it; a created, changed or deleted monitor refetches the lists.
 */
export function applyMonitorEvent(client: QueryClient, event: DomainEvent): void {
  switch (event.type) {
    case "monitor.state_changed": {
      const change = event.payload;
      patch(client, change.monitorId, (m) => withState(m, change));
      void client.invalidateQueries({ queryKey: keys.card(change.monitorId) });
      void client.invalidateQueries({ queryKey: keys.detail(change.monitorId) });
      return;
    }
    case "monitor.flapping_started":
    case "monitor.flapping_stopped": {
      const flapping = event.type === "monitor.flapping_started";
      patch(client, event.payload.monitorId, (m) => (m.state ? { ...m, state: { ...m.state, flapping } } : m));
      return;
    }
    case "monitor.deleted":
      forget(client, event.payload.monitorId);
      return;
    case "monitor.created":
    case "monitor.updated":
      void client.invalidateQueries({ queryKey: keys.list });
      void client.invalidateQueries({ queryKey: ["monitoring", "members"] });
      void client.invalidateQueries({ queryKey: keys.monitor(event.payload.monitorId) });
  }
}

/**
 * Drops a deleted monitor from the cache at once: a card still listed would ask for its figures and get 404.
 * The lists are fetched again too, since its members and dependents lost their link.
 */
export function forget(client: QueryClient, id: string): void {
  client.setQueryData<Monitor[]>(keys.list, (list) => list?.filter((m) => m.id !== id));
  client.removeQueries({ queryKey: keys.card(id) });
  void client.invalidateQueries({ queryKey: keys.list });
  void client.invalidateQueries({ queryKey: ["monitoring", "members"] });
}

/**
 * Follows the live event stream while mounted and keeps the monitoring cache current. Returns the stream's
 * state; without the events grant (or while disconnected) callers fall back to polling.
 */
export function useMonitoringLive(): StreamState {
  const client = useQueryClient();
  const { can } = useAuth();
  const allowed = can("events", "read");
  const [state, setState] = useState<StreamState>(allowed ? "connecting" : "disconnected");
  useEffect(() => {
    if (!allowed) return;
    return followEvents("/api/v1/events", {
      onEvent: (event) => applyMonitorEvent(client, event),
      onState: setState,
    });
  }, [client, allowed]);
  return state;
}

/** How often lists and states are fetched again when no live stream keeps them current. */
export const pollWhen = (state: StreamState) => (state === "connected" ? false : 30_000);
