import { type IconProps, Svg } from "../../shell/icons";

/** A bell with a wave: an alert firing. */
export function AlertIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </Svg>
  );
}

/** Axes with a rising line: a metric over time. */
export function MetricsIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M3 3v18h18" />
      <path d="m7 15 4-5 3 3 5-6" />
    </Svg>
  );
}
