import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { channels } from "../../../../src/modules/tickets/model";
import { api, type JsonBody, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { TeamPicker } from "../../shell/pickers";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { usePlanLabels } from "../plan/labels";
import { planQuery } from "../plan/queries";
import { severities, staffUsers, ticketTypes } from "./model";

type Rules = JsonBody<paths["/api/v1/ticket-routing-rules"]["get"]["responses"][200]>["items"];
type RuleInput = NonNullable<
  paths["/api/v1/ticket-routing-rules"]["put"]["requestBody"]
>["content"]["application/json"]["items"][number];
const KEY = ["ticket-routing-rules"] as const;
const tiers = ["L1", "L2", "L3"] as const;

/** A rule as the form edits it: every condition a list (empty: any value), every action a choice or none. */
interface Draft {
  /** Stable across moves, so each card keeps its inputs. */
  key: number;
  name: string;
  types: string[];
  severities: string[];
  channels: string[];
  organizationIds: string[];
  tier: string | null;
  team: string;
  assigneeId: string | null;
  calendar: string | null;
}

let nextKey = 1;
const draftOf = (r: Rules[number]): Draft => ({
  key: nextKey++,
  name: r.name,
  types: r.conditions.types ?? [],
  severities: r.conditions.severities ?? [],
  channels: r.conditions.channels ?? [],
  organizationIds: r.conditions.organizationIds ?? [],
  tier: r.tier,
  team: r.team ?? "",
  assigneeId: r.assigneeId,
  calendar: r.calendar,
});
const blank = (): Draft => ({
  key: nextKey++,
  name: "",
  types: [],
  severities: [],
  channels: [],
  organizationIds: [],
  tier: null,
  team: "",
  assigneeId: null,
  calendar: null,
});

/** The body of the PUT: a condition only when it lists something (an empty list would match nothing). */
function inputOf(d: Draft): RuleInput {
  const conditions: RuleInput["conditions"] = {};
  if (d.types.length) conditions.types = d.types as NonNullable<RuleInput["conditions"]["types"]>;
  if (d.severities.length) conditions.severities = d.severities as NonNullable<RuleInput["conditions"]["severities"]>;
  if (d.channels.length) conditions.channels = d.channels as NonNullable<RuleInput["conditions"]["channels"]>;
  if (d.organizationIds.length) conditions.organizationIds = d.organizationIds;
  return {
    name: d.name.trim(),
    conditions,
    tier: d.tier as RuleInput["tier"],
    team: d.team.trim() || null,
    assigneeId: d.assigneeId,
    calendar: d.calendar,
  };
}

/** Choices plus the saved values the list no longer has (an organization past the first 200), so they show. */
const withSaved = (choices: { value: string; label: string }[], saved: (string | null)[]) => [
  ...choices,
  ...saved
    .filter((v): v is string => Boolean(v) && !choices.some((c) => c.value === v))
    .map((v) => ({ value: v, label: v })),
];

/** The triage rules in order; those who may change the plan edit them in a form (conditions → actions). */
export function RoutingRulesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const editable = can("plan", "write");
  const rules = useQuery({
    queryKey: KEY,
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/ticket-routing-rules", { signal })).items,
  });
  return (
    <>
      <PageHeader title={t("queue.routing.title")} subtitle={t("queue.routing.subtitle")} />
      <ProblemAlert error={rules.error} />
      {rules.data && (editable ? <RulesForm rules={rules.data} /> : <RulesTable rules={rules.data} />)}
    </>
  );
}

function useConditionText() {
  const { t } = useTranslation();
  return (c: Rules[number]["conditions"]) =>
    [
      ...(c.types ?? []).map((x) => t(`tickets.types.${x}`)),
      ...(c.severities ?? []).map((x) => t(`tickets.severities.${x}`)),
      ...(c.channels ?? []).map((x) => t(`queue.channels.${x}`)),
      ...(c.organizationIds?.length ? [t("queue.routing.organizations", { count: c.organizationIds.length })] : []),
    ].join(" · ") || t("queue.routing.every");
}

