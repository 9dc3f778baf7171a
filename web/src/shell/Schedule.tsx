import { Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormat } from "./format";
import { describeCron, nextRuns } from "./schedule";

/** A cron schedule in words with its next runs in the viewer's zone; the expression itself for experts, dimmed. */
export function Schedule({ cron, timeZone, runs = 3 }: { cron: string; timeZone: string; runs?: number }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const next = nextRuns(cron, timeZone, runs);
  return (
    <Stack gap={0}>
      <Text size="sm">{describeCron(cron, i18n.language)}</Text>
      <Text size="xs" c="dimmed">
        <code>{cron}</code> · {timeZone}
      </Text>
      {next.length > 0 && (
        <Text size="xs" c="dimmed">
          {t("common.nextRuns", { runs: next.map((iso) => format.dateTime(iso)).join(", ") })}
        </Text>
      )}
    </Stack>
  );
}
