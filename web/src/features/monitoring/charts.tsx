import { useComputedColorScheme } from "@mantine/core";
import { useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import type uPlot from "uplot";
import { useFormat } from "../../shell/format";
import { bands, latencyData } from "./chart-data";
import type { Series, StateChange, Status } from "./model";
import { statuses, statusHex } from "./model";
import { cursorTime, timeAxisValues, UPlotChart, zonedDate } from "./UPlotChart";

const SYNC = "monitor";
const AXIS_WIDTH = 64;

/** Axis colours that read on the light and the dark scheme. */
function useAxisColors() {
  const dark = useComputedColorScheme("light") === "dark";
  return { stroke: dark ? "#c9c9c9" : "#495057", grid: dark ? "#373a40" : "#e9ecef" };
}

/** Latency per step: average and p95 as lines, the min–max spread as a band. */
export function LatencyChart({ series }: { series: Series }) {
  const { t, i18n } = useTranslation();
  const { timeZone } = useFormat();
  const axis = useAxisColors();
  const options = useMemo<Omit<uPlot.Options, "width">>(() => {
    const ms = (_: uPlot, v: number | null) =>
      v === null ? "—" : `${v.toLocaleString(i18n.language, { maximumFractionDigits: 1 })} ms`;
    return {
      height: 240,
      tzDate: zonedDate(timeZone),
      cursor: { sync: { key: SYNC } },
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: axis.stroke, grid: { stroke: axis.grid }, values: timeAxisValues(i18n.language, timeZone) },
        {
          stroke: axis.stroke,
          grid: { stroke: axis.grid },
          size: AXIS_WIDTH,
          values: (_u, ticks) => ticks.map((v) => `${v} ms`),
        },
      ],
      series: [
        { label: t("monitoring.chart.time"), value: cursorTime(i18n.language, timeZone) },
        { label: t("monitoring.chart.min"), stroke: "#74c0fc", width: 1, value: ms },
        { label: t("monitoring.chart.avg"), stroke: "#1c7ed6", width: 2, value: ms },
        { label: t("monitoring.chart.p95"), stroke: "#f76707", width: 1.5, dash: [6, 4], value: ms },
        { label: t("monitoring.chart.max"), stroke: "#74c0fc", width: 1, value: ms },
      ],
      bands: [{ series: [4, 1], fill: "rgba(116, 192, 252, 0.18)" }],
    };
  }, [t, i18n.language, timeZone, axis.stroke, axis.grid]);
  const data = useMemo(() => latencyData(series), [series]);
  return (
    <UPlotChart
      options={options}
      data={data}
      window={[Date.parse(series.from) / 1000, Date.parse(series.to) / 1000]}
      label={t("monitoring.chart.latency")}
      testId="latency-chart"
    />
  );
}

/** Coloured bands, one per state interval, on the same time axis as the latency chart (cursors move together). */
export function StateTimeline({
  changes,
  from,
  to,
  step,
}: {
  changes: StateChange[];
  from: string;
  to: string;
  step: number;
}) {
  const { t, i18n } = useTranslation();
  const { timeZone } = useFormat();
  const axis = useAxisColors();
  const start = Date.parse(from);
  const end = Date.parse(to);
  const intervals = useMemo(() => bands(changes, start, end), [changes, start, end]);
  // Read by the draw hook: new intervals arrive with new data, which redraws without rebuilding the chart.
  const drawn = useRef(intervals);
  drawn.current = intervals;
  // One value per step for the legend under the cursor: the state at that instant, as an index of `statuses`.
  const data = useMemo<uPlot.AlignedData>(() => {
    const xs: number[] = [];
    const ys: (number | null)[] = [];
    for (let x = Math.floor(start / 1000); x <= end / 1000; x += step) {
      const at = x * 1000;
      const band = intervals.find((b) => b.start <= at && at < b.end);
      xs.push(x);
      ys.push(band ? statuses.indexOf(band.status) : null);
    }
    return [xs, ys];
  }, [intervals, start, end, step]);
  const options = useMemo<Omit<uPlot.Options, "width">>(
    () => ({
      height: 90,
      tzDate: zonedDate(timeZone),
      cursor: { sync: { key: SYNC }, y: false, points: { show: false } },
      scales: { y: { range: [0, 1] } },
      axes: [
        { stroke: axis.stroke, grid: { show: false }, values: timeAxisValues(i18n.language, timeZone) },
        // An empty axis as wide as the latency chart's, so both time axes line up.
        { size: AXIS_WIDTH, grid: { show: false }, ticks: { show: false }, values: () => [] },
      ],
      series: [
        { label: t("monitoring.chart.time"), value: cursorTime(i18n.language, timeZone) },
        {
          label: t("monitoring.chart.state"),
          paths: () => null,
          points: { show: false },
          value: (_u, v) => (v === null ? "—" : t(`monitoring.statuses.${statuses[v] as Status}`)),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            for (const b of drawn.current) {
              const x0 = u.valToPos(b.start / 1000, "x", true);
              const x1 = u.valToPos(b.end / 1000, "x", true);
              ctx.fillStyle = statusHex[b.status];
              // A short outage in a long range stays visible: at least two device pixels wide.
              ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
            }
            ctx.restore();
          },
        ],
      },
    }),
    [t, i18n.language, timeZone, axis.stroke],
  );
  return (
    <UPlotChart
      options={options}
      data={data}
      window={[start / 1000, end / 1000]}
      label={t("monitoring.chart.timeline")}
      testId="state-timeline"
    />
  );
}
