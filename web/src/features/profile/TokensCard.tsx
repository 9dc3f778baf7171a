import { Badge, Button, Checkbox, Code, Group, SimpleGrid, Stack, Table, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { grantableScopes } from "../../auth/access";
import { useFormat } from "../../shell/format";
import { EmptyRow, LoadMore, usePagedList } from "../../shell/paging";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { SecretOnce } from "../../shell/SecretOnce";
import { Section } from "./Section";

function NewTokenForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const client = useQueryClient();
  const scopes = grantableScopes(user.role);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [expires, setExpires] = useState("");
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/tokens", {
          body: { name, scopes: chosen, ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}) },
        }),
      ),
    onSuccess: (token) => {
      setName("");
      setChosen([]);
      setExpires("");
      onCreated(token.token);
      void client.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ProblemAlert error={create.error} />
        <Group grow align="flex-start">
          <TextInput
            label={t("tokens.name")}
            required
            value={name}
            error={errors["/name"]}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <TextInput
            label={t("tokens.expiresAt")}
            description={t("tokens.expiresHint")}
            type="datetime-local"
            value={expires}
            error={errors["/expiresAt"]}
            onChange={(e) => setExpires(e.currentTarget.value)}
          />
        </Group>
        <Checkbox.Group label={t("tokens.scopes")} value={chosen} onChange={setChosen} error={errors["/scopes"]}>
          <SimpleGrid cols={{ base: 2, sm: 4 }} mt="xs">
            {scopes.map(({ area, access }) => (
              <Checkbox
                key={`${area}:${access}`}
                value={`${area}:${access}`}
                label={`${t(`areas.${area}`)}: ${t(`tokens.access.${access}`)}`}
              />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending} disabled={!name || chosen.length === 0}>
            {t("tokens.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function TokensCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const list = usePagedList(["tokens"], async (cursor, signal) =>
    unwrap(await api.GET("/api/v1/tokens", { params: { query: { cursor } }, signal })),
  );
  const revoke = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE("/api/v1/tokens/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["tokens"] }),
  });

  return (
    <Section title={t("tokens.title")}>
      <Stack gap="md">
        {secret && (
          <SecretOnce
            title={t("tokens.createdTitle")}
            note={t("tokens.showOnce")}
            secret={secret}
            testId="token-secret"
            onClose={() => setSecret(null)}
          />
        )}
        <NewTokenForm onCreated={setSecret} />
        <ProblemAlert error={list.error ?? revoke.error} />
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("tokens.name")}</Table.Th>
                <Table.Th>{t("tokens.prefix")}</Table.Th>
                <Table.Th>{t("tokens.scopes")}</Table.Th>
                <Table.Th>{t("tokens.expiresAt")}</Table.Th>
                <Table.Th>{t("tokens.lastUsed")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((token) => (
                <Table.Tr key={token.id} data-testid="token-row">
                  <Table.Td>{token.name}</Table.Td>
                  <Table.Td>
                    <Code>{token.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {token.scopes.map((s) => (
                        <Badge key={s} size="xs" variant="light">
                          {s}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{token.expiresAt ? format.dateTime(token.expiresAt) : t("tokens.never")}</Table.Td>
                  <Table.Td>{format.dateTime(token.lastUsedAt)}</Table.Td>
                  <Table.Td>
                    {token.revokedAt ? (
                      <Badge color="gray">{t("tokens.revoked")}</Badge>
                    ) : (
                      <Button
                        size="xs"
                        color="red"
                        variant="subtle"
                        loading={revoke.isPending && revoke.variables === token.id}
                        onClick={() => revoke.mutate(token.id)}
                        aria-label={t("tokens.revokeNamed", { name: token.name })}
                      >
                        {t("tokens.revoke")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              <EmptyRow list={list} colSpan={6} text={t("tokens.none")} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore {...list} />
      </Stack>
    </Section>
  );
}
