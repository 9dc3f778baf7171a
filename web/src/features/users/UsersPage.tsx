import { Anchor, Badge, Button, Card, Group, Modal, Table, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { EmptyRow, PagedFooter, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { organizationChoices } from "../organizations/queries";
import { type User, UserForm } from "./UserForm";

export function UsersPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const format = useFormat();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const list = usePagedList(["users", q], async (cursor, signal) =>
    unwrap(await api.GET("/api/v1/users", { params: { query: { q: q || undefined, cursor, limit: 50 } }, signal })),
  );
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const writable = can("users", "write");
  const organizations = useQuery({ ...organizationChoices, enabled: can("organizations") });
  const orgName = (id: string) => organizations.data?.find((o) => o.id === id)?.name;

  return (
    <>
      <PageHeader title={t("users.title")} subtitle={t("users.subtitle")}>
        <Group justify="space-between" mt="xs">
          <TextInput
            type="search"
            aria-label={t("common.search")}
            placeholder={t("common.search")}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={280}
          />
          {writable && <Button onClick={() => setEditing("new")}>{t("users.new")}</Button>}
        </Group>
      </PageHeader>
      <ProblemAlert error={list.error} />
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={860}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("users.name")}</Table.Th>
                <Table.Th>{t("users.email")}</Table.Th>
                <Table.Th>{t("users.organization")}</Table.Th>
                <Table.Th>{t("users.role")}</Table.Th>
                <Table.Th>{t("users.teams")}</Table.Th>
                <Table.Th>{t("users.lastLogin")}</Table.Th>
                {writable && <Table.Th w={100} />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((user) => (
                <Table.Tr key={user.id} data-testid="user-row">
                  <Table.Td>
                    {user.name}{" "}
                    {user.disabled && (
                      <Badge color="gray" size="xs">
                        {t("users.disabledBadge")}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{user.email}</Table.Td>
                  <Table.Td>
                    {can("organizations") ? (
                      <Anchor component={Link} to={`/organizations/${user.organizationId}`} size="sm">
                        {orgName(user.organizationId) ?? "…"}
                      </Anchor>
                    ) : (
                      (orgName(user.organizationId) ?? "—")
                    )}
                  </Table.Td>
                  <Table.Td>
                    {t(`roles.${user.role}`)}
                    {user.tier ? ` · ${user.tier}` : ""}
                  </Table.Td>
                  <Table.Td>{user.teams?.join(", ") || "—"}</Table.Td>
                  <Table.Td>{format.dateTime(user.lastLoginAt)}</Table.Td>
                  {writable && (
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="subtle"
                        onClick={() => setEditing(user)}
                        aria-label={t("users.editNamed", { name: user.name })}
                      >
                        {t("common.edit")}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
              <EmptyRow list={list} colSpan={7} text={t("common.empty")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <PagedFooter {...list} />
      </Card>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? t("users.new") : t("users.edit")}
        size="lg"
      >
        {editing !== null && (
          <UserForm user={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
    </>
  );
}
