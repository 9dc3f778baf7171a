import type uPlot from "uplot";

/** Pure data shaping for the rule preview and the metric explorer charts. */

/** Line colours, told apart on the light and the dark scheme; series past the tenth reuse them. */
export const palette = [
  "#1c7ed6",
  "#f76707",
  "#2f9e44",
  "#ae3ec9",
  "#e03131",
  "#0c8599",
  "#f59f00",
  "#5f3dc4",
  "#c2255c",
  "#66a80f",
];

/** A label set as one line, `instance="pbx-01", mode="idle"`; empty when there are none. */
export function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ");
}

/**
 * Series of `[ms, value]` points on one time axis (unix seconds): the grid's instants and every instant any
 * series has, each series null where it has no point, so a gap stays a gap instead of a line across it.
 */
export function aligned(
  series: readonly (readonly (readonly number[])[])[],
  grid: readonly number[] = [],
): uPlot.AlignedData {
  const xs = [...new Set([...grid, ...series.flatMap((points) => points.map((p) => p[0]!))])].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = series.map((points) => {
    const column: (number | null)[] = new Array(xs.length).fill(null);
    for (const [t, v] of points) column[index.get(t!)!] = v ?? null;
    return column;
  });
  return [xs.map((x) => x / 1000), ...columns];
}

/** Intervals (ISO, `to` null: open) clipped to a window in ms, for shading. */
export function clipped(intervals: readonly { from: string; to: string | null }[], from: number, to: number) {
  return intervals
    .map((i) => ({ start: Math.max(from, Date.parse(i.from)), end: Math.min(to, i.to ? Date.parse(i.to) : to) }))
    .filter((i) => i.end > i.start);
}

/** Instants `step` ms apart from `from` (rounded down to a step) through `to`: where a query's values fall. */
export function stepGrid(from: number, to: number, step: number, align = true): number[] {
  const grid: number[] = [];
  for (let t = align ? Math.floor(from / step) * step : from; t <= to; t += step) grid.push(t);
  return grid;
}
