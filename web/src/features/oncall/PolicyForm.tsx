import {
  ActionIcon,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { TeamPicker, WebhookPicker } from "../../shell/pickers";
import { ApiProblemFields, fieldErrors } from "../../shell/problem";
import { type Policy, type PolicyInput, type Step, severities, type Target, targetKinds, targetRoles } from "./model";
import { useOncallStaff } from "./staff";

/** Steps and targets being edited, with keys that stay with them when others are removed. */
type DraftTarget = Target & { key: number };
type DraftStep = Omit<Step, "targets"> & { key: number; targets: DraftTarget[] };
type Form = Omit<PolicyInput, "steps"> & { steps: DraftStep[] };
let nextKey = 1;
const draftTarget = (t: Target): DraftTarget => ({ ...t, key: nextKey++ });
const draftStep = (s: Step): DraftStep => ({ ...s, key: nextKey++, targets: s.targets.map(draftTarget) });
const newStep = (): DraftStep =>
  draftStep({
    targets: [{ kind: "oncall" }],
    channels: ["email", "in_app"],
    waitMinutes: 15,
    condition: "notAcknowledged",
  });

/** The policy editor: ordered steps, each with its targets, channels, wait and condition; then the repeats. */
export function PolicyForm({ policy, onClose }: { policy?: Policy; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const staff = useOncallStaff();
  const rotations = useQuery({
    queryKey: ["oncall", "rotations"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/oncall/rotations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const [form, setForm] = useState<Form>(() =>
    policy
      ? {
          name: policy.name,
          description: policy.description,
          defaultFor: policy.defaultFor as PolicyInput["defaultFor"],
          steps: policy.steps.map(draftStep),
          repeat: policy.repeat,
        }
      : { name: "", description: null, defaultFor: null, steps: [newStep()], repeat: 0 },
  );
  const save = useMutation({
    mutationFn: async () =>
      policy
        ? unwrap(
            await api.PATCH("/api/v1/escalation-policies/{id}", { params: { path: { id: policy.id } }, body: form }),
          )
        : unwrap(await api.POST("/api/v1/escalation-policies", { body: form })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["oncall", "policies"] });
      onClose();
    },
  });
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE("/api/v1/escalation-policies/{id}", { params: { path: { id: policy!.id } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["oncall", "policies"] });
      onClose();
    },
  });
  const errors = fieldErrors(save.error);
  const setStep = (i: number, patch: Partial<DraftStep>) =>
    setForm((f) => ({ ...f, steps: f.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) }));
  const setTarget = (i: number, k: number, target: Target) =>
    setStep(i, { targets: form.steps[i]!.targets.map((x, j) => (j === k ? { ...target, key: x.key } : x)) });
  const valueOptions = (kind: Target["kind"]) => {
    switch (kind) {
      case "rotation":
        return (rotations.data ?? []).map((r) => ({ value: r.id, label: r.name }));
      case "user":
        return (staff.data ?? []).map((u) => ({ value: u.id, label: u.name }));
      case "role":
        return targetRoles.map((r) => ({ value: r, label: t(`roles.${r}`) }));
      case "tier":
        return ["L1", "L2", "L3"].map((x) => ({ value: x, label: x }));
      default:
        return null;
    }
  };
  const targetValue = (target: Target) =>
    target.rotationId ?? target.userId ?? target.role ?? target.tier ?? target.team ?? target.webhookId ?? null;
  const withValue = (kind: Target["kind"], value: string | null): Target => {
    const v = value ?? undefined;
    switch (kind) {
      case "rotation":
        return { kind, rotationId: v };
      case "user":
        return { kind, userId: v };
      case "team":
        return { kind, team: v };
      case "role":
        return { kind, role: v as Target["role"] };
      case "tier":
        return { kind, tier: v as Target["tier"] };
      case "webhook":
        return { kind, webhookId: v, flavour: "slack" };
      default:
        return { kind };
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={policy ? t("oncall.policy.edit", { name: policy.name }) : t("oncall.policy.new")}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label={t("oncall.policy.name")}
            required
            value={form.name}
            error={errors["/name"]}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
          <TextInput
            label={t("oncall.policy.description")}
            value={form.description ?? ""}
            onChange={(e) => setForm({ ...form, description: e.currentTarget.value || null })}
          />
          <Group grow align="flex-start" wrap="wrap">
            <Select
              label={t("oncall.policy.defaultForLabel")}
              clearable
              data={severities.map((s) => ({ value: s, label: t(`oncall.severity.${s}`) }))}
              value={form.defaultFor ?? null}
              onChange={(v) => setForm({ ...form, defaultFor: (v as PolicyInput["defaultFor"]) ?? null })}
            />
            <NumberInput
              label={t("oncall.policy.repeat")}
              min={0}
              max={9}
              value={form.repeat ?? 0}
              error={errors["/repeat"]}
              onChange={(v) => setForm({ ...form, repeat: typeof v === "number" ? v : 0 })}
            />
          </Group>
          {form.steps.map((step, i) => (
            <Card key={step.key} withBorder padding="sm">
              <Stack gap="xs">
                <Group justify="space-between">
                  <Text fw={600} size="sm">
                    {t("oncall.policy.step", { n: i + 1 })}
                  </Text>
                  {form.steps.length > 1 && (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t("oncall.policy.removeStep", { n: i + 1 })}
                      onClick={() => setForm({ ...form, steps: form.steps.filter((_, j) => j !== i) })}
                    >
                      ×
                    </ActionIcon>
                  )}
                </Group>
                {step.targets.map((target, k) => {
                  const options = valueOptions(target.kind);
                  const error = Object.entries(errors).find(([p]) => p.startsWith(`/steps/${i}/targets/${k}`))?.[1];
                  return (
                    <Group key={target.key} gap="xs" align="flex-start" wrap="wrap">
                      <Select
                        aria-label={t("oncall.policy.targetKind")}
                        data={targetKinds.map((kind) => ({ value: kind, label: t(`oncall.policy.kinds.${kind}`) }))}
                        value={target.kind}
                        allowDeselect={false}
                        onChange={(kind) => kind && setTarget(i, k, withValue(kind as Target["kind"], null))}
                        style={{ flex: "1 1 180px" }}
                      />
                      {options ? (
                        <Select
                          aria-label={t("oncall.policy.targetValue")}
                          data={options}
                          value={targetValue(target)}
                          searchable
                          error={error}
                          onChange={(v) => setTarget(i, k, withValue(target.kind, v))}
                          style={{ flex: "1 1 180px" }}
                        />
                      ) : target.kind === "webhook" ? (
                        <WebhookPicker
                          aria-label={t("oncall.policy.targetValue")}
                          placeholder={t("oncall.policy.placeholders.webhook")}
                          value={targetValue(target)}
                          error={error}
                          onChange={(v) => setTarget(i, k, withValue(target.kind, v))}
                          style={{ flex: "1 1 180px" }}
                        />
                      ) : target.kind === "team" ? (
                        <TeamPicker
                          aria-label={t("oncall.policy.targetValue")}
                          placeholder={t(`oncall.policy.placeholders.${target.kind as "team"}`)}
                          value={targetValue(target) ?? ""}
                          error={error}
                          onChange={(team) => setTarget(i, k, withValue(target.kind, team || null))}
                          style={{ flex: "1 1 180px" }}
                        />
                      ) : null}
                      {step.targets.length > 1 && (
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={t("oncall.policy.removeTarget")}
                          onClick={() => setStep(i, { targets: step.targets.filter((_, j) => j !== k) })}
                        >
                          ×
                        </ActionIcon>
                      )}
                    </Group>
                  );
                })}
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() => setStep(i, { targets: [...step.targets, draftTarget({ kind: "oncall" })] })}
                  disabled={step.targets.length >= 20}
                >
                  {t("oncall.policy.addTarget")}
                </Button>
                <Group gap="md" wrap="wrap">
                  {(["email", "in_app"] as const).map((c) => (
                    <Checkbox
                      key={c}
                      label={t(`oncall.policy.channels.${c}`)}
                      checked={(step.channels ?? ["email", "in_app"]).includes(c)}
                      onChange={(e) => {
                        const current = step.channels ?? ["email", "in_app"];
                        const next = e.currentTarget.checked ? [...current, c] : current.filter((x) => x !== c);
                        setStep(i, { channels: next.length ? next : current });
                      }}
                    />
                  ))}
                </Group>
                <Group grow align="flex-start" wrap="wrap">
                  <NumberInput
                    label={t("oncall.policy.wait")}
                    min={1}
                    max={1440}
                    value={step.waitMinutes}
                    error={errors[`/steps/${i}/waitMinutes`]}
                    onChange={(v) => setStep(i, { waitMinutes: typeof v === "number" ? v : 1 })}
                  />
                  <Select
                    label={t("oncall.policy.condition")}
                    data={(["notAcknowledged", "notResolved"] as const).map((c) => ({
                      value: c,
                      label: t(`oncall.policy.conditions.${c}`),
                    }))}
                    value={step.condition ?? "notAcknowledged"}
                    allowDeselect={false}
                    onChange={(v) => setStep(i, { condition: (v ?? "notAcknowledged") as Step["condition"] })}
                  />
                </Group>
              </Stack>
            </Card>
          ))}
          <Button
            variant="light"
            onClick={() => setForm({ ...form, steps: [...form.steps, newStep()] })}
            disabled={form.steps.length >= 20}
          >
            {t("oncall.policy.addStep")}
          </Button>
          <ApiProblemFields error={save.error ?? remove.error} />
          <Group justify="space-between">
            {policy ? (
              <Button variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
                {t("oncall.policy.delete")}
              </Button>
            ) : (
              <span />
            )}
            <Group>
              <Button variant="default" onClick={onClose}>
                {t("common.cancel")}
              </Button>
              <Button type="submit" loading={save.isPending}>
                {t("common.save")}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
