import {
  ActionIcon,
  Button,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { isStaff, roles } from "../../auth/access";
import { compactDuration } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { MonitorPicker } from "../../shell/pickers";
import { ApiProblemFields, fieldErrors, ProblemAlert } from "../../shell/problem";
import {
  continuity,
  type OwnerRole,
  type Runbook,
  type RunbookBody,
  type RunbookKind,
  runbookKinds,
  runbookQuery,
} from "./model";
import { useStaff } from "./owners";

interface DraftStep {
  /** Stable React key while steps move around. */
  key: number;
  title: string;
  description: string;
  ownerKind: "role" | "user";
  owner: string | null;
  expectedMinutes: number | string;
}

let nextKey = 0;
const blankStep = (): DraftStep => ({
  key: nextKey++,
  title: "",
  description: "",
  ownerKind: "role",
  owner: "noc",
  expectedMinutes: 10,
});

function draftOf(r: Runbook): DraftStep[] {
  return r.steps.map((s) => ({
    key: nextKey++,
    title: s.title,
    description: s.description,
    ownerKind: s.ownerUserId ? "user" : "role",
    owner: s.ownerUserId ?? s.ownerRole,
    expectedMinutes: s.expectedMinutes,
  }));
}

function bodySteps(steps: DraftStep[]): RunbookBody["steps"] {
  return steps.map((s) => ({
    title: s.title,
    description: s.description,
    // The role picker offers staff roles only; the server refuses anything else.
    ...(s.ownerKind === "user"
      ? { ownerUserId: s.owner ?? undefined }
      : { ownerRole: (s.owner ?? undefined) as OwnerRole | undefined }),
    expectedMinutes: typeof s.expectedMinutes === "number" ? s.expectedMinutes : Number.NaN,
  }));
}

function RunbookForm({ existing }: { existing?: Runbook }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const staff = useStaff();
  const [name, setName] = useState(existing?.name ?? "");
  const [purpose, setPurpose] = useState(existing?.purpose ?? "");
  const [kind, setKind] = useState<RunbookKind>(existing?.kind ?? "other");
  const [monitorId, setMonitorId] = useState(existing?.monitorId ?? "");
  const [comment, setComment] = useState("");
  const [steps, setSteps] = useState<DraftStep[]>(() => (existing ? draftOf(existing) : [blankStep()]));
  const save = useMutation({
    mutationFn: () => {
      const body: RunbookBody = {
        name,
        purpose,
        kind,
        monitorId: kind === "contingency-activation" && monitorId.trim() ? monitorId.trim() : null,
        steps: bodySteps(steps),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      };
      return existing
        ? continuity.update(existing.id, { ...body, baseVersion: existing.version })
        : continuity.create(body);
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ["continuity"] });
      void navigate(`/continuity/runbooks/${saved.id}`);
    },
  });
  const errors = fieldErrors(save.error);
  const change = (key: number, patch: Partial<DraftStep>) =>
    setSteps((all) => all.map((s) => (s.key === key ? { ...s, ...patch } : s)));
  const move = (i: number, by: -1 | 1) =>
    setSteps((all) => {
      const next = [...all];
      const [step] = next.splice(i, 1);
      next.splice(i + by, 0, step!);
      return next;
    });
  const total = steps.reduce((sum, s) => sum + (typeof s.expectedMinutes === "number" ? s.expectedMinutes : 0), 0);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const roleOptions = roles.filter(isStaff).map((r) => ({ value: r, label: t(`roles.${r}`) }));
  const userOptions = (staff.data ?? []).map((u) => ({ value: u.id, label: u.name }));

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ProblemAlert error={save.error} />
        <ApiProblemFields error={save.error} />
        <TextInput
          label={t("backups.continuity.fields.name")}
          required
          value={name}
          error={errors["/name"]}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Textarea
          label={t("backups.continuity.fields.purpose")}
          autosize
          minRows={2}
          value={purpose}
          error={errors["/purpose"]}
          onChange={(e) => setPurpose(e.currentTarget.value)}
        />
        <Group grow align="flex-start">
          <Select
            label={t("backups.continuity.fields.kind")}
            allowDeselect={false}
            data={runbookKinds.map((k) => ({ value: k, label: t(`backups.continuity.kinds.${k}`) }))}
            value={kind}
            error={errors["/kind"]}
            onChange={(v) => v && setKind(v as RunbookKind)}
          />
          {kind === "contingency-activation" && (
            <MonitorPicker
              label={t("backups.continuity.fields.monitorId")}
              description={t("backups.continuity.fields.monitorHint")}
              value={monitorId}
              error={errors["/monitorId"]}
              onChange={(v) => setMonitorId(v ?? "")}
            />
          )}
        </Group>
        <Text fw={500} mt="sm">
          {t("backups.continuity.fields.steps")} · {compactDuration(total)}
          {existing ? ` / ${compactDuration(existing.rtoMinutes)}` : ""}
        </Text>
        {errors["/steps"] && (
          <Text c="red" size="sm">
            {errors["/steps"]}
          </Text>
        )}
        {steps.map((s, i) => {
          const at = `/steps/${i}`;
          const n = i + 1;
          return (
            <Card key={s.key} withBorder padding="sm" data-testid="step-editor">
              <Group justify="space-between" mb={4}>
                <Text size="sm" fw={500}>
                  {t("backups.continuity.stepN", { n })}
                </Text>
                <Group gap={4}>
                  <ActionIcon
                    variant="subtle"
                    disabled={i === 0}
                    aria-label={t("backups.continuity.moveUp", { n })}
                    onClick={() => move(i, -1)}
                  >
                    ↑
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    disabled={i === steps.length - 1}
                    aria-label={t("backups.continuity.moveDown", { n })}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    disabled={steps.length === 1}
                    aria-label={t("backups.continuity.removeStep", { n })}
                    onClick={() => setSteps((all) => all.filter((x) => x.key !== s.key))}
                  >
                    ×
                  </ActionIcon>
                </Group>
              </Group>
              <Stack gap="xs">
                <TextInput
                  label={t("backups.continuity.fields.title")}
                  required
                  value={s.title}
                  error={errors[`${at}/title`]}
                  onChange={(e) => change(s.key, { title: e.currentTarget.value })}
                />
                <Textarea
                  label={t("backups.continuity.fields.description")}
                  autosize
                  minRows={1}
                  value={s.description}
                  error={errors[`${at}/description`]}
                  onChange={(e) => change(s.key, { description: e.currentTarget.value })}
                />
                <Group align="flex-end" grow>
                  <Stack gap={4}>
                    <Text size="sm" fw={500}>
                      {t("backups.continuity.fields.owner")}
                    </Text>
                    <SegmentedControl
                      size="xs"
                      value={s.ownerKind}
                      data={[
                        { value: "role", label: t("backups.continuity.fields.ownerRole") },
                        { value: "user", label: t("backups.continuity.fields.ownerUser") },
                      ]}
                      onChange={(v) =>
                        change(s.key, { ownerKind: v as DraftStep["ownerKind"], owner: v === "role" ? "noc" : null })
                      }
                    />
                  </Stack>
                  <Select
                    aria-label={t("backups.continuity.fields.owner")}
                    searchable
                    data={s.ownerKind === "role" ? roleOptions : userOptions}
                    value={s.owner}
                    error={errors[at] ?? errors[`${at}/ownerRole`] ?? errors[`${at}/ownerUserId`]}
                    onChange={(v) => change(s.key, { owner: v })}
                  />
                  <NumberInput
                    label={t("backups.continuity.fields.expectedMinutes")}
                    min={0}
                    max={10080}
                    allowDecimal={false}
                    value={s.expectedMinutes}
                    error={errors[`${at}/expectedMinutes`]}
                    onChange={(v) => change(s.key, { expectedMinutes: v })}
                  />
                </Group>
              </Stack>
            </Card>
          );
        })}
        <Group>
          <Button variant="light" onClick={() => setSteps((all) => [...all, blankStep()])}>
            {t("backups.continuity.addStep")}
          </Button>
        </Group>
        {existing && (
          <TextInput
            label={t("backups.continuity.fields.comment")}
            value={comment}
            error={errors["/comment"]}
            onChange={(e) => setComment(e.currentTarget.value)}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => void navigate(-1)}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t("common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Creates a runbook (/continuity/runbooks/new) or saves a new version of one (/continuity/runbooks/:id/edit). */
export function RunbookEditPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const runbook = useQuery({ ...runbookQuery(id ?? ""), enabled: Boolean(id) });
  return (
    <>
      <PageHeader
        title={t(id ? "backups.continuity.editRunbook" : "backups.continuity.newRunbook")}
        subtitle={runbook.data?.name ?? t("backups.continuity.subtitle")}
      />
      {id ? (
        runbook.data ? (
          // A fresh form per version loaded, so an edit never starts from stale steps.
          <RunbookForm key={runbook.data.version} existing={runbook.data} />
        ) : (
          <ProblemAlert error={runbook.error} />
        )
      ) : (
        <RunbookForm />
      )}
    </>
  );
}
