import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { useNow } from "../../shell/useNow";
import { LiveBadge } from "./LiveBadge";
import { pollWhen, useMonitoringLive } from "./live";
import { MonitorCard } from "./MonitorCard";
import { MonitorForm } from "./MonitorForm";
import { keys, type Monitor, monitoring, monitorTypes, type Status, statusColor, statuses } from "./model";
import { NodesSection } from "./NodesSection";
import { StatusBadge } from "./StatusBadge";
import { type Section, sections } from "./sections";

/**
 * Cards drawn per section until "show all": thousands of cards would stall the page. The most urgent come
 * first, so a failing monitor is never among those left out.
 */
const CARDS_SHOWN = 60;
const sectionKey = (s: Section) => s.group?.id ?? "none";
const isStatus = (value: string | null): value is Status => statuses.some((s) => s === value);

/** The live dashboard: every monitor as a card, grouped by its group monitor, filtered by state, type and text. */
export function MonitorsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const now = useNow(30_000);
  const live = useMonitoringLive();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const status = params.get("state");
  const type = params.get("type");
  const q = params.get("q") ?? "";
  const setParam = (name: string, value: string | null) =>
    setParams(
      (p) => {
        if (value) p.set(name, value);
        else p.delete(name);
        return p;
      },
      { replace: true },
    );
  const list = useQuery({
    queryKey: keys.list,
    queryFn: ({ signal }) => monitoring.all(signal),
    refetchInterval: pollWhen(live),
  });
  const monitors = list.data ?? [];
  const needle = q.trim().toLowerCase();
  const matches = (m: Monitor) =>
    (!isStatus(status) || m.state?.status === status) &&
    (!type || m.type === type) &&
    (!needle || m.name.toLowerCase().includes(needle) || m.target.toLowerCase().includes(needle));
  const filtering = isStatus(status) || Boolean(type) || Boolean(needle);
  const shown = sections(monitors, matches, filtering);
  const counts = new Map<Status, number>();
  for (const m of monitors) {
    if (m.type !== "group" && m.state) counts.set(m.state.status, (counts.get(m.state.status) ?? 0) + 1);
  }
  const cardCount = shown.reduce((n, s) => n + s.members.length, 0);
  return (
    <>
      <PageHeader title={t("monitoring.title")} subtitle={t("monitoring.subtitle")}>
        <Group justify="space-between">
          <LiveBadge state={live} />
          {can("monitoring", "write") && <Button onClick={() => setCreating(true)}>{t("monitoring.new")}</Button>}
        </Group>
      </PageHeader>
      <Group gap="xs" mb="sm" aria-label={t("monitoring.summary")} role="group">
        {statuses
          .filter((s) => counts.get(s))
          .map((s) => (
            <UnstyledButton
              key={s}
              onClick={() => setParam("state", status === s ? null : s)}
              aria-pressed={status === s}
              data-testid={`count-${s}`}
            >
              <Badge color={statusColor[s]} variant={status === s ? "filled" : "light"} size="lg">
                {t(`monitoring.statuses.${s}`)}: {counts.get(s)}
              </Badge>
            </UnstyledButton>
          ))}
      </Group>
      <Group mb="lg" align="flex-end" gap="sm">
        <TextInput
          label={t("common.search")}
          placeholder={t("monitoring.searchHint")}
          value={q}
          onChange={(e) => setParam("q", e.currentTarget.value)}
          w={280}
        />
        <Select
          label={t("monitoring.fields.state")}
          placeholder={t("monitoring.anyState")}
          clearable
          data={statuses.map((s) => ({ value: s, label: t(`monitoring.statuses.${s}`) }))}
          value={isStatus(status) ? status : null}
          onChange={(v) => setParam("state", v)}
          w={200}
        />
        <Select
          label={t("monitoring.fields.type")}
          placeholder={t("monitoring.anyType")}
          clearable
          data={monitorTypes.map((k) => ({ value: k, label: t(`monitoring.types.${k}`) }))}
          value={type}
          onChange={(v) => setParam("type", v)}
          w={200}
        />
      </Group>
      <ProblemAlert error={list.error} />
      {list.isPending && <Loader aria-label={t("common.loading")} />}
      {list.isSuccess && monitors.length === 0 && (
        <Text c="dimmed" ta="center" py="xl">
          {t("monitoring.noMonitors")}
        </Text>
      )}
      {list.isSuccess && monitors.length > 0 && cardCount === 0 && filtering && (
        <Text c="dimmed" ta="center" py="xl">
          {t("common.empty")}
        </Text>
      )}
      <Stack gap="xl">
        {shown.map((section) => (
          <section
            key={sectionKey(section)}
            aria-label={section.group?.name ?? t("monitoring.noGroup")}
            data-testid="monitor-group"
          >
            <Group gap="sm" mb="xs">
              <Title order={4}>
                {section.group ? (
                  <Anchor component={Link} to={`/monitoring/${section.group.id}`} inherit>
                    {section.group.name}
                  </Anchor>
                ) : (
                  t("monitoring.noGroup")
                )}
              </Title>
              {section.group && <StatusBadge state={section.group.state} size="sm" />}
              <Text size="sm" c="dimmed">
                {t("monitoring.memberCount", { count: section.members.length })}
              </Text>
            </Group>
            {section.members.length > 0 ? (
              <>
                <SimpleGrid cols={{ base: 1, sm: 2, lg: 3, xl: 4 }} spacing="sm">
                  {(expanded.has(sectionKey(section)) ? section.members : section.members.slice(0, CARDS_SHOWN)).map(
                    (m) => (
                      <MonitorCard key={m.id} monitor={m} now={now} />
                    ),
                  )}
                </SimpleGrid>
                {section.members.length > CARDS_SHOWN && !expanded.has(sectionKey(section)) && (
                  <Button
                    variant="subtle"
                    mt="xs"
                    onClick={() => setExpanded((e) => new Set(e).add(sectionKey(section)))}
                  >
                    {t("monitoring.showAll", { count: section.members.length })}
                  </Button>
                )}
              </>
            ) : (
              <Card withBorder radius="md" padding="sm">
                <Text size="sm" c="dimmed">
                  {t("monitoring.noMembers")}
                </Text>
              </Card>
            )}
          </section>
        ))}
        {can("monitoring", "write") && <NodesSection />}
      </Stack>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("monitoring.new")} size="xl">
        {creating && (
          <MonitorForm
            monitors={monitors}
            onCancel={() => setCreating(false)}
            onSaved={(saved) => {
              setCreating(false);
              void navigate(`/monitoring/${saved.id}`, {
                state: saved.pushToken ? { pushToken: saved.pushToken } : null,
              });
            }}
          />
        )}
      </Modal>
    </>
  );
}
