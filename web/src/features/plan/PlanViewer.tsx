import { Badge, Card, Group, SimpleGrid, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type pt from "../../i18n/pt-BR.json";
import { Schedule } from "../../shell/Schedule";
import { usePlanLabels } from "./labels";
import type { PlanDocument } from "./queries";

type Cadence = keyof typeof pt.plan.cadences;

type Unit = "minutes" | "hours" | "businessDays" | "days" | "weeks" | "months" | "years";

function Block({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <Card
      withBorder
      padding="md"
      radius="md"
      component="section"
      aria-label={title}
      style={wide ? { gridColumn: "1 / -1" } : undefined}
    >
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

/** Label/value pairs as a two-column table. */
function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <Table verticalSpacing={4}>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w="50%" fw={500}>
              {label}
            </Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function PlanViewer({ document: doc }: { document: PlanDocument }) {
  const { t } = useTranslation();
  const span = (d: { value: number; unit: string }) => t(`plan.units.${d.unit as Unit}`, { count: d.value });
  const cadence = (c: string) => t(`plan.cadences.${c as Cadence}`);
  const yesNo = (b: boolean) => (b ? t("common.yes") : t("common.no"));
  const labels = usePlanLabels();
  const calendarName = (id: string) => labels.calendar(id, doc.calendars[id as keyof typeof doc.calendars]?.name);
  const day = (d: string) => t(`plan.days.${d as keyof typeof pt.plan.days}`);

  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Block title={t("plan.severities")} wide>
        <Table.ScrollContainer minWidth={560}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("plan.severity")}</Table.Th>
                <Table.Th>{t("plan.description")}</Table.Th>
                <Table.Th>{t("plan.response")}</Table.Th>
                <Table.Th>{t("plan.resolution")}</Table.Th>
                <Table.Th>{t("plan.calendar")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {Object.entries(doc.severities).map(([id, s]) => (
                <Table.Tr key={id}>
                  <Table.Td>
                    <SeverityBadge severity={id} label={labels.severity(id, s.name)} />
                  </Table.Td>
                  <Table.Td>{labels.text(s.description)}</Table.Td>
                  <Table.Td>{span(s.response)}</Table.Td>
                  <Table.Td>{span(s.resolution)}</Table.Td>
                  <Table.Td>{calendarName(s.calendar)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Block>
      <Block title={t("plan.tiers")} wide>
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("plan.tier")}</Table.Th>
                <Table.Th>{t("plan.severities")}</Table.Th>
                <Table.Th>{t("plan.channels")}</Table.Th>
                <Table.Th>{t("plan.responseTarget")}</Table.Th>
                <Table.Th>{t("plan.responseMaximum")}</Table.Th>
                <Table.Th>{t("plan.examples")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {Object.entries(doc.tiers).map(([id, tier]) => (
                <Table.Tr key={id}>
                  <Table.Td>
                    <Text fw={600}>{id}</Text>
                    <Text size="xs" c="dimmed">
                      {labels.tier(id, tier.name)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {tier.severities
                      .map((s) => labels.severity(s, doc.severities[s as keyof typeof doc.severities]?.name))
                      .join(", ")}
                  </Table.Td>
                  <Table.Td>{tier.channels.map(labels.channel).join(", ")}</Table.Td>
                  <Table.Td>{span(tier.responseTime.target)}</Table.Td>
                  <Table.Td>
                    {span(tier.responseTime.maximum)} ({calendarName(tier.responseTime.calendar)})
                  </Table.Td>
                  <Table.Td>{tier.examples.map(labels.text).join("; ")}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Block>
      <Block title={t("plan.calendars")}>
        <Table verticalSpacing="xs">
          <Table.Tbody>
            {Object.entries(doc.calendars).map(([id, cal]) => (
              <Table.Tr key={id}>
                <Table.Th fw={500}>
                  {labels.calendar(id, cal.name)}{" "}
                  <Text span size="xs" c="dimmed">
                    (<code>{id}</code>, {cal.timezone})
                  </Text>
                </Table.Th>
                <Table.Td>
                  {cal.alwaysOpen
                    ? t("plan.alwaysOpen")
                    : Object.entries(cal.week)
                        .filter(([, spans]) => spans.length > 0)
                        .map(([d, spans]) => `${day(d)} ${spans.map((s) => `${s.start}–${s.end}`).join(", ")}`)
                        .join(" · ")}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Block>
      <Block title={t("plan.backups")}>
        <Facts
          rows={[
            [
              t("plan.fullBackup"),
              <Schedule key="full" cron={doc.backups.full.cron} timeZone={doc.backups.full.timezone} />,
            ],
            [
              t("plan.incrementalBackup"),
              <Schedule
                key="incremental"
                cron={doc.backups.incremental.cron}
                timeZone={doc.backups.incremental.timezone}
              />,
            ],
            [t("plan.retentionDaily"), span(doc.backups.retention.daily)],
            [t("plan.retentionWeekly"), span(doc.backups.retention.weekly)],
            [t("plan.retentionMonthly"), span(doc.backups.retention.monthly)],
            [
              t("plan.restoreTest"),
              `${cadence(doc.backups.restoreTest.cadence)} · ${span(doc.backups.restoreTest.timeLimit)}`,
            ],
          ]}
        />
      </Block>
      <Block title={t("plan.maintenanceWindow")}>
        <Facts
          rows={[
            [t("plan.days.label"), doc.maintenanceWindow.days.map(day).join(", ")],
            [
              t("plan.hours"),
              `${doc.maintenanceWindow.start}–${doc.maintenanceWindow.end} (${doc.maintenanceWindow.timezone})`,
            ],
            [t("plan.notice"), t("plan.noticeHours", { hours: doc.maintenanceWindow.noticeHours })],
          ]}
        />
      </Block>
      <Block title={t("plan.updatesAndSecurity")}>
        <Facts
          rows={[
            ...Object.entries(doc.updates).map(
              ([kind, u]) =>
                [
                  t(`plan.updateKinds.${kind as keyof typeof pt.plan.updateKinds}`),
                  `${cadence(u.cadence)}${u.inMaintenanceWindow ? ` · ${t("plan.inWindow")}` : ""}`,
                ] as [string, ReactNode],
            ),
            [t("plan.vulnerabilityScan"), cadence(doc.security.vulnerabilityScan)],
            [t("plan.penetrationTest"), cadence(doc.security.penetrationTest)],
            [t("plan.accessAudit"), cadence(doc.security.accessAudit)],
          ]}
        />
      </Block>
      <Block title={t("plan.kpis")}>
        <Facts
          rows={[
            [t("plan.systemUptime"), `${doc.kpis.availability.systemUptimePercent}%`],
            [t("plan.serviceAvailability"), `${doc.kpis.availability.serviceAvailabilityPercent}%`],
            [t("plan.firstContactResolution"), `${doc.kpis.support.firstContactResolutionPercent}%`],
            [t("plan.apiResponse"), `< ${doc.kpis.performance.apiResponseBelowMs} ms`],
            [t("plan.pageLoad"), `< ${doc.kpis.performance.pageLoadBelowMs} ms`],
            [t("plan.resourceUsage"), `< ${doc.kpis.performance.resourceUsageBelowPercent}%`],
          ]}
        />
      </Block>
      <Block title={t("plan.disasterRecovery")}>
        <Facts
          rows={[
            ["RPO", span(doc.disasterRecovery.rpo)],
            ["RTO", span(doc.disasterRecovery.rto)],
            [t("plan.contingencyReady"), yesNo(doc.disasterRecovery.contingencyEnvironmentReady)],
            [t("plan.checklists"), yesNo(doc.disasterRecovery.documentedChecklists)],
          ]}
        />
      </Block>
      <Block title={t("plan.review")}>
        <Facts
          rows={[
            [t("plan.reviewCadence"), cadence(doc.review.cadence)],
            [t("plan.lastReviewed"), doc.review.lastReviewedAt],
            [t("plan.graceDays"), String(doc.review.graceDays)],
          ]}
        />
      </Block>
      <Block title={t("plan.escalation")} wide>
        <Table.ScrollContainer minWidth={560}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("plan.severity")}</Table.Th>
                <Table.Th>{t("plan.maxTimePerLevel")}</Table.Th>
                <Table.Th>{t("plan.steps")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {Object.entries(doc.escalation).map(([id, e]) => (
                <Table.Tr key={id}>
                  <Table.Td>
                    <SeverityBadge
                      severity={id}
                      label={labels.severity(id, doc.severities[id as keyof typeof doc.severities]?.name)}
                    />
                  </Table.Td>
                  <Table.Td>{span(e.maxTimePerLevel)}</Table.Td>
                  <Table.Td>
                    {e.steps.map((s) => (
                      <Text key={`${s.clock}-${s.trigger}-${s.value}`} size="sm">
                        {t(`plan.triggers.${s.trigger as keyof typeof pt.plan.triggers}`, {
                          value: s.value,
                          clock: t(`plan.clocks.${s.clock as keyof typeof pt.plan.clocks}`),
                        })}{" "}
                        → {s.notify.map(labels.notify).join(", ")}
                      </Text>
                    ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Block>
    </SimpleGrid>
  );
}

const severityColor: Record<string, string> = {
  critical: "red",
  high: "orange",
  medium: "yellow",
  low: "gray",
  warning: "orange",
  info: "blue",
};

export function SeverityBadge({ severity, label }: { severity: string; label: string }) {
  return (
    <Group gap={4}>
      <Badge color={severityColor[severity] ?? "gray"} variant="light">
        {label}
      </Badge>
    </Group>
  );
}
