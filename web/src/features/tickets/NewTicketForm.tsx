import { Button, Group, Select, Stack, Textarea, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { channels } from "../../../../src/modules/tickets/model";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { severities, staffUsers, staffView, type Ticket, ticketTypes } from "./model";

type Severity = (typeof severities)[number];

export function NewTicketForm({ onCreated, onCancel }: { onCreated: (ticket: Ticket) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const client = useQueryClient();
  const staff = isStaff(user.role);
  const [subject, setSubject] = useState("");
  const [description, setDescription] = useState("");
  const [type, setType] = useState<string>(ticketTypes[0]);
  const [severity, setSeverity] = useState<Severity>("medium");
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [requesterId, setRequesterId] = useState<string | null>(null);
  const [contactSearch, setContactSearch] = useState("");
  const [contactQ] = useDebouncedValue(contactSearch.trim(), 250);
  const [channel, setChannel] = useState<string>("phone");
  const [assigneeId, setAssigneeId] = useState<string | null>(null);
  // The requester is a contact of the chosen organization, found by name or email.
  const contacts = useQuery({
    queryKey: ["users", "contacts", organizationId, contactQ],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/users", {
          params: { query: { organizationId: organizationId!, q: contactQ || undefined, limit: 20 } },
          signal,
        }),
      ).items,
    enabled: staff && Boolean(organizationId),
  });
  const assignees = useQuery({
    queryKey: ["users", "staff"],
    queryFn: ({ signal }) => staffUsers(signal),
    enabled: staff,
  });
  // Customers open tickets for their own organization, which the server fills in.
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
    enabled: staff,
  });
  const create = useMutation({
    mutationFn: async () =>
      staffView(
        unwrap(
          await api.POST("/api/v1/tickets", {
            body: {
              subject,
              description,
              type,
              severity,
              ...(staff && organizationId ? { organizationId } : {}),
              ...(staff && requesterId ? { requesterId } : {}),
              ...(staff ? { channel: channel as (typeof channels)[number] } : {}),
              ...(staff && assigneeId ? { assigneeId } : {}),
            },
          }),
        ),
      ),
    onSuccess: (ticket) => {
      void client.invalidateQueries({ queryKey: ["tickets"] });
      onCreated(ticket);
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
        {staff && (
          <Select
            label={t("tickets.organization")}
            required
            searchable
            data={(organizations.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={organizationId}
            error={errors["/organizationId"]}
            onChange={(v) => {
              setOrganizationId(v);
              setRequesterId(null);
            }}
          />
        )}
        {staff && (
          <Group grow align="flex-start">
            <Select
              label={t("tickets.requester")}
              description={t("queue.requesterHint")}
              searchable
              clearable
              disabled={!organizationId}
              searchValue={contactSearch}
              onSearchChange={setContactSearch}
              filter={({ options }) => options}
              nothingFoundMessage={t("queue.noContacts")}
              data={(contacts.data ?? []).map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` }))}
              value={requesterId}
              error={errors["/requesterId"]}
              onChange={setRequesterId}
              data-testid="requester-select"
            />
            <Select
              label={t("queue.channel")}
              allowDeselect={false}
              data={channels.map((v) => ({ value: v, label: t(`queue.channels.${v}`) }))}
              value={channel}
              error={errors["/channel"]}
              onChange={(v) => v && setChannel(v)}
            />
            <Select
              label={t("tickets.assignee")}
              description={t("queue.assigneeHint")}
              searchable
              clearable
              data={(assignees.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
              value={assigneeId}
              error={errors["/assigneeId"]}
              onChange={setAssigneeId}
            />
          </Group>
        )}
        <TextInput
          label={t("tickets.subject")}
          required
          value={subject}
          error={errors["/subject"]}
          onChange={(e) => setSubject(e.currentTarget.value)}
        />
        <Group grow align="flex-start">
          <Select
            label={t("tickets.type")}
            allowDeselect={false}
            data={ticketTypes.map((v) => ({ value: v, label: t(`tickets.types.${v}`) }))}
            value={type}
            error={errors["/type"]}
            onChange={(v) => v && setType(v)}
          />
          <Select
            label={t("tickets.severity")}
            allowDeselect={false}
            data={severities.map((v) => ({ value: v, label: t(`tickets.severities.${v}`) }))}
            value={severity}
            error={errors["/severity"]}
            onChange={(v) => v && setSeverity(v as Severity)}
          />
        </Group>
        <Textarea
          label={t("tickets.description")}
          required
          autosize
          minRows={5}
          value={description}
          error={errors["/description"]}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {t("tickets.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
