import {
  Button,
  Checkbox,
  Divider,
  Group,
  NumberInput,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useAuth } from "../../auth/AuthProvider";
import { fieldErrors } from "../../shell/problem";
import { organizationsPage } from "../organizations/queries";
import { ActionAlert } from "../tickets/ActionAlert";
import type pt from "./i18n/pt-BR.json";
import {
  hasTarget,
  keys,
  type Monitor,
  type MonitorInput,
  type MonitorType,
  type MonitorWithToken,
  monitoring,
  monitorTypes,
} from "./model";
import { type SettingField, type SettingValues, settingFields, settingsPayload, settingValues } from "./settings";

type SettingName = keyof typeof pt.settings;
type NumberField = "intervalSeconds" | "timeoutSeconds" | "retries" | "failureThreshold" | "successThreshold";
const numberFields: { name: NumberField; min: number; max: number }[] = [
  { name: "intervalSeconds", min: 5, max: 86_400 },
  { name: "timeoutSeconds", min: 1, max: 300 },
  { name: "retries", min: 0, max: 20 },
  { name: "failureThreshold", min: 1, max: 100 },
  { name: "successThreshold", min: 1, max: 100 },
];
const defaults: Record<NumberField, number> = {
  intervalSeconds: 60,
  timeoutSeconds: 10,
  retries: 0,
  failureThreshold: 1,
  successThreshold: 1,
};
/** Monospace for what is typed (URLs, codes, headers), not for the label above it. */
const mono = { input: { fontFamily: "var(--mantine-font-family-monospace)" } };
const isType = (value: string): value is MonitorType => monitorTypes.some((t) => t === value);
const severities = ["critical", "high", "medium", "low"] as const;
type Severity = (typeof severities)[number];

/**
 * Creates a monitor, or edits one (`monitor` given): the common fields, then the settings of the chosen type.
 * Errors the server names by JSON Pointer are shown on their fields; any others above the form.
 */
