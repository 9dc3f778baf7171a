import { Code, Stack, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../shell/format";
import { actionLabel, detailLabel, detailValue, type Lookup, plainValue } from "./entryText";

/** Looks a path up in the reader's translations (the audit's texts are looked up by the ids the server records). */
export function useLookup(): Lookup {
  const { i18n } = useTranslation();
  return (path) => i18n.getResource(i18n.language, "translation", path);
}

/** An audited action in the reader's words; an action this build does not know, as its id. */
export function ActionLabel({ action }: { action: string }) {
  const label = actionLabel(action, useLookup());
  return label ? (
    <Text span size="sm" title={action}>
      {label}
    </Text>
  ) : (
    <Code>{action}</Code>
  );
}

/** An entry's details as a list of what was recorded, each key in the reader's words where known. */
export function AuditDetails({ details }: { details: Record<string, unknown> }) {
  const { t } = useTranslation();
  const format = useFormat();
  const lookup = useLookup();
  const show = (key: string, raw: unknown): ReactNode => {
    const v = detailValue(key, raw, (n) => format.number(n, 3));
    switch (v.kind) {
      case "instant":
        return format.preciseTime(v.value);
      case "flag":
        return v.value ? t("common.yes") : t("common.no");
      case "text":
        return v.value;
      case "changes":
        return (
          <Stack gap={2}>
            {v.value.map((c) => (
              <Text key={c.path} size="sm">
                <Code>{c.path}</Code> {plainValue(c.before, format.preciseTime)} →{" "}
                {plainValue(c.after, format.preciseTime)}
              </Text>
            ))}
          </Stack>
        );
      case "json":
        return (
          <Code block style={{ whiteSpace: "pre-wrap" }}>
            {JSON.stringify(v.value, null, 2)}
          </Code>
        );
    }
  };
  return (
    <Table withRowBorders={false} verticalSpacing={4} data-testid="audit-details">
      <Table.Tbody>
        {Object.entries(details).map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Th scope="row" w="30%" style={{ verticalAlign: "top", fontWeight: 500 }}>
              {detailLabel(key, lookup) ?? <Code>{key}</Code>}
            </Table.Th>
            <Table.Td style={{ overflowWrap: "anywhere" }}>{show(key, value)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
