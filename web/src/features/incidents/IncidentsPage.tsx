import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { ComponentsPicker } from "../../shell/pickers";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { useNow } from "../../shell/useNow";
import { type Incident, type Kind, type Severity, severities, severityColor, stagesOf } from "./model";

function NextDeadline({ incident, now }: { incident: Incident; now: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const clock = incident.clocks.find((c) => c.status !== "fulfilled");
  if (!clock?.breachAt) return null;
  const late = clock.status === "breached";
  return (
    <Text size="xs" c={late ? "red" : "dimmed"} title={format.dateTime(clock.breachAt)}>
      {t(`incidents.clockShort.${clock.kind}`)} {format.relative(clock.breachAt, now)}
    </Text>
  );
}

function NewIncidentForm({ kinds, onCreated }: { kinds: Kind[]; onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState("");
  const [severity, setSeverity] = useState<Severity>("high");
  const [kind, setKind] = useState<Kind>("operational");
  const [description, setDescription] = useState("");
  const [componentIds, setComponentIds] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/incidents", { body: { title, severity, kind, description, componentIds } })),
    onSuccess: (incident) => onCreated(incident.id),
  });
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput
          label={t("incidents.fields.title")}
          required
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
          error={errors["/title"]}
        />
        <Group grow>
          <Select
            label={t("incidents.fields.severity")}
            data={severities.map((s) => ({ value: s, label: t(`incidents.severities.${s}`) }))}
            value={severity}
            onChange={(v) => v && setSeverity(v as Severity)}
            allowDeselect={false}
          />
          {kinds.length > 1 && (
            <Select
              label={t("incidents.fields.kind")}
              data={kinds.map((k) => ({ value: k, label: t(`incidents.kinds.${k}`) }))}
              value={kind}
              onChange={(v) => v && setKind(v as Kind)}
              allowDeselect={false}
            />
          )}
        </Group>
        <Textarea
          label={t("incidents.fields.description")}
          autosize
          minRows={3}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
        <ComponentsPicker
          label={t("incidents.fields.components")}
          description={t("incidents.fields.componentsHint")}
          value={componentIds}
          onChange={setComponentIds}
          error={errors["/componentIds"]}
        />
        <ProblemAlert error={create.error} />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            {t("incidents.open")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The incident board: one column per stage of the process, newest first in each. */
export function IncidentsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const now = useNow(30_000);
  const kinds: Kind[] = can("security") ? ["operational", "security"] : ["operational"];
  const [kind, setKind] = useState<Kind>("operational");
  const [openOnly, setOpenOnly] = useState(true);
  const [creating, setCreating] = useState(false);
  const board = useQuery({
    queryKey: ["incidents", "board", kind, openOnly],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/incidents", {
          params: { query: { kind, limit: 200, ...(openOnly ? { open: true } : {}) } },
          signal,
        }),
      ).items,
    refetchInterval: 30_000,
  });
  const stages = stagesOf(kind);
  return (
    <>
      <PageHeader title={t("incidents.title")} subtitle={t("incidents.subtitle")}>
        <Group justify="space-between" align="flex-end" mt="xs">
          <Group align="center">
            {kinds.length > 1 && (
              <SegmentedControl
                value={kind}
                onChange={(v) => setKind(v as Kind)}
                data={kinds.map((k) => ({ value: k, label: t(`incidents.kinds.${k}`) }))}
              />
            )}
            <Switch
              checked={openOnly}
              onChange={(e) => setOpenOnly(e.currentTarget.checked)}
              label={t("incidents.openOnly")}
            />
          </Group>
          {can("incidents", "write") && <Button onClick={() => setCreating(true)}>{t("incidents.new")}</Button>}
        </Group>
      </PageHeader>
      <ProblemAlert error={board.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3, xl: 6 }} spacing="sm">
        {stages.map((stage) => {
          const items = (board.data ?? []).filter((i) => i.stage === stage);
          return (
            <Card key={stage} withBorder padding="sm" radius="md" data-testid="board-column">
              <Group justify="space-between" mb="xs" wrap="nowrap">
                <Title order={3} size="h6">
                  {t(`incidents.stages.${stage}`)}
                </Title>
                <Badge variant="light" color="gray">
                  {items.length}
                </Badge>
              </Group>
              <Stack gap="xs">
                {items.map((incident) => (
                  <Card key={incident.id} withBorder padding="xs" radius="sm" data-testid="incident-card">
                    <Anchor component={Link} to={`/incidents/${incident.id}`} fw={500} size="sm">
                      {incident.title}
                    </Anchor>
                    <Group gap={6} mt={4}>
                      <Badge size="sm" color={severityColor[incident.severity] ?? "gray"}>
                        {t(`incidents.severities.${incident.severity as Severity}`, {
                          defaultValue: incident.severity,
                        })}
                      </Badge>
                      {incident.status !== "open" && (
                        <Badge size="sm" variant="light" color="green">
                          {t(`incidents.statuses.${incident.status}`)}
                        </Badge>
                      )}
                      {!incident.acknowledgedAt && (
                        <Badge size="sm" variant="outline" color="red">
                          {t("incidents.unacknowledged")}
                        </Badge>
                      )}
                    </Group>
                    <NextDeadline incident={incident} now={now} />
                  </Card>
                ))}
                {!items.length && (
                  <Text size="sm" c="dimmed">
                    {board.isPending ? t("common.loading") : t("incidents.emptyStage")}
                  </Text>
                )}
              </Stack>
            </Card>
          );
        })}
      </SimpleGrid>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("incidents.new")} size="lg">
        {creating && (
          <NewIncidentForm
            kinds={kinds}
            onCreated={(id) => {
              setCreating(false);
              void navigate(`/incidents/${id}`);
            }}
          />
        )}
      </Modal>
    </>
  );
}
