import { Button, Group, Select, Stack, Switch, TagsInput, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { fieldErrors } from "../../shell/problem";
import { ActionAlert } from "../tickets/ActionAlert";
import { eventTypeSuggestions, type Webhook, type WebhookWithSecret } from "./model";

/** Field errors of the event type list land on the list, whichever entry they name (`/eventTypes/2`). */
function eventTypesError(errors: Record<string, string>): string | undefined {
  const entry = Object.entries(errors).find(([pointer]) => pointer.startsWith("/eventTypes"));
  if (!entry) return undefined;
  const index = /^\/eventTypes\/(\d+)/.exec(entry[0])?.[1];
  return index === undefined ? entry[1] : `#${Number(index) + 1}: ${entry[1]}`;
}

/** Creates a webhook (then hands its one-time secret to `onCreated`) or edits one. */
export function WebhookForm({
  webhook,
  onDone,
  onCreated,
}: {
  webhook?: Webhook;
  onDone: () => void;
  onCreated?: (created: WebhookWithSecret) => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [name, setName] = useState(webhook?.name ?? "");
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [eventTypes, setEventTypes] = useState<string[]>(webhook?.eventTypes ?? ["ticket.*"]);
  const [organizationId, setOrganizationId] = useState<string | null>(webhook?.organizationId ?? null);
  const [enabled, setEnabled] = useState(webhook?.enabled ?? true);
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
  });
  const save = useMutation({
    mutationFn: async (): Promise<WebhookWithSecret | null> => {
      const body = { name, url, eventTypes, organizationId, enabled };
      if (webhook) {
        unwrap(await api.PATCH("/api/v1/webhooks/{id}", { params: { path: { id: webhook.id } }, body }));
        return null;
      }
      return unwrap(await api.POST("/api/v1/webhooks", { body }));
    },
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: ["webhooks"] });
      if (created) onCreated?.(created);
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const shown = [
    "/name",
    "/url",
    "/organizationId",
    "/enabled",
    ...Object.keys(errors).filter((p) => p.startsWith("/eventTypes")),
  ];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ActionAlert error={save.error} shown={shown} />
        <TextInput
          label={t("webhooks.name")}
          required
          value={name}
          error={errors["/name"]}
          onChange={(e) => setName(e.currentTarget.value)}
          data-autofocus
        />
        <TextInput
          label={t("webhooks.url")}
          description={t("webhooks.urlHint")}
          required
          type="url"
          value={url}
          error={errors["/url"]}
          onChange={(e) => setUrl(e.currentTarget.value)}
        />
        <TagsInput
          label={t("webhooks.eventTypes")}
          description={t("webhooks.eventTypesHint")}
          required
          data={eventTypeSuggestions}
          value={eventTypes}
          error={eventTypesError(errors)}
          onChange={setEventTypes}
          clearable
        />
        <Select
          label={t("webhooks.organization")}
          placeholder={t("webhooks.allOrganizations")}
          clearable
          searchable
          data={(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
          value={organizationId}
          error={errors["/organizationId"]}
          onChange={setOrganizationId}
        />
        <Switch label={t("webhooks.enabled")} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {webhook ? t("common.save") : t("webhooks.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
