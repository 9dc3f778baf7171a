import { Button, Card, Group, MultiSelect, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { channels } from "../../../../src/modules/tickets/model";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { ticketTypes } from "../tickets/model";
import { type PlanEditor, Section, type Span, SpanInput } from "./formParts";
import { usePlanLabels } from "./labels";
import type { PlanDocument } from "./queries";

type Policy = NonNullable<PlanDocument["slaPolicies"]>[number];
type Conditions = Policy["conditions"];
type SeverityId = keyof PlanDocument["severities"];
type TierId = keyof PlanDocument["tiers"];
const deadlineUnits = ["minutes", "hours", "businessDays"];

/** A policy id not yet taken: "policy-2" when there is one policy, and so on. */
function freeId(policies: Policy[]): string {
  for (let n = policies.length + 1; ; n++) {
    const id = `policy-${n}`;
    if (!policies.some((p) => p.id === id)) return id;
  }
}

/**
 * One severity's or tier's targets in a policy: switched off, the plan's apply; on, the policy's own copy of
 * them (`spans`, then the calendar), each with the server's errors.
 */
function TargetOverride({
  editor,
  label,
  pointer,
  own,
  spans,
  calendars,
  onToggle,
}: {
  editor: PlanEditor;
  label: string;
  pointer: string;
  own: Partial<Record<string, Span | string>> | undefined;
  spans: { key: string; label: string }[];
  calendars: { value: string; label: string }[];
  onToggle: (on: boolean) => void;
}) {
  const { t } = useTranslation();
  const calendar = own?.calendar as string | undefined;
  return (
    <Group gap="md" align="flex-start">
      <Switch label={label} checked={!!own} mt={30} w={160} onChange={(e) => onToggle(e.currentTarget.checked)} />
      {spans.map(
        (span) =>
          own?.[span.key] && (
            <SpanInput
              key={span.key}
              editor={editor}
              pointer={`${pointer}/${span.key}`}
              value={own[span.key] as Span}
              units={deadlineUnits}
              label={span.label}
            />
          ),
      )}
      {calendar !== undefined && (
        <Select
          label={t("plan.calendar")}
          allowDeselect={false}
          data={calendars}
          value={calendar}
          error={editor.error(`${pointer}/calendar`)}
          onChange={(v) => v && editor.set(`${pointer}/calendar`, v)}
          w={200}
        />
      )}
    </Group>
  );
}

/**
 * SLA policies in the order they are tried: when each applies (ticket types, severities, tiers, organizations,
 * channels; none given matches every ticket) and which severity and tier targets differ from the plan's. An
 * override starts as a copy of the plan's targets; the server judges the merged result.
 */
export function PoliciesSection({ editor }: { editor: PlanEditor }) {
  const { t } = useTranslation();
  const labels = usePlanLabels();
  const { can } = useAuth();
  const { doc, set, update, error } = editor;
  const policies = doc.slaPolicies ?? [];
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    enabled: can("organizations"),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const calendars = Object.entries(doc.calendars).map(([id, c]) => ({ value: id, label: labels.calendar(id, c.name) }));
  const severityIds = Object.keys(doc.severities) as SeverityId[];
  const tierIds = Object.keys(doc.tiers) as TierId[];
  const withPolicies = (change: (list: Policy[]) => void) =>
    update((d) => {
      const list = d.slaPolicies ?? [];
      change(list);
      d.slaPolicies = list;
    });
  /** A condition with no value is no condition (the schema refuses an empty list). */
  const setCondition = (i: number, key: keyof Conditions, values: string[]) =>
    withPolicies((list) => {
      const conditions = list[i]?.conditions as Record<string, string[] | undefined> | undefined;
      if (!conditions) return;
      if (values.length) conditions[key] = values;
      else delete conditions[key];
    });
  /** Overrides one severity's or tier's targets with `copy` (the plan's, to change), or stops overriding them. */
  const setOverride = (i: number, group: "severities" | "tiers", id: string, copy: Record<string, unknown> | false) =>
    withPolicies((list) => {
      const target = list[i] as Record<string, Record<string, unknown> | undefined> | undefined;
      if (!target) return;
      const byId = target[group] ?? {};
      if (copy) byId[id] = copy;
      else delete byId[id];
      if (Object.keys(byId).length) target[group] = byId;
      else delete target[group];
    });
  const orgChoices = (saved: string[]) => {
    const known = (organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }));
    return [
      ...known,
      ...saved.filter((id) => !known.some((o) => o.value === id)).map((id) => ({ value: id, label: id })),
    ];
  };

  return (
    <Section title={t("plan.policies.title")} notes={editor.notes("/slaPolicies")}>
      <Text size="sm" c="dimmed">
        {t("plan.policies.intro")}
      </Text>
      {policies.map((policy, i) => {
        const at = `/slaPolicies/${i}`;
        const c = policy.conditions;
        return (
          <Card
            // The id is edited in the card: keyed by it, the card would remount at each keystroke.
            // biome-ignore lint/suspicious/noArrayIndexKey: a policy's place is its identity while editing
            key={i}
            withBorder
            padding="sm"
            radius="sm"
            component="fieldset"
            aria-label={policy.name || policy.id}
          >
            <Group justify="space-between" mb={4}>
              <Text fw={600} size="sm">
                {t("plan.policies.order", { n: i + 1 })} · {policy.name || policy.id}
              </Text>
              <Group gap={4}>
                <Button
                  variant="subtle"
                  size="compact-xs"
                  disabled={i === 0}
                  onClick={() =>
                    withPolicies((list) => list.splice(i - 1, 2, list[i] as Policy, list[i - 1] as Policy))
                  }
                >
                  {t("plan.policies.up")}
                </Button>
                <Button
                  variant="subtle"
                  size="compact-xs"
                  disabled={i === policies.length - 1}
                  onClick={() => withPolicies((list) => list.splice(i, 2, list[i + 1] as Policy, list[i] as Policy))}
                >
                  {t("plan.policies.down")}
                </Button>
                <Button
                  variant="subtle"
                  color="red"
                  size="compact-xs"
                  onClick={() => withPolicies((list) => list.splice(i, 1))}
                >
                  {t("plan.policies.remove")}
                </Button>
              </Group>
            </Group>
            <Stack gap="xs">
              <Group gap="md" align="flex-start">
                <TextInput
                  label={t("plan.policies.id")}
                  description={t("plan.form.idHint")}
                  value={policy.id}
                  error={error(`${at}/id`)}
                  onChange={(e) => set(`${at}/id`, e.currentTarget.value.trim())}
                  w={200}
                  ff="monospace"
                />
                <TextInput
                  label={t("plan.form.name")}
                  value={policy.name}
                  error={error(`${at}/name`)}
                  onChange={(e) => set(`${at}/name`, e.currentTarget.value)}
                  style={{ flex: "1 1 240px" }}
                />
              </Group>
              <Text size="sm" fw={500}>
                {t("plan.policies.appliesTo")}
              </Text>
              <Group gap="md" align="flex-start">
                <MultiSelect
                  label={t("plan.policies.types")}
                  placeholder={c.types ? undefined : t("plan.policies.any")}
                  data={ticketTypes.map((v) => ({ value: v, label: t(`tickets.types.${v}`) }))}
                  value={c.types ?? []}
                  error={error(`${at}/conditions/types`)}
                  onChange={(v) => setCondition(i, "types", v)}
                  clearable
                  miw={220}
                  style={{ flex: "1 1 220px" }}
                />
                <MultiSelect
                  label={t("plan.severities")}
                  placeholder={c.severities ? undefined : t("plan.policies.any")}
                  data={severityIds.map((s) => ({ value: s, label: labels.severity(s, doc.severities[s].name) }))}
                  value={c.severities ?? []}
                  error={error(`${at}/conditions/severities`)}
                  onChange={(v) => setCondition(i, "severities", v)}
                  clearable
                  miw={200}
                  style={{ flex: "1 1 200px" }}
                />
                <MultiSelect
                  label={t("plan.tiers")}
                  placeholder={c.tiers ? undefined : t("plan.policies.any")}
                  data={tierIds.map((s) => ({ value: s, label: labels.tier(s, doc.tiers[s].name) }))}
                  value={c.tiers ?? []}
                  error={error(`${at}/conditions/tiers`)}
                  onChange={(v) => setCondition(i, "tiers", v)}
                  clearable
                  miw={200}
                  style={{ flex: "1 1 200px" }}
                />
                <MultiSelect
                  label={t("plan.policies.organizations")}
                  placeholder={c.organizationIds ? undefined : t("plan.policies.any")}
                  searchable
                  data={orgChoices(c.organizationIds ?? [])}
                  value={c.organizationIds ?? []}
                  error={error(`${at}/conditions/organizationIds`)}
                  onChange={(v) => setCondition(i, "organizationIds", v)}
                  clearable
                  miw={220}
                  style={{ flex: "1 1 220px" }}
                />
                <MultiSelect
                  label={t("plan.channels")}
                  placeholder={c.channels ? undefined : t("plan.policies.any")}
                  data={channels.map((v) => ({ value: v, label: t(`queue.channels.${v}`) }))}
                  value={c.channels ?? []}
                  error={error(`${at}/conditions/channels`)}
                  onChange={(v) => setCondition(i, "channels", v)}
                  clearable
                  miw={200}
                  style={{ flex: "1 1 200px" }}
                />
              </Group>
              <Text size="sm" fw={500}>
                {t("plan.policies.severityTargets")}
              </Text>
              {severityIds.map((s) => {
                const base = doc.severities[s];
                return (
                  <TargetOverride
                    key={s}
                    editor={editor}
                    label={labels.severity(s, base.name)}
                    pointer={`${at}/severities/${s}`}
                    own={policy.severities?.[s]}
                    spans={[
                      { key: "response", label: t("plan.response") },
                      { key: "resolution", label: t("plan.resolution") },
                    ]}
                    calendars={calendars}
                    onToggle={(on) =>
                      setOverride(
                        i,
                        "severities",
                        s,
                        on && { response: base.response, resolution: base.resolution, calendar: base.calendar },
                      )
                    }
                  />
                );
              })}
              <Text size="sm" fw={500}>
                {t("plan.policies.tierTargets")}
              </Text>
              {tierIds.map((id) => {
                const base = doc.tiers[id].responseTime;
                return (
                  <TargetOverride
                    key={id}
                    editor={editor}
                    label={labels.tier(id, doc.tiers[id].name)}
                    pointer={`${at}/tiers/${id}`}
                    own={policy.tiers?.[id]}
                    spans={[
                      { key: "target", label: t("plan.responseTarget") },
                      { key: "maximum", label: t("plan.responseMaximum") },
                    ]}
                    calendars={calendars}
                    onToggle={(on) =>
                      setOverride(
                        i,
                        "tiers",
                        id,
                        on && { target: base.target, maximum: base.maximum, calendar: base.calendar },
                      )
                    }
                  />
                );
              })}
            </Stack>
          </Card>
        );
      })}
      <Group>
        <Button
          variant="default"
          onClick={() =>
            withPolicies((list) => {
              list.push({ id: freeId(list), name: t("plan.policies.newName", { n: list.length + 1 }), conditions: {} });
            })
          }
        >
          {t("plan.policies.add")}
        </Button>
      </Group>
    </Section>
  );
}
