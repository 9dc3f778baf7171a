import { Alert, Badge, Button, Card, Code, Group, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import type { StreamState } from "./eventStream";
import { useEventStream } from "./useEventStream";

const stateColor: Record<StreamState, string> = {
  connecting: "yellow",
  connected: "green",
  disconnected: "red",
  unauthenticated: "red",
};

export function LiveEventsPage() {
  const { t } = useTranslation();
  const { events, state, clear } = useEventStream();
  const formatTime = useFormat().preciseTime;

  return (
    <>
      <PageHeader title={t("events.title")} subtitle={t("events.subtitle")}>
        <Group justify="space-between" mt="xs">
          <Badge
            data-testid="stream-state"
            data-state={state}
            color={stateColor[state]}
            variant="dot"
            size="lg"
            role="status"
          >
            {state === "unauthenticated" ? t("events.disconnected") : t(`events.${state}`)}
          </Badge>
          <Button variant="subtle" size="xs" onClick={clear} disabled={events.length === 0}>
            {t("events.clear")}
          </Button>
        </Group>
      </PageHeader>
      {state === "unauthenticated" && <Alert color="yellow">{t("events.unauthenticated")}</Alert>}
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={480}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={90}>{t("events.id")}</Table.Th>
                <Table.Th>{t("events.type")}</Table.Th>
                <Table.Th w={220}>{t("events.time")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.map((event) => (
                <Table.Tr key={event.id} data-testid="event-row">
                  <Table.Td>{event.id}</Table.Td>
                  <Table.Td>
                    <Code>{event.type}</Code>
                  </Table.Td>
                  <Table.Td>
                    <time dateTime={event.createdAt}>{formatTime(event.createdAt)}</time>
                  </Table.Td>
                </Table.Tr>
              ))}
              {events.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={3}>
                    <Text c="dimmed" ta="center" py="md">
                      {t("events.empty")}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </>
  );
}
