import { Button, Group, NumberInput, PasswordInput, Stack, Switch, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { fieldErrors } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import { formatExtensions, type PbxConnection, parseExtensions } from "./model";

/** Creates or edits an AMI connection; a secret left empty on an edit is kept. */
export function PbxConnectionForm({ connection, onDone }: { connection?: PbxConnection; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [name, setName] = useState(connection?.name ?? "");
  const [host, setHost] = useState(connection?.host ?? "");
  const [port, setPort] = useState<number>(connection?.port ?? 5038);
  const [username, setUsername] = useState(connection?.username ?? "");
  const [secret, setSecret] = useState("");
  const [enabled, setEnabled] = useState(connection?.enabled ?? true);
  const [context, setContext] = useState(connection?.originateContext ?? "from-internal");
  const [extensions, setExtensions] = useState(formatExtensions(connection?.extensions ?? {}));
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        name,
        host,
        port,
        username,
        enabled,
        originateContext: context,
        extensions: parseExtensions(extensions),
      };
      if (connection)
        return unwrap(
          await api.PATCH("/api/v1/pbx-connections/{id}", {
            params: { path: { id: connection.id } },
            body: { ...body, ...(secret ? { secret } : {}) },
          }),
        );
      return unwrap(await api.POST("/api/v1/pbx-connections", { body: { ...body, secret } }));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["pbx-connections"] });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const extensionError = Object.entries(errors).find(([pointer]) => pointer.startsWith("/extensions"))?.[1];
  const shown = ["/name", "/host", "/port", "/username", "/secret", "/originateContext"];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ActionAlert error={save.error} shown={extensionError ? [...shown, "/extensions"] : shown} />
        <TextInput
          label={t("phone.name")}
          required
          value={name}
          error={errors["/name"]}
          onChange={(e) => setName(e.currentTarget.value)}
          data-autofocus
        />
        <Group grow align="flex-start">
          <TextInput
            label={t("phone.host")}
            required
            value={host}
            error={errors["/host"]}
            onChange={(e) => setHost(e.currentTarget.value)}
          />
          <NumberInput
            label={t("phone.port")}
            min={1}
            max={65535}
            value={port}
            error={errors["/port"]}
            onChange={(v) => setPort(Number(v) || 5038)}
          />
        </Group>
        <TextInput
          label={t("phone.username")}
          required
          value={username}
          error={errors["/username"]}
          onChange={(e) => setUsername(e.currentTarget.value)}
        />
        <PasswordInput
          label={t("phone.secret")}
          description={connection ? t("phone.secretKept") : undefined}
          required={!connection}
          value={secret}
          error={errors["/secret"]}
          onChange={(e) => setSecret(e.currentTarget.value)}
        />
        <TextInput
          label={t("phone.originateContext")}
          value={context}
          error={errors["/originateContext"]}
          onChange={(e) => setContext(e.currentTarget.value)}
        />
        <Textarea
          label={t("phone.extensions")}
          description={t("phone.extensionsHint")}
          autosize
          minRows={3}
          value={extensions}
          error={extensionError}
          onChange={(e) => setExtensions(e.currentTarget.value)}
        />
        <Switch label={t("phone.enabled")} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t("common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
