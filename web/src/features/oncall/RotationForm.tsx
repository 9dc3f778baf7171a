import { ActionIcon, Button, Card, Group, Modal, MultiSelect, Select, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { TeamPicker } from "../../shell/pickers";
import { ApiProblemFields, fieldErrors } from "../../shell/problem";
import type { Layer, Rotation, RotationInput } from "./model";
import { useOncallStaff } from "./staff";

const today = () => new Date().toISOString().slice(0, 10);
/** A layer being edited, with a key that stays with it when others are removed. */
type Draft = Layer & { key: number };
let nextKey = 1;
const draft = (layer: Layer): Draft => ({ ...layer, key: nextKey++ });
const newLayer = (n: number): Draft =>
  draft({
    name: n === 0 ? "Primário" : `Camada ${n + 1}`,
    participants: [],
    handoff: { every: "week", at: "09:00" },
    startsOn: today(),
    between: null,
    days: "all",
  });
type Form = Omit<RotationInput, "layers"> & { layers: Draft[] };

/** Creates or changes a rotation: its zone and layers; the server's refusals show next to the field at fault. */
export function RotationForm({
  rotation,
  opened,
  onClose,
}: {
  rotation?: Rotation;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const staff = useOncallStaff();
  const [form, setForm] = useState<Form>(() =>
    rotation
      ? {
          name: rotation.name,
          team: rotation.team,
          timezone: rotation.timezone,
          holidayCalendar: rotation.holidayCalendar,
          layers: rotation.layers.map(draft),
        }
      : { name: "", team: null, timezone: "America/Sao_Paulo", holidayCalendar: null, layers: [newLayer(0)] },
  );
  const save = useMutation({
    mutationFn: async () =>
      rotation
        ? unwrap(
            await api.PATCH("/api/v1/oncall/rotations/{id}", { params: { path: { id: rotation.id } }, body: form }),
          )
        : unwrap(await api.POST("/api/v1/oncall/rotations", { body: form })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["oncall"] });
      onClose();
    },
  });
  const errors = fieldErrors(save.error);
  const setLayer = (i: number, patch: Partial<Draft>) =>
    setForm((f) => ({ ...f, layers: f.layers.map((l, j) => (j === i ? { ...l, ...patch } : l)) }));
  const people = (staff.data ?? []).map((u) => ({ value: u.id, label: u.name }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="lg"
      title={rotation ? t("oncall.rotation.edit", { name: rotation.name }) : t("oncall.rotation.new")}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label={t("oncall.rotation.name")}
            required
            value={form.name}
            error={errors["/name"]}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
          <Group grow align="flex-start" wrap="wrap">
            <TeamPicker
              label={t("oncall.rotation.team")}
              value={form.team ?? ""}
              error={errors["/team"]}
              onChange={(team) => setForm({ ...form, team: team || null })}
            />
            <TextInput
              label={t("oncall.rotation.timezone")}
              description={t("oncall.rotation.timezoneHint")}
              required
              value={form.timezone}
              error={errors["/timezone"]}
              onChange={(e) => setForm({ ...form, timezone: e.currentTarget.value })}
            />
          </Group>
          <TextInput
            label={t("oncall.rotation.holidayCalendar")}
            description={t("oncall.rotation.holidayCalendarHint")}
            value={form.holidayCalendar ?? ""}
            error={errors["/holidayCalendar"]}
            onChange={(e) => setForm({ ...form, holidayCalendar: e.currentTarget.value || null })}
          />
          <Text fw={600} size="sm">
            {t("oncall.rotation.layers")}
          </Text>
          <Text size="xs" c="dimmed">
            {t("oncall.rotation.layersHint")}
          </Text>
          {form.layers.map((layer, i) => (
            <Card key={layer.key} withBorder padding="sm">
              <Stack gap="xs">
                <Group justify="space-between" wrap="nowrap">
                  <TextInput
                    aria-label={t("oncall.rotation.layerName")}
                    value={layer.name}
                    error={errors[`/layers/${i}/name`]}
                    onChange={(e) => setLayer(i, { name: e.currentTarget.value })}
                    style={{ flex: 1 }}
                  />
                  {form.layers.length > 1 && (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t("oncall.rotation.removeLayer", { name: layer.name })}
                      onClick={() => setForm({ ...form, layers: form.layers.filter((_, j) => j !== i) })}
                    >
                      ×
                    </ActionIcon>
                  )}
                </Group>
                <MultiSelect
                  label={t("oncall.rotation.participants")}
                  description={t("oncall.rotation.participantsHint")}
                  data={people}
                  value={layer.participants}
                  searchable
                  error={
                    errors[`/layers/${i}/participants`] ??
                    Object.entries(errors).find(([k]) => k.startsWith(`/layers/${i}/participants/`))?.[1]
                  }
                  onChange={(participants) => setLayer(i, { participants })}
                />
                <Group grow align="flex-start" wrap="wrap">
                  <Select
                    label={t("oncall.rotation.every")}
                    data={[
                      { value: "day", label: t("oncall.rotation.daily") },
                      { value: "week", label: t("oncall.rotation.weekly") },
                    ]}
                    value={layer.handoff.every}
                    allowDeselect={false}
                    onChange={(v) => setLayer(i, { handoff: { ...layer.handoff, every: (v ?? "week") as "day" } })}
                  />
                  <TextInput
                    label={t("oncall.rotation.at")}
                    type="time"
                    value={layer.handoff.at}
                    error={errors[`/layers/${i}/handoff/at`]}
                    onChange={(e) => setLayer(i, { handoff: { ...layer.handoff, at: e.currentTarget.value } })}
                  />
                  <TextInput
                    label={t("oncall.rotation.startsOn")}
                    type="date"
                    value={layer.startsOn}
                    error={errors[`/layers/${i}/startsOn`]}
                    onChange={(e) => setLayer(i, { startsOn: e.currentTarget.value })}
                  />
                </Group>
                <Group grow align="flex-start" wrap="wrap">
                  <Select
                    label={t("oncall.rotation.days")}
                    data={(["all", "workdays", "holidays"] as const).map((d) => ({
                      value: d,
                      label: t(`oncall.rotation.dayKinds.${d}`),
                    }))}
                    value={layer.days ?? "all"}
                    allowDeselect={false}
                    onChange={(v) => setLayer(i, { days: (v ?? "all") as "all" })}
                  />
                  <TextInput
                    label={t("oncall.rotation.from")}
                    type="time"
                    value={layer.between?.from ?? ""}
                    onChange={(e) => {
                      const from = e.currentTarget.value;
                      setLayer(i, { between: from ? { from, to: layer.between?.to ?? from } : null });
                    }}
                  />
                  <TextInput
                    label={t("oncall.rotation.to")}
                    type="time"
                    value={layer.between?.to ?? ""}
                    disabled={!layer.between}
                    onChange={(e) =>
                      layer.between && setLayer(i, { between: { ...layer.between, to: e.currentTarget.value } })
                    }
                  />
                </Group>
              </Stack>
            </Card>
          ))}
          <Button
            variant="light"
            onClick={() => setForm({ ...form, layers: [...form.layers, newLayer(form.layers.length)] })}
            disabled={form.layers.length >= 10}
          >
            {t("oncall.rotation.addLayer")}
          </Button>
          <ApiProblemFields error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
