import { type IconProps, Svg } from "../../shell/icons";

/** A signal with its three bars: the status page. Drawn like the shell's line icons. */
export function StatusIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M5 19v-4M12 19V9M19 19V5" />
    </Svg>
  );
}
