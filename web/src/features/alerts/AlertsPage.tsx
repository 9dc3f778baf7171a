import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Drawer,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow } from "../../shell/paging";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import {
  type Alert,
  type SilenceInput,
  type StateFilter,
  severityColor,
  shownApart,
  silenceHours,
  stateColor,
  stateFilters,
} from "./model";
import { Rules } from "./Rules";

const keys = {
  alerts: (state: StateFilter) => ["alerts", "list", state] as const,
  history: (fingerprint: string) => ["alerts", "history", fingerprint] as const,
  silences: ["alerts", "silences"] as const,
};

/** Alerts by state with their silenced and inhibited flags, each with its history; silences beside them. */
export function AlertsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const writable = can("monitoring", "write");
  const format = useFormat();
  const [state, setState] = useState<StateFilter>("firing");
  const [history, setHistory] = useState<Alert | null>(null);
  const [silencing, setSilencing] = useState<{ alert: Alert; key: number } | null>(null);
  const list = useQuery({
    queryKey: keys.alerts(state),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/alerts", {
          params: { query: { limit: 500, ...(state === "all" ? {} : { state }) } },
          signal,
        }),
      ).items,
    refetchInterval: 15_000,
  });
  const items = list.data ?? [];
  return (
    <>
      <PageHeader title={t("alerts.title")} subtitle={t("alerts.subtitle")} />
      <SegmentedControl
        mb="sm"
        value={state}
        onChange={(v) => setState(v as StateFilter)}
        data={stateFilters.map((s) => ({ value: s, label: t(`alerts.states.${s}`) }))}
      />
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md" mb="lg">
        <Table.ScrollContainer minWidth={860}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("alerts.alert")}</Table.Th>
                <Table.Th>{t("alerts.severity")}</Table.Th>
                <Table.Th>{t("alerts.state")}</Table.Th>
                <Table.Th>{t("alerts.labels")}</Table.Th>
                <Table.Th>{t("alerts.since")}</Table.Th>
                <Table.Th>{t("alerts.receivers")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((a) => (
                <Table.Tr key={a.fingerprint} data-testid="alert-row">
                  <Table.Td>
                    <Anchor component="button" type="button" onClick={() => setHistory(a)}>
                      {a.labels.alertname ?? a.fingerprint}
                    </Anchor>
                    {a.annotations.summary && (
                      <Text size="xs" c="dimmed">
                        {a.annotations.summary}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {a.labels.severity && (
                      <Badge variant="light" color={severityColor[a.labels.severity] ?? "gray"}>
                        {a.labels.severity in severityColor
                          ? t(`tickets.severities.${a.labels.severity as "critical" | "high" | "medium" | "low"}`)
                          : a.labels.severity}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Badge color={stateColor[a.state]}>{t(`alerts.states.${a.state}`)}</Badge>
                      {a.silenced && (
                        <Badge variant="outline" color="gray">
                          {t("alerts.silenced")}
                        </Badge>
                      )}
                      {a.inhibited && (
                        <Badge variant="outline" color="grape">
                          {t("alerts.inhibited")}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {Object.entries(a.labels)
                        .filter(([k]) => !shownApart.has(k))
                        .map(([k, v]) => (
                          <Badge key={k} size="xs" variant="default" tt="none">
                            {k}={v}
                          </Badge>
                        ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {format.dateTime(a.state === "resolved" ? a.resolvedAt : (a.firedAt ?? a.activeSince))}
                  </Table.Td>
                  <Table.Td>{a.receivers.join(", ")}</Table.Td>
                  <Table.Td>
                    {writable && a.state !== "resolved" && (
                      <Button
                        size="xs"
                        variant="subtle"
                        aria-label={t("alerts.silenceNamed", { name: a.labels.alertname ?? a.fingerprint })}
                        onClick={() => setSilencing((s) => ({ alert: a, key: (s?.key ?? 0) + 1 }))}
                      >
                        {t("alerts.silence")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: list.isSuccess, items }} colSpan={7} text={t("alerts.none")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Silences writable={writable} />
      <Rules writable={writable} />
      <Drawer
        opened={history !== null}
        onClose={() => setHistory(null)}
        position="right"
        title={t("alerts.historyOf", { name: history?.labels.alertname ?? "" })}
      >
        {history && <History alert={history} />}
      </Drawer>
      <Modal opened={silencing !== null} onClose={() => setSilencing(null)} title={t("alerts.newSilence")} size="lg">
        {silencing && <SilenceForm key={silencing.key} alert={silencing.alert} onDone={() => setSilencing(null)} />}
      </Modal>
    </>
  );
}

function History({ alert }: { alert: Alert }) {
  const { t } = useTranslation();
  const format = useFormat();
  const history = useQuery({
    queryKey: keys.history(alert.fingerprint),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/alerts/{fingerprint}/history", {
          params: { path: { fingerprint: alert.fingerprint } },
          signal,
        }),
      ),
  });
  return (
    <Stack gap="sm">
      <ProblemAlert error={history.error} />
      {Object.entries(alert.annotations).map(([k, v]) => (
        <Text key={k} size="sm">
          <b>{k}</b>: {v}
        </Text>
      ))}
      <Table verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("alerts.at")}</Table.Th>
            <Table.Th>{t("alerts.state")}</Table.Th>
            <Table.Th>{t("alerts.value")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(history.data?.history ?? []).map((h) => (
            <Table.Tr key={h.id}>
              <Table.Td>{format.preciseTime(h.at)}</Table.Td>
              <Table.Td>
                {h.state in stateColor ? t(`alerts.states.${h.state as keyof typeof stateColor}`) : h.state}
              </Table.Td>
              <Table.Td>{format.number(h.value, 2)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function Silences({ writable }: { writable: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const silences = useQuery({
    queryKey: keys.silences,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/silences", { signal })).items,
  });
  const expire = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE("/api/v1/silences/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["alerts"] }),
  });
  const items = silences.data ?? [];
  return (
    <>
      <Title order={3} size="h4" mb="xs">
        {t("alerts.silences")}
      </Title>
      <ProblemAlert error={silences.error} />
      <ActionAlert error={expire.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("alerts.matchers")}</Table.Th>
                <Table.Th>{t("alerts.state")}</Table.Th>
                <Table.Th>{t("alerts.until")}</Table.Th>
                <Table.Th>{t("alerts.createdBy")}</Table.Th>
                <Table.Th>{t("alerts.comment")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((s) => (
                <Table.Tr key={s.id} data-testid="silence-row">
                  <Table.Td>
                    <Group gap={4}>
                      {s.matchers.map((m) => (
                        <Badge key={`${m.name}${m.value}`} size="xs" variant="default" tt="none">
                          {m.name}
                          {m.isEqual ? "" : "!"}
                          {m.isRegex ? "=~" : "="}
                          {m.value}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={s.status === "active" ? "blue" : "gray"}>
                      {t(`alerts.silenceStates.${s.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{format.dateTime(s.endsAt)}</Table.Td>
                  <Table.Td style={{ overflowWrap: "anywhere" }}>{s.createdBy}</Table.Td>
                  <Table.Td>{s.comment}</Table.Td>
                  <Table.Td>
                    {writable && s.status !== "expired" && (
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        loading={expire.isPending && expire.variables === s.id}
                        aria-label={t("alerts.expireNamed", { id: s.id.slice(0, 8) })}
                        onClick={() => expire.mutate(s.id)}
                      >
                        {t("alerts.expire")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: silences.isSuccess, items }} colSpan={6} text={t("alerts.noSilences")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </>
  );
}

/** A silence starting now, its matchers taken from the alert's labels (each can be edited or removed). */
function SilenceForm({ alert, onDone }: { alert: Alert; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  // Each row keeps a key of its own, so editing a name never remounts its inputs.
  const [matchers, setMatchers] = useState<(SilenceInput["matchers"][number] & { key: number })[]>(() =>
    Object.entries(alert.labels).map(([name, value], key) => ({ key, name, value, isRegex: false })),
  );
  const [hours, setHours] = useState<string>("2");
  const [comment, setComment] = useState("");
  const save = useMutation({
    mutationFn: async () => {
      const now = Date.now();
      return unwrap(
        await api.POST("/api/v1/silences", {
          body: {
            matchers: matchers.map(({ key: _key, ...m }) => m),
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + Number(hours) * 3_600_000).toISOString(),
            comment,
          },
        }),
      );
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["alerts"] });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const change = (i: number, patch: Partial<SilenceInput["matchers"][number]>) =>
    setMatchers((ms) => ms.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ActionAlert error={save.error} shown={Object.keys(errors).filter((p) => p.startsWith("/matchers"))} />
        <Text fw={500} size="sm">
          {t("alerts.matchers")}
        </Text>
        {matchers.map((m, i) => (
          <Group key={m.key} gap="xs" align="flex-end" wrap="wrap">
            <TextInput
              label={t("alerts.matcherName")}
              value={m.name}
              error={errors[`/matchers/${i}`]}
              onChange={(e) => change(i, { name: e.currentTarget.value })}
              style={{ flex: "1 1 8rem" }}
            />
            <TextInput
              label={t("alerts.matcherValue")}
              value={m.value}
              onChange={(e) => change(i, { value: e.currentTarget.value })}
              style={{ flex: "2 1 10rem" }}
            />
            <Checkbox
              label={t("alerts.regex")}
              checked={m.isRegex ?? false}
              onChange={(e) => change(i, { isRegex: e.currentTarget.checked })}
              mb={8}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t("alerts.removeMatcher")}
              onClick={() => setMatchers((ms) => ms.filter((_, j) => j !== i))}
              mb={4}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() =>
              setMatchers((ms) => [
                ...ms,
                { key: Math.max(-1, ...ms.map((m) => m.key)) + 1, name: "", value: "", isRegex: false },
              ])
            }
          >
            {t("alerts.addMatcher")}
          </Button>
        </Group>
        <Select
          label={t("alerts.duration")}
          allowDeselect={false}
          data={silenceHours.map((h) => ({ value: String(h), label: t("alerts.hours", { count: h }) }))}
          value={hours}
          onChange={(v) => v && setHours(v)}
        />
        <Textarea
          label={t("alerts.comment")}
          value={comment}
          error={errors["/comment"]}
          onChange={(e) => setComment(e.currentTarget.value)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t("alerts.silence")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
