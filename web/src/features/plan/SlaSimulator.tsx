import { Button, Card, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { tiers } from "../../auth/access";
import { compactDuration, useFormat, zonedInput, zonedInstant } from "../../shell/format";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { type Severity, severities, type Tier } from "../tickets/model";
import { usePlanLabels } from "./labels";
import { planQuery } from "./queries";

/** Staff try out the plan: the deadlines a ticket would get, opened at a wall-clock time in their own zone. */
export function SlaSimulator() {
  const { t } = useTranslation();
  const format = useFormat();
  const plan = useQuery(planQuery);
  const [severity, setSeverity] = useState<Severity>("low");
  const [tier, setTier] = useState<Tier>("L1");
  const [openedAt, setOpenedAt] = useState(() => zonedInput(new Date(), format.timeZone));
  const [badDate, setBadDate] = useState(false);
  const simulate = useMutation({
    mutationFn: async (instant: Date) =>
      unwrap(await api.POST("/api/v1/sla/simulate", { body: { severity, tier, openedAt: instant.toISOString() } })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const instant = zonedInstant(openedAt, format.timeZone);
    setBadDate(!instant);
    if (instant) simulate.mutate(instant);
  };
  const errors = fieldErrors(simulate.error);
  const labels = usePlanLabels();
  const calendarName = (id: string) => labels.calendar(id, plan.data?.document.calendars[id]?.name);
  // On a 24x7 calendar every minute counts: the time is plain, not "business" time.
  const budget = (minutes: number, calendar: string) =>
    plan.data?.document.calendars[calendar]?.alwaysOpen
      ? compactDuration(minutes)
      : t("plan.simulator.budget", { time: compactDuration(minutes) });

  return (
    <Stack gap="md">
      <Card withBorder padding="md" radius="md" component="form" onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {t("plan.simulator.intro")}
          </Text>
          <ProblemAlert error={Object.keys(errors).length ? null : simulate.error} />
          <Group align="flex-end">
            <Select
              label={t("tickets.severity")}
              allowDeselect={false}
              data={severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) }))}
              value={severity}
              onChange={(v) => v && setSeverity(v as Severity)}
              w={180}
            />
            <Select
              label={t("tickets.tier")}
              allowDeselect={false}
              data={tiers.map((x) => ({ value: x, label: t(`tickets.tiers.${x}`) }))}
              value={tier}
              onChange={(v) => v && setTier(v as Tier)}
              w={160}
            />
            <TextInput
              type="datetime-local"
              label={t("plan.simulator.openedAt")}
              description={t("plan.simulator.zone", { zone: format.timeZone })}
              value={openedAt}
              onChange={(e) => setOpenedAt(e.currentTarget.value)}
              error={badDate ? t("plan.simulator.invalidDate") : errors["/openedAt"]}
              w={240}
            />
            <Button type="submit" loading={simulate.isPending}>
              {t("plan.simulator.run")}
            </Button>
          </Group>
        </Stack>
      </Card>
      {simulate.data && (
        <Card withBorder padding={0} radius="md">
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing="xs" data-testid="simulation">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("plan.simulator.clock")}</Table.Th>
                  <Table.Th>{t("plan.simulator.calendar")}</Table.Th>
                  <Table.Th>{t("plan.simulator.target")}</Table.Th>
                  <Table.Th>{t("plan.simulator.breach")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {simulate.data.clocks.map((c) => (
                  <Table.Tr key={`${c.kind}:${c.tier ?? ""}`} data-testid="simulated-clock" data-kind={c.kind}>
                    <Table.Td>
                      {t(`tickets.sla.kinds.${c.kind}`)}
                      {c.tier ? ` · ${t(`tickets.tiers.${c.tier}`)}` : ""}
                    </Table.Td>
                    <Table.Td>{calendarName(c.calendar)}</Table.Td>
                    <Table.Td>
                      <Text size="sm" data-testid="target">
                        {format.deadline(c.targetAt)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {budget(c.targetBusinessMinutes, c.calendar)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" data-testid="breach">
                        {format.deadline(c.breachAt)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {budget(c.breachBusinessMinutes, c.calendar)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </Stack>
  );
}
