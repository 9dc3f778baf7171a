import type { IconProps } from "../../shell/icons";

/** A screen with a heartbeat line: live checks. */
export function MonitorIcon({ size = 18 }: IconProps) {
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
      <rect x="2" y="3" width="20" height="14" rx="2" />
      <path d="M8 21h8M12 17v4M5 10h3l2-3 3 6 2-3h4" />
    </svg>
  );
}
