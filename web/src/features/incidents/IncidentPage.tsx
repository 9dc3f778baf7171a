import {
  Alert,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Select,
  Stack,
  Stepper,
  Table,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { compactDuration, useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import {
  type Clock,
  clockColor,
  type DetailField,
  detailFields,
  type IncidentDetail,
  type Kind,
  requirements,
  resolvedStage,
  type Severity,
  type Stage,
  type StageBody,
  severities,
  severityColor,
  statusColor,
} from "./model";
import { PostmortemPanel } from "./PostmortemPanel";
import { SecurityPanel } from "./SecurityPanel";
import { TicketsPanel, TimelinePanel } from "./TimelinePanel";

export const incidentKey = (id: string) => ["incidents", "one", id] as const;

function ClocksCard({ clocks }: { clocks: Clock[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder radius="md">
      <Title order={2} size="h5" mb="xs">
        {t("incidents.clocks")}
      </Title>
      <Stack gap="xs">
        {clocks.map((c) => (
          <Group key={c.kind} justify="space-between" wrap="nowrap" data-testid={`clock-${c.kind}`}>
            <Stack gap={0}>
              <Text size="sm" fw={500}>
                {t(`incidents.clockKinds.${c.kind}`)}
              </Text>
              <Text size="xs" c="dimmed">
                {t("incidents.dueAt", { at: format.dateTime(c.breachAt) })}
                {c.targetMinutes !== null && ` · ${compactDuration(c.targetMinutes)}`}
              </Text>
            </Stack>
            <Badge color={clockColor[c.status]} variant="light">
              {t(`incidents.clockStatuses.${c.status}`)}
            </Badge>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

/** The move to the next stage with the fields it needs, or back to an earlier one with a reason. */
function StageForm({ incident }: { incident: IncidentDetail }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const kind = incident.kind as Kind;
  const stages = incident.stages as Stage[];
  const at = stages.indexOf(incident.stage as Stage);
  const next = stages[at + 1];
  const needs = next ? (requirements[kind][next] ?? []) : [];
  const [values, setValues] = useState<Partial<Record<DetailField | "publicUpdate", string>>>({});
  const [severity, setSeverity] = useState<Severity>(incident.severity as Severity);
  const [back, setBack] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const move = useMutation({
    mutationFn: async (body: StageBody) =>
      unwrap(await api.POST("/api/v1/incidents/{id}/stage", { params: { path: { id: incident.id } }, body })),
    onSuccess: async () => {
      setValues({});
      setBack(null);
      setReason("");
      await client.invalidateQueries({ queryKey: ["incidents"] });
    },
  });
  const errors = fieldErrors(move.error);
  const recorded = incident.details as Partial<Record<DetailField, string>>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!next) return;
    const body: StageBody = { stage: next, ...values };
    if (needs.includes("severity")) body.severity = severity;
    move.mutate(body);
  };
  const fields = needs.filter((f): f is DetailField => f !== "severity");
  const resolves = next === resolvedStage(kind);
  return (
    <Stack>
      {next && (
        <form onSubmit={submit}>
          <Stack gap="xs">
            <Text fw={500}>{t("incidents.moveTo", { stage: t(`incidents.stages.${next}`) })}</Text>
            {needs.includes("severity") && (
              <Select
                label={t("incidents.fields.severity")}
                data={severities.map((s) => ({ value: s, label: t(`incidents.severities.${s}`) }))}
                value={severity}
                onChange={(v) => v && setSeverity(v as Severity)}
                allowDeselect={false}
                error={errors["/severity"] && t("incidents.required")}
              />
            )}
            {fields.map((f) => (
              <Textarea
                key={f}
                label={t(`incidents.details.${f}`)}
                required={!recorded[f]}
                description={recorded[f] ? t("incidents.recorded", { value: recorded[f] }) : undefined}
                autosize
                minRows={2}
                value={values[f] ?? ""}
                onChange={(e) => setValues({ ...values, [f]: e.currentTarget.value })}
                error={errors[`/${f}`] && t("incidents.required")}
              />
            ))}
            {resolves && (
              <Textarea
                label={t("incidents.publicUpdate")}
                description={t("incidents.publicUpdateHint")}
                autosize
                minRows={2}
                value={values.publicUpdate ?? ""}
                onChange={(e) => setValues({ ...values, publicUpdate: e.currentTarget.value })}
              />
            )}
            <Group justify="flex-end">
              <Button type="submit" loading={move.isPending && !back}>
                {t("incidents.move")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {at > 0 && (
        <Group align="flex-end" wrap="wrap">
          <Select
            label={t("incidents.goBack")}
            placeholder={t("incidents.goBackTo")}
            data={stages.slice(0, at).map((s) => ({ value: s, label: t(`incidents.stages.${s}`) }))}
            value={back}
            onChange={setBack}
            w={220}
          />
          <Textarea
            label={t("incidents.reason")}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={1}
            style={{ flex: 1, minWidth: 200 }}
            error={errors["/reason"] && t("incidents.required")}
          />
          <Button
            variant="default"
            disabled={!back}
            loading={move.isPending && Boolean(back)}
            onClick={() => back && move.mutate({ stage: back as Stage, reason })}
          >
            {t("incidents.moveBack")}
          </Button>
        </Group>
      )}
      <ProblemAlert error={move.error} />
    </Stack>
  );
}

function DetailsCard({ incident }: { incident: IncidentDetail }) {
  const { t } = useTranslation();
  const details = incident.details as Partial<Record<DetailField, string>>;
  const shown = detailFields.filter((f) => details[f]);
  return (
    <Card withBorder radius="md">
      <Title order={2} size="h5" mb="xs">
        {t("incidents.recordedTitle")}
      </Title>
      {incident.description && (
        <Text size="sm" mb="xs" style={{ whiteSpace: "pre-wrap" }}>
          {incident.description}
        </Text>
      )}
      {shown.length ? (
        <Table verticalSpacing={4}>
          <Table.Tbody>
            {shown.map((f) => (
              <Table.Tr key={f}>
                <Table.Th w="35%">{t(`incidents.details.${f}`)}</Table.Th>
                <Table.Td style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{details[f]}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">
          {t("incidents.nothingRecorded")}
        </Text>
      )}
      {incident.componentIds.length > 0 && (
        <Group gap={4} mt="xs">
          <Text size="sm">{t("incidents.fields.components")}:</Text>
          {incident.componentIds.map((c) => (
            <Badge key={c} variant="outline" size="sm" tt="none">
              {c}
            </Badge>
          ))}
        </Group>
      )}
    </Card>
  );
}

export function IncidentPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const format = useFormat();
  const client = useQueryClient();
  const narrow = useMediaQuery("(max-width: 48em)");
  const query = useQuery({
    queryKey: incidentKey(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/incidents/{id}", { params: { path: { id } }, signal })),
    refetchInterval: 30_000,
  });
  const ack = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/incidents/{id}/acknowledge", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["incidents"] }),
  });
  if (query.isPending) return <Loader />;
  if (query.error) return <ProblemAlert error={query.error} />;
  const incident = query.data;
  const writable = can("incidents", "write") && (incident.kind !== "security" || can("security", "write"));
  const at = incident.stages.indexOf(incident.stage);
  return (
    <>
      <PageHeader title={incident.title}>
        <Group gap="xs" mt={4}>
          <Badge color={severityColor[incident.severity] ?? "gray"}>
            {t(`incidents.severities.${incident.severity as Severity}`, { defaultValue: incident.severity })}
          </Badge>
          <Badge color={statusColor[incident.status]} variant="light">
            {t(`incidents.statuses.${incident.status}`)}
          </Badge>
          <Badge variant="outline">{t(`incidents.kinds.${incident.kind}`)}</Badge>
          <Text size="sm" c="dimmed">
            {t("incidents.openedAt", { at: format.dateTime(incident.createdAt) })} ·{" "}
            {t(`incidents.sources.${incident.source as "manual" | "ticket" | "alert"}`, {
              defaultValue: incident.source,
            })}
          </Text>
          {!incident.acknowledgedAt && writable && (
            <Button size="xs" color="red" loading={ack.isPending} onClick={() => ack.mutate()}>
              {t("incidents.acknowledge")}
            </Button>
          )}
          {incident.acknowledgedAt && (
            <Text size="sm" c="dimmed">
              {t("incidents.acknowledgedAt", { at: format.dateTime(incident.acknowledgedAt) })}
            </Text>
          )}
        </Group>
      </PageHeader>
      <ProblemAlert error={ack.error} />
      <Card withBorder radius="md" mb="md">
        <Stepper
          active={at}
          size="sm"
          allowNextStepsSelect={false}
          orientation={narrow ? "vertical" : "horizontal"}
          wrap
        >
          {incident.stages.map((s) => {
            const entered = [...incident.history].reverse().find((h) => h.stage === s);
            return (
              <Stepper.Step
                key={s}
                label={t(`incidents.stages.${s as Stage}`)}
                description={entered ? format.dateTime(entered.enteredAt) : undefined}
              />
            );
          })}
        </Stepper>
        {writable && incident.status !== "closed" ? (
          <Stack mt="md">
            <StageForm key={incident.stage} incident={incident} />
          </Stack>
        ) : (
          incident.status === "closed" && (
            <Alert mt="md" color="green">
              {t("incidents.closedNote")}
            </Alert>
          )
        )}
      </Card>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <DetailsCard incident={incident} />
            <TimelinePanel incident={incident} writable={writable} />
            <PostmortemPanel incidentId={incident.id} writable={writable} />
            {incident.kind === "security" && <SecurityPanel incidentId={incident.id} writable={writable} />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <ClocksCard clocks={incident.clocks} />
            <TicketsPanel incident={incident} writable={writable} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
