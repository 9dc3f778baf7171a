import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { followEvents, type StreamState } from "../events/eventStream";
import { LiveBadge } from "../monitoring/LiveBadge";

type Status = "operational" | "degraded" | "partial_outage" | "major_outage" | "maintenance";
const colours: Record<Status, string> = {
  operational: "green",
  degraded: "yellow",
  partial_outage: "orange",
  major_outage: "red",
  maintenance: "blue",
};
const DAY = 86_400_000;

/** An instant as the value of a datetime-local input, in the viewer's zone, and back to ISO UTC. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => new Date(value).toISOString();

function useChoices() {
  const monitors = useQuery({
    queryKey: ["monitors", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/monitors", { params: { query: { limit: 200 } }, signal })).items,
  });
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const components = useQuery({
    queryKey: ["status", "components"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/components", { signal })).items,
    // The live stream refetches at once; this is the fallback while it is down.
    refetchInterval: 30_000,
  });
  return { monitors, organizations, components };
}

/** Events that change what this screen shows: a component's derived status, windows, incidents. */
const LIVE_EVENT = /^(status\.|maintenance\.|incident\.)/;

/**
 * Follows the tab's shared event stream: a component's status changing, a window moving or an incident changing
 * refetches the screen's data at once; without the stream, the components' 30 s polling still refreshes them.
 */
function useLiveStatus(): StreamState {
  const client = useQueryClient();
  const [state, setState] = useState<StreamState>("connecting");
  useEffect(
    () =>
      followEvents("/api/v1/events", {
        onEvent: (event) => {
          if (LIVE_EVENT.test(event.type)) void client.invalidateQueries({ queryKey: ["status"] });
        },
        onState: setState,
      }),
    [client],
  );
  return state;
}

