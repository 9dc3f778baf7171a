import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { compactDuration, useFormat } from "../../shell/format";
import { MarkdownText } from "../../shell/Markdown";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { useNow } from "../../shell/useNow";
import {
  continuity,
  type Drill,
  type DrillStep,
  drillColor,
  type RtoVerdict,
  type StepMark,
  stepColor,
  stepMarks,
  stopwatch,
  verdictColor,
} from "./model";
import { useOwnerLabel } from "./owners";

/** Others mark steps too: a running drill is fetched again at this pace. */
const REFRESH_MS = 10_000;

function Figure({ label, value, color, testId }: { label: string; value: string; color?: string; testId?: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={testId} ff="monospace">
        {value}
      </Text>
    </Stack>
  );
}

const marksFor = (step: DrillStep): StepMark[] =>
  step.status === "pending" ? [...stepMarks] : step.status === "started" ? ["done", "skipped"] : [];

/**
 * Runs a drill: one button per step and mark, stamped by the server's clock. The timer counts on from the
 * server's elapsed time at the last fetch, so the browser's clock does not matter.
 */
export function DrillPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const format = useFormat();
  const client = useQueryClient();
  const ownerLabel = useOwnerLabel();
  const key = ["continuity", "drill", id];
  const drill = useQuery({
    queryKey: key,
    queryFn: () => continuity.drill(id),
    refetchInterval: (q) => (q.state.data?.status === "running" ? REFRESH_MS : false),
  });
  const now = useNow(1000);
  const [ending, setEnding] = useState<"finish" | "abort" | null>(null);
  const [text, setText] = useState("");
  const onSaved = (saved: Drill) => {
    client.setQueryData(key, saved);
    void client.invalidateQueries({ queryKey: ["continuity", "drills"] });
  };
  const mark = useMutation({
    mutationFn: ({ index, status }: { index: number; status: StepMark }) => continuity.mark(id, index, status),
    onSuccess: onSaved,
  });
  const end = useMutation({
    mutationFn: (how: "finish" | "abort") =>
      how === "finish" ? continuity.finish(id, text.trim()) : continuity.abort(id, text.trim()),
    onSuccess: (saved) => {
      onSaved(saved);
      setEnding(null);
      setText("");
    },
  });

  const d = drill.data;
  if (!d) return <ProblemAlert error={drill.error} />;
  const running = d.status === "running";
  const since = running ? Math.max(0, (now - drill.dataUpdatedAt) / 1000) : 0;
  const elapsed = d.elapsedSeconds + since;
  const rtoSeconds = d.rtoMinutes * 60;
  const verdict: RtoVerdict = running && elapsed > rtoSeconds ? "exceeded" : d.rtoVerdict;
  const writer = can("backups", "write") && running;
  const open = d.steps.filter((s) => s.status === "pending" || s.status === "started").length;

  return (
    <>
      <PageHeader
        title={t("backups.continuity.drill.title", { name: d.runbookName })}
        subtitle={`${t("backups.continuity.drill.startedBy")}: ${d.startedBy.name} · ${format.dateTime(d.startedAt)}`}
      >
        <Group gap="xs">
          <Badge color={drillColor[d.status]} data-testid="drill-status">
            {t(`backups.continuity.drill.statuses.${d.status}`)}
          </Badge>
          <Badge color={verdictColor[verdict]} variant="light" data-testid="drill-verdict">
            {t(`backups.continuity.drill.verdicts.${verdict}`)}
          </Badge>
          <Anchor component={Link} to={`/continuity/runbooks/${d.runbookId}`} size="sm">
            {t("backups.continuity.drill.runbook")} v{d.runbookVersion}
          </Anchor>
        </Group>
      </PageHeader>
      <ProblemAlert error={mark.error} />
      <Card withBorder radius="md" mb="md">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Figure
            label={t("backups.continuity.drill.elapsed")}
            value={stopwatch(elapsed)}
            color={elapsed > rtoSeconds ? "red" : undefined}
            testId="drill-elapsed"
          />
          <Figure label={t("backups.continuity.drill.rto")} value={compactDuration(d.rtoMinutes)} />
          <Figure
            label={t("backups.continuity.drill.expected")}
            value={compactDuration(d.expectedMinutes)}
            color={d.expectedFitsRto ? undefined : "red"}
          />
          <Figure
            label={t("backups.continuity.fields.steps")}
            value={t("backups.continuity.drill.stepsDone", { done: d.steps.length - open, total: d.steps.length })}
          />
        </SimpleGrid>
        <Progress
          mt="md"
          size="lg"
          value={Math.min(100, (elapsed / rtoSeconds) * 100)}
          color={elapsed > rtoSeconds ? "red" : "blue"}
          aria-label={t("backups.continuity.drill.rto")}
        />
      </Card>
      <Card withBorder padding={0} radius="md" mb="md">
        <Table.ScrollContainer minWidth={820}>
          <Table verticalSpacing="xs" aria-label={t("backups.continuity.fields.steps")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>#</Table.Th>
                <Table.Th>{t("backups.continuity.fields.title")}</Table.Th>
                <Table.Th>{t("backups.continuity.fields.owner")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.expected")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.actual")}</Table.Th>
                <Table.Th>{t("backups.continuity.drill.status")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.steps.map((s) => {
                const actual =
                  s.durationSeconds === null ? null : s.durationSeconds + (s.status === "started" ? since : 0);
                const over = actual !== null && actual > s.expectedMinutes * 60;
                return (
                  <Table.Tr key={s.index} data-testid="drill-step" data-status={s.status}>
                    <Table.Td>{s.index + 1}</Table.Td>
                    <Table.Td>
                      <Text fw={500}>{s.title}</Text>
                      {s.description && <MarkdownText>{s.description}</MarkdownText>}
                    </Table.Td>
                    <Table.Td>{ownerLabel(s)}</Table.Td>
                    <Table.Td>{compactDuration(s.expectedMinutes)}</Table.Td>
                    <Table.Td>
                      <Text
                        ff="monospace"
                        c={over ? "red" : undefined}
                        title={over ? t("backups.continuity.drill.overran") : undefined}
                      >
                        {actual === null ? "—" : stopwatch(actual)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={stepColor[s.status]}>
                        {t(`backups.continuity.drill.stepStatuses.${s.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {writer && (
                        <Group gap={4} wrap="nowrap">
                          {marksFor(s).map((m) => (
                            <Button
                              key={m}
                              size="compact-sm"
                              variant={m === "skipped" ? "subtle" : m === "done" ? "filled" : "light"}
                              loading={
                                mark.isPending && mark.variables?.index === s.index && mark.variables.status === m
                              }
                              disabled={mark.isPending}
                              aria-label={t("backups.continuity.drill.markStep", {
                                mark: t(`backups.continuity.drill.marks.${m}`),
                                title: s.title,
                              })}
                              onClick={() => mark.mutate({ index: s.index, status: m })}
                            >
                              {t(`backups.continuity.drill.marks.${m}`)}
                            </Button>
                          ))}
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      {d.notes && (
        <Card withBorder radius="md" mb="md">
          <Text size="sm" fw={500}>
            {t("backups.continuity.drill.notes")}
          </Text>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {d.notes}
          </Text>
        </Card>
      )}
      {d.finishedAt && (
        <Text size="sm" c="dimmed">
          {t("backups.continuity.drill.finishedAt")}: {format.dateTime(d.finishedAt)}
        </Text>
      )}
      {writer && (
        <Group justify="flex-end">
          <Button variant="default" color="red" onClick={() => setEnding("abort")}>
            {t("backups.continuity.drill.abort")}
          </Button>
          <Button
            disabled={open > 0}
            title={open > 0 ? t("backups.continuity.drill.openSteps") : undefined}
            onClick={() => setEnding("finish")}
          >
            {t("backups.continuity.drill.finish")}
          </Button>
        </Group>
      )}
      <Modal
        opened={ending !== null}
        onClose={() => setEnding(null)}
        title={t(ending === "abort" ? "backups.continuity.drill.abort" : "backups.continuity.drill.finish")}
      >
        <Stack>
          <ProblemAlert error={end.error} />
          <Textarea
            label={t(
              ending === "abort" ? "backups.continuity.drill.abortReason" : "backups.continuity.drill.finishNotes",
            )}
            required={ending === "abort"}
            autosize
            minRows={3}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setEnding(null)}>
              {t("common.cancel")}
            </Button>
            <Button
              color={ending === "abort" ? "red" : undefined}
              loading={end.isPending}
              onClick={() => ending && end.mutate(ending)}
            >
              {t(ending === "abort" ? "backups.continuity.drill.abort" : "backups.continuity.drill.finish")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
