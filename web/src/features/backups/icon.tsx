import { type IconProps, Svg } from "../../shell/icons";

/** A database with a clock hand: copies taken over time. */
export function BackupIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <ellipse cx="10" cy="5" rx="7" ry="3" />
      <path d="M3 5v12c0 1.7 3.1 3 7 3M17 5v5M3 11c0 1.7 3.1 3 7 3" />
      <circle cx="17.5" cy="17.5" r="4.5" />
      <path d="M17.5 15.5v2l1.5 1" />
    </Svg>
  );
}