export function StatusPageAdmin() {
  const { t } = useTranslation();
  const live = useLiveStatus();
  return (
    <>
      <PageHeader title={t("statusPage.title")} subtitle={t("statusPage.subtitle")}>
        <LiveBadge state={live} />
      </PageHeader>
      <Tabs defaultValue="components" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="components">{t("statusPage.tabs.components")}</Tabs.Tab>
          <Tabs.Tab value="preview">{t("statusPage.tabs.preview")}</Tabs.Tab>
          <Tabs.Tab value="calendar">{t("statusPage.tabs.calendar")}</Tabs.Tab>
          <Tabs.Tab value="changes">{t("statusPage.tabs.changes")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="components">
          <ComponentsTab />
        </Tabs.Panel>
        <Tabs.Panel value="preview">
          <PreviewTab />
        </Tabs.Panel>
        <Tabs.Panel value="calendar">
          <CalendarTab />
        </Tabs.Panel>
        <Tabs.Panel value="changes">
          <ChangesTab />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

type ComponentItem = NonNullable<ReturnType<typeof useChoices>["components"]["data"]>[number];

function ComponentsTab() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const writable = can("monitoring", "write");
  const client = useQueryClient();
  const { monitors, organizations, components } = useChoices();
  const [editing, setEditing] = useState<{ item?: ComponentItem; key: number } | null>(null);
  const [form, setForm] = useState({
    name: "",
    group: "",
    monitorIds: [] as string[],
    organizationIds: [] as string[],
  });
  const [override, setOverride] = useState<{ item: ComponentItem; status: Status; until: string } | null>(null);
  const open = (item?: ComponentItem) => {
    setForm({
      name: item?.name ?? "",
      group: item?.group ?? "",
      monitorIds: item?.monitorIds ?? [],
      organizationIds: item?.organizationIds ?? [],
    });
    setEditing({ item, key: Date.now() });
  };
  const save = useMutation({
    mutationFn: async () => {
      const body = { ...form, group: form.group || null };
      return editing?.item
        ? unwrap(await api.PATCH("/api/v1/components/{id}", { params: { path: { id: editing.item.id } }, body }))
        : unwrap(await api.POST("/api/v1/components", { body }));
    },
    onSuccess: () => {
      setEditing(null);
      void client.invalidateQueries({ queryKey: ["status"] });
    },
  });
  const saveOverride = useMutation({
    mutationFn: async (clear: boolean) => {
      if (!override) return;
      const path = { params: { path: { id: override.item.id } } };
      if (clear) return unwrap(await api.DELETE("/api/v1/components/{id}/override", path));
      return unwrap(
        await api.PUT("/api/v1/components/{id}/override", {
          ...path,
          body: { status: override.status, until: fromLocalInput(override.until) },
        }),
      );
    },
    onSuccess: () => {
      setOverride(null);
      void client.invalidateQueries({ queryKey: ["status"] });
    },
  });
  const statusOptions = (["operational", "degraded", "partial_outage", "major_outage", "maintenance"] as const).map(
    (s) => ({ value: s, label: t(`statusPage.statuses.${s}`) }),
  );
  return (
    <>
      <ProblemAlert error={components.error} />
      {writable && (
        <Group justify="flex-end" mb="sm">
          <Button onClick={() => open()}>{t("statusPage.components.new")}</Button>
        </Group>
      )}
      <Table.ScrollContainer minWidth={560}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("statusPage.components.name")}</Table.Th>
              <Table.Th>{t("statusPage.components.group")}</Table.Th>
              <Table.Th>{t("statusPage.components.status")}</Table.Th>
              <Table.Th>{t("statusPage.components.organizations")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(components.data ?? []).map((c) => (
              <Table.Tr key={c.id} data-testid="status-component">
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>{c.group ?? t("statusPage.none")}</Table.Td>
                <Table.Td>
                  <Badge color={colours[c.status as Status]}>{t(`statusPage.statuses.${c.status as Status}`)}</Badge>{" "}
                  <Text span size="xs" c="dimmed">
                    {c.source}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {c.organizationIds.length
                    ? c.organizationIds.map((id) => organizations.data?.find((o) => o.id === id)?.name ?? id).join(", ")
                    : t("statusPage.components.public")}
                </Table.Td>
                <Table.Td>
                  {writable && (
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="light" onClick={() => open(c)}>
                        {t("statusPage.components.edit")}
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        onClick={() =>
                          setOverride({
                            item: c,
                            status: (c.override?.status as Status) ?? "major_outage",
                            until: toLocalInput(new Date(Date.now() + 3_600_000).toISOString()),
                          })
                        }
                      >
                        {t("statusPage.components.override")}
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            {!components.data?.length && (
              <Table.Tr>
                <Table.Td colSpan={5}>{t("statusPage.components.empty")}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Modal
        opened={!!editing}
        onClose={() => setEditing(null)}
        title={t(editing?.item ? "statusPage.components.edit" : "statusPage.components.new")}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Stack>
            <ProblemAlert error={save.error} />
            <TextInput
              label={t("statusPage.components.name")}
              required
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
            <TextInput
              label={t("statusPage.components.group")}
              value={form.group}
              onChange={(e) => setForm({ ...form, group: e.currentTarget.value })}
            />
            <MultiSelect
              label={t("statusPage.components.monitors")}
              searchable
              data={(monitors.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
              value={form.monitorIds}
              onChange={(monitorIds) => setForm({ ...form, monitorIds })}
            />
            <MultiSelect
              label={t("statusPage.components.organizations")}
              searchable
              data={(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
              value={form.organizationIds}
              onChange={(organizationIds) => setForm({ ...form, organizationIds })}
            />
            <Button type="submit" loading={save.isPending}>
              {t("statusPage.save")}
            </Button>
          </Stack>
        </form>
      </Modal>
      <Modal opened={!!override} onClose={() => setOverride(null)} title={t("statusPage.components.override")}>
        {override && (
          <Stack>
            <ProblemAlert error={saveOverride.error} />
            <Select
              label={t("statusPage.components.status")}
              data={statusOptions}
              value={override.status}
              onChange={(v) => v && setOverride({ ...override, status: v as Status })}
            />
            <TextInput
              type="datetime-local"
              label={t("statusPage.components.overrideUntil")}
              value={override.until}
              onChange={(e) => setOverride({ ...override, until: e.currentTarget.value })}
            />
            <Group justify="space-between">
              <Button variant="subtle" onClick={() => saveOverride.mutate(true)}>
                {t("statusPage.components.clearOverride")}
              </Button>
              <Button onClick={() => saveOverride.mutate(false)}>{t("statusPage.save")}</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}

/** The page as the server renders it for staff (every component), in the app's language. */
function PreviewTab() {
  const { i18n } = useTranslation();
  const preview = useQuery({
    queryKey: ["status", "preview", i18n.language],
    queryFn: async ({ signal }) => {
      const res = await fetch(`/api/v1/status/preview?lang=${encodeURIComponent(i18n.language)}`, {
        credentials: "same-origin",
        signal,
      });
      if (!res.ok) throw new Error(res.statusText);
      return res.text();
    },
  });
  return (
    <>
      <ProblemAlert error={preview.error} />
      <iframe
        title="preview"
        sandbox=""
        srcDoc={preview.data ?? ""}
        style={{ width: "100%", height: "70vh", border: "1px solid var(--mantine-color-gray-3)", borderRadius: 8 }}
      />
    </>
  );
}

type WindowForm = {
  id?: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  rrule: string;
  componentIds: string[];
  mode: "mute" | "skip" | "show";
};

function CalendarTab() {
  const { t, i18n } = useTranslation();
  const { can } = useAuth();
  const writable = can("monitoring", "write");
  const client = useQueryClient();
  const { components } = useChoices();
  const [view, setView] = useState<"month" | "week">("month");
  const [anchor, setAnchor] = useState(() => new Date());
  const [form, setForm] = useState<WindowForm | null>(null);
  const from =
    view === "month"
      ? new Date(anchor.getFullYear(), anchor.getMonth(), 1)
      : new Date(anchor.getFullYear(), anchor.getMonth(), anchor.getDate() - ((anchor.getDay() + 6) % 7));
  const to =
    view === "month"
      ? new Date(anchor.getFullYear(), anchor.getMonth() + 1, 1)
      : new Date(from.getFullYear(), from.getMonth(), from.getDate() + 7);
  const occurrences = useQuery({
    queryKey: ["status", "occurrences", from.toISOString(), to.toISOString()],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/maintenance-windows/occurrences", {
          params: { query: { from: from.toISOString(), to: to.toISOString() } },
          signal,
        }),
      ).items,
  });
  const windows = useQuery({
    queryKey: ["status", "windows"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/maintenance-windows", { params: { query: { limit: 200 } }, signal })).items,
  });
  const save = useMutation({
    mutationFn: async (f: WindowForm) => {
      const body = {
        title: f.title,
        description: f.description,
        startsAt: fromLocalInput(f.startsAt),
        endsAt: fromLocalInput(f.endsAt),
        rrule: f.rrule.trim() || null,
        componentIds: f.componentIds,
        mode: f.mode,
      };
      return f.id
        ? unwrap(await api.PATCH("/api/v1/maintenance-windows/{id}", { params: { path: { id: f.id } }, body }))
        : unwrap(await api.POST("/api/v1/maintenance-windows", { body }));
    },
    onSuccess: () => {
      setForm(null);
      void client.invalidateQueries({ queryKey: ["status"] });
    },
  });
  const cancel = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/maintenance-windows/{id}/cancel", { params: { path: { id } } })),
    onSuccess: () => {
      setForm(null);
      void client.invalidateQueries({ queryKey: ["status"] });
    },
  });
  const edit = (id: string) => {
    const w = windows.data?.find((x) => x.id === id);
    if (!w) return;
    setForm({
      id: w.id,
      title: w.title,
      description: w.description,
      startsAt: toLocalInput(w.startsAt),
      endsAt: toLocalInput(w.endsAt),
      rrule: w.rrule ?? "",
      componentIds: w.componentIds,
      mode: w.mode,
    });
  };
  const days: Date[] = [];
  const gridStart = new Date(from.getFullYear(), from.getMonth(), from.getDate() - ((from.getDay() + 6) % 7));
  const cells = view === "month" ? Math.ceil(((to.getTime() - gridStart.getTime()) / DAY + 0.5) / 7) * 7 : 7;
  for (let i = 0; i < cells; i++)
    days.push(new Date(gridStart.getFullYear(), gridStart.getMonth(), gridStart.getDate() + i));
  const dayFmt = new Intl.DateTimeFormat(i18n.language, { weekday: "short", day: "numeric" });
  const timeFmt = new Intl.DateTimeFormat(i18n.language, { hour: "2-digit", minute: "2-digit" });
  const title = new Intl.DateTimeFormat(i18n.language, { month: "long", year: "numeric" }).format(anchor);
  const move = (sign: number) =>
    setAnchor(
      view === "month"
        ? new Date(anchor.getFullYear(), anchor.getMonth() + sign, 1)
        : new Date(anchor.getFullYear(), anchor.getMonth(), anchor.getDate() + 7 * sign),
    );
  const editing = form?.id ? windows.data?.find((w) => w.id === form.id) : undefined;
  return (
    <>
      <ProblemAlert error={occurrences.error} />
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => move(-1)}>
            {t("statusPage.calendar.previous")}
          </Button>
          <Text fw={600}>{title}</Text>
          <Button variant="default" size="xs" onClick={() => move(1)}>
            {t("statusPage.calendar.next")}
          </Button>
        </Group>
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={view}
            onChange={(v) => setView(v as "month" | "week")}
            data={[
              { value: "month", label: t("statusPage.calendar.month") },
              { value: "week", label: t("statusPage.calendar.week") },
            ]}
          />
          {writable && (
            <Button
              size="xs"
              onClick={() => {
                const start = new Date(Date.now() + 4 * DAY);
                start.setHours(2, 0, 0, 0);
                setForm({
                  title: "",
                  description: "",
                  startsAt: toLocalInput(start.toISOString()),
                  endsAt: toLocalInput(new Date(start.getTime() + 3 * 3_600_000).toISOString()),
                  rrule: "",
                  componentIds: [],
                  mode: "mute",
                });
              }}
            >
              {t("statusPage.calendar.new")}
            </Button>
          )}
        </Group>
      </Group>
      <SimpleGrid cols={7} spacing={4} data-testid="maintenance-calendar">
        {days.map((d) => {
          const items = (occurrences.data ?? []).filter((o) => {
            const s = new Date(o.startsAt);
            return s.getFullYear() === d.getFullYear() && s.getMonth() === d.getMonth() && s.getDate() === d.getDate();
          });
          return (
            <Card key={d.toISOString()} withBorder padding={4} mih={view === "month" ? 72 : 160}>
              <Text size="xs" c={d.getMonth() === anchor.getMonth() || view === "week" ? undefined : "dimmed"}>
                {dayFmt.format(d)}
              </Text>
              {items.map((o) => (
                <Badge
                  key={o.windowId + o.startsAt}
                  size="xs"
                  fullWidth
                  variant="light"
                  style={{ cursor: writable ? "pointer" : undefined, textTransform: "none" }}
                  onClick={() => writable && edit(o.windowId)}
                  title={o.title}
                >
                  {timeFmt.format(new Date(o.startsAt))} {o.title}
                </Badge>
              ))}
            </Card>
          );
        })}
      </SimpleGrid>
      <Modal
        opened={!!form}
        onClose={() => setForm(null)}
        title={t(form?.id ? "statusPage.calendar.edit" : "statusPage.calendar.new")}
      >
        {form && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(form);
            }}
          >
            <Stack>
              <ProblemAlert error={save.error ?? cancel.error} />
              {editing && editing.warnings.length > 0 && (
                <Alert color="yellow" title={t("statusPage.calendar.warnings")}>
                  {editing.warnings.map((w) => (
                    <Text key={w.code} size="sm">
                      {w.message}
                    </Text>
                  ))}
                </Alert>
              )}
              <TextInput
                label={t("statusPage.calendar.titleField")}
                required
                value={form.title}
                onChange={(e) => setForm({ ...form, title: e.currentTarget.value })}
              />
              <Textarea
                label={t("statusPage.calendar.description")}
                value={form.description}
                onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
              />
              <Group grow>
                <TextInput
                  type="datetime-local"
                  label={t("statusPage.calendar.startsAt")}
                  required
                  value={form.startsAt}
                  onChange={(e) => setForm({ ...form, startsAt: e.currentTarget.value })}
                />
                <TextInput
                  type="datetime-local"
                  label={t("statusPage.calendar.endsAt")}
                  required
                  value={form.endsAt}
                  onChange={(e) => setForm({ ...form, endsAt: e.currentTarget.value })}
                />
              </Group>
              <TextInput
                label={t("statusPage.calendar.rrule")}
                description={t("statusPage.calendar.rruleHint")}
                value={form.rrule}
                onChange={(e) => setForm({ ...form, rrule: e.currentTarget.value })}
              />
              <MultiSelect
                label={t("statusPage.calendar.components")}
                required
                data={(components.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
                value={form.componentIds}
                onChange={(componentIds) => setForm({ ...form, componentIds })}
              />
              <Select
                label={t("statusPage.calendar.mode")}
                data={(["mute", "skip", "show"] as const).map((m) => ({
                  value: m,
                  label: t(`statusPage.calendar.modes.${m}`),
                }))}
                value={form.mode}
                onChange={(v) => v && setForm({ ...form, mode: v as WindowForm["mode"] })}
              />
              <Group justify="space-between">
                {form.id ? (
                  <Button color="red" variant="subtle" onClick={() => form.id && cancel.mutate(form.id)}>
                    {t("statusPage.calendar.cancel")}
                  </Button>
                ) : (
                  <span />
                )}
                <Button type="submit" loading={save.isPending}>
                  {t("statusPage.save")}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}

type ChangeForm = {
  title: string;
  kind: "security" | "fix" | "improvement";
  validation: "pending" | "passed" | "failed";
  windowId: string | null;
  appliedAt: string;
  outcome: "pending" | "succeeded" | "failed" | "rolled_back";
  outsideWindowReason: string;
};

function ChangesTab() {
  const { t, i18n } = useTranslation();
  const { can } = useAuth();
  const writable = can("monitoring", "write");
  const client = useQueryClient();
  const [form, setForm] = useState<ChangeForm | null>(null);
  const changes = useQuery({
    queryKey: ["status", "changes"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/changes", { params: { query: { limit: 200 } }, signal })).items,
  });
  const windows = useQuery({
    queryKey: ["status", "windows"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/maintenance-windows", { params: { query: { limit: 200 } }, signal })).items,
  });
  const save = useMutation({
    mutationFn: async (f: ChangeForm) =>
      unwrap(
        await api.POST("/api/v1/changes", {
          body: {
            title: f.title,
            kind: f.kind,
            validation: f.validation,
            windowId: f.windowId,
            appliedAt: f.appliedAt ? fromLocalInput(f.appliedAt) : null,
            outcome: f.outcome,
            outsideWindowReason: f.outsideWindowReason || null,
          },
        }),
      ),
    onSuccess: () => {
      setForm(null);
      void client.invalidateQueries({ queryKey: ["status", "changes"] });
    },
  });
  const fmt = new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "short" });
  return (
    <>
      <ProblemAlert error={changes.error} />
      {writable && (
        <Group justify="flex-end" mb="sm">
          <Button
            onClick={() =>
              setForm({
                title: "",
                kind: "fix",
                validation: "pending",
                windowId: null,
                appliedAt: "",
                outcome: "pending",
                outsideWindowReason: "",
              })
            }
          >
            {t("statusPage.changes.new")}
          </Button>
        </Group>
      )}
      <Table.ScrollContainer minWidth={640}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("statusPage.changes.titleField")}</Table.Th>
              <Table.Th>{t("statusPage.changes.kind")}</Table.Th>
              <Table.Th>{t("statusPage.changes.validation")}</Table.Th>
              <Table.Th>{t("statusPage.changes.appliedAt")}</Table.Th>
              <Table.Th>{t("statusPage.changes.outcome")}</Table.Th>
              <Table.Th>{t("statusPage.changes.reason")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(changes.data ?? []).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.title}</Table.Td>
                <Table.Td>{t(`statusPage.changes.kinds.${c.kind}`)}</Table.Td>
                <Table.Td>{t(`statusPage.changes.validations.${c.validation}`)}</Table.Td>
                <Table.Td>{c.appliedAt ? fmt.format(new Date(c.appliedAt)) : t("statusPage.none")}</Table.Td>
                <Table.Td>{t(`statusPage.changes.outcomes.${c.outcome}`)}</Table.Td>
                <Table.Td>{c.outsideWindowReason ?? t("statusPage.none")}</Table.Td>
              </Table.Tr>
            ))}
            {!changes.data?.length && (
              <Table.Tr>
                <Table.Td colSpan={6}>{t("statusPage.changes.empty")}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Modal opened={!!form} onClose={() => setForm(null)} title={t("statusPage.changes.new")}>
        {form && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(form);
            }}
          >
            <Stack>
              <ProblemAlert error={save.error} />
              <TextInput
                label={t("statusPage.changes.titleField")}
                required
                value={form.title}
                onChange={(e) => setForm({ ...form, title: e.currentTarget.value })}
              />
              <Select
                label={t("statusPage.changes.kind")}
                data={(["security", "fix", "improvement"] as const).map((k) => ({
                  value: k,
                  label: t(`statusPage.changes.kinds.${k}`),
                }))}
                value={form.kind}
                onChange={(v) => v && setForm({ ...form, kind: v as ChangeForm["kind"] })}
              />
              <Select
                label={t("statusPage.changes.validation")}
                data={(["pending", "passed", "failed"] as const).map((k) => ({
                  value: k,
                  label: t(`statusPage.changes.validations.${k}`),
                }))}
                value={form.validation}
                onChange={(v) => v && setForm({ ...form, validation: v as ChangeForm["validation"] })}
              />
              <Select
                label={t("statusPage.changes.window")}
                clearable
                data={(windows.data ?? []).map((w) => ({ value: w.id, label: w.title }))}
                value={form.windowId}
                onChange={(windowId) => setForm({ ...form, windowId })}
              />
              <TextInput
                type="datetime-local"
                label={t("statusPage.changes.appliedAt")}
                value={form.appliedAt}
                onChange={(e) => setForm({ ...form, appliedAt: e.currentTarget.value })}
              />
              <Select
                label={t("statusPage.changes.outcome")}
                data={(["pending", "succeeded", "failed", "rolled_back"] as const).map((k) => ({
                  value: k,
                  label: t(`statusPage.changes.outcomes.${k}`),
                }))}
                value={form.outcome}
                onChange={(v) => v && setForm({ ...form, outcome: v as ChangeForm["outcome"] })}
              />
              <Textarea
                label={t("statusPage.changes.reason")}
                value={form.outsideWindowReason}
                onChange={(e) => setForm({ ...form, outsideWindowReason: e.currentTarget.value })}
              />
              <Button type="submit" loading={save.isPending}>
                {t("statusPage.save")}
              </Button>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}
