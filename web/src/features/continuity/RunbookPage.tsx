import { Alert, Badge, Button, Card, Group, Modal, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { compactDuration, useFormat } from "../../shell/format";
import { MarkdownText } from "../../shell/Markdown";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { DrillsTable } from "./DrillsTable";
import { MonitorState } from "./MonitorState";
import { continuity, runbookQuery } from "./model";
import { useOwnerLabel } from "./owners";

function Versions({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const versions = useQuery({ queryKey: ["continuity", "versions", id], queryFn: () => continuity.versions(id) });
  return (
    <Stack gap={4}>
      <ProblemAlert error={versions.error} />
      {versions.data?.items.map((v) => (
        <Text size="sm" key={v.version} data-testid="runbook-version">
          {t("backups.continuity.versionLine", {
            version: v.version,
            who: v.author?.name ?? t("backups.continuity.seeded"),
            when: format.dateTime(v.createdAt),
          })}
          {v.comment ? ` — ${v.comment}` : ""}
        </Text>
      ))}
    </Stack>
  );
}

/** One runbook: its steps, expected total against the RTO, versions and drills; start a drill from here. */
export function RunbookPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const client = useQueryClient();
  const ownerLabel = useOwnerLabel();
  const runbook = useQuery(runbookQuery(id));
  const [starting, setStarting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [notes, setNotes] = useState("");
  const start = useMutation({
    mutationFn: () => continuity.startDrill(id, notes.trim()),
    onSuccess: (drill) => {
      void client.invalidateQueries({ queryKey: ["continuity", "drills"] });
      void navigate(`/continuity/drills/${drill.id}`);
    },
  });
  const remove = useMutation({
    mutationFn: () => continuity.remove(id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["continuity"] });
      void navigate("/continuity");
    },
  });
  const r = runbook.data;
  if (!r) return <ProblemAlert error={runbook.error} />;
  const writer = can("backups", "write");
  return (
    <>
      <PageHeader title={r.name}>
        {r.purpose && <MarkdownText>{r.purpose}</MarkdownText>}
        <Group justify="space-between">
          <Group gap="xs">
            <Badge variant="light">{t(`backups.continuity.kinds.${r.kind}`)}</Badge>
            <Badge variant="outline">v{r.version}</Badge>
            {r.monitorId && <MonitorState monitorId={r.monitorId} />}
          </Group>
          {writer && (
            <Group gap="xs">
              <Button variant="default" component={Link} to={`/continuity/runbooks/${id}/edit`}>
                {t("backups.continuity.edit")}
              </Button>
              <Button variant="default" color="red" onClick={() => setDeleting(true)}>
                {t("backups.continuity.delete")}
              </Button>
              <Button onClick={() => setStarting(true)}>{t("backups.continuity.startDrill")}</Button>
            </Group>
          )}
        </Group>
      </PageHeader>
      <Alert color={r.expectedMinutes > r.rtoMinutes ? "red" : "green"} mb="md" data-testid="runbook-rto">
        {t("backups.continuity.expectedTotal", {
          expected: compactDuration(r.expectedMinutes),
          rto: compactDuration(r.rtoMinutes),
        })}{" "}
        — {t(r.expectedMinutes > r.rtoMinutes ? "backups.continuity.exceedsRto" : "backups.continuity.fitsRto")}
      </Alert>
      <Card withBorder padding={0} radius="md" mb="lg">
        <Table verticalSpacing="xs" aria-label={t("backups.continuity.fields.steps")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40}>#</Table.Th>
              <Table.Th>{t("backups.continuity.fields.title")}</Table.Th>
              <Table.Th>{t("backups.continuity.fields.owner")}</Table.Th>
              <Table.Th>{t("backups.continuity.drill.expected")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.steps.map((s, i) => (
              // Steps have no identity of their own: their place is what they are.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <Table.Tr key={i} data-testid="runbook-step">
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td>
                  <Text fw={500}>{s.title}</Text>
                  {s.description && <MarkdownText>{s.description}</MarkdownText>}
                </Table.Td>
                <Table.Td>{ownerLabel(s)}</Table.Td>
                <Table.Td>{compactDuration(s.expectedMinutes)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Title order={4} mb="xs">
        {t("backups.continuity.tabs.drills")}
      </Title>
      <DrillsTable runbookId={id} />
      <Title order={4} mt="lg" mb="xs">
        {t("backups.continuity.versions")}
      </Title>
      <Versions id={id} />
      <Modal opened={starting} onClose={() => setStarting(false)} title={t("backups.continuity.startDrill")}>
        <Stack>
          <ProblemAlert error={start.error} />
          <Textarea
            label={t("backups.continuity.drillNotes")}
            autosize
            minRows={3}
            value={notes}
            onChange={(e) => setNotes(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setStarting(false)}>
              {t("common.cancel")}
            </Button>
            <Button loading={start.isPending} onClick={() => start.mutate()}>
              {t("backups.continuity.start")}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t("backups.continuity.delete")}>
        <Stack>
          <ProblemAlert error={remove.error} />
          <Text>{t("backups.continuity.confirmDelete", { name: r.name })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t("common.cancel")}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              {t("backups.continuity.delete")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
