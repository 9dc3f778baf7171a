import { Alert, Badge, Button, Card, Code, Group, Loader, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { PageHeader } from "../../shell/PageHeader";
import { readinessQuery, versionQuery } from "./queries";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Card withBorder padding="md" radius="md">
      <Stack gap={6}>
        <Text size="xs" tt="uppercase" fw={700} c="dimmed">
          {label}
        </Text>
        {children}
      </Stack>
    </Card>
  );
}

/** The server itself (version, database, schema, readiness): the admin's System page. */
export function SystemPage() {
  const { t } = useTranslation();
  const version = useQuery(versionQuery);
  const readiness = useQuery(readinessQuery);

  return (
    <>
      <PageHeader title={t("system.title")} subtitle={t("overview.subtitle")} />
      {version.isPending && <Loader aria-label={t("common.loading")} />}
      {version.isError && (
        <Alert color="red" title={t("common.loadFailed", { message: version.error.message })}>
          <Button variant="light" color="red" size="xs" onClick={() => void version.refetch()}>
            {t("common.retry")}
          </Button>
        </Alert>
      )}
      {version.data && (
        <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }}>
          <Fact label={t("overview.version")}>
            <Text size="xl" fw={600}>
              {version.data.version}
            </Text>
            <Text size="sm" c="dimmed">
              {t("overview.commit")} <Code>{version.data.commit.slice(0, 12)}</Code>
            </Text>
          </Fact>
          <Fact label={t("overview.database")}>
            <Text size="xl" fw={600}>
              {t(`overview.engines.${version.data.databaseEngine}`)}
            </Text>
          </Fact>
          <Fact label={t("overview.schemaVersion")}>
            <Text size="xl" fw={600}>
              <Code fz="lg">{version.data.schemaVersion}</Code>
            </Text>
          </Fact>
          <Fact label={t("overview.readiness")}>
            {readiness.isPending && <Loader size="sm" aria-label={t("common.loading")} />}
            {readiness.data && (
              <Group>
                <Badge color="green" size="lg">
                  {t("overview.ready")}
                </Badge>
              </Group>
            )}
            {readiness.isError && (
              <>
                <Group>
                  <Badge color="red" size="lg">
                    {t("overview.notReady")}
                  </Badge>
                </Group>
                <Text size="sm" c="dimmed">
                  {readiness.error.message}
                </Text>
              </>
            )}
          </Fact>
        </SimpleGrid>
      )}
    </>
  );
}
