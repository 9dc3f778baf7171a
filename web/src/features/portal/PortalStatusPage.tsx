import { Badge, Card, Group, Loader, Stack, Text, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";

type Status = "operational" | "degraded" | "partial_outage" | "major_outage" | "maintenance";
const colours: Record<Status, string> = {
  operational: "green",
  degraded: "yellow",
  partial_outage: "orange",
  major_outage: "red",
  maintenance: "blue",
};
const barColours: Record<string, string> = {
  operational: "var(--mantine-color-green-6)",
  degraded: "var(--mantine-color-yellow-6)",
  partial_outage: "var(--mantine-color-orange-6)",
  major_outage: "var(--mantine-color-red-6)",
  none: "var(--mantine-color-gray-4)",
};
/** The page follows the server's snapshot (refreshed every second): a minute is fresh enough to read. */
const REFRESH_MS = 30_000;

/**
 * The customer's private status page: its organization's components and the public ones, with their incidents
 * and maintenance; the server leaves out every other organization's component (GET /api/v1/status/mine).
 */
export function PortalStatusPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const view = useQuery({
    queryKey: ["portal", "status"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/status/mine", { signal })),
    refetchInterval: REFRESH_MS,
  });
  const status = (s: string) => (
    <Badge color={colours[s as Status] ?? "gray"} data-status={s}>
      {t(`statusPage.statuses.${s as Status}`)}
    </Badge>
  );
  const v = view.data;
  const names = new Map(v?.components.map((c) => [c.id, c.name]) ?? []);
  const named = (ids: string[]) => ids.map((id) => names.get(id) ?? id).join(", ");
  return (
    <>
      <PageHeader title={t("portal.status.title")} subtitle={t("portal.status.subtitle")}>
        {v ? (
          <Group mt="xs" gap="xs" data-testid="portal-status-overall">
            {status(v.status)}
            <Text size="sm" c="dimmed">
              {t("portal.status.updated", { at: format.dateTime(v.generatedAt) })}
            </Text>
          </Group>
        ) : null}
      </PageHeader>
      <ProblemAlert error={view.error} />
      {view.isPending ? <Loader /> : null}
      {v ? (
        <Stack gap="lg">
          {v.incidents.length ? (
            <section aria-labelledby="portal-status-incidents">
              <Title order={2} size="h4" id="portal-status-incidents" mb="xs">
                {t("portal.status.incidents")}
              </Title>
              <Stack gap="sm">
                {v.incidents.map((i) => (
                  <Card key={i.id} withBorder data-testid="portal-status-incident">
                    <Text fw={600}>{i.title}</Text>
                    <Text size="sm" c="dimmed">
                      {t("portal.status.affects", { components: named(i.componentIds) })}
                    </Text>
                    {i.updates.map((u) => (
                      <Text key={`${u.at}-${u.status}`} size="sm" mt={4}>
                        <strong>{t(`portal.status.phases.${u.status}`)}</strong> · {format.dateTime(u.at)} — {u.body}
                      </Text>
                    ))}
                  </Card>
                ))}
              </Stack>
            </section>
          ) : null}
          {v.maintenance.length ? (
            <section aria-labelledby="portal-status-maintenance">
              <Title order={2} size="h4" id="portal-status-maintenance" mb="xs">
                {t("portal.status.maintenance")}
              </Title>
              <Stack gap="sm">
                {v.maintenance.map((w) => (
                  <Card key={w.id} withBorder data-testid="portal-status-window">
                    <Group justify="space-between">
                      <Text fw={600}>{w.title}</Text>
                      <Badge variant="light" color={w.state === "in_progress" ? "blue" : "gray"}>
                        {t(`portal.status.windowStates.${w.state === "in_progress" ? "in_progress" : "scheduled"}`)}
                      </Badge>
                    </Group>
                    <Text size="sm">
                      {format.dateTime(w.startsAt)} – {format.dateTime(w.endsAt)}
                    </Text>
                    <Text size="sm" c="dimmed">
                      {t("portal.status.affects", { components: named(w.componentIds) })}
                    </Text>
                    {w.description ? <Text size="sm">{w.description}</Text> : null}
                  </Card>
                ))}
              </Stack>
            </section>
          ) : null}
          <section aria-labelledby="portal-status-components">
            <Title order={2} size="h4" id="portal-status-components" mb="xs">
              {t("portal.status.components")}
            </Title>
            {v.components.length ? (
              <Stack gap="sm">
                {v.components.map((c) => (
                  <Card key={c.id} withBorder data-testid="portal-status-component" data-component={c.name}>
                    <Group justify="space-between" wrap="nowrap">
                      <div>
                        <Text fw={600}>{c.name}</Text>
                        {c.group ? (
                          <Text size="xs" c="dimmed">
                            {c.group}
                          </Text>
                        ) : null}
                      </div>
                      {status(c.status)}
                    </Group>
                    <Group gap={1} mt="xs" wrap="nowrap" aria-hidden>
                      {c.bars.map((b) => (
                        <Tooltip
                          key={b.date}
                          label={`${format.date(`${b.date}T12:00:00Z`)}: ${
                            b.uptime === null ? t("portal.status.noData") : `${format.number(b.uptime * 100, 2)}%`
                          }`}
                        >
                          <div style={{ flex: 1, height: 24, borderRadius: 2, background: barColours[b.level] }} />
                        </Tooltip>
                      ))}
                    </Group>
                    <Text size="xs" c="dimmed" mt={4}>
                      {c.uptime === null
                        ? t("portal.status.noData")
                        : t("portal.status.uptime", { value: format.number(c.uptime * 100, 2) })}
                    </Text>
                  </Card>
                ))}
              </Stack>
            ) : (
              <Text c="dimmed">{t("portal.status.empty")}</Text>
            )}
          </section>
        </Stack>
      ) : null}
    </>
  );
}
