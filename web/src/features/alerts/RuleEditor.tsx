import {
  Button,
  Checkbox,
  Divider,
  Group,
  Loader,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiProblem, api, unwrap } from "../../api/client";
import { MonitorPicker } from "../../shell/pickers";
import { fieldErrors } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import { AggregationInputs } from "./AggregationInputs";
import { KeyValueRows } from "./KeyValueRows";
import { MetricPicker } from "./MetricPicker";
import type { Rule } from "./model";
import { RulePreview } from "./RulePreview";
import {
  comparisons,
  emptyRule,
  formOf,
  inputOf,
  type PreviewInput,
  previewOf,
  type RuleForm,
  severities,
} from "./rule-form";

/** Pointers of the server's field errors that the form shows on an input of its own. */
const onFields = [
  "/name",
  "/kind",
  "/monitorId",
  "/expression",
  "/expression/metric",
  "/expression/fn",
  "/expression/quantile",
  "/expression/windowSeconds",
  "/expression/op",
  "/expression/threshold",
  "/expression/recoveryThreshold",
  "/forSeconds",
  "/keepFiringForSeconds",
  "/severity",
];
const seconds = { suffix: " s", min: 0, max: 86_400, allowDecimal: false } as const;
/** Hints under the inputs in a row of fields, so the inputs line up whether or not each has one. */
const below: ("label" | "input" | "description" | "error")[] = ["label", "input", "description", "error"];

/**
 * Creates a rule, or edits one (`rule` given): a metric expression with its threshold, hysteresis and timing,
 * or a monitor's DOWN state; severity and labels for both. A metric rule's replay over the last 24 hours
 * follows the form as it changes, before anything is saved. The server's field errors show on their inputs.
 */
