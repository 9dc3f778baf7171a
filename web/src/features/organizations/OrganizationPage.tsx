import { Anchor, Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import type { Monitor } from "../monitoring/model";
import { usePlanLabels } from "../plan/labels";
import { OrganizationForm } from "./OrganizationForm";
import { organization } from "./queries";

function Section({ title, count, children }: { title: string; count?: number; children: ReactNode }) {
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-label={title}>
      <Group gap="xs" mb="xs">
        <Title order={3} size="h5">
          {title}
        </Title>
        {count !== undefined && (
          <Badge variant="light" color="gray" size="sm">
            {count}
          </Badge>
        )}
      </Group>
      {children}
    </Card>
  );
}

function Empty({ loading }: { loading: boolean }) {
  const { t } = useTranslation();
  return (
    <Text size="sm" c="dimmed">
      {loading ? t("common.loading") : t("common.empty")}
    </Text>
  );
}

/** One organization with what belongs to it: contacts, numbers, SIP identities, users, tickets and monitors. */
export function OrganizationPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { can } = useAuth();
  const format = useFormat();
  const labels = usePlanLabels();
  const [editing, setEditing] = useState(false);
  const org = useQuery({ queryKey: ["organizations", id], queryFn: ({ signal }) => organization(id, signal) });
  const users = useQuery({
    queryKey: ["users", "of", id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/users", { params: { query: { organizationId: id, limit: 200 } }, signal })).items,
    enabled: can("users"),
  });
  const tickets = useQuery({
    queryKey: ["tickets", "of", id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/tickets", { params: { query: { organization: id, limit: 20 } }, signal })).items,
    enabled: can("tickets"),
  });
  const monitors = useQuery({
    queryKey: ["monitors", "of", id],
    queryFn: async ({ signal }) =>
      (
        unwrap(
          await api.GET("/api/v1/monitors", { params: { query: { organizationId: id, limit: 100 } }, signal }),
        ) as { items: Monitor[] }
      ).items,
    enabled: can("monitoring"),
  });

  if (!org.data) return <ProblemAlert error={org.error} />;
  const o = org.data;
  return (
    <>
      <PageHeader title={o.name} subtitle={t(`organizations.kinds.${o.kind}`)}>
        <Group justify="space-between" mt="xs">
          <Anchor component={Link} to="/organizations" size="sm">
            ← {t("organizations.title")}
          </Anchor>
          {can("organizations", "write") && (
            <Button variant="light" onClick={() => setEditing(true)}>
              {t("common.edit")}
            </Button>
          )}
        </Group>
      </PageHeader>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <Section title={t("organizations.contract")}>
            <Table verticalSpacing={4}>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th fw={500}>{t("organizations.slug")}</Table.Th>
                  <Table.Td>{o.slug}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th fw={500}>{t("organizations.serviceTier")}</Table.Th>
                  <Table.Td>{o.serviceTier ? labels.tier(o.serviceTier) : "—"}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th fw={500}>{t("organizations.calendar")}</Table.Th>
                  <Table.Td>{o.calendar ? labels.calendar(o.calendar) : t("organizations.planCalendar")}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Section>
          <Section title={t("organizations.phoneNumbers")} count={o.phoneNumbers.length}>
            {o.phoneNumbers.length ? (
              <Group gap={6}>
                {o.phoneNumbers.map((n) => (
                  <Badge key={n} variant="outline" color="gray" tt="none">
                    {n}
                  </Badge>
                ))}
              </Group>
            ) : (
              <Empty loading={false} />
            )}
          </Section>
          <Section title={t("organizations.sipIdentities")} count={o.sipIdentities.length}>
            {o.sipIdentities.length ? (
              <Stack gap={2}>
                {o.sipIdentities.map((s) => (
                  <Text key={s} size="sm" ff="monospace" style={{ overflowWrap: "anywhere" }}>
                    {s}
                  </Text>
                ))}
              </Stack>
            ) : (
              <Empty loading={false} />
            )}
          </Section>
        </SimpleGrid>
        <Section title={t("organizations.contacts")} count={o.contacts.length}>
          {o.contacts.length ? (
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing={4}>
                <Table.Tbody>
                  {o.contacts.map((c) => (
                    <Table.Tr key={`${c.name}${c.email ?? ""}`}>
                      <Table.Td fw={500}>{c.name}</Table.Td>
                      <Table.Td>{c.role ?? ""}</Table.Td>
                      <Table.Td>{c.email ?? ""}</Table.Td>
                      <Table.Td>{c.phone ?? ""}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ) : (
            <Empty loading={false} />
          )}
        </Section>
        <SimpleGrid cols={{ base: 1, lg: 3 }}>
          {can("users") && (
            <Section title={t("nav.users")} count={users.data?.length}>
              <ProblemAlert error={users.error} />
              {users.data?.length ? (
                <Stack gap={4}>
                  {users.data.map((u) => (
                    <Group key={u.id} gap="xs" justify="space-between" wrap="nowrap">
                      <Text size="sm" truncate>
                        {u.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {t(`roles.${u.role}`)}
                      </Text>
                    </Group>
                  ))}
                </Stack>
              ) : (
                <Empty loading={users.isPending} />
              )}
            </Section>
          )}
          {can("tickets") && (
            <Section title={t("nav.tickets")} count={tickets.data?.length}>
              <ProblemAlert error={tickets.error} />
              {tickets.data?.length ? (
                <Stack gap={4}>
                  {tickets.data.map((tk) => (
                    <Group key={tk.id} gap="xs" justify="space-between" wrap="nowrap">
                      <Anchor component={Link} to={`/tickets/${tk.id}`} size="sm" truncate>
                        #{tk.number} {tk.subject}
                      </Anchor>
                      <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                        {format.date(tk.createdAt)}
                      </Text>
                    </Group>
                  ))}
                </Stack>
              ) : (
                <Empty loading={tickets.isPending} />
              )}
            </Section>
          )}
          {can("monitoring") && (
            <Section title={t("monitoring.nav")} count={monitors.data?.length}>
              <ProblemAlert error={monitors.error} />
              {monitors.data?.length ? (
                <Stack gap={4}>
                  {monitors.data.map((m) => (
                    <Group key={m.id} gap="xs" justify="space-between" wrap="nowrap">
                      <Anchor component={Link} to={`/monitoring/${m.id}`} size="sm" truncate>
                        {m.name}
                      </Anchor>
                      {m.state && (
                        <Badge size="sm" variant="light">
                          {t(`monitoring.statuses.${m.state.status as "UP"}`)}
                        </Badge>
                      )}
                    </Group>
                  ))}
                </Stack>
              ) : (
                <Empty loading={monitors.isPending} />
              )}
            </Section>
          )}
        </SimpleGrid>
      </Stack>
      <Modal opened={editing} onClose={() => setEditing(false)} title={t("organizations.edit")} size="xl">
        {editing && <OrganizationForm organization={o} onDone={() => setEditing(false)} />}
      </Modal>
    </>
  );
}
