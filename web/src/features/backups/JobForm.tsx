import { Button, Group, NumberInput, PasswordInput, Select, Stack, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiProblemFields, fieldErrors, ProblemAlert } from "../../shell/problem";
import { backups, type Job, type JobInput, type SourceKind, sourceKinds } from "./model";

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
const minutes = (v: number | string) => (typeof v === "number" ? v : undefined);

/** A new backup job; schedules and unset targets come from the plan. */
export function JobForm({ onCreated, onCancel }: { onCreated: (job: Job) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<SourceKind>("plantao-db");
  const [paths, setPaths] = useState("");
  const [url, setUrl] = useState("");
  const [repoUrl, setRepoUrl] = useState("");
  const [password, setPassword] = useState("");
  const [dataClass, setDataClass] = useState("");
  const [rpo, setRpo] = useState<number | string>("");
  const [rto, setRto] = useState<number | string>("");
  const create = useMutation({
    mutationFn: () => {
      const source: JobInput["source"] =
        kind === "files" ? { kind, paths: lines(paths) } : kind === "plantao-db" ? { kind } : { kind, url };
      return backups.create({
        name,
        source,
        repository: { url: repoUrl, password },
        ...(dataClass.trim() ? { dataClass: dataClass.trim() } : {}),
        ...(minutes(rpo) ? { rpoMinutes: minutes(rpo) } : {}),
        ...(minutes(rto) ? { rtoMinutes: minutes(rto) } : {}),
      });
    },
    onSuccess: (job) => {
      void client.invalidateQueries({ queryKey: ["backups"] });
      onCreated(job);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ProblemAlert error={create.error} />
        <ApiProblemFields error={create.error} />
        <TextInput
          label={t("backups.fields.name")}
          required
          value={name}
          error={errors["/name"]}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Select
          label={t("backups.fields.source")}
          allowDeselect={false}
          data={sourceKinds.map((k) => ({ value: k, label: t(`backups.sources.${k}`) }))}
          value={kind}
          error={errors["/source/kind"]}
          onChange={(v) => v && setKind(v as SourceKind)}
        />
        {kind === "files" && (
          <Textarea
            label={t("backups.fields.paths")}
            description={t("backups.fields.pathsHint")}
            required
            autosize
            minRows={2}
            value={paths}
            error={errors["/source/paths"] ?? errors["/source"]}
            onChange={(e) => setPaths(e.currentTarget.value)}
          />
        )}
        {(kind === "postgres" || kind === "mysql") && (
          <TextInput
            label={t("backups.fields.databaseUrl")}
            required
            value={url}
            error={errors["/source/url"] ?? errors["/source"]}
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
        )}
        <TextInput
          label={t("backups.fields.repositoryUrl")}
          description={t("backups.fields.repositoryHint")}
          required
          value={repoUrl}
          error={errors["/repository/url"]}
          onChange={(e) => setRepoUrl(e.currentTarget.value)}
        />
        <PasswordInput
          label={t("backups.fields.password")}
          required
          value={password}
          error={errors["/repository/password"]}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        <Group grow align="flex-start">
          <TextInput
            label={t("backups.fields.dataClass")}
            value={dataClass}
            error={errors["/dataClass"]}
            onChange={(e) => setDataClass(e.currentTarget.value)}
          />
          <NumberInput
            label={t("backups.fields.rpoMinutes")}
            min={1}
            allowDecimal={false}
            value={rpo}
            error={errors["/rpoMinutes"]}
            onChange={setRpo}
          />
          <NumberInput
            label={t("backups.fields.rtoMinutes")}
            min={1}
            allowDecimal={false}
            value={rto}
            error={errors["/rtoMinutes"]}
            onChange={setRto}
          />
        </Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {t("common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