export function RuleEditor({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState<RuleForm>(() => (rule ? formOf(rule) : emptyRule));
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const save = useMutation({
    mutationFn: async () => {
      const body = inputOf(form);
      if (!rule) return unwrap(await api.POST("/api/v1/alert-rules", { body }));
      // A rule's kind stays what it was created as: the form offers no other.
      const { kind: _kind, ...patch } = body;
      return unwrap(await api.PATCH("/api/v1/alert-rules/{id}", { params: { path: { id: rule.id } }, body: patch }));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["alerts"] });
      onDone();
    },
  });
  // Debounced as text: a new object each render would restart the wait forever.
  const [previewText] = useDebouncedValue(JSON.stringify(previewOf(form)), 400);
  const previewBody = useMemo(() => JSON.parse(previewText) as PreviewInput | null, [previewText]);
  const preview = useQuery({
    queryKey: ["alerts", "preview", previewBody],
    enabled: previewBody !== null,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: async ({ signal }) =>
      unwrap(await api.POST("/api/v1/alert-rules/preview", { body: previewBody!, signal })),
  });
  // What saving refused wins; until then the preview's refusal already names the fields at fault.
  const errors = { ...fieldErrors(preview.error), ...fieldErrors(save.error) };
  const conflict = save.error instanceof ApiProblem && save.error.problem.status === 409;
  const builtin = rule?.builtin ?? false;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  // The chart's levels are those of the expression it shows (the form may be ahead of the debounced preview).
  const shown = previewBody?.expression;
  return (
    <form onSubmit={submit} noValidate>
      <SimpleGrid cols={{ base: 1, lg: form.kind === "metric" ? 2 : 1 }} spacing="lg">
        <Stack gap="sm">
          <ActionAlert
            error={save.error}
            shown={onFields}
            conflict={t("alerts.editor.nameTaken", { name: form.name })}
          />
          <TextInput
            label={t("alerts.editor.name")}
            description={builtin ? t("alerts.editor.builtinName") : t("alerts.editor.nameHint")}
            required
            disabled={builtin}
            value={form.name}
            error={errors["/name"] ?? (conflict ? t("alerts.editor.nameTaken", { name: form.name }) : undefined)}
            onChange={(e) => set("name", e.currentTarget.value)}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          />
          {!rule && (
            <SegmentedControl
              aria-label={t("alerts.kind")}
              value={form.kind}
              onChange={(v) => set("kind", v as RuleForm["kind"])}
              data={(["metric", "monitor"] as const).map((k) => ({ value: k, label: t(`alerts.kinds.${k}`) }))}
            />
          )}
          {form.kind === "monitor" ? (
            <MonitorPicker
              label={t("alerts.editor.monitor")}
              description={t("alerts.editor.monitorHint")}
              placeholder={t("alerts.editor.allMonitors")}
              value={form.monitorId}
              error={errors["/monitorId"]}
              onChange={(v) => set("monitorId", v)}
            />
          ) : (
            <>
              <MetricPicker
                label={t("alerts.editor.metric")}
                required
                value={form.metric}
                error={errors["/expression/metric"]}
                onChange={(v) => set("metric", v)}
              />
              <KeyValueRows
                title={t("alerts.editor.match")}
                rows={form.match}
                onChange={(rows) => set("match", rows)}
                nameLabel={t("alerts.matcherName")}
                valueLabel={t("alerts.matcherValue")}
                addLabel={t("alerts.addMatcher")}
                removeLabel={t("alerts.removeMatcher")}
                error={errors["/expression"]}
                testId="rule-match"
              />
              <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
                <AggregationInputs
                  fn={form.fn}
                  quantile={form.quantile}
                  errors={{ fn: errors["/expression/fn"], quantile: errors["/expression/quantile"] }}
                  onFn={(fn) => set("fn", fn)}
                  onQuantile={(v) => set("quantile", v)}
                />
                <NumberInput
                  label={t("alerts.editor.window")}
                  required
                  {...seconds}
                  min={1}
                  value={form.windowSeconds}
                  error={errors["/expression/windowSeconds"]}
                  onChange={(v) => set("windowSeconds", v)}
                />
              </SimpleGrid>
              <TagsInput
                label={t("alerts.editor.by")}
                description={t("alerts.editor.byHint")}
                value={form.by}
                onChange={(v) => set("by", v)}
              />
              <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
                <Select
                  label={t("alerts.editor.op")}
                  allowDeselect={false}
                  value={form.op}
                  error={errors["/expression/op"]}
                  onChange={(v) => v && set("op", v as RuleForm["op"])}
                  data={comparisons.map((c) => ({ value: c, label: c }))}
                />
                <NumberInput
                  label={t("alerts.editor.threshold")}
                  required
                  value={form.threshold}
                  error={errors["/expression/threshold"]}
                  onChange={(v) => set("threshold", v)}
                />
                <NumberInput
                  label={t("alerts.editor.recoveryThreshold")}
                  description={t("alerts.editor.recoveryHint")}
                  inputWrapperOrder={below}
                  value={form.recoveryThreshold}
                  error={errors["/expression/recoveryThreshold"]}
                  onChange={(v) => set("recoveryThreshold", v)}
                />
              </SimpleGrid>
            </>
          )}
          <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
            <NumberInput
              label={t("alerts.editor.for")}
              description={t("alerts.editor.forHint")}
              inputWrapperOrder={below}
              {...seconds}
              value={form.forSeconds}
              error={errors["/forSeconds"]}
              onChange={(v) => set("forSeconds", v)}
            />
            <NumberInput
              label={t("alerts.editor.keepFiringFor")}
              description={t("alerts.editor.keepFiringForHint")}
              inputWrapperOrder={below}
              {...seconds}
              value={form.keepFiringForSeconds}
              error={errors["/keepFiringForSeconds"]}
              onChange={(v) => set("keepFiringForSeconds", v)}
            />
            <Select
              label={t("alerts.severity")}
              description={form.kind === "monitor" ? t("alerts.editor.monitorSeverityHint") : undefined}
              inputWrapperOrder={below}
              allowDeselect={false}
              value={form.severity}
              error={errors["/severity"]}
              onChange={(v) => v && set("severity", v as RuleForm["severity"])}
              data={severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) }))}
            />
          </SimpleGrid>
          <KeyValueRows
            title={t("alerts.labels")}
            rows={form.labels}
            onChange={(rows) => set("labels", rows)}
            nameLabel={t("alerts.matcherName")}
            valueLabel={t("alerts.matcherValue")}
            addLabel={t("alerts.editor.addLabel")}
            removeLabel={t("alerts.editor.removeLabel")}
            testId="rule-labels"
          />
          <KeyValueRows
            title={t("alerts.editor.annotations")}
            rows={form.annotations}
            onChange={(rows) => set("annotations", rows)}
            nameLabel={t("alerts.editor.annotationName")}
            valueLabel={t("alerts.editor.annotationText")}
            addLabel={t("alerts.editor.addAnnotation")}
            removeLabel={t("alerts.editor.removeAnnotation")}
            testId="rule-annotations"
          />
          <Checkbox
            label={t("alerts.enabled")}
            checked={form.enabled}
            onChange={(e) => set("enabled", e.currentTarget.checked)}
          />
        </Stack>
        {form.kind === "metric" && (
          // Beside the form on a wide screen, staying in view while the form scrolls; under it on a narrow one.
          <Stack gap="xs" style={{ position: "sticky", top: 64, alignSelf: "start" }}>
            <Divider hiddenFrom="lg" />
            <Group justify="space-between" gap="xs">
              <Title order={4} size="h5">
                {t("alerts.previewOf", { name: form.name || t("alerts.editor.thisRule") })}
              </Title>
              {preview.isFetching && <Loader size="xs" aria-label={t("common.loading")} />}
            </Group>
            <div data-testid="rule-preview">
              {previewBody === null ? (
                <Text c="dimmed" size="sm">
                  {t("alerts.editor.previewNeeds")}
                </Text>
              ) : preview.error ? (
                <ActionAlert error={preview.error} shown={onFields} />
              ) : preview.data && shown ? (
                <RulePreview
                  preview={preview.data}
                  threshold={shown.threshold}
                  recoveryThreshold={shown.recoveryThreshold ?? null}
                  name={form.name}
                />
              ) : null}
            </div>
          </Stack>
        )}
      </SimpleGrid>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onDone}>
          {t("common.cancel")}
        </Button>
        <Button type="submit" loading={save.isPending}>
          {t("common.save")}
        </Button>
      </Group>
    </form>
  );
}
