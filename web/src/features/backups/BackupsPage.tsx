import { Anchor, Badge, Button, Card, Group, Modal, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { compactDuration } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { RpoOverview } from "./Gauges";
import { JobForm } from "./JobForm";
import { backups } from "./model";

/** RPO and RTO at a glance, then every backup job. */
export function BackupsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const jobs = useQuery({ queryKey: ["backups", "jobs"], queryFn: ({ signal }) => backups.jobs(signal) });
  return (
    <>
      <PageHeader title={t("backups.title")} subtitle={t("backups.subtitle")}>
        {can("backups", "write") && (
          <Group justify="flex-end">
            <Button onClick={() => setCreating(true)}>{t("backups.newJob")}</Button>
          </Group>
        )}
      </PageHeader>
      <Title order={4} mb="xs">
        {t("backups.targets")}
      </Title>
      <RpoOverview />
      <Title order={4} mb="xs">
        {t("backups.jobs")}
      </Title>
      <ProblemAlert error={jobs.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={820}>
          <Table striped highlightOnHover verticalSpacing="xs" aria-label={t("backups.jobs")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("backups.fields.name")}</Table.Th>
                <Table.Th>{t("backups.fields.source")}</Table.Th>
                <Table.Th>{t("backups.fields.dataClass")}</Table.Th>
                <Table.Th>{t("backups.fields.repositoryUrl")}</Table.Th>
                <Table.Th>{t("backups.rpo")}</Table.Th>
                <Table.Th>{t("backups.rto")}</Table.Th>
                <Table.Th>{t("backups.enabled")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {jobs.data?.items.map((job) => (
                <Table.Tr key={job.id} data-testid="backup-job-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/backups/jobs/${job.id}`}>
                      {job.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{t(`backups.sources.${job.source.kind}`)}</Badge>
                  </Table.Td>
                  <Table.Td>{job.dataClass}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" truncate maw={280}>
                      {job.repository.url}
                    </Text>
                  </Table.Td>
                  <Table.Td>{compactDuration(job.rpoMinutes)}</Table.Td>
                  <Table.Td>{compactDuration(job.rtoMinutes)}</Table.Td>
                  <Table.Td>{job.enabled ? t("common.yes") : t("common.no")}</Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow
                list={{ isSuccess: jobs.isSuccess, items: jobs.data?.items ?? [] }}
                colSpan={7}
                text={t("backups.noJobs")}
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("backups.newJob")} size="lg">
        {creating && (
          <JobForm
            onCancel={() => setCreating(false)}
            onCreated={(job) => {
              setCreating(false);
              void navigate(`/backups/jobs/${job.id}`);
            }}
          />
        )}
      </Modal>
    </>
  );
}
