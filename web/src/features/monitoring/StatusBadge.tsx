import { Badge, type BadgeProps } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { type MonitorState, statusColor } from "./model";

/** A monitor's state in colour and words (never colour alone); no state yet reads "no data". */
export function StatusBadge({ state, ...props }: { state: MonitorState | null } & BadgeProps) {
  const { t } = useTranslation();
  const status = state?.status;
  return (
    <Badge
      color={status ? statusColor[status] : "gray"}
      variant={status ? "filled" : "outline"}
      data-testid="monitor-status"
      data-status={status ?? "NONE"}
      {...props}
    >
      {status ? t(`monitoring.statuses.${status}`) : t("monitoring.noState")}
    </Badge>
  );
}
