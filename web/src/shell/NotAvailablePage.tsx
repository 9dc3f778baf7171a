import { Button, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { type Area, mayOpen } from "./area";

/** Said at once, without asking the server, when the user's profile may not open a page. */
export function NotAvailablePage() {
  const { t } = useTranslation();
  return (
    <Stack align="flex-start" gap="sm" data-testid="not-available">
      <Title order={2}>{t("notAvailable.title")}</Title>
      <Text c="dimmed">{t("notAvailable.body")}</Text>
      <Button component={Link} to="/" variant="light">
        {t("notFound.home")}
      </Button>
    </Stack>
  );
}

/** A page of an area, or the "not available" page for a role the area is not for. */
export function AreaGuard({ area, children }: { area: Pick<Area, "requires" | "staffOnly">; children: ReactNode }) {
  const { user } = useAuth();
  return mayOpen(area, user.role) ? children : <NotAvailablePage />;
}
