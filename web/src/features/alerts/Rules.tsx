import { Badge, Button, Card, Code, Group, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { EmptyRow } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import { type Rule, severityColor } from "./model";
import { RuleEditor } from "./RuleEditor";
import { RulePreview } from "./RulePreview";

/** A metric rule's condition as one line: `avg(cpu[300s]) > 70 (recovers < 60)`. */
function condition(rule: Rule): string {
  const e = rule.expression;
  if (!e) return "DOWN";
  const match = Object.entries(e.match ?? {}).map(([k, v]) => `${k}="${v}"`);
  const recovery = e.recoveryThreshold === null || e.recoveryThreshold === undefined ? "" : ` ↩ ${e.recoveryThreshold}`;
  return `${e.fn}(${e.metric}${match.length ? `{${match.join(",")}}` : ""}[${e.windowSeconds}s]) ${e.op} ${e.threshold}${recovery}`;
}

/**
 * The alert rules: each metric rule with a replay of where it would have fired over the last 24 hours, and
 * for writers the editor (new, edit) and deletion. The plan's own rules are switched off rather than deleted:
 * the server puts a deleted one back at its next start.
 */
export function Rules({ writable }: { writable: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const rules = useQuery({
    queryKey: ["alerts", "rules"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/alert-rules", { signal })).items,
  });
  const [previewing, setPreviewing] = useState<Rule | null>(null);
  const [editing, setEditing] = useState<{ rule: Rule | null; key: number } | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
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
      ),
  });
  const remove = useMutation({
    mutationFn: async (rule: Rule) =>
      unwrap(await api.DELETE("/api/v1/alert-rules/{id}", { params: { path: { id: rule.id } } })),
    onSuccess: () => {
      setDeleting(null);
      void client.invalidateQueries({ queryKey: ["alerts"] });
    },
  });
  const edit = (rule: Rule | null) => setEditing((e) => ({ rule, key: (e?.key ?? 0) + 1 }));
  const items = rules.data ?? [];
  return (
    <>
      <Group justify="space-between" mb="xs" mt="lg">
        <Title order={3} size="h4">
          {t("alerts.rules")}
        </Title>
        {writable && (
          <Button size="xs" onClick={() => edit(null)}>
            {t("alerts.editor.newRule")}
          </Button>
        )}
      </Group>
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
                  <Table.Td>
                    {r.name}
                    {!r.enabled && (
                      <Badge ml={6} size="xs" variant="outline" color="gray">
                        {t("alerts.editor.disabled")}
                      </Badge>
                    )}
                  </Table.Td>
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
                    <Group gap={4} wrap="nowrap" justify="flex-end">
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
                      {writable && (
                        <Button
                          size="xs"
                          variant="subtle"
                          aria-label={t("alerts.editor.editNamed", { name: r.name })}
                          onClick={() => edit(r)}
                        >
                          {t("common.edit")}
                        </Button>
                      )}
                      {writable && !r.builtin && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={t("alerts.editor.deleteNamed", { name: r.name })}
                          onClick={() => {
                            remove.reset();
                            setDeleting(r);
                          }}
                        >
                          {t("alerts.editor.delete")}
                        </Button>
                      )}
                    </Group>
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
        size="xl"
      >
        <Stack gap="sm">
          <ActionAlert error={preview.error} />
          {preview.data && previewing?.expression && (
            <RulePreview
              preview={preview.data}
              threshold={previewing.expression.threshold}
              recoveryThreshold={previewing.expression.recoveryThreshold ?? null}
              name={previewing.name}
            />
          )}
        </Stack>
      </Modal>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.rule ? t("alerts.editor.editTitle", { name: editing.rule.name }) : t("alerts.editor.newRule")}
        size="80rem"
      >
        {editing && <RuleEditor key={editing.key} rule={editing.rule} onDone={() => setEditing(null)} />}
      </Modal>
      <Modal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={t("alerts.editor.deleteTitle", { name: deleting?.name ?? "" })}
      >
        <Stack gap="sm">
          <Text size="sm">{t("alerts.editor.deleteText")}</Text>
          <ActionAlert error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              {t("common.cancel")}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
              {t("alerts.editor.delete")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
