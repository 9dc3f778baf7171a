import {
  Alert,
  Badge,
  Box,
  Button,
  Card,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat, zonedInstant } from "../../shell/format";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { colourOf, type Rotation, type Schedule } from "./model";
import { RotationForm } from "./RotationForm";
import { useOncallStaff } from "./staff";

const DAY = 86_400_000;
/** How far ahead the calendar looks. */
const SPAN_DAYS = 14;
/** Warnings shown in full; the rest are counted. */
const MAX_WARNINGS = 3;

/** Who is on call now, and over the next two weeks per rotation, with overrides, gaps and overlaps. */
export function CalendarTab() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const writable = can("monitoring", "write");
  const [form, setForm] = useState<{ rotation?: Rotation; opened: boolean; key: number }>({ opened: false, key: 0 });
  const rotations = useQuery({
    queryKey: ["oncall", "rotations"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/oncall/rotations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const items = rotations.data ?? [];
  return (
    <Stack gap="md">
      <NowCard />
      {writable && (
        <Group justify="flex-end">
          <Button onClick={() => setForm((f) => ({ opened: true, key: f.key + 1 }))}>{t("oncall.rotation.new")}</Button>
        </Group>
      )}
      <ProblemAlert error={rotations.error} />
      {rotations.isSuccess && items.length === 0 && <Text c="dimmed">{t("oncall.rotation.none")}</Text>}
      {items.map((r) => (
        <RotationCard
          key={r.id}
          rotation={r}
          writable={writable}
          onEdit={() => setForm((f) => ({ rotation: r, opened: true, key: f.key + 1 }))}
        />
      ))}
      {form.opened && (
        <RotationForm
          key={form.key}
          rotation={form.rotation}
          opened={form.opened}
          onClose={() => setForm((f) => ({ ...f, opened: false }))}
        />
      )}
    </Stack>
  );
}

function NowCard() {
  const { t } = useTranslation();
  const f = useFormat();
  const now = useQuery({
    queryKey: ["oncall", "now"],
    refetchInterval: 60_000,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/oncall/now", { signal })),
  });
  return (
    <Card withBorder radius="md">
      <Text fw={600} mb="xs">
        {t("oncall.now.title")}
      </Text>
      <ProblemAlert error={now.error} />
      <Stack gap={6}>
        {(now.data?.items ?? []).map((i) => (
          <Group key={i.rotationId} gap="xs" wrap="wrap" data-testid="oncall-now">
            <Text size="sm" fw={500}>
              {i.rotationName}:
            </Text>
            {i.userId ? (
              <Badge variant="light" style={{ background: colourOf(i.userId), color: "#111" }}>
                {i.userName ?? i.userId}
              </Badge>
            ) : (
              <Badge color="red">{t("oncall.now.nobody")}</Badge>
            )}
            {i.until && (
              <Text size="xs" c="dimmed">
                {t("oncall.now.until", { at: f.deadline(i.until) })}
              </Text>
            )}
            {i.source?.type === "override" && (
              <Badge size="xs" color="grape">
                {t("oncall.override.badge")}
              </Badge>
            )}
          </Group>
        ))}
        {now.isSuccess && now.data.items.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("oncall.rotation.none")}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function RotationCard({ rotation, writable, onEdit }: { rotation: Rotation; writable: boolean; onEdit: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const [from] = useState(() => new Date(Math.floor(Date.now() / 60_000) * 60_000));
  const to = new Date(from.getTime() + SPAN_DAYS * DAY);
  const [overrideOpen, setOverrideOpen] = useState(false);
  const schedule = useQuery({
    queryKey: ["oncall", "schedule", rotation.id, from.toISOString()],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/oncall/rotations/{id}/schedule", {
          params: { path: { id: rotation.id }, query: { from: from.toISOString(), to: to.toISOString() } },
          signal,
        }),
      ),
  });
  const overrides = useQuery({
    queryKey: ["oncall", "overrides", rotation.id],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/oncall/rotations/{id}/overrides", { params: { path: { id: rotation.id } }, signal }),
      ).items,
  });
  const removeOverride = useMutation({
    mutationFn: async (overrideId: string) =>
      unwrap(
        await api.DELETE("/api/v1/oncall/rotations/{id}/overrides/{overrideId}", {
          params: { path: { id: rotation.id, overrideId } },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["oncall"] }),
  });
  const warnings = schedule.data?.warnings ?? rotation.warnings;
  return (
    <Card withBorder radius="md" data-testid="rotation-card">
      <Group justify="space-between" align="flex-start" wrap="wrap" mb="xs">
        <div>
          <Text fw={600}>{rotation.name}</Text>
          <Text size="xs" c="dimmed">
            {[rotation.team, rotation.timezone, rotation.layers.map((l) => l.name).join(" · ")]
              .filter(Boolean)
              .join(" — ")}
          </Text>
        </div>
        {writable && (
          <Group gap="xs">
            <Button size="xs" variant="light" onClick={() => setOverrideOpen(true)}>
              {t("oncall.override.add")}
            </Button>
            <Button size="xs" variant="subtle" onClick={onEdit}>
              {t("common.edit")}
            </Button>
          </Group>
        )}
      </Group>
      {warnings.slice(0, MAX_WARNINGS).map((w) => (
        <Alert key={`${w.kind}-${w.start}`} color="yellow" mb="xs" data-testid="rotation-warning">
          {w.kind === "gap"
            ? t("oncall.warning.gap", { from: f.deadline(w.start), to: f.deadline(w.end) })
            : t("oncall.warning.overlap", { from: f.deadline(w.start), to: f.deadline(w.end) })}
        </Alert>
      ))}
      {warnings.length > MAX_WARNINGS && (
        <Text size="xs" c="dimmed" mb="xs">
          {t("oncall.warning.more", { count: warnings.length - MAX_WARNINGS })}
        </Text>
      )}
      <ProblemAlert error={schedule.error ?? removeOverride.error} />
      {schedule.data && <Timeline schedule={schedule.data} />}
      {schedule.data && (
        <Table.ScrollContainer minWidth={560} mt="sm">
          <Table verticalSpacing={4} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("oncall.schedule.from")}</Table.Th>
                <Table.Th>{t("oncall.schedule.to")}</Table.Th>
                <Table.Th>{t("oncall.schedule.who")}</Table.Th>
                <Table.Th>{t("oncall.schedule.source")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {schedule.data.segments.map((s) => (
                <Table.Tr key={s.start}>
                  <Table.Td>{f.deadline(s.start)}</Table.Td>
                  <Table.Td>{f.deadline(s.end)}</Table.Td>
                  <Table.Td>
                    {s.userId ? (s.userName ?? s.userId) : <Badge color="red">{t("oncall.now.nobody")}</Badge>}
                  </Table.Td>
                  <Table.Td>
                    {s.source?.type === "override" ? (
                      <Badge size="xs" color="grape">
                        {t("oncall.override.badge")}
                      </Badge>
                    ) : (
                      (s.source?.layer ?? "—")
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {(overrides.data ?? []).length > 0 && (
        <Stack gap={4} mt="sm">
          <Text size="sm" fw={600}>
            {t("oncall.override.title")}
          </Text>
          {overrides.data!.map((o) => (
            <Group key={o.id} gap="xs" wrap="wrap" data-testid="override-row">
              <Text size="sm">
                {t("oncall.override.line", {
                  name: o.userName ?? o.userId,
                  from: f.deadline(o.startsAt),
                  to: f.deadline(o.endsAt),
                })}
              </Text>
              {o.reason && (
                <Text size="xs" c="dimmed">
                  ({o.reason})
                </Text>
              )}
              {writable && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  loading={removeOverride.isPending && removeOverride.variables === o.id}
                  onClick={() => removeOverride.mutate(o.id)}
                >
                  {t("oncall.override.remove")}
                </Button>
              )}
            </Group>
          ))}
        </Stack>
      )}
      {overrideOpen && <OverrideForm rotation={rotation} onClose={() => setOverrideOpen(false)} />}
    </Card>
  );
}

/** The span as one bar, each segment as wide as its share of the time, coloured per person (gaps red). */
function Timeline({ schedule }: { schedule: Schedule }) {
  const f = useFormat();
  const { t } = useTranslation();
  const start = Date.parse(schedule.from);
  const total = Date.parse(schedule.to) - start;
  return (
    <Box
      role="img"
      aria-label={t("oncall.schedule.bar")}
      style={{ display: "flex", width: "100%", height: 18, borderRadius: 4, overflow: "hidden" }}
    >
      {schedule.segments.map((s) => (
        <Tooltip
          key={s.start}
          label={`${s.userName ?? t("oncall.now.nobody")}: ${f.deadline(s.start)} → ${f.deadline(s.end)}`}
        >
          <Box
            style={{
              width: `${((Date.parse(s.end) - Date.parse(s.start)) / total) * 100}%`,
              background: colourOf(s.userId),
              borderRight: "1px solid var(--mantine-color-body)",
            }}
          />
        </Tooltip>
      ))}
    </Box>
  );
}

function OverrideForm({ rotation, onClose }: { rotation: Rotation; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const staff = useOncallStaff();
  const { user } = useAuth();
  const zone = user.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [userId, setUserId] = useState<string | null>(null);
  const [startsAt, setStartsAt] = useState("");
  const [endsAt, setEndsAt] = useState("");
  const [reason, setReason] = useState("");
  const save = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/oncall/rotations/{id}/overrides", {
          params: { path: { id: rotation.id } },
          body: {
            userId: userId ?? "",
            startsAt: zonedInstant(startsAt, zone)?.toISOString() ?? startsAt,
            endsAt: zonedInstant(endsAt, zone)?.toISOString() ?? endsAt,
            reason: reason || null,
          },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["oncall"] });
      onClose();
    },
  });
  const errors = fieldErrors(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={t("oncall.override.new", { name: rotation.name })}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <ProblemAlert error={Object.keys(errors).length ? null : save.error} />
          <Select
            label={t("oncall.override.who")}
            data={(staff.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
            value={userId}
            searchable
            required
            error={errors["/userId"]}
            onChange={setUserId}
          />
          <TextInput
            label={t("oncall.override.startsAt")}
            type="datetime-local"
            required
            value={startsAt}
            error={errors["/startsAt"]}
            onChange={(e) => setStartsAt(e.currentTarget.value)}
          />
          <TextInput
            label={t("oncall.override.endsAt")}
            type="datetime-local"
            required
            value={endsAt}
            error={errors["/endsAt"]}
            onChange={(e) => setEndsAt(e.currentTarget.value)}
          />
          <TextInput
            label={t("oncall.override.reason")}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
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
