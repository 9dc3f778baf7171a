import type { IconProps } from "../../shell/icons";

/** A life buoy: recovery and continuity. */
export function ContinuityIcon({ size = 18 }: IconProps) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <circle cx="12" cy="12" r="9" />
      <circle cx="12" cy="12" r="4" />
      <path d="M15 9l3.5-3.5M9 15l-3.5 3.5M9 9L5.5 5.5M15 15l3.5 3.5" />
    </svg>
  );
}
