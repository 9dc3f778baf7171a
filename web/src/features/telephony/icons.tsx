import { type IconProps, Svg } from "../../shell/icons";

/** A handset: the call log. Drawn like the shell's line icons. */
export function PhoneIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M5 3h4l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2" />
    </Svg>
  );
}

/** A switchboard: boxes wired to one trunk (the PBX connections). */
export function PbxIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M4 4h16v6H4zM7 7h.01M11 7h.01M12 10v4M5 14h14M5 14v3M12 14v3M19 14v3M3 17h4v3H3zM10 17h4v3h-4zM17 17h4v3h-4z" />
    </Svg>
  );
}
