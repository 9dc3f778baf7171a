import { type IconProps, Svg } from "../../shell/icons";

/** An envelope with an arrow coming in: mail taken in. Drawn like the shell's line icons. */
export function MailboxIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M3 7l9 6 9-6M3 7v11h18V7M3 7h7M14 7h7M12 2v6M9.5 5.5 12 8l2.5-2.5" />
    </Svg>
  );
}
