import { type IconProps, Svg } from "../../shell/icons";

/** A warning triangle: something is broken now. */
export function IncidentIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
      <path d="M12 9v4M12 17h.01" />
    </Svg>
  );
}
