import { Alert, Anchor, Button, Stack, Text } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { AuthCard } from "../auth/AuthCard";

/** Why a link does not work, in the reader's words: changed, expired, used, already acknowledged, over. */
function useLinkProblem() {
  const { t } = useTranslation();
  return (error: unknown): { title: string; detail?: string } => {
    if (!(error instanceof ApiProblem)) return { title: t("oncall.link.failed") };
    const known = [
      "page-link-invalid",
      "page-link-expired",
      "page-link-used",
      "page-already-acknowledged",
      "page-resolved",
      "not-found",
    ] as const;
    const id = known.find((k) => k === error.id);
    return id ? { title: t(`oncall.link.problems.${id}`), detail: error.problem.detail } : { title: error.message };
  };
}

/**
 * The page a mailed acknowledgement link opens, without logging in: what the page is about, and a button that
 * acknowledges it (a GET never does, so mail scanners that open links change nothing).
 */
export function AckLinkPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const problem = useLinkProblem();
  const preview = useQuery({
    queryKey: ["page-link", token],
    enabled: Boolean(token),
    retry: false,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/pages/link", { params: { query: { token } }, signal })),
  });
  const ack = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/pages/link/acknowledge", { body: { token } })),
  });
  const failure = preview.error ?? ack.error;
  const shown = failure ? problem(failure) : null;
  const page = preview.data?.page;
  return (
    <AuthCard title={t("oncall.link.title")} subtitle={t("oncall.link.subtitle")}>
      {!token && <Alert color="yellow">{t("oncall.link.missing")}</Alert>}
      {shown && (
        <Alert color="red" title={shown.title} role="alert" data-testid="link-problem">
          {shown.detail}
        </Alert>
      )}
      {ack.isSuccess ? (
        <Alert color="green" role="status" title={t("oncall.link.done")}>
          {t("oncall.link.doneDetail", { title: ack.data.title, at: f.dateTime(ack.data.acknowledgedAt) })}
        </Alert>
      ) : (
        page &&
        !ack.error && (
          <Stack gap="sm">
            <Text fw={600}>{page.title}</Text>
            <Text size="sm" c="dimmed">
              {t(`oncall.severity.${page.severity as "critical"}`, { defaultValue: page.severity })} ·{" "}
              {t(`oncall.pages.statuses.${page.status}`)}
            </Text>
            {page.status === "triggered" ? (
              <Button color="red" onClick={() => ack.mutate()} loading={ack.isPending}>
                {t("oncall.link.acknowledge")}
              </Button>
            ) : (
              <Alert color="blue">
                {page.acknowledgedAt
                  ? t("oncall.link.alreadyBy", {
                      name: page.acknowledgedBy ?? "—",
                      at: f.dateTime(page.acknowledgedAt),
                    })
                  : t(`oncall.pages.statuses.${page.status}`)}
              </Alert>
            )}
            <Text size="xs" c="dimmed">
              {t("oncall.link.expires", { at: f.dateTime(preview.data?.expiresAt) })}
            </Text>
          </Stack>
        )
      )}
      <Anchor component={Link} to="/oncall/pages" size="sm">
        {t("oncall.link.open")}
      </Anchor>
    </AuthCard>
  );
}
