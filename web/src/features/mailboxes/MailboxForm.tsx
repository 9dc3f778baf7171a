import { Button, Group, NumberInput, PasswordInput, Select, Stack, Switch, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { TeamPicker } from "../../shell/pickers";
import { fieldErrors } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import type { Mailbox } from "./model";

/** Creates or edits a mailbox; IMAP settings are optional, and a password left empty on an edit is kept. */
export function MailboxForm({ mailbox, onDone }: { mailbox?: Mailbox; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [address, setAddress] = useState(mailbox?.address ?? "");
  const [organizationId, setOrganizationId] = useState<string | null>(mailbox?.organizationId ?? null);
  const [team, setTeam] = useState(mailbox?.team ?? "");
  const [enabled, setEnabled] = useState(mailbox?.enabled ?? true);
  const [polled, setPolled] = useState(Boolean(mailbox?.imap));
  const [host, setHost] = useState(mailbox?.imap?.host ?? "");
  const [port, setPort] = useState<number>(mailbox?.imap?.port ?? 993);
  const [tls, setTls] = useState(mailbox?.imap?.tls ?? true);
  const [user, setUser] = useState(mailbox?.imap?.user ?? "");
  const [password, setPassword] = useState("");
  const [folder, setFolder] = useState(mailbox?.imap?.folder ?? "INBOX");
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const save = useMutation({
    mutationFn: async () => {
      const imap = polled ? { host, port, tls, user, folder, ...(password ? { password } : {}) } : null;
      const body = { address, organizationId, team: team.trim() || null, enabled, imap };
      if (mailbox)
        return unwrap(await api.PATCH("/api/v1/mailboxes/{id}", { params: { path: { id: mailbox.id } }, body }));
      return unwrap(await api.POST("/api/v1/mailboxes", { body }));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["mailboxes"] });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const shown = ["/address", "/organizationId", "/team", "/imap/host", "/imap/port", "/imap/user", "/imap/password"];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ActionAlert error={save.error} shown={shown} />
        <TextInput
          label={t("mailboxes.address")}
          description={t("mailboxes.addressHint")}
          required
          type="email"
          value={address}
          error={errors["/address"]}
          onChange={(e) => setAddress(e.currentTarget.value)}
          data-autofocus
        />
        <Select
          label={t("mailboxes.organization")}
          description={t("mailboxes.organizationHint")}
          placeholder={t("mailboxes.bySender")}
          clearable
          searchable
          data={(organizations.data ?? [])
            .filter((o) => o.kind === "customer")
            .map((o) => ({ value: o.id, label: o.name }))}
          value={organizationId}
          error={errors["/organizationId"]}
          onChange={setOrganizationId}
        />
        <TeamPicker label={t("mailboxes.team")} value={team} error={errors["/team"]} onChange={setTeam} />
        <Switch
          label={t("mailboxes.enabled")}
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
        />
        <Switch label={t("mailboxes.imap")} checked={polled} onChange={(e) => setPolled(e.currentTarget.checked)} />
        {polled && (
          <>
            <Group grow>
              <TextInput
                label={t("mailboxes.host")}
                required
                value={host}
                error={errors["/imap/host"]}
                onChange={(e) => setHost(e.currentTarget.value)}
              />
              <NumberInput
                label={t("mailboxes.port")}
                required
                min={1}
                max={65535}
                value={port}
                error={errors["/imap/port"]}
                onChange={(v) => setPort(Number(v) || 993)}
              />
            </Group>
            <Switch label={t("mailboxes.tls")} checked={tls} onChange={(e) => setTls(e.currentTarget.checked)} />
            <TextInput
              label={t("mailboxes.user")}
              required
              value={user}
              error={errors["/imap/user"]}
              onChange={(e) => setUser(e.currentTarget.value)}
            />
            <PasswordInput
              label={t("mailboxes.password")}
              description={mailbox?.imap?.passwordSet ? t("mailboxes.passwordKept") : t("mailboxes.passwordSealed")}
              required={!mailbox?.imap?.passwordSet}
              value={password}
              error={errors["/imap/password"]}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="new-password"
            />
            <TextInput
              label={t("mailboxes.folder")}
              value={folder}
              onChange={(e) => setFolder(e.currentTarget.value)}
            />
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {mailbox ? t("common.save") : t("mailboxes.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
