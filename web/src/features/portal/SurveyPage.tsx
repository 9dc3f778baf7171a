import { Alert, Center, Group, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { LanguageSwitch } from "../../shell/LanguageSwitch";
import { RatingForm, Stars } from "./RatingForm";

/**
 * The page a survey link opens, without login: rate 1–5 with a comment; a link already answered, replaced by a
 * newer resolution's, expired or not one we sent each gets its own plain explanation.
 */
export function SurveyPage() {
  const { t } = useTranslation();
  const token = useParams().token ?? "";
  const client = useQueryClient();
  const key = ["survey", token];
  const view = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/surveys/{token}", { params: { path: { token } }, signal })),
    retry: false,
  });
  const rate = useMutation({
    mutationFn: async (value: { rating: number; comment?: string }) =>
      unwrap(await api.POST("/api/v1/surveys/{token}", { params: { path: { token } }, body: value })),
    onSuccess: (data) => client.setQueryData(key, data),
    // Answered meanwhile, expired or replaced: the page says which.
    onError: () => void client.invalidateQueries({ queryKey: key }),
  });
  const invalid = view.error instanceof ApiProblem && [400, 404].includes(view.error.problem.status);
  const data = view.data;
  let content: React.ReactNode;
  if (view.isPending) content = <Loader aria-label={t("common.loading")} />;
  else if (invalid || !data)
    content = (
      <Alert color="gray" title={t("portal.survey.invalid.title")} data-testid="survey-state">
        {t("portal.survey.invalid.text")}
      </Alert>
    );
  else if (data.state === "open")
    content = (
      <Stack>
        <Text>{t("portal.survey.question", { number: data.number, subject: data.subject })}</Text>
        <RatingForm pending={rate.isPending} onSubmit={(v) => rate.mutate(v)} />
      </Stack>
    );
  else if (data.state === "rated")
    content = (
      <Alert
        color="green"
        title={rate.isSuccess ? t("portal.survey.thanks.title") : t("portal.survey.already.title")}
        data-testid="survey-state"
      >
        <Stack gap="xs">
          <Text size="sm">{t("portal.survey.thanks.text", { number: data.number })}</Text>
          {data.rating !== null && <Stars rating={data.rating} />}
        </Stack>
      </Alert>
    );
  else
    content = (
      <Alert color="yellow" title={t(`portal.survey.${data.state}.title`)} data-testid="survey-state">
        {t(`portal.survey.${data.state}.text`, { number: data.number })}
      </Alert>
    );
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder radius="md" p="lg" w="100%" maw={560}>
        <Group justify="space-between" mb="md" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <Title order={1} size="h3">
              {t("portal.survey.title")}
            </Title>
          </Group>
          <LanguageSwitch />
        </Group>
        {content}
      </Paper>
    </Center>
  );
}
