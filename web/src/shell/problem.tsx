import { Alert, Code, Table } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ApiProblem } from "../api/client";
import pt from "../i18n/pt-BR.json";

type KnownProblem = keyof typeof pt.problems;
const isKnown = (id: string): id is KnownProblem => Object.hasOwn(pt.problems, id);

/** A problem in the reader's language: translated by its type id, else the server's own detail. */
export function useProblemText(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error) => {
    if (error instanceof ApiProblem) {
      if (isKnown(error.id)) return t(`problems.${error.id}`);
      return error.problem.detail ?? error.problem.title;
    }
    return error instanceof Error ? error.message : String(error);
  };
}

/** Per-field messages of a validation problem, keyed by JSON Pointer ("/email"), to show next to each input. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiProblem)) return {};
  return Object.fromEntries((error.problem.errors ?? []).map((e) => [e.pointer, e.message]));
}

/** The problem of a failed request, above the form or list it belongs to. */
export function ProblemAlert({ error }: { error: unknown }) {
  const text = useProblemText();
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <Alert color="red" title={t("common.error")} role="alert" mb="md">
      {text(error)}
    </Alert>
  );
}

/** Every field error of a validation problem as a list, for forms whose fields are not separate inputs. */
export function ApiProblemFields({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!(error instanceof ApiProblem) || !error.problem.errors?.length) return null;
  return (
    <Table withTableBorder verticalSpacing={4} aria-label={t("common.fieldErrors")}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("common.field")}</Table.Th>
          <Table.Th>{t("common.message")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {error.problem.errors.map((e) => (
          <Table.Tr key={`${e.in}${e.pointer}${e.message}`} data-testid="field-error">
            <Table.Td>
              <Code>{e.pointer || e.in}</Code>
            </Table.Td>
            <Table.Td>{e.message}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
