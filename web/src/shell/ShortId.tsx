import { ActionIcon, CopyButton, Group, Text, Tooltip } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** An id as its first 8 characters, the whole of it one click away on the clipboard (and in the tooltip). */
export function ShortId({ id }: { id: string }) {
  const { t } = useTranslation();
  return (
    <Group gap={2} wrap="nowrap" display="inline-flex">
      <Text span size="xs" ff="monospace" title={id}>
        {id.slice(0, 8)}
      </Text>
      <CopyButton value={id}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? t("common.copied") : t("common.copy")} withArrow>
            <ActionIcon
              size="xs"
              variant="subtle"
              color={copied ? "teal" : "gray"}
              onClick={copy}
              aria-label={t("common.copy")}
            >
              {copied ? "✓" : "⧉"}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
