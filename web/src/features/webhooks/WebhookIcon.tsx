import { type IconProps, Svg } from "../../shell/icons";

/** A hook with an arrow leaving it: events sent out. Drawn like the shell's line icons. */
export function WebhookIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M8 4v9a4 4 0 0 0 8 0v-2M13 14l3-3 3 3M14 4h6v6" />
    </Svg>
  );
}
