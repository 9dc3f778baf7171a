import { Anchor, Badge, Button, Card, Group, Table, Tabs, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { compactDuration, useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { DrillsTable } from "./DrillsTable";
import { continuity } from "./model";

function RunbooksTable() {
  const { t } = useTranslation();
  const format = useFormat();
  const list = usePagedList(["continuity", "runbooks"], (cursor, signal) => continuity.runbooks(cursor, signal));
  return (
    <>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover verticalSpacing="xs" aria-label={t("backups.continuity.tabs.runbooks")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("backups.continuity.fields.name")}</Table.Th>
                <Table.Th>{t("backups.continuity.fields.kind")}</Table.Th>
                <Table.Th>{t("backups.continuity.fields.steps")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.expected")}</Table.Th>
                <Table.Th>{t("backups.continuity.fields.version")}</Table.Th>
                <Table.Th>{t("backups.continuity.fields.updatedAt")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((r) => (
                <Table.Tr key={r.id} data-testid="runbook-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/continuity/runbooks/${r.id}`}>
                      {r.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{t(`backups.continuity.kinds.${r.kind}`)}</Badge>
                  </Table.Td>
                  <Table.Td>{r.steps.length}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={r.expectedMinutes > r.rtoMinutes ? "red" : undefined}>
                      {compactDuration(r.expectedMinutes)} / {compactDuration(r.rtoMinutes)}
                    </Text>
                  </Table.Td>
                  <Table.Td>v{r.version}</Table.Td>
                  <Table.Td>{format.dateTime(r.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={list} colSpan={6} text={t("backups.continuity.noRunbooks")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <PagedFooter {...list} />
      </Card>
    </>
  );
}

/** Runbooks and the history of their drills. */
export function ContinuityPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") === "drills" ? "drills" : "runbooks";
  return (
    <>
      <PageHeader title={t("backups.continuity.title")} subtitle={t("backups.continuity.subtitle")}>
        {can("backups", "write") && (
          <Group justify="flex-end">
            <Button component={Link} to="/continuity/runbooks/new">
              {t("backups.continuity.newRunbook")}
            </Button>
          </Group>
        )}
      </PageHeader>
      <Tabs value={tab} onChange={(v) => setParams(v === "drills" ? { tab: "drills" } : {})} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="runbooks">{t("backups.continuity.tabs.runbooks")}</Tabs.Tab>
          <Tabs.Tab value="drills">{t("backups.continuity.tabs.drills")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="runbooks">
          <RunbooksTable />
        </Tabs.Panel>
        <Tabs.Panel value="drills">
          <DrillsTable />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
