import { Anchor, Badge, Card, Table } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { compactDuration, useFormat } from "../../shell/format";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { continuity, drillColor, stopwatch, verdictColor } from "./model";

/** Drills, newest first: every drill, or one runbook's. */
export function DrillsTable({ runbookId }: { runbookId?: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = usePagedList(["continuity", "drills", runbookId ?? "all"], (cursor, signal) =>
    continuity.drills({ runbookId, cursor }, signal),
  );
  return (
    <>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover verticalSpacing="xs" aria-label={t("backups.continuity.tabs.drills")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("backups.continuity.drill.startedAt")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.runbook")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.status")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.elapsed")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.rto")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.verdict")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.startedBy")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((d) => (
                <Table.Tr key={d.id} data-testid="drill-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/continuity/drills/${d.id}`}>
                      {format.dateTime(d.startedAt)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {d.runbookName} <small>v{d.runbookVersion}</small>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={drillColor[d.status]}>
                      {t(`backups.continuity.drill.statuses.${d.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{stopwatch(d.elapsedSeconds)}</Table.Td>
                  <Table.Td>{compactDuration(d.rtoMinutes)}</Table.Td>
                  <Table.Td>
                    <Badge color={verdictColor[d.rtoVerdict]}>
                      {t(`backups.continuity.drill.verdicts.${d.rtoVerdict}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{d.startedBy.name}</Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={list} colSpan={7} text={t("backups.continuity.noDrills")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <PagedFooter {...list} />
      </Card>
    </>
  );
}
