import { Typography } from "@mantine/core";
import Markdown from "markdown-to-jsx/react";

/**
 * Markdown someone wrote (runbook purposes and steps) as formatted text. Sanitised: raw HTML is shown as text,
 * never parsed, and the library drops unsafe link targets (javascript:, data:); the result is React elements.
 */
export function MarkdownText({ children, size = "sm" }: { children: string; size?: "xs" | "sm" | "md" }) {
  return (
    <Typography fz={size} style={{ overflowWrap: "anywhere" }} className="plantao-markdown">
      <Markdown options={{ disableParsingRawHTML: true, forceWrapper: true, wrapper: "div" }}>{children}</Markdown>
    </Typography>
  );
}
