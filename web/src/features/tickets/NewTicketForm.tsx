import { Button, Group, Select, Stack, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { severities, type Ticket, ticketTypes } from "./model";

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
  // Customers open tickets for their own organization, which the server fills in.
  const organizations = useQuery({
    queryKey: ["organizations", "choices"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/organizations", { params: { query: { limit: 200 } }, signal })).items,
    enabled: staff,
  });
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/tickets", {
          body: { subject, description, type, severity, ...(staff && organizationId ? { organizationId } : {}) },
        }),
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
            onChange={setOrganizationId}
          />
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
