import type { MinutePoint } from "./model";

const W = 240;
const H = 40;
const PAD = 2;

/**
 * Average latency per step over a window, as an SVG line: tiny, no canvas per card. A step without a point
 * breaks the line (a gap is a gap), and steps with failed checks get a red tick along the bottom.
 */
export function Sparkline({
  points,
  from,
  to,
  step,
  label,
}: {
  points: MinutePoint[];
  from: string;
  to: string;
  step: number;
  label: string;
}) {
  const start = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - start);
  const latencies = points.flatMap((p) => (p.latencyAvg === null ? [] : [p.latencyAvg]));
  const max = latencies.length ? Math.max(...latencies) : 1;
  const min = latencies.length ? Math.min(...latencies) : 0;
  const range = max - min || 1;
  const x = (at: string) => PAD + ((Date.parse(at) - start) / span) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - 4 - ((v - min) / range) * (H - 2 * PAD - 6);
  let path = "";
  let previous = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p.latencyAvg === null) {
      previous = Number.NEGATIVE_INFINITY;
      continue;
    }
    const t = Date.parse(p.at);
    const point = `${x(p.at).toFixed(1)} ${y(p.latencyAvg).toFixed(1)}`;
    // A point after a gap starts a new stroke; "l0 0" with round caps draws it as a dot when it stays alone.
    path += t - previous > step * 1000 ? `M${point} l0 0 ` : `L${point} `;
    previous = t;
  }
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      height={H}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid="sparkline"
      data-points={points.length}
    >
      <path
        d={path}
        fill="none"
        stroke="var(--mantine-color-blue-6)"
        strokeWidth={1.5}
        strokeLinejoin="round"
        strokeLinecap="round"
      />
      {points
        .filter((p) => p.failures > 0)
        .map((p) => (
          <rect key={p.at} x={x(p.at) - 1} y={H - 3} width={2.5} height={3} fill="var(--mantine-color-red-6)" />
        ))}
    </svg>
  );
}
