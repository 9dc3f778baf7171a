import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAfterFirstPaint } from "../../shell/deferred";
import { ProblemAlert } from "../../shell/problem";
import { Schedule } from "../../shell/Schedule";
import { CalendarsSection } from "./CalendarsSection";
import { useFindingText, usePlanFieldErrors } from "./findingText";
import {
  HourInput,
  InputsShown,
  type PlanEditor,
  Section,
  type Span,
  SpanInput,
  setAt,
  TimeZoneSelect,
} from "./formParts";
import { usePlanLabels } from "./labels";
import { PoliciesSection } from "./PoliciesSection";
import { findingsQuery, type PlanDocument, type PlanVersion } from "./queries";

type Severities = PlanDocument["severities"];
type SeverityId = keyof Severities;
type TierId = keyof PlanDocument["tiers"];
const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
/**
 * The plan as a form, one card per section, for the values people change most (deadlines, tiers, business
 * calendars, SLA policies, backup schedules and restore tests, the maintenance window, availability targets,
 * RPO and RTO, the review). The
 * server validates on save; its field errors and the current plan's findings show under the section they
 * concern. The JSON view stays for everything else.
 *
 * Some hundred inputs drawn at once painted the form a second late, so it is drawn in two steps: first each
 * section's title and findings (the largest text on the screen), once the findings are in; then the inputs, as
 * a transition that yields to the browser.
 */
