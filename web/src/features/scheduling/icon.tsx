import { type IconProps, Svg } from "../../shell/icons";

/** A calendar page with a handset: a call booked for a time. */
export function ScheduledCallIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <rect x="3" y="4" width="18" height="17" rx="2" />
      <path d="M16 2v4M8 2v4M3 10h18" />
      <path d="M9 14.5c.8 1.6 1.9 2.7 3.5 3.5l1.2-1.2 2 .8v1.6c-4.2.3-7.7-3.2-7.4-7.4H10l.8 2z" />
    </Svg>
  );
}
