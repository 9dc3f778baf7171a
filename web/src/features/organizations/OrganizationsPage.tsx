import { Anchor, Badge, Button, Card, Code, Group, Modal, Table, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { usePlanLabels } from "../plan/labels";
import { OrganizationForm } from "./OrganizationForm";
import { type Organization, organizationsPage } from "./queries";

export function OrganizationsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const list = usePagedList(["organizations", q], (cursor, signal) => organizationsPage(q, cursor, signal));
  const [editing, setEditing] = useState<Organization | "new" | null>(null);
  const writable = can("organizations", "write");
  const labels = usePlanLabels();

  return (
    <>
      <PageHeader title={t("organizations.title")} subtitle={t("organizations.subtitle")}>
        <Group justify="space-between" mt="xs">
          <TextInput
            type="search"
            aria-label={t("common.search")}
            placeholder={t("common.search")}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={280}
          />
          {writable && <Button onClick={() => setEditing("new")}>{t("organizations.new")}</Button>}
        </Group>
      </PageHeader>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("organizations.name")}</Table.Th>
                <Table.Th>{t("organizations.slug")}</Table.Th>
                <Table.Th>{t("organizations.kind")}</Table.Th>
                <Table.Th>{t("organizations.serviceTier")}</Table.Th>
                <Table.Th>{t("organizations.phoneNumbers")}</Table.Th>
                {writable && <Table.Th w={100} />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((org) => (
                <Table.Tr key={org.id} data-testid="organization-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/organizations/${org.id}`} fw={500}>
                      {org.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Code>{org.slug}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={org.kind === "provider" ? "grape" : "blue"}>
                      {t(`organizations.kinds.${org.kind}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{org.serviceTier ? labels.tier(org.serviceTier) : "—"}</Table.Td>
                  <Table.Td>{org.phoneNumbers.length}</Table.Td>
                  {writable && (
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="subtle"
                        onClick={() => setEditing(org)}
                        aria-label={t("organizations.editNamed", { name: org.name })}
                      >
                        {t("common.edit")}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
              <EmptyRow list={list} colSpan={6} text={t("common.empty")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <PagedFooter {...list} />
      </Card>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? t("organizations.new") : t("organizations.edit")}
        size="xl"
      >
        {editing !== null && (
          <OrganizationForm organization={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
    </>
  );
}
