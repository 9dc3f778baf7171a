import { useComputedColorScheme } from "@mantine/core";
import { useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import type uPlot from "uplot";
import { useFormat } from "../../shell/format";
import { cursorTime, timeAxisValues, UPlotChart, zonedDate } from "../monitoring/UPlotChart";
import { aligned, palette } from "./chart-data";

export interface ChartSeries {
  label: string;
  /** `[ms, value]` pairs. */
  points: readonly (readonly number[])[];
}
/** A horizontal line across the window (a rule's threshold). */
export interface Level {
  label: string;
  value: number;
  color: string;
  dash?: number[];
}
/** A shaded stretch of the window, in ms (where a rule would have been pending or firing). */
export interface Shade {
  start: number;
  end: number;
  color: string;
}

/**
 * Lines of several series over a time window, with optional levels drawn across it and shaded stretches
 * behind; the legend under it names each series and shows its value under the cursor.
 */
export function SeriesChart({
  series,
  window,
  grid,
  levels = [],
  shades = [],
  label,
  testId,
  height = 260,
}: {
  series: readonly ChartSeries[];
  /** The time axis, in ms. */
  window: [number, number];
  /** Instants (ms) the series' values fall on, so a stretch without data is a gap. */
  grid: readonly number[];
  levels?: readonly Level[];
  shades?: readonly Shade[];
  label: string;
  testId: string;
  height?: number;
}) {
  const { t, i18n } = useTranslation();
  const { timeZone } = useFormat();
  const dark = useComputedColorScheme("light") === "dark";
  const axis = { stroke: dark ? "#c9c9c9" : "#495057", grid: dark ? "#373a40" : "#e9ecef" };
  // Read by the draw hook: new shades come with new data, which redraws without rebuilding the chart.
  const drawn = useRef(shades);
  drawn.current = shades;
  const names = series.map((s) => s.label).join("\n");
  const levelKey = levels.map((l) => `${l.label}:${l.color}:${l.dash ?? ""}`).join("\n");
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt when the series' names or the levels change, not their values
  const options = useMemo<Omit<uPlot.Options, "width">>(() => {
    const value = (_: uPlot, v: number | null) =>
      v === null ? "—" : v.toLocaleString(i18n.language, { maximumFractionDigits: 3 });
    return {
      height,
      tzDate: zonedDate(timeZone),
      legend: { live: true },
      axes: [
        { stroke: axis.stroke, grid: { stroke: axis.grid }, values: timeAxisValues(i18n.language, timeZone) },
        {
          stroke: axis.stroke,
          grid: { stroke: axis.grid },
          size: 64,
          values: (_u, ticks) => ticks.map((v) => v.toLocaleString(i18n.language, { maximumFractionDigits: 2 })),
        },
      ],
      series: [
        { label: t("alerts.chart.time"), value: cursorTime(i18n.language, timeZone) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          width: 1.5,
          value,
        })),
        ...levels.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 1.5,
          dash: l.dash,
          points: { show: false },
          value,
        })),
      ],
      hooks: {
        drawClear: [
          (u: uPlot) => {
            const { ctx, bbox } = u;
            ctx.save();
            for (const s of drawn.current) {
              const x0 = u.valToPos(s.start / 1000, "x", true);
              const x1 = u.valToPos(s.end / 1000, "x", true);
              ctx.fillStyle = s.color;
              ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
            }
            ctx.restore();
          },
        ],
      },
    };
  }, [names, levelKey, t, i18n.language, timeZone, axis.stroke, axis.grid, height]);
  const data = useMemo<uPlot.AlignedData>(() => {
    const base = aligned(
      series.map((s) => s.points),
      grid,
    );
    const xs = base[0] as number[];
    return [...base, ...levels.map((l) => xs.map(() => l.value))] as uPlot.AlignedData;
  }, [series, grid, levels]);
  return (
    <UPlotChart
      options={options}
      data={data}
      window={[window[0] / 1000, window[1] / 1000]}
      label={label}
      testId={testId}
    />
  );
}
