import { Anchor, Badge, Button, Card, FileInput, Group, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { TokenPicker, UserPicker } from "../../shell/pickers";
import { ProblemAlert } from "../../shell/problem";
import { ShortId } from "../../shell/ShortId";

function base64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(file);
  });
}

/** Evidence with its SHA-256, and the accounts and tokens the incident affects, disabled or revoked from here. */
export function SecurityPanel({ incidentId, writable }: { incidentId: string; writable: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const path = { params: { path: { id: incidentId } } };
  const evidence = useQuery({
    queryKey: ["incidents", "evidence", incidentId],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/incidents/{id}/evidence", { ...path, signal })).items,
  });
  const accounts = useQuery({
    queryKey: ["incidents", "accounts", incidentId],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/incidents/{id}/accounts", { ...path, signal })).items,
  });
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<"user" | "token">("user");
  const [refId, setRefId] = useState("");
  const upload = useMutation({
    mutationFn: async (f: File) =>
      unwrap(
        await api.POST("/api/v1/incidents/{id}/evidence", {
          ...path,
          body: { filename: f.name, data: await base64(f) },
        }),
      ),
    onSuccess: async () => {
      setFile(null);
      await client.invalidateQueries({ queryKey: ["incidents", "evidence", incidentId] });
    },
  });
  const link = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/incidents/{id}/accounts", { ...path, body: { kind, refId: refId.trim() } })),
    onSuccess: async () => {
      setRefId("");
      await client.invalidateQueries({ queryKey: ["incidents", "accounts", incidentId] });
    },
  });
  const contain = useMutation({
    mutationFn: async (accountId: string) =>
      unwrap(
        await api.POST("/api/v1/incidents/{id}/accounts/{accountId}/contain", {
          params: { path: { id: incidentId, accountId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["incidents", "accounts", incidentId] }),
  });
  return (
    <Card withBorder radius="md">
      <Title order={2} size="h5" mb="xs">
        {t("incidents.security.evidence")}
      </Title>
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing={4}>
          <Table.Tbody>
            {evidence.data?.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  <Anchor href={`/api/v1/incidents/${incidentId}/evidence/${e.id}`} size="sm">
                    {e.filename}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    SHA-256
                  </Text>
                  <ShortId id={e.sha256} />
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{format.dateTime(e.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {evidence.data && !evidence.data.length && (
        <Text size="sm" c="dimmed">
          {t("incidents.security.noEvidence")}
        </Text>
      )}
      {writable && (
        <Group mt="xs" align="flex-end" wrap="nowrap">
          <FileInput
            label={t("incidents.security.addEvidence")}
            value={file}
            onChange={setFile}
            clearable
            style={{ flex: 1 }}
          />
          <Button
            variant="default"
            disabled={!file}
            loading={upload.isPending}
            onClick={() => file && upload.mutate(file)}
          >
            {t("incidents.security.upload")}
          </Button>
        </Group>
      )}
      <ProblemAlert error={evidence.error ?? upload.error} />

      <Title order={2} size="h5" mt="lg" mb="xs">
        {t("incidents.security.accounts")}
      </Title>
      <Stack gap={6}>
        {accounts.data?.map((a) => (
          <Group key={a.id} justify="space-between" wrap="nowrap">
            <Group gap={6} wrap="nowrap">
              <Badge size="sm" variant="outline">
                {t(`incidents.security.kinds.${a.kind as "user" | "token"}`)}
              </Badge>
              <ShortId id={a.refId} />
            </Group>
            {a.action ? (
              <Badge color="red" variant="light" title={format.dateTime(a.actionAt)}>
                {t(`incidents.security.actions.${a.action as "disabled" | "revoked"}`)}
              </Badge>
            ) : (
              writable && (
                <Button
                  size="compact-xs"
                  color="red"
                  variant="light"
                  loading={contain.isPending && contain.variables === a.id}
                  onClick={() => contain.mutate(a.id)}
                >
                  {a.kind === "user" ? t("incidents.security.disable") : t("incidents.security.revoke")}
                </Button>
              )
            )}
          </Group>
        ))}
        {accounts.data && !accounts.data.length && (
          <Text size="sm" c="dimmed">
            {t("incidents.security.noAccounts")}
          </Text>
        )}
      </Stack>
      {writable && (
        <Group mt="xs" align="flex-end" wrap="wrap">
          <Select
            label={t("incidents.security.kind")}
            data={(["user", "token"] as const).map((k) => ({ value: k, label: t(`incidents.security.kinds.${k}`) }))}
            value={kind}
            onChange={(v) => {
              if (!v) return;
              setKind(v as "user" | "token");
              setRefId("");
            }}
            allowDeselect={false}
            w={140}
          />
          {kind === "user" ? (
            <UserPicker
              label={t("incidents.security.user")}
              value={refId || null}
              onChange={(v) => setRefId(v ?? "")}
              style={{ flex: 1, minWidth: 200 }}
            />
          ) : (
            <TokenPicker
              label={t("incidents.security.token")}
              value={refId || null}
              onChange={(v) => setRefId(v ?? "")}
              style={{ flex: 1, minWidth: 200 }}
            />
          )}
          <Button variant="default" disabled={!refId.trim()} loading={link.isPending} onClick={() => link.mutate()}>
            {t("incidents.security.link")}
          </Button>
        </Group>
      )}
      <ProblemAlert error={accounts.error ?? link.error ?? contain.error} />
    </Card>
  );
}