export function MonitorForm({
  monitor,
  monitors,
  onSaved,
  onCancel,
}: {
  monitor?: Monitor;
  /** Candidates for the parent and the group. */
  monitors: Monitor[];
  onSaved: (saved: MonitorWithToken) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const client = useQueryClient();
  const [name, setName] = useState(monitor?.name ?? "");
  const [type, setType] = useState<string>(monitor?.type ?? "http");
  const [target, setTarget] = useState(monitor?.target ?? "");
  const [numbers, setNumbers] = useState<Record<NumberField, number | string>>(
    monitor
      ? {
          intervalSeconds: monitor.intervalSeconds,
          timeoutSeconds: monitor.timeoutSeconds,
          retries: monitor.retries,
          failureThreshold: monitor.failureThreshold,
          successThreshold: monitor.successThreshold,
        }
      : defaults,
  );
  const [parentId, setParentId] = useState<string | null>(monitor?.parentId ?? null);
  const [groupId, setGroupId] = useState<string | null>(monitor?.groupId ?? null);
  const [organizationId, setOrganizationId] = useState<string | null>(monitor?.organizationId ?? null);
  const [severity, setSeverity] = useState<Severity>(monitor?.severity ?? "critical");
  const [settings, setSettings] = useState<SettingValues>(() => settingValues(type, monitor?.settings));
  const organizations = useQuery({
    queryKey: ["organizations", "options"],
    queryFn: ({ signal }) => organizationsPage("", undefined, signal),
    enabled: can("organizations", "read"),
  });
  const changeType = (next: string) => {
    setType(next);
    // Each type has its own settings: the edited monitor's when going back to its type, else the defaults.
    setSettings(settingValues(next, next === monitor?.type ? monitor.settings : undefined));
  };
  const save = useMutation({
    mutationFn: () => {
      const body: MonitorInput = {
        name,
        type,
        target: hasTarget(type) ? target.trim() : "",
        ...(Object.fromEntries(
          numberFields.filter((f) => typeof numbers[f.name] === "number").map((f) => [f.name, numbers[f.name]]),
        ) as Record<NumberField, number>),
        settings: settingsPayload(type, settings),
        parentId,
        groupId,
        organizationId,
        severity,
      };
      return monitor ? monitoring.update(monitor.id, body) : monitoring.create(body);
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: keys.all });
      onSaved(saved);
    },
  });
  const errors = fieldErrors(save.error);
  const pointers = [
    "/name",
    "/type",
    "/target",
    ...numberFields.map((f) => `/${f.name}`),
    "/parentId",
    "/groupId",
    "/organizationId",
    "/severity",
    ...(settingFields[type] ?? []).map((f) => `/settings/${f.name}`),
  ];
  const errorAt = (pointer: string) =>
    errors[pointer] ?? Object.entries(errors).find(([p]) => p.startsWith(`${pointer}/`))?.[1];
  const shown = Object.keys(errors).filter((p) => pointers.some((q) => p === q || p.startsWith(`${q}/`)));
  const others = monitors.filter((m) => m.id !== monitor?.id);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const typeKey = isType(type) ? type : "http";
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ActionAlert error={save.error} shown={shown} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label={t("monitoring.fields.name")}
            required
            value={name}
            error={errorAt("/name")}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Select
            label={t("monitoring.fields.type")}
            allowDeselect={false}
            data={monitorTypes.map((k) => ({ value: k, label: t(`monitoring.types.${k}`) }))}
            value={type}
            error={errorAt("/type")}
            onChange={(v) => v && changeType(v)}
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          {t(`monitoring.typeHints.${typeKey}`)}
        </Text>
        {hasTarget(type) && (
          <TextInput
            label={t("monitoring.fields.target")}
            required
            placeholder={t(`monitoring.targetExamples.${typeKey}`)}
            styles={mono}
            value={target}
            error={errorAt("/target")}
            onChange={(e) => setTarget(e.currentTarget.value)}
          />
        )}
        <SimpleGrid cols={{ base: 2, sm: 5 }}>
          {numberFields.map((f) => (
            <NumberInput
              key={f.name}
              label={t(`monitoring.fields.${f.name}`)}
              description={t(`monitoring.fieldHints.${f.name}`)}
              min={f.min}
              max={f.max}
              allowDecimal={false}
              value={numbers[f.name]}
              error={errorAt(`/${f.name}`)}
              onChange={(v) => setNumbers((n) => ({ ...n, [f.name]: v }))}
            />
          ))}
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 4 }}>
          <Select
            label={t("monitoring.fields.parent")}
            description={t("monitoring.fieldHints.parent")}
            placeholder={t("monitoring.none")}
            searchable
            clearable
            data={others.filter((m) => m.type !== "group").map((m) => ({ value: m.id, label: m.name }))}
            value={parentId}
            error={errorAt("/parentId")}
            onChange={setParentId}
          />
          <Select
            label={t("monitoring.fields.group")}
            description={t("monitoring.fieldHints.group")}
            placeholder={t("monitoring.none")}
            searchable
            clearable
            data={others.filter((m) => m.type === "group").map((m) => ({ value: m.id, label: m.name }))}
            value={groupId}
            error={errorAt("/groupId")}
            onChange={setGroupId}
          />
          <Select
            label={t("monitoring.fields.organization")}
            description={t("monitoring.fieldHints.organization")}
            placeholder={t("monitoring.ownService")}
            searchable
            clearable
            data={(organizations.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={organizationId}
            error={errorAt("/organizationId")}
            onChange={setOrganizationId}
          />
          <Select
            label={t("monitoring.fields.severity")}
            description={t("monitoring.fieldHints.severity")}
            allowDeselect={false}
            data={severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) }))}
            value={severity}
            error={errorAt("/severity")}
            onChange={(v) => v && setSeverity(v as Severity)}
          />
        </SimpleGrid>
        {(settingFields[type] ?? []).length > 0 && (
          <>
            <Divider
              label={t("monitoring.typeSettings", { type: t(`monitoring.types.${typeKey}`) })}
              labelPosition="left"
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {(settingFields[type] ?? []).map((f) => (
                <SettingInput
                  key={`${type}-${f.name}`}
                  field={f}
                  value={settings[f.name] ?? ""}
                  editing={Boolean(monitor)}
                  error={errorAt(`/settings/${f.name}`)}
                  onChange={(v) => setSettings((s) => ({ ...s, [f.name]: v }))}
                />
              ))}
            </SimpleGrid>
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
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

function SettingInput({
  field,
  value,
  editing,
  error,
  onChange,
}: {
  field: SettingField;
  value: string | boolean;
  editing: boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const { t } = useTranslation();
  const name = field.name as SettingName;
  const label = t(`monitoring.settings.${name}`);
  const description = t(`monitoring.settingHints.${name}`);
  const text = typeof value === "string" ? value : "";
  switch (field.kind) {
    case "checkbox":
      return (
        <Checkbox
          mt="md"
          label={label}
          description={description}
          checked={value === true}
          error={error}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case "select":
      return (
        <Select
          label={label}
          description={description}
          allowDeselect={false}
          data={[...(field.options ?? [])]}
          value={text}
          error={error}
          onChange={(v) => v && onChange(v)}
        />
      );
    case "password":
      return (
        <PasswordInput
          label={label}
          description={editing ? t("monitoring.keepPassword") : description}
          value={text}
          error={error}
          autoComplete="new-password"
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "integer":
      return (
        <NumberInput
          label={label}
          description={description}
          placeholder={field.nullable ? t("monitoring.off") : undefined}
          min={field.min}
          max={field.max}
          allowDecimal={false}
          value={text === "" ? "" : Number(text)}
          error={error}
          onChange={(v) => onChange(String(v))}
        />
      );
    case "textarea":
    case "headers":
      return (
        <Textarea
          label={label}
          description={description}
          autosize
          minRows={2}
          maxRows={8}
          styles={mono}
          value={text}
          error={error}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return (
        <TextInput
          label={label}
          description={description}
          placeholder={field.nullable ? t("monitoring.off") : undefined}
          styles={field.kind === "codes" ? mono : undefined}
          value={text}
          error={error}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}
