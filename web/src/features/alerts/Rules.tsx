import { Badge, Button, Card, Code, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import { type Rule, severityColor } from "./model";

/** A metric rule's condition as one line: `avg(cpu[300s]) > 70 (recovers < 60)`. */
function condition(rule: Rule): string {
  const e = rule.expression;
  if (!e) return "DOWN";
  const match = Object.entries(e.match ?? {}).map(([k, v]) => `${k}="${v}"`);
  const recovery = e.recoveryThreshold === null || e.recoveryThreshold === undefined ? "" : ` ↩ ${e.recoveryThreshold}`;
  return `${e.fn}(${e.metric}${match.length ? `{${match.join(",")}}` : ""}[${e.windowSeconds}s]) ${e.op} ${e.threshold}${recovery}`;
}

/** The alert rules, each metric rule with a replay of where it would have fired over the last 24 hours. */
export function Rules() {
  const { t } = useTranslation();
  const format = useFormat();
  const rules = useQuery({
    queryKey: ["alerts", "rules"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/alert-rules", { signal })).items,
  });
  const [previewing, setPreviewing] = useState<Rule | null>(null);
  const preview = useMutation({
    mutationFn: async (rule: Rule) =>
      unwrap(
        await api.POST("/api/v1/alert-rules/preview", {
          body: {
            name: rule.name,
            kind: rule.kind,
            expression: rule.expression,
            forSeconds: rule.forSeconds,
            keepFiringForSeconds: rule.keepFiringForSeconds,
          },
        }),
      ).items,
  });
  const items = rules.data ?? [];
  return (
    <>
      <Title order={3} size="h4" mb="xs" mt="lg">
        {t("alerts.rules")}
      </Title>
      <ProblemAlert error={rules.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={860}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("alerts.rule")}</Table.Th>
                <Table.Th>{t("alerts.kind")}</Table.Th>
                <Table.Th>{t("alerts.condition")}</Table.Th>
                <Table.Th>{t("alerts.forSeconds")}</Table.Th>
                <Table.Th>{t("alerts.severity")}</Table.Th>
                <Table.Th>{t("alerts.lastError")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((r) => (
                <Table.Tr key={r.id} data-testid="rule-row">
                  <Table.Td>{r.name}</Table.Td>
                  <Table.Td>{t(`alerts.kinds.${r.kind}`)}</Table.Td>
                  <Table.Td>
                    <Code style={{ whiteSpace: "normal", overflowWrap: "anywhere" }}>{condition(r)}</Code>
                  </Table.Td>
                  <Table.Td>{r.forSeconds}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={severityColor[r.severity] ?? "gray"}>
                      {t(`tickets.severities.${r.severity}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: "anywhere" }}>{r.lastError ?? "—"}</Table.Td>
                  <Table.Td>
                    {r.kind === "metric" && (
                      <Button
                        size="xs"
                        variant="subtle"
                        aria-label={t("alerts.previewNamed", { name: r.name })}
                        onClick={() => {
                          setPreviewing(r);
                          preview.mutate(r);
                        }}
                      >
                        {t("alerts.preview")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={{ isSuccess: rules.isSuccess, items }} colSpan={7} text={t("alerts.noRules")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Modal
        opened={previewing !== null}
        onClose={() => setPreviewing(null)}
        title={t("alerts.previewOf", { name: previewing?.name ?? "" })}
        size="lg"
      >
        <Stack gap="sm">
          <ActionAlert error={preview.error} />
          {preview.isSuccess && preview.data.every((g) => g.firing.length === 0) && (
            <Text c="dimmed">{t("alerts.previewNone")}</Text>
          )}
          {(preview.data ?? [])
            .filter((g) => g.firing.length > 0)
            .map((g) => (
              <Stack key={JSON.stringify(g.labels)} gap={4}>
                <Text size="sm" fw={500}>
                  {Object.entries(g.labels)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(", ") || previewing?.name}
                </Text>
                {g.firing.map((f) => (
                  <Text key={f.from} size="sm">
                    {t("alerts.from")} {format.dateTime(f.from)} · {t("alerts.to")}{" "}
                    {f.to ? format.dateTime(f.to) : t("alerts.ongoing")}
                  </Text>
                ))}
              </Stack>
            ))}
        </Stack>
      </Modal>
    </>
  );
}
