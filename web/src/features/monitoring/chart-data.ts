import type uPlot from "uplot";
import type { Series, StateChange } from "./model";

/** Pure data shaping for the monitor page's charts. */

/**
 * One x per step from the window's first whole step to its end, so a step without checks is a gap in the
 * line rather than a segment joining its neighbours.
 */
export function stepGrid(series: Series): number[] {
  const step = series.step;
  const first = Math.ceil(Date.parse(series.from) / 1000 / step) * step;
  const last = Date.parse(series.to) / 1000;
  const xs: number[] = [];
  for (let x = first - step; x <= last; x += step) xs.push(x);
  return xs;
}

export function latencyData(series: Series): uPlot.AlignedData {
  const xs = stepGrid(series);
  const byX = new Map(series.points.map((p) => [Date.parse(p.at) / 1000, p]));
  const column = (pick: (p: Series["points"][number]) => number | null) =>
    xs.map((x) => {
      const p = byX.get(x);
      return p ? pick(p) : null;
    });
  return [
    xs,
    column((p) => p.latencyMin),
    column((p) => p.latencyAvg),
    column((p) => p.latencyP95),
    column((p) => p.latencyMax),
  ];
}

/** The state intervals clipped to the window, each with its end (now for the open one). */
export function bands(changes: StateChange[], from: number, to: number) {
  return changes
    .map((c) => ({
      status: c.status,
      start: Math.max(from, Date.parse(c.startedAt)),
      end: Math.min(to, c.endedAt ? Date.parse(c.endedAt) : to),
    }))
    .filter((b) => b.end > b.start)
    .sort((a, b) => a.start - b.start);
}
