import { Button, Card, Code, Group, Loader, Select, Stack, Table, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "./ActionAlert";

const placeholders = [
  "customer.name",
  "customer.email",
  "organization.name",
  "ticket.number",
  "ticket.subject",
  "agent.name",
  "agent.email",
];

interface Draft {
  id?: string;
  team: string | null;
  title: string;
  body: string;
}

/** Canned responses: the shared ones and the teams' (agents write their teams', managers any). */
export function CannedResponsesPage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const client = useQueryClient();
  const list = useQuery({
    queryKey: ["canned-responses"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/canned-responses", { params: { query: { limit: 200 } }, signal })).items,
  });
  const empty: Draft = { team: user.teams?.[0] ?? null, title: "", body: "" };
  const [draft, setDraft] = useState<Draft>(empty);
  const refresh = () => void client.invalidateQueries({ queryKey: ["canned-responses"] });
  const save = useMutation({
    mutationFn: async (d: Draft) => {
      const body = { team: d.team, title: d.title, body: d.body };
      return d.id
        ? unwrap(await api.PATCH("/api/v1/canned-responses/{id}", { params: { path: { id: d.id } }, body }))
        : unwrap(await api.POST("/api/v1/canned-responses", { body }));
    },
    onSuccess: () => {
      setDraft(empty);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE("/api/v1/canned-responses/{id}", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const errors = fieldErrors(save.error);
  const teams = [...new Set([...(user.teams ?? []), ...(draft.team ? [draft.team] : [])])];
  return (
    <>
      <PageHeader title={t("ticketConsole.cannedPage.title")} subtitle={t("ticketConsole.cannedPage.subtitle")} />
      <Stack gap="md">
        <Card
          withBorder
          padding="md"
          radius="md"
          component="form"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            save.mutate(draft);
          }}
        >
          <Stack gap="sm">
            <ActionAlert error={save.error} shown={["/title", "/body", "/team"]} />
            <Group grow wrap="wrap">
              <TextInput
                label={t("ticketConsole.cannedPage.name")}
                value={draft.title}
                error={errors["/title"]}
                onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })}
              />
              <Select
                label={t("ticketConsole.team")}
                placeholder={t("ticketConsole.cannedPage.shared")}
                clearable
                data={teams}
                value={draft.team}
                error={errors["/team"]}
                onChange={(team) => setDraft({ ...draft, team })}
              />
            </Group>
            <Textarea
              label={t("ticketConsole.cannedPage.text")}
              description={
                <>
                  {t("ticketConsole.cannedPage.placeholders")}{" "}
                  {placeholders.map((p) => (
                    <Code key={p} mr={4}>{`{{${p}}}`}</Code>
                  ))}
                </>
              }
              autosize
              minRows={4}
              value={draft.body}
              error={errors["/body"]}
              onChange={(e) => setDraft({ ...draft, body: e.currentTarget.value })}
            />
            <Group>
              <Button type="submit" loading={save.isPending} disabled={!draft.title.trim() || !draft.body.trim()}>
                {draft.id ? t("ticketConsole.cannedPage.update") : t("ticketConsole.cannedPage.add")}
              </Button>
              {draft.id && (
                <Button variant="default" onClick={() => setDraft(empty)}>
                  {t("ticketConsole.cannedPage.cancel")}
                </Button>
              )}
            </Group>
          </Stack>
        </Card>
        <ActionAlert error={remove.error} />
        {list.isPending ? (
          <Loader aria-label={t("common.loading")} />
        ) : list.isError ? (
          <ProblemAlert error={list.error} />
        ) : list.data.length === 0 ? (
          <Text c="dimmed">{t("ticketConsole.cannedPage.none")}</Text>
        ) : (
          <Table.ScrollContainer minWidth={360}>
            <Table data-testid="canned-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("ticketConsole.cannedPage.name")}</Table.Th>
                  <Table.Th>{t("ticketConsole.team")}</Table.Th>
                  <Table.Th>{t("ticketConsole.cannedPage.text")}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>{r.title}</Table.Td>
                    <Table.Td>{r.team ?? t("ticketConsole.cannedPage.shared")}</Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={2}>
                        {r.body}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setDraft({ id: r.id, team: r.team, title: r.title, body: r.body })}
                        >
                          {t("ticketConsole.cannedPage.edit")}
                        </Button>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          loading={remove.isPending && remove.variables === r.id}
                          onClick={() => remove.mutate(r.id)}
                        >
                          {t("ticketConsole.cannedPage.delete")}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </>
  );
}
