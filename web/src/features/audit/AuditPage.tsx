import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Drawer,
  Group,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { ShortId } from "../../shell/ShortId";
import { AccessReview } from "./AccessReview";
import { ActionLabel, AuditDetails } from "./AuditDetails";
import { actorLabel } from "./actorLabel";

type Outcome = "success" | "failure";
type Entry = paths["/api/v1/audit"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

/** A date picked in the browser, as the instant its day starts (or, for `to`, ends) there. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const at = new Date(`${day}T00:00:00`);
  if (end) at.setDate(at.getDate() + 1);
  return at.toISOString();
}

function VerifyChain() {
  const { t } = useTranslation();
  const verify = useMutation({ mutationFn: async () => unwrap(await api.GET("/api/v1/audit/verify")) });
  return (
    <Group gap="sm">
      <Button variant="light" onClick={() => verify.mutate()} loading={verify.isPending}>
        {t("audit.verify")}
      </Button>
      {verify.data && (
        <Alert color={verify.data.ok ? "green" : "red"} py={6} role="status">
          {verify.data.ok
            ? t("audit.chainOk", { rows: verify.data.rows })
            : t("audit.chainBroken", { seq: verify.data.firstBreak?.seq, reason: verify.data.firstBreak?.reason })}
        </Alert>
      )}
      <ProblemAlert error={verify.error} />
    </Group>
  );
}

function Trail() {
  const { t } = useTranslation();
  const format = useFormat();
  const [actionInput, setActionInput] = useState("");
  const [action] = useDebouncedValue(actionInput.trim(), 300);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [fromDay, setFromDay] = useState("");
  const [toDay, setToDay] = useState("");
  const filter = {
    // A typed prefix matches every action that starts with it.
    action: action ? (action.endsWith("*") ? action : `${action}*`) : undefined,
    outcome: outcome ?? undefined,
    from: dayBound(fromDay, false),
    to: dayBound(toDay, true),
  };
  const [opened, setOpened] = useState<Entry | null>(null);
  const list = usePagedList(["audit", "trail", filter], async (cursor, signal) =>
    unwrap(await api.GET("/api/v1/audit", { params: { query: { ...filter, cursor, limit: 50 } }, signal })),
  );
  return (
    <>
      <Group align="flex-end" mb="md">
        <TextInput
          label={t("audit.action")}
          placeholder="auth."
          value={actionInput}
          onChange={(e) => setActionInput(e.currentTarget.value)}
        />
        <Select
          label={t("audit.outcome")}
          clearable
          data={[
            { value: "success", label: t("audit.outcomes.success") },
            { value: "failure", label: t("audit.outcomes.failure") },
          ]}
          value={outcome}
          onChange={(v) => setOutcome(v as Outcome | null)}
          w={160}
        />
        <TextInput
          type="date"
          label={t("audit.from")}
          value={fromDay}
          onChange={(e) => setFromDay(e.currentTarget.value)}
        />
        <TextInput type="date" label={t("audit.to")} value={toDay} onChange={(e) => setToDay(e.currentTarget.value)} />
      </Group>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={880}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>#</Table.Th>
                <Table.Th>{t("audit.at")}</Table.Th>
                <Table.Th>{t("auditLog.action")}</Table.Th>
                <Table.Th>{t("audit.outcome")}</Table.Th>
                <Table.Th>{t("audit.actor")}</Table.Th>
                <Table.Th>{t("audit.target")}</Table.Th>
                <Table.Th>{t("audit.ip")}</Table.Th>
                <Table.Th>{t("audit.details")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((e) => (
                <Table.Tr key={e.seq} data-testid="audit-row">
                  <Table.Td>{e.seq}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{format.dateTime(e.at)}</Table.Td>
                  <Table.Td>
                    <ActionLabel action={e.action} />
                  </Table.Td>
                  <Table.Td>
                    <Badge color={e.outcome === "success" ? "green" : "red"} variant="light">
                      {e.outcome === "success" || e.outcome === "failure"
                        ? t(`audit.outcomes.${e.outcome}`)
                        : e.outcome}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: "anywhere" }}>{actorLabel(e.actorLabel, t)}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    {e.targetType ? (
                      <>
                        <Text span size="sm">
                          {t(`audit.targetTypes.${e.targetType as "user"}`, { defaultValue: e.targetType })}
                        </Text>{" "}
                        {e.targetId && <ShortId id={e.targetId} />}
                      </>
                    ) : (
                      "—"
                    )}
                  </Table.Td>
                  <Table.Td>{e.ip ?? "—"}</Table.Td>
                  <Table.Td>
                    {e.details ? (
                      <Button size="compact-xs" variant="subtle" onClick={() => setOpened(e)}>
                        {t("audit.view")}
                      </Button>
                    ) : (
                      "—"
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={list} colSpan={8} text={t("common.empty")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <PagedFooter {...list} />
      </Card>
      <Drawer
        opened={opened !== null}
        onClose={() => setOpened(null)}
        position="right"
        size="lg"
        title={opened ? t("audit.entry", { seq: opened.seq }) : ""}
      >
        {opened && (
          <Stack gap="xs">
            <Text size="sm">
              <ActionLabel action={opened.action} /> <Code>{opened.action}</Code> · {format.preciseTime(opened.at)}
            </Text>
            {opened.targetId && (
              <Text size="sm" ff="monospace" style={{ overflowWrap: "anywhere" }}>
                {t(`audit.targetTypes.${opened.targetType as "user"}`, { defaultValue: opened.targetType ?? "" })}{" "}
                {opened.targetId}
              </Text>
            )}
            {opened.details && <AuditDetails details={opened.details} />}
            <details>
              <Text component="summary" size="sm" c="dimmed" style={{ cursor: "pointer" }}>
                {t("auditLog.rawJson")}
              </Text>
              <Code block mt={4} style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                {JSON.stringify(opened.details, null, 2)}
              </Code>
            </details>
          </Stack>
        )}
      </Drawer>
    </>
  );
}

export function AuditPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t("audit.title")} subtitle={t("audit.subtitle")}>
        <VerifyChain />
      </PageHeader>
      <Tabs defaultValue="trail" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="trail">{t("audit.tabs.trail")}</Tabs.Tab>
          <Tabs.Tab value="review">{t("audit.tabs.review")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="trail">
          <Trail />
        </Tabs.Panel>
        <Tabs.Panel value="review">
          <AccessReview />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
