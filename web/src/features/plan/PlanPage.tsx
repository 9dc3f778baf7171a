import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  JsonInput,
  Loader,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { LoadMore, usePagedList } from "../../shell/paging";
import { ApiProblemFields, ProblemAlert } from "../../shell/problem";
import { useFindingText } from "./findingText";
import { PlanForm } from "./PlanForm";
import { PlanViewer, SeverityBadge } from "./PlanViewer";
import { findingsQuery, type PlanDocument, type PlanVersion, planQuery } from "./queries";
import { SlaSimulator } from "./SlaSimulator";

function Findings() {
  const { t, i18n } = useTranslation();
  const findings = useQuery(findingsQuery(i18n.language));
  const say = useFindingText();
  if (findings.isPending) return <Loader aria-label={t("common.loading")} />;
  if (findings.isError) return <ProblemAlert error={findings.error} />;
  if (findings.data.length === 0) return <Alert color="green">{t("plan.noFindings")}</Alert>;
  return (
    <Stack gap="sm">
      {findings.data.map((f) => {
        const text = say(f);
        return (
          <Card key={f.id} withBorder padding="md" radius="md" data-testid="finding" data-finding={f.id}>
            <Group gap="xs" mb={4}>
              <SeverityBadge severity={f.severity} label={t(`plan.findingSeverity.${f.severity}`)} />
              <Title order={3} size="h5">
                {text.title}
              </Title>
            </Group>
            <Text size="sm">{text.detail}</Text>
            <Text size="sm" mt="xs">
              <Text span fw={600}>
                {t("plan.suggestion")}:
              </Text>{" "}
              {text.suggestion}
            </Text>
            <Group gap={4} mt="xs">
              {f.fields.map((field) => (
                <Code key={field}>{field}</Code>
              ))}
            </Group>
          </Card>
        );
      })}
    </Stack>
  );
}

/** Editing the plan: the form for the common values, the whole document as JSON for experts. */
function EditTab({ current, onSaved }: { current: PlanVersion; onSaved: () => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState("form");
  return (
    <Stack gap="sm">
      <SegmentedControl
        value={mode}
        onChange={setMode}
        data={[
          { value: "form", label: t("plan.editMode.form") },
          { value: "json", label: t("plan.editMode.json") },
        ]}
        w="fit-content"
      />
      {mode === "form" ? (
        <PlanForm current={current} onSaved={onSaved} />
      ) : (
        <Editor current={current} onSaved={onSaved} />
      )}
    </Stack>
  );
}

function Editor({ current, onSaved }: { current: PlanVersion; onSaved: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState(() => JSON.stringify(current.document, null, 2));
  const [comment, setComment] = useState("");
  const [parseError, setParseError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async (document: PlanDocument) =>
      unwrap(await api.PUT("/api/v1/plan", { body: { document, comment, baseVersion: current.version } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["plan"] });
      onSaved();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    try {
      const document = JSON.parse(text) as PlanDocument;
      setParseError(null);
      save.mutate(document);
    } catch (error) {
      setParseError(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t("plan.editorHint", { version: current.version })}
        </Text>
        {parseError && (
          <Alert color="red" role="alert" title={t("plan.invalidJson")}>
            {parseError}
          </Alert>
        )}
        <ProblemAlert error={save.error} />
        <ApiProblemFields error={save.error} />
        <JsonInput
          label={t("plan.document")}
          value={text}
          onChange={setText}
          autosize
          minRows={16}
          maxRows={40}
          formatOnBlur
          validationError={t("plan.invalidJson")}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
        />
        <TextInput
          label={t("plan.comment")}
          required
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
          error={save.error && !comment ? t("plan.commentRequired") : undefined}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending} disabled={!comment.trim()}>
            {t("plan.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const show = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value));

function Versions() {
  const { t } = useTranslation();
  const format = useFormat();
  const list = usePagedList(["plan", "versions"], async (cursor, signal) =>
    unwrap(await api.GET("/api/v1/plan/versions", { params: { query: { cursor } }, signal })),
  );
  return (
    <Stack gap="sm">
      <ProblemAlert error={list.error} />
      {list.items.map((v) => (
        <Card key={v.version} withBorder padding="md" radius="md" data-testid="plan-version">
          <Group gap="xs" mb="xs">
            <Badge variant="light">v{v.version}</Badge>
            <Text fw={600}>{v.comment}</Text>
            <Text size="sm" c="dimmed">
              {v.author?.name ?? t("plan.system")} · {format.dateTime(v.createdAt)}
            </Text>
          </Group>
          {v.changes.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t("plan.noChanges")}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table verticalSpacing={4} striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("plan.path")}</Table.Th>
                    <Table.Th>{t("plan.before")}</Table.Th>
                    <Table.Th>{t("plan.after")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {v.changes.map((c) => (
                    <Table.Tr key={c.path}>
                      <Table.Td>
                        <Code>{c.path}</Code>
                      </Table.Td>
                      <Table.Td c="red">{show(c.before)}</Table.Td>
                      <Table.Td c="green">{show(c.after)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
      ))}
      <LoadMore {...list} />
    </Stack>
  );
}

export function PlanPage() {
  const { t, i18n } = useTranslation();
  const { can, user } = useAuth();
  const staff = isStaff(user.role);
  const format = useFormat();
  const plan = useQuery(planQuery);
  const findings = useQuery(findingsQuery(i18n.language));
  // The tab is in the address (?tab=findings), so a finding or the form can be linked to and reloaded.
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "current";
  const setTab = (value: string | null) =>
    setParams(value && value !== "current" ? { tab: value } : {}, { replace: true });
  const critical = findings.data?.filter((f) => f.severity === "critical").length ?? 0;

  return (
    <>
      <PageHeader title={t("plan.title")} subtitle={t("plan.subtitle")}>
        {plan.data && (
          <Text size="sm" c="dimmed">
            {t("plan.versionLine", {
              version: plan.data.version,
              author: plan.data.author?.name ?? t("plan.system"),
              at: format.dateTime(plan.data.createdAt),
            })}
          </Text>
        )}
      </PageHeader>
      <ProblemAlert error={plan.error} />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="current">{t("plan.tabs.current")}</Tabs.Tab>
          <Tabs.Tab
            value="findings"
            rightSection={
              findings.data?.length ? (
                <Badge size="xs" color={critical ? "red" : "orange"} circle>
                  {findings.data.length}
                </Badge>
              ) : null
            }
          >
            {t("plan.tabs.findings")}
          </Tabs.Tab>
          {staff && <Tabs.Tab value="simulator">{t("plan.tabs.simulator")}</Tabs.Tab>}
          {can("plan", "write") && <Tabs.Tab value="edit">{t("plan.tabs.edit")}</Tabs.Tab>}
          <Tabs.Tab value="versions">{t("plan.tabs.versions")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="current">
          {plan.isPending ? (
            <Loader aria-label={t("common.loading")} />
          ) : (
            plan.data && <PlanViewer document={plan.data.document} />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="findings">
          <Findings />
        </Tabs.Panel>
        {staff && (
          <Tabs.Panel value="simulator">
            <SlaSimulator />
          </Tabs.Panel>
        )}
        {can("plan", "write") && (
          <Tabs.Panel value="edit">
            {plan.data && <EditTab key={plan.data.version} current={plan.data} onSaved={() => setTab("versions")} />}
          </Tabs.Panel>
        )}
        <Tabs.Panel value="versions">
          <Versions />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
