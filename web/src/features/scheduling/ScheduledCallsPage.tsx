import { SegmentedControl, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { CallsTable } from "./CallsTable";

/** The agent's view: the calls I hold (or all), from a day ago on, with outcome, reschedule and cancel. */
export function ScheduledCallsPage() {
  const { t } = useTranslation();
  const [scope, setScope] = useState<"mine" | "all">("mine");
  const calls = useQuery({
    queryKey: ["scheduled-calls", "list", scope],
    refetchInterval: 30_000,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/scheduled-calls", {
          params: {
            query: {
              limit: 200,
              from: new Date(Date.now() - 24 * 3_600_000).toISOString(),
              ...(scope === "mine" ? { mine: true } : {}),
            },
          },
          signal,
        }),
      ).items,
  });
  return (
    <>
      <PageHeader title={t("scheduling.title")} subtitle={t("scheduling.subtitle")} />
      <Stack gap="sm">
        <SegmentedControl
          w="fit-content"
          value={scope}
          onChange={(v) => setScope(v as "mine" | "all")}
          data={[
            { value: "mine", label: t("scheduling.mine") },
            { value: "all", label: t("scheduling.all") },
          ]}
        />
        <ProblemAlert error={calls.error} />
        <CallsTable items={calls.data ?? []} staff showTicket />
      </Stack>
    </>
  );
}
