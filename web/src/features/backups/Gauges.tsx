import { Badge, Card, Group, RingProgress, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { compactDuration } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { backups, type RpoReport, type RpoStatus, type RtoStatus, shortDuration, targetColor } from "./model";

/** Measured against target as a ring: full at the target, red past it, grey when there is nothing measured. */
export function TargetGauge({
  label,
  measuredMinutes,
  targetMinutes,
  status,
  testId,
}: {
  label: string;
  measuredMinutes: number | null;
  targetMinutes: number;
  status: RpoStatus | RtoStatus;
  testId?: string;
}) {
  const { t } = useTranslation();
  const share = measuredMinutes === null ? 0 : Math.min(100, (measuredMinutes / targetMinutes) * 100);
  return (
    <Group gap="xs" wrap="nowrap" data-testid={testId} data-status={status}>
      <RingProgress
        size={84}
        thickness={9}
        roundCaps
        sections={[{ value: share, color: targetColor[status] }]}
        label={
          <Text ta="center" size="xs" fw={700}>
            {measuredMinutes === null ? "—" : shortDuration(measuredMinutes)}
          </Text>
        }
      />
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Text size="xs" c="dimmed">
          {t("backups.target", { time: compactDuration(targetMinutes) })}
        </Text>
        <Badge size="sm" variant="light" color={targetColor[status]}>
          {t(`backups.statuses.${status}`)}
        </Badge>
      </Stack>
    </Group>
  );
}

export function JobGauges({ job }: { job: RpoReport["jobs"][number] }) {
  const { t } = useTranslation();
  return (
    <Group gap="xl">
      <TargetGauge label={t("backups.rpo")} {...job.rpo} testId="rpo-gauge" />
      <TargetGauge label={t("backups.rto")} {...job.rto} testId="rto-gauge" />
    </Group>
  );
}

export const rpoQuery = {
  queryKey: ["backups", "rpo"],
  queryFn: ({ signal }: { signal: AbortSignal }) => backups.rpo(signal),
  refetchInterval: 60_000,
};

/** RPO and RTO of every data class and job, measured by the server. */
export function RpoOverview() {
  const { t } = useTranslation();
  const rpo = useQuery(rpoQuery);
  if (!rpo.data) return <ProblemAlert error={rpo.error} />;
  return (
    <Stack gap="sm" mb="lg">
      <Group gap="xs">
        {rpo.data.classes.map((c) => (
          <Badge
            key={c.dataClass}
            variant="outline"
            color={c.rpoStatus === "exceeded" || c.rtoStatus === "exceeded" ? "red" : "gray"}
            data-testid="data-class"
          >
            {c.dataClass}: {t("backups.rpo")} {t(`backups.statuses.${c.rpoStatus}`)} · {t("backups.rto")}{" "}
            {t(`backups.statuses.${c.rtoStatus}`)}
          </Badge>
        ))}
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2, lg: 3 }}>
        {rpo.data.jobs.map((job) => (
          <Card key={job.jobId} withBorder radius="md" padding="sm">
            <Text fw={500} mb="xs">
              {job.name}{" "}
              <Text span size="xs" c="dimmed">
                {job.dataClass}
              </Text>
            </Text>
            <JobGauges job={job} />
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
