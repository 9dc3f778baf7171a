import type { IconProps } from "../../shell/icons";

/** A hook with an arrow leaving it: events sent out. Drawn like the shell's line icons. */
export function WebhookIcon({ size = 18 }: IconProps) {
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
      <path d="M8 4v9a4 4 0 0 0 8 0v-2M13 14l3-3 3 3M14 4h6v6" />
    </svg>
  );
}
