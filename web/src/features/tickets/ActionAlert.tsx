import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ApiProblem } from "../../api/client";
import { ApiProblemFields, fieldErrors, ProblemAlert } from "../../shell/problem";

/**
 * The problem of a failed action. Field errors shown next to their inputs (`shown` pointers) are not repeated
 * here; any others are listed by pointer. A conflict gets the action's own words: the generic one speaks of
 * concurrent edits, which is not what a ticket action's 409 means.
 */
export function ActionAlert({
  error,
  shown = [],
  conflict,
}: {
  error: unknown;
  shown?: readonly string[];
  conflict?: string;
}) {
  const { t } = useTranslation();
  if (!error) return null;
  if (conflict && error instanceof ApiProblem && error.problem.status === 409) {
    return (
      <Alert color="red" title={t("common.error")} role="alert">
        {conflict}
      </Alert>
    );
  }
  const fields = Object.keys(fieldErrors(error));
  if (fields.length > 0 && fields.every((pointer) => shown.includes(pointer))) return null;
  return (
    <>
      <ProblemAlert error={error} />
      <ApiProblemFields error={error} />
    </>
  );
}
