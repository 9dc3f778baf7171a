import { Button, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";

export function NotFoundPage() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  return (
    <Stack align="flex-start" gap="sm">
      <Title order={2}>{t("notFound.title")}</Title>
      <Text c="dimmed">{t("notFound.body", { path: pathname })}</Text>
      <Button component={Link} to="/" variant="light">
        {t("notFound.home")}
      </Button>
    </Stack>
  );
}
