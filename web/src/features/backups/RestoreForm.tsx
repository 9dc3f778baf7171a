import { Alert, Button, Group, SegmentedControl, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiProblemFields, fieldErrors, ProblemAlert } from "../../shell/problem";
import { backups, type Job, type RestoreTarget, type Run, type Snapshot } from "./model";

type TargetKind = RestoreTarget["kind"];

/** Restores one snapshot to another path, a database, or in place after typing the job's name again. */
export function RestoreForm({
  job,
  snapshot,
  onQueued,
  onCancel,
}: {
  job: Job;
  snapshot: Snapshot;
  onQueued: (run: Run) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const databases = job.source.kind === "postgres" || job.source.kind === "mysql";
  const [kind, setKind] = useState<TargetKind>("path");
  const [value, setValue] = useState("");
  const restore = useMutation({
    mutationFn: () => {
      const target: RestoreTarget =
        kind === "path" ? { kind, path: value } : kind === "database" ? { kind, url: value } : { kind, confirm: value };
      return backups.restore(job.id, snapshot.id, target);
    },
    onSuccess: onQueued,
  });
  const errors = fieldErrors(restore.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    restore.mutate();
  };
  const kinds: TargetKind[] = databases ? ["path", "database", "in-place"] : ["path", "in-place"];
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm">{t("backups.restoreOf", { snapshot: snapshot.shortId, job: job.name })}</Text>
        <ProblemAlert error={restore.error} />
        <ApiProblemFields error={restore.error} />
        <SegmentedControl
          value={kind}
          data={kinds.map((k) => ({ value: k, label: t(`backups.restoreTargets.${k}`) }))}
          onChange={(v) => {
            setKind(v as TargetKind);
            setValue("");
          }}
        />
        {kind === "in-place" && (
          <Alert color="red" title={t("backups.inPlaceWarningTitle")}>
            {t("backups.inPlaceWarning", { name: job.name })}
          </Alert>
        )}
        <TextInput
          label={t(`backups.restoreFields.${kind}`)}
          required
          value={value}
          error={errors["/target/path"] ?? errors["/target/url"] ?? errors["/target/confirm"] ?? errors["/target"]}
          onChange={(e) => setValue(e.currentTarget.value)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
          <Button
            type="submit"
            color={kind === "in-place" ? "red" : undefined}
            disabled={kind === "in-place" && value !== job.name}
            loading={restore.isPending}
          >
            {t("backups.restore")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