/** What readers who may not change the plan see. */
function RulesTable({ rules }: { rules: Rules }) {
  const { t } = useTranslation();
  const conditions = useConditionText();
  return (
    <Card withBorder padding={0} radius="md" mb="md">
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>{t("queue.routing.rule")}</Table.Th>
              <Table.Th>{t("queue.routing.when")}</Table.Th>
              <Table.Th>{t("queue.routing.then")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rules.map((r, i) => (
              <Table.Tr key={r.id}>
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td>
                  <Text size="sm">{conditions(r.conditions)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {r.tier && <Badge variant="light">{r.tier}</Badge>}
                    {r.team && <Badge variant="light">{r.team}</Badge>}
                    {r.assigneeId && <Badge variant="light">{t("tickets.assignee")}</Badge>}
                    {r.calendar && <Badge variant="light">{r.calendar}</Badge>}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** Every rule as a card of conditions and actions; the whole list is saved at once, in its order. */
function RulesForm({ rules }: { rules: Rules }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const labels = usePlanLabels();
  const [drafts, setDrafts] = useState<Draft[]>(() => rules.map(draftOf));
  const [dirty, setDirty] = useState(false);
  const plan = useQuery(planQuery);
  const assignees = useQuery({ queryKey: ["users", "staff"], queryFn: ({ signal }) => staffUsers(signal) });
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const save = useMutation({
    mutationFn: async (items: Draft[]) =>
      unwrap(await api.PUT("/api/v1/ticket-routing-rules", { body: { items: items.map(inputOf) } })),
    onSuccess: (data) => {
      client.setQueryData(KEY, data.items);
      setDrafts(data.items.map(draftOf));
      setDirty(false);
    },
  });
  const errors = fieldErrors(save.error);
  const change = (next: Draft[]) => {
    setDrafts(next);
    setDirty(true);
  };
  const patch = (i: number, values: Partial<Draft>) =>
    change(drafts.map((d, j) => (j === i ? { ...d, ...values } : d)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...drafts];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    change(next);
  };
  const typeChoices = ticketTypes.map((v) => ({ value: v, label: t(`tickets.types.${v}`) }));
  const severityChoices = severities.map((v) => ({ value: v, label: t(`tickets.severities.${v}`) }));
  const channelChoices = channels.map((v) => ({ value: v, label: t(`queue.channels.${v}`) }));
  const organizationChoices = (organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }));
  const assigneeChoices = (assignees.data ?? []).map((u) => ({ value: u.id, label: u.name }));
  const calendarChoices = Object.entries(plan.data?.document.calendars ?? {}).map(([id, cal]) => ({
    value: id,
    label: labels.calendar(id, cal.name),
  }));
  return (
    <Stack>
      <ProblemAlert error={save.error} />
      {drafts.map((d, i) => {
        const at = (field: string) => errors[`/items/${i}/${field}`];
        return (
          <Card
            key={d.key}
            withBorder
            radius="md"
            padding="sm"
            data-testid="routing-rule"
            aria-label={t("ticketConsole.routingForm.ruleN", { n: i + 1 })}
            component="section"
          >
            <Stack gap="xs">
              <Group gap="xs" wrap="nowrap" align="flex-end">
                <Badge variant="light" mb={6}>
                  {i + 1}
                </Badge>
                <TextInput
                  style={{ flex: 1, minWidth: 0 }}
                  label={t("ticketConsole.routingForm.name")}
                  required
                  value={d.name}
                  error={at("name")}
                  onChange={(e) => patch(i, { name: e.currentTarget.value })}
                />
              </Group>
              <Text size="sm" fw={600}>
                {t("queue.routing.when")}
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                <MultiSelect
                  label={t("tickets.type")}
                  placeholder={t("ticketConsole.routingForm.any")}
                  data={typeChoices}
                  value={d.types}
                  error={at("conditions/types")}
                  onChange={(types) => patch(i, { types })}
                  clearable
                />
                <MultiSelect
                  label={t("tickets.severity")}
                  placeholder={t("ticketConsole.routingForm.any")}
                  data={severityChoices}
                  value={d.severities}
                  error={at("conditions/severities")}
                  onChange={(v) => patch(i, { severities: v })}
                  clearable
                />
                <MultiSelect
                  label={t("queue.channel")}
                  placeholder={t("ticketConsole.routingForm.any")}
                  data={channelChoices}
                  value={d.channels}
                  error={at("conditions/channels")}
                  onChange={(v) => patch(i, { channels: v })}
                  clearable
                />
                <MultiSelect
                  label={t("tickets.organization")}
                  placeholder={t("ticketConsole.routingForm.any")}
                  searchable
                  data={withSaved(organizationChoices, d.organizationIds)}
                  value={d.organizationIds}
                  error={at("conditions/organizationIds")}
                  onChange={(organizationIds) => patch(i, { organizationIds })}
                  clearable
                />
              </SimpleGrid>
              <Text size="sm" fw={600}>
                {t("queue.routing.then")}
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                <Select
                  label={t("ticketConsole.routingForm.tier")}
                  placeholder={t("ticketConsole.routingForm.unchanged")}
                  data={tiers.map((v) => ({ value: v, label: v }))}
                  value={d.tier}
                  error={at("tier")}
                  onChange={(tier) => patch(i, { tier })}
                  clearable
                />
                <TeamPicker
                  label={t("ticketConsole.team")}
                  placeholder={t("ticketConsole.routingForm.unchanged")}
                  value={d.team}
                  error={at("team")}
                  onChange={(team) => patch(i, { team })}
                />
                <Select
                  label={t("tickets.assignee")}
                  placeholder={t("ticketConsole.routingForm.unchanged")}
                  searchable
                  data={withSaved(assigneeChoices, [d.assigneeId])}
                  value={d.assigneeId}
                  error={at("assigneeId")}
                  onChange={(assigneeId) => patch(i, { assigneeId })}
                  clearable
                />
                <Select
                  label={t("ticketConsole.routingForm.calendar")}
                  placeholder={t("ticketConsole.routingForm.unchanged")}
                  data={withSaved(calendarChoices, [d.calendar])}
                  value={d.calendar}
                  error={at("calendar")}
                  onChange={(calendar) => patch(i, { calendar })}
                  clearable
                />
              </SimpleGrid>
              {errors[`/items/${i}`] && (
                <Text size="sm" c="red" role="alert">
                  {errors[`/items/${i}`]}
                </Text>
              )}
              <Group gap="xs" justify="flex-end">
                <ActionIcon
                  variant="default"
                  aria-label={t("ticketConsole.routingForm.up")}
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                >
                  ↑
                </ActionIcon>
                <ActionIcon
                  variant="default"
                  aria-label={t("ticketConsole.routingForm.down")}
                  disabled={i === drafts.length - 1}
                  onClick={() => move(i, 1)}
                >
                  ↓
                </ActionIcon>
                <Button variant="subtle" color="red" size="xs" onClick={() => change(drafts.filter((_, j) => j !== i))}>
                  {t("ticketConsole.routingForm.remove")}
                </Button>
              </Group>
            </Stack>
          </Card>
        );
      })}
      {!drafts.length && <Text c="dimmed">{t("ticketConsole.routingForm.none")}</Text>}
      <Group justify="space-between">
        <Button variant="default" onClick={() => change([...drafts, blank()])}>
          {t("ticketConsole.routingForm.add")}
        </Button>
        <Group gap="xs">
          <Button
            variant="subtle"
            disabled={!dirty}
            onClick={() => {
              setDrafts(rules.map(draftOf));
              setDirty(false);
              save.reset();
            }}
          >
            {t("ticketConsole.routingForm.discard")}
          </Button>
          <Button disabled={!dirty} loading={save.isPending} onClick={() => save.mutate(drafts)}>
            {t("common.save")}
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
