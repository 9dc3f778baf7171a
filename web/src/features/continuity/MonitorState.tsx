import { Badge } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import type { MonitorStatus } from "./model";

const statusColor: Record<MonitorStatus, string> = {
  UP: "green",
  DEGRADED: "yellow",
  PENDING: "orange",
  DOWN: "red",
  MAINTENANCE: "blue",
  UNREACHABLE: "gray",
};

/**
 * The readiness of the contingency environment, as its monitor sees it. The runbook only names the monitor;
 * when it cannot be read (no such monitor, no monitoring grant) the id alone is shown.
 */
export function MonitorState({ monitorId }: { monitorId: string }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const monitor = useQuery({
    queryKey: ["continuity", "monitor", monitorId],
    enabled: can("monitoring"),
    retry: false,
    refetchInterval: 30_000,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/monitors/{id}", { params: { path: { id: monitorId } }, signal })),
  });
  const m = monitor.data;
  const status = m?.state?.status;
  return (
    <Badge variant="outline" color={status ? statusColor[status] : "gray"} data-testid="contingency-monitor">
      {t("backups.continuity.monitor", { id: m ? m.name : monitorId })}
      {status ? ` · ${status}` : ""}
    </Badge>
  );
}