export function PlanForm({ current, onSaved }: { current: PlanVersion; onSaved: () => void }) {
  const { t, i18n } = useTranslation();
  const labels = usePlanLabels();
  const client = useQueryClient();
  const [doc, setDoc] = useState<PlanDocument>(() => structuredClone(current.document));
  const [comment, setComment] = useState("");
  const findings = useQuery(findingsQuery(i18n.language));
  const inputsShown = useAfterFirstPaint(!findings.isPending);
  const save = useMutation({
    mutationFn: async () =>
      unwrap(await api.PUT("/api/v1/plan", { body: { document: doc, comment, baseVersion: current.version } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["plan"] });
      onSaved();
    },
  });
  const errors = usePlanFieldErrors(save.error);
  const error = (pointer: string) => errors[`/document${pointer}`];
  const set = (pointer: string, value: unknown) => setDoc((d) => setAt(d, pointer, value));
  const calendars = Object.entries(doc.calendars).map(([id, c]) => ({ value: id, label: labels.calendar(id, c.name) }));
  const cadenceChoices = (cadences: string[]) =>
    cadences.map((c) => ({ value: c, label: t(`plan.cadences.${c as "monthly"}`) }));

  const say = useFindingText();
  /** The findings that name a field under `prefix`, in the reader's language. */
  const notes = (prefix: string) =>
    (findings.data ?? [])
      .filter((f) => f.fields.some((p) => p.startsWith(prefix)))
      .map((f) => {
        const text = say(f);
        return (
          <Alert key={f.id} color={f.severity === "critical" ? "red" : "orange"} p="xs" title={text.title}>
            <Text size="xs">{text.detail}</Text>
          </Alert>
        );
      });

  const editor: PlanEditor = {
    doc,
    set,
    update: (change) =>
      setDoc((d) => {
        const copy = structuredClone(d);
        change(copy);
        return copy;
      }),
    error,
    notes,
  };
  const span = (pointer: string, value: Span, units: string[], label: string) => (
    <SpanInput editor={editor} pointer={pointer} value={value} units={units} label={label} />
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <InputsShown value={inputsShown}>
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
          <Section title={t("plan.tiers")} notes={notes("/tiers")}>
            {(Object.keys(doc.tiers) as TierId[]).map((id) => {
              const tier = doc.tiers[id];
              const at = `/tiers/${id}`;
              return (
                <Card key={id} withBorder padding="sm" radius="sm">
                  <Text fw={600} size="sm" mb={4}>
                    {labels.tier(id, tier.name)}
                  </Text>
                  <Group gap="md" align="flex-start">
                    {span(
                      `${at}/responseTime/target`,
                      tier.responseTime.target,
                      ["minutes", "hours", "businessDays"],
                      t("plan.responseTarget"),
                    )}
                    {span(
                      `${at}/responseTime/maximum`,
                      tier.responseTime.maximum,
                      ["minutes", "hours", "businessDays"],
                      t("plan.responseMaximum"),
                    )}
                    <Select
                      label={t("plan.calendar")}
                      allowDeselect={false}
                      data={calendars}
                      value={tier.responseTime.calendar}
                      error={error(`${at}/responseTime/calendar`)}
                      onChange={(v) => v && set(`${at}/responseTime/calendar`, v)}
                      w={200}
                    />
                    <MultiSelect
                      label={t("plan.form.handles")}
                      data={(Object.keys(doc.severities) as SeverityId[]).map((s) => ({
                        value: s,
                        label: labels.severity(s, doc.severities[s].name),
                      }))}
                      value={tier.severities}
                      error={error(`${at}/severities`)}
                      onChange={(v) => set(`${at}/severities`, v)}
                      miw={200}
                      style={{ flex: "1 1 200px" }}
                    />
                  </Group>
                </Card>
              );
            })}
          </Section>
          <CalendarsSection editor={editor} />
          <PoliciesSection editor={editor} />
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
            <Text fw={600} size="sm" mt="xs">
              {t("plan.restoreTest")}
            </Text>
            <Group gap="xl" align="flex-end">
              <Select
                label={t("plan.reviewCadence")}
                allowDeselect={false}
                data={cadenceChoices(["weekly", "biweekly", "monthly", "quarterly", "semiannual", "yearly"])}
                value={doc.backups.restoreTest.cadence}
                error={error("/backups/restoreTest/cadence")}
                onChange={(v) => v && set("/backups/restoreTest/cadence", v)}
                w={180}
              />
              {span(
                "/backups/restoreTest/timeLimit",
                doc.backups.restoreTest.timeLimit,
                ["minutes", "hours"],
                t("plan.form.timeLimit"),
              )}
              <Switch
                label={t("plan.form.validateIntegrity")}
                checked={doc.backups.restoreTest.validateIntegrity}
                onChange={(e) => set("/backups/restoreTest/validateIntegrity", e.currentTarget.checked)}
                mb={8}
              />
            </Group>
          </Section>
          <Section title={t("plan.maintenanceWindow")} notes={notes("/maintenanceWindow")}>
            <Checkbox.Group
              label={t("plan.days.label")}
              value={doc.maintenanceWindow.days}
              error={error("/maintenanceWindow/days")}
              onChange={(v) =>
                set(
                  "/maintenanceWindow/days",
                  weekdays.filter((d) => v.includes(d)),
                )
              }
            >
              <Group gap="sm" mt={4}>
                {weekdays.map((d) => (
                  <Checkbox key={d} value={d} label={t(`plan.days.${d}`)} />
                ))}
              </Group>
            </Checkbox.Group>
            <Group gap="md" align="flex-start">
              <HourInput
                label={t("plan.form.start")}
                value={doc.maintenanceWindow.start}
                error={error("/maintenanceWindow/start")}
                onChange={(v) => set("/maintenanceWindow/start", v)}
                w={130}
              />
              <HourInput
                end
                label={t("plan.form.end")}
                value={doc.maintenanceWindow.end}
                error={error("/maintenanceWindow/end")}
                onChange={(v) => set("/maintenanceWindow/end", v)}
                w={130}
              />
              <TimeZoneSelect
                value={doc.maintenanceWindow.timezone}
                error={error("/maintenanceWindow/timezone")}
                onChange={(zone) => set("/maintenanceWindow/timezone", zone)}
              />
              <NumberInput
                label={t("plan.form.noticeHours")}
                min={0}
                max={720}
                value={doc.maintenanceWindow.noticeHours}
                error={error("/maintenanceWindow/noticeHours")}
                onChange={(v) => set("/maintenanceWindow/noticeHours", Number(v))}
                w={150}
              />
            </Group>
          </Section>
          <Section title={t("plan.kpis")} notes={notes("/kpis")}>
            <Group gap="md" align="flex-end">
              <NumberInput
                label={t("plan.systemUptime")}
                suffix="%"
                decimalScale={3}
                min={0}
                max={100}
                value={doc.kpis.availability.systemUptimePercent}
                error={error("/kpis/availability/systemUptimePercent")}
                onChange={(v) => set("/kpis/availability/systemUptimePercent", Number(v))}
                w={170}
              />
              <NumberInput
                label={t("plan.serviceAvailability")}
                suffix="%"
                decimalScale={3}
                min={0}
                max={100}
                value={doc.kpis.availability.serviceAvailabilityPercent}
                error={error("/kpis/availability/serviceAvailabilityPercent")}
                onChange={(v) => set("/kpis/availability/serviceAvailabilityPercent", Number(v))}
                w={170}
              />
              <Switch
                label={t("plan.form.maintenanceCounts")}
                checked={doc.kpis.availability.maintenanceCountsAsDowntime}
                onChange={(e) => set("/kpis/availability/maintenanceCountsAsDowntime", e.currentTarget.checked)}
                mb={8}
              />
            </Group>
          </Section>
          <Section title={t("plan.disasterRecovery")} notes={notes("/disasterRecovery")}>
            <Group gap="xl" align="flex-start">
              {span("/disasterRecovery/rpo", doc.disasterRecovery.rpo, ["minutes", "hours"], "RPO")}
              {span("/disasterRecovery/rto", doc.disasterRecovery.rto, ["minutes", "hours"], "RTO")}
            </Group>
          </Section>
          <Section title={t("plan.review")} notes={notes("/review")}>
            <Group gap="md" align="flex-start">
              <Select
                label={t("plan.reviewCadence")}
                allowDeselect={false}
                data={cadenceChoices(["monthly", "quarterly", "semiannual", "yearly"])}
                value={doc.review.cadence}
                error={error("/review/cadence")}
                onChange={(v) => v && set("/review/cadence", v)}
                w={180}
              />
              <TextInput
                type="date"
                label={t("plan.lastReviewed")}
                value={doc.review.lastReviewedAt}
                error={error("/review/lastReviewedAt")}
                onChange={(e) => set("/review/lastReviewedAt", e.currentTarget.value)}
                w={170}
              />
              <NumberInput
                label={t("plan.graceDays")}
                min={0}
                max={90}
                value={doc.review.graceDays}
                error={error("/review/graceDays")}
                onChange={(v) => set("/review/graceDays", Number(v))}
                w={130}
              />
            </Group>
          </Section>
          {inputsShown && (
            <>
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
            </>
          )}
        </Stack>
      </InputsShown>
    </form>
  );
}
