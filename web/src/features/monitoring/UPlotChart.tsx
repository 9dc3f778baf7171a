import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import { formatDateTime } from "../../shell/format";

/**
 * A uPlot chart that fills its container's width. The chart is rebuilt when `options` change (a new range or
 * language) and only fed new data otherwise, so live refreshes keep the cursor. The time axis spans
 * `window` (unix seconds), so charts of the same window line up whatever their data.
 */
export function UPlotChart({
  options,
  data,
  window,
  label,
  testId,
}: {
  options: Omit<uPlot.Options, "width">;
  data: uPlot.AlignedData;
  window: [number, number];
  label: string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef({ data, window });
  latest.current = { data, window };
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const x: uPlot.Scale = { time: true, range: () => [latest.current.window[0], latest.current.window[1]] };
    const plot = new uPlot(
      { ...options, width: el.clientWidth || 600, scales: { ...options.scales, x } },
      latest.current.data,
      el,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0) plot.setSize({ width: el.clientWidth, height: options.height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [options]);
  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);
  return <div ref={box} role="img" aria-label={label} data-testid={testId} />;
}

/** Axis and tick labels in the viewer's time zone (uPlot draws in the browser's own zone otherwise). */
export const zonedDate = (timeZone: string) => (ts: number) => uPlot.tzDate(new Date(ts * 1000), timeZone);

/**
 * Time-axis labels in the reader's language and zone: hours and minutes, with the day under the first tick
 * of each day; days alone when the ticks are a day or more apart.
 */
export function timeAxisValues(locale: string, timeZone: string) {
  const time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  const day = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", timeZone });
  return (_u: uPlot, splits: number[], _axis: number, _space: number, increment: number) => {
    let previous = "";
    return splits.map((ts) => {
      const d = new Date(ts * 1000);
      const date = day.format(d);
      if (increment >= 86_400) return date;
      const text = date === previous ? time.format(d) : `${time.format(d)}\n${date}`;
      previous = date;
      return text;
    });
  };
}

/** The instant under the cursor, in the legend. */
export function cursorTime(locale: string, timeZone: string) {
  return (_u: uPlot, ts: number | null) =>
    ts === null ? "—" : formatDateTime(new Date(ts * 1000).toISOString(), locale, timeZone);
}
