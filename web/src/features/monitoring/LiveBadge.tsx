import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { StreamState } from "../events/eventStream";

/** Whether the page follows the live stream or falls back to polling. */
export function LiveBadge({ state }: { state: StreamState }) {
  const { t } = useTranslation();
  const connected = state === "connected";
  return (
    <Badge
      variant="dot"
      color={connected ? "green" : "gray"}
      data-testid="live-state"
      data-state={state}
      title={connected ? t("monitoring.liveHint") : t("monitoring.pollingHint")}
    >
      {connected ? t("monitoring.live") : t("monitoring.polling")}
    </Badge>
  );
}
