import { Button, Card, FileInput, Group, Radio, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { PageHeader } from "../../shell/PageHeader";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { PortalSuggestions, usePortalDeflection } from "../kb/suggestions";
import { severityColor, ticketTypes } from "../tickets/model";
import { fileToBase64 } from "./files";
import type { Guide } from "./model";

type Severity = "critical" | "high" | "medium" | "low";

/** "30 min", "4 h", "1 dia útil": a plan duration in words. */
export function usePlanDuration() {
  const { t } = useTranslation();
  return (d: { value: number; unit: string }) =>
    t(`portal.duration.${d.unit as "hours"}`, { count: d.value, defaultValue: `${d.value} ${d.unit}` });
}

function SeverityGuide({
  guide,
  value,
  onChange,
}: {
  guide: Guide | undefined;
  value: Severity | null;
  onChange: (v: Severity) => void;
}) {
  const { t } = useTranslation();
  const duration = usePlanDuration();
  return (
    <Radio.Group
      label={t("portal.new.severity")}
      description={t("portal.new.severityHelp")}
      value={value}
      onChange={(v) => onChange(v as Severity)}
      required
    >
      <Stack gap="xs" mt="xs">
        {(guide?.severities ?? []).map((s) => (
          <Card
            key={s.id}
            withBorder
            padding="xs"
            radius="md"
            style={{ borderLeft: `4px solid var(--mantine-color-${severityColor[s.id] ?? "gray"}-6)` }}
          >
            <Radio
              value={s.id}
              data-testid={`severity-${s.id}`}
              label={
                <Text fw={600} size="sm">
                  {t(`tickets.severities.${s.id as Severity}`)}
                </Text>
              }
              description={
                <>
                  <Text size="sm" component="span">
                    {s.description}
                  </Text>
                  <br />
                  <Text size="xs" c="dimmed" component="span">
                    {t("portal.new.promise", {
                      response: duration(s.response),
                      resolution: duration(s.resolution),
                      calendar: s.alwaysOpen ? t("portal.new.alwaysOpen") : s.calendarName,
                    })}
                  </Text>
                </>
              }
            />
          </Card>
        ))}
      </Stack>
    </Radio.Group>
  );
}

/** Opening a ticket: the type, the severity chosen with the plan's definitions, the description and files. */
export function PortalNewTicketPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [subject, setSubject] = useState("");
  const [description, setDescription] = useState("");
  const [type, setType] = useState<string>(ticketTypes[0]);
  const [severity, setSeverity] = useState<Severity | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const deflection = usePortalDeflection();
  const guide = useQuery({
    queryKey: ["portal", "guide"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/portal/guide", { signal })),
    staleTime: 60_000,
  });
  const create = useMutation({
    mutationFn: async () => {
      const ticket = unwrap(
        await api.POST("/api/v1/portal/tickets", {
          body: { subject, description, type, severity: severity ?? ("" as Severity) },
        }),
      );
      for (const file of files) {
        unwrap(
          await api.POST("/api/v1/portal/tickets/{number}/attachments", {
            params: { path: { number: ticket.number } },
            body: { filename: file.name, data: await fileToBase64(file) },
          }),
        );
      }
      return ticket;
    },
    onSuccess: (ticket) => {
      deflection.submitted(ticket.number);
      void client.invalidateQueries({ queryKey: ["portal", "tickets"] });
      void navigate(`/portal/tickets/${ticket.number}`);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <>
      <PageHeader title={t("portal.newTicket")} subtitle={t("portal.new.subtitle")} />
      <form onSubmit={submit} noValidate style={{ maxWidth: 760 }}>
        <Stack gap="md">
          <ProblemAlert error={create.error} />
          <Select
            label={t("tickets.type")}
            allowDeselect={false}
            data={ticketTypes.map((v) => ({ value: v, label: t(`tickets.types.${v}`) }))}
            value={type}
            error={errors["/type"]}
            onChange={(v) => v && setType(v)}
          />
          <SeverityGuide guide={guide.data} value={severity} onChange={setSeverity} />
          {errors["/severity"] && (
            <Text c="red" size="sm">
              {t("portal.new.pickSeverity")}
            </Text>
          )}
          <TextInput
            label={t("tickets.subject")}
            required
            value={subject}
            error={errors["/subject"]}
            onChange={(e) => setSubject(e.currentTarget.value)}
          />
          <PortalSuggestions subject={subject} deflection={deflection} onSolved={() => void navigate("/portal")} />
          <Textarea
            label={t("tickets.description")}
            description={t("portal.new.describeHelp")}
            required
            autosize
            minRows={5}
            value={description}
            error={errors["/description"]}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <FileInput
            label={t("portal.new.attachments")}
            placeholder={t("portal.new.attachmentsHint")}
            multiple
            clearable
            value={files}
            onChange={setFiles}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => void navigate("/portal")}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t("portal.new.submit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}
