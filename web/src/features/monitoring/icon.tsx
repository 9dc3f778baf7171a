import { type IconProps, Svg } from "../../shell/icons";

/** A screen with a heartbeat line: live checks. */
export function MonitorIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <rect x="2" y="3" width="20" height="14" rx="2" />
      <path d="M8 21h8M12 17v4M5 10h3l2-3 3 6 2-3h4" />
    </Svg>
  );
}
