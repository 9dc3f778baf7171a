import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { Schedule } from "../../shell/Schedule";
import { usePlanLabels } from "./labels";
import { findingsQuery, type PlanDocument, type PlanVersion } from "./queries";

type Severities = PlanDocument["severities"];
type SeverityId = keyof Severities;
type Span = { value: number; unit: string };

/** A copy of `doc` with the value at a JSON Pointer replaced (the pointer must exist). */
function setAt<T>(doc: T, pointer: string, value: unknown): T {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const keys = pointer.split("/").slice(1);
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1] as string] = value;
  return copy as T;
}

/**
 * The plan as a form, one card per section, for the values people change most (deadlines, calendars, backup
 * schedules, RPO and RTO). The server validates on save; its field errors and the current plan's findings show
 * under the section they concern. The JSON view stays for everything else.
 */
export function PlanForm({ current, onSaved }: { current: PlanVersion; onSaved: () => void }) {
  const { t, i18n } = useTranslation();
  const labels = usePlanLabels();
  const client = useQueryClient();
  const [doc, setDoc] = useState<PlanDocument>(() => structuredClone(current.document));
  const [comment, setComment] = useState("");
  const findings = useQuery(findingsQuery(i18n.language));
  const save = useMutation({
    mutationFn: async () =>
      unwrap(await api.PUT("/api/v1/plan", { body: { document: doc, comment, baseVersion: current.version } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["plan"] });
      onSaved();
    },
  });
  const errors = fieldErrors(save.error);
  const error = (pointer: string) => errors[`/document${pointer}`];
  const set = (pointer: string, value: unknown) => setDoc((d) => setAt(d, pointer, value));
  const calendars = Object.entries(doc.calendars).map(([id, c]) => ({ value: id, label: labels.calendar(id, c.name) }));
  const unitChoices = (units: string[]) => units.map((u) => ({ value: u, label: t(`plan.unitNames.${u as "hours"}`) }));

  /** The findings that name a field under `prefix`, as the server words them. */
  const notes = (prefix: string) =>
    (findings.data ?? [])
      .filter((f) => f.fields.some((p) => p.startsWith(prefix)))
      .map((f) => (
        <Alert key={f.id} color={f.severity === "critical" ? "red" : "orange"} p="xs" title={f.title}>
          <Text size="xs">{f.detail}</Text>
        </Alert>
      ));

  const span = (pointer: string, value: Span, units: string[], label: string) => (
    <Group gap={4} align="flex-start" wrap="nowrap">
      <NumberInput
        label={label}
        min={0}
        value={value.value}
        error={error(`${pointer}/value`) ?? error(pointer)}
        onChange={(v) => set(`${pointer}/value`, Number(v))}
        w={110}
      />
      <Select
        label={t("plan.unit")}
        allowDeselect={false}
        data={unitChoices(units)}
        value={value.unit}
        error={error(`${pointer}/unit`)}
        onChange={(v) => v && set(`${pointer}/unit`, v)}
        w={150}
      />
    </Group>
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <ProblemAlert error={save.error} />
        <Section title={t("plan.severities")} notes={notes("/severities")}>
          {(Object.keys(doc.severities) as SeverityId[]).map((id) => {
            const s = doc.severities[id];
            return (
              <Card key={id} withBorder padding="sm" radius="sm">
                <Text fw={600} size="sm" mb={4}>
                  {labels.severity(id, s.name)}
                </Text>
                <Group gap="md" align="flex-start">
                  {span(
                    `/severities/${id}/response`,
                    s.response,
                    ["minutes", "hours", "businessDays"],
                    t("plan.response"),
                  )}
                  {span(
                    `/severities/${id}/resolution`,
                    s.resolution,
                    ["minutes", "hours", "businessDays"],
                    t("plan.resolution"),
                  )}
                  <Select
                    label={t("plan.calendar")}
                    allowDeselect={false}
                    data={calendars}
                    value={s.calendar}
                    error={error(`/severities/${id}/calendar`)}
                    onChange={(v) => v && set(`/severities/${id}/calendar`, v)}
                    w={200}
                  />
                </Group>
              </Card>
            );
          })}
        </Section>
        <Section title={t("plan.backups")} notes={notes("/backups")}>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {(["full", "incremental"] as const).map((kind) => (
              <Stack key={kind} gap={4}>
                <TextInput
                  label={kind === "full" ? t("plan.fullBackup") : t("plan.incrementalBackup")}
                  description={t("plan.cronHint")}
                  value={doc.backups[kind].cron}
                  error={error(`/backups/${kind}/cron`)}
                  onChange={(e) => set(`/backups/${kind}/cron`, e.currentTarget.value)}
                  ff="monospace"
                />
                <Schedule cron={doc.backups[kind].cron} timeZone={doc.backups[kind].timezone} />
              </Stack>
            ))}
          </SimpleGrid>
        </Section>
        <Section title={t("plan.disasterRecovery")} notes={notes("/disasterRecovery")}>
          <Group gap="xl" align="flex-start">
            {span("/disasterRecovery/rpo", doc.disasterRecovery.rpo, ["minutes", "hours"], "RPO")}
            {span("/disasterRecovery/rto", doc.disasterRecovery.rto, ["minutes", "hours"], "RTO")}
          </Group>
        </Section>
        <TextInput
          label={t("plan.comment")}
          required
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
          error={save.error && !comment ? t("plan.commentRequired") : error("/comment")}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            {t("plan.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Section({ title, notes, children }: { title: string; notes: ReactNode[]; children: ReactNode }) {
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <Stack gap="xs">
        {notes}
        {children}
      </Stack>
    </Card>
  );
}
