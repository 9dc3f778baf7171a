import { type MaintenanceWindow, shapeOf } from "./maintenance.js";
import type { WindowRow } from "./repository.js";
import type { Component } from "./service.js";
import { noticeGiven, occurrencesBetween } from "./windows.js";

const DAY = 86_400_000;

interface Occurrence {
  start: number;
  end: number;
  windowId: string;
  skip: boolean;
}

/**
 * Which monitors are in planned maintenance at an instant, asked by the monitoring engine on every evaluation:
 * so it answers from memory, from the live windows' occurrences over the next two days, rebuilt when a window
 * changes or starts or ends (and by each node's refresh, so every node's engine sees windows made on another).
 * An occurrence gates its window's monitors when the window is not `show`-only, the occurrence was announced
 * in time and the plan leaves planned maintenance out of the uptime targets; a late one still silences alerts,
 * but its time counts (so a late `skip` window is a `mute` one: its monitors are checked). A gated `skip`
 * window also stops their checks. Notice is judged per occurrence: a weekly window created an hour before its
 * first occurrence had that one announced late, but the next one a week ahead, which is notice enough.
 */
export class MaintenanceGate {
  #byMonitor = new Map<string, Occurrence[]>();

  rebuild(
    windows: readonly { row: WindowRow; view: MaintenanceWindow }[],
    components: readonly Component[],
    now: Date,
    policy: { maintenanceCountsAsDowntime: boolean; noticeHours: number },
  ): void {
    const next = new Map<string, Occurrence[]>();
    if (!policy.maintenanceCountsAsDowntime) {
      const byId = new Map(components.map((c) => [c.id, c]));
      for (const { row, view } of windows) {
        if (view.mode === "show") continue;
        const monitors = new Set(view.componentIds.flatMap((id) => byId.get(id)?.monitorIds ?? []));
        const announcedAt = new Date(view.announcedAt);
        for (const o of occurrencesBetween(
          shapeOf(row),
          new Date(now.getTime() - DAY),
          new Date(now.getTime() + 2 * DAY),
          100,
        )) {
          // The first occurrence as judged when announced (its warning), a later one by its own notice.
          if (!view.announcedInTime && !noticeGiven(o.start, announcedAt, policy.noticeHours)) continue;
          for (const m of monitors) {
            const list = next.get(m) ?? [];
            list.push({ start: o.start.getTime(), end: o.end.getTime(), windowId: row.id, skip: view.mode === "skip" });
            next.set(m, list);
          }
        }
      }
    }
    this.#byMonitor = next;
  }

  /** `maintenance:<window id>` when a window runs on the monitor at `at`, else null. */
  reason = (monitorId: string, at: number): string | null => {
    const o = this.#running(monitorId, at);
    return o ? `maintenance:${o.windowId}` : null;
  };

  /** Whether a `skip` window runs on the monitor at `at`: its checks are not run. */
  skips = (monitorId: string, at: number): boolean => this.#running(monitorId, at)?.skip ?? false;

  /**
   * What the gate answers at `at` for every monitor it names, as one string: equal strings at two moments mean
   * no monitor's answer changed in between, so the monitors need no re-evaluation.
   */
  answersAt(at: number): string {
    const running: string[] = [];
    for (const id of this.#byMonitor.keys()) {
      const o = this.#running(id, at);
      if (o) running.push(`${id}:${o.windowId}:${o.skip}`);
    }
    return running.sort().join(",");
  }

  #running(monitorId: string, at: number): Occurrence | undefined {
    const list = this.#byMonitor.get(monitorId);
    if (!list) return undefined;
    // A skip window first: where two windows overlap, the one that stops the checks wins.
    let found: Occurrence | undefined;
    for (const o of list) if (o.start <= at && at < o.end && (!found || o.skip)) found = o;
    return found;
  }
}
