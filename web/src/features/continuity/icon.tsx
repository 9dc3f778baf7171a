import { type IconProps, Svg } from "../../shell/icons";

/** A life buoy: recovery and continuity. */
export function ContinuityIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <circle cx="12" cy="12" r="9" />
      <circle cx="12" cy="12" r="4" />
      <path d="M15 9l3.5-3.5M9 15l-3.5 3.5M9 9L5.5 5.5M15 15l3.5 3.5" />
    </Svg>
  );
}
