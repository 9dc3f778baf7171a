import { type IconProps, Svg } from "../../shell/icons";

/** An open book: the knowledge base. Drawn like the shell's line icons. */
export function KbIcon({ size = 18 }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M12 6c-2-1.5-5-2-8-2v14c3 0 6 .5 8 2 2-1.5 5-2 8-2V4c-3 0-6 .5-8 2zM12 6v14" />
    </Svg>
  );
}
