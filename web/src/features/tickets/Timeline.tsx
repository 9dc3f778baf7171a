import { Anchor, Badge, Group, Loader, Paper, Text, Timeline } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import type pt from "../../i18n/pt-BR.json";
import { useFormat } from "../../shell/format";
import { ProblemAlert } from "../../shell/problem";
import { AttachmentLine, useAttachments } from "./AttachmentsPanel";
import type consolePt from "./i18n/pt-BR.json";
import { type Severity, type Status, staffUsers, staffView, type Ticket, type Tier } from "./model";

type Field = keyof typeof pt.tickets.fields;

/** A history value in the reader's words: labels for statuses, severities, tiers and types, names for assignees. */
function useHistoryWords() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const assignees = useQuery({
    queryKey: ["users", "staff"],
    queryFn: ({ signal }) => staffUsers(signal),
    enabled: isStaff(user.role),
  });
  const fieldName = (field: string) => t(`tickets.fields.${field as Field}`, { defaultValue: field });
  const value = (field: string, raw: string | null) => {
    if (raw === null || raw === "") return "—";
    switch (field) {
      case "status":
        return t(`tickets.statuses.${raw as Status}`, { defaultValue: raw });
      case "severity":
        return t(`tickets.severities.${raw as Severity}`, { defaultValue: raw });
      case "tier":
        return t(`tickets.tiers.${raw as Tier}`, { defaultValue: raw });
      case "type":
        return t(`tickets.types.${raw as "bug"}`, { defaultValue: raw });
      case "assigneeId":
        return assignees.data?.find((u) => u.id === raw)?.name ?? t("ticketConsole.someone");
      case "tags":
        return tagList(raw);
      case "mergedInto":
        return <TicketNumber id={raw} />;
      default:
        return raw;
    }
  };
  return { fieldName, value };
}

/** Another ticket named by its number, linked; the id until it loads. */
function TicketNumber({ id }: { id: string }) {
  const ticket = useQuery({
    queryKey: ["tickets", id],
    queryFn: async ({ signal }) =>
      staffView(unwrap(await api.GET("/api/v1/tickets/{id}", { params: { path: { id } }, signal }))),
  });
  return (
    <Anchor component={Link} to={`/tickets/${id}`} inherit>
      {ticket.data ? `#${ticket.data.number}` : id}
    </Anchor>
  );
}

/** Tags are stored as a JSON array; anything else is shown as stored. */
function tagList(raw: string): string {
  try {
    const tags: unknown = JSON.parse(raw);
    return Array.isArray(tags) ? tags.join(", ") || "—" : raw;
  } catch {
    return raw;
  }
}

type SlaKind = keyof typeof pt.tickets.sla.kinds;
type SlaMark = keyof typeof consolePt.slaMarks;

/** One timeline of the ticket: messages with their authors' names, notes, field changes by whom, and SLA events. */
export function TicketTimeline({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { fieldName, value } = useHistoryWords();
  const attachments = useAttachments(ticket.id);
  const timeline = useQuery({
    queryKey: ["tickets", ticket.id, "timeline"],
    queryFn: async ({ signal }) =>
      staffView(
        unwrap(await api.GET("/api/v1/tickets/{id}/timeline", { params: { path: { id: ticket.id } }, signal })),
      ),
  });
  if (timeline.isPending) return <Loader aria-label={t("common.loading")} />;
  if (timeline.isError) return <ProblemAlert error={timeline.error} />;
  const entries = [
    ...timeline.data.messages.map((m) => ({ kind: "message" as const, at: m.createdAt, id: m.id, message: m })),
    ...timeline.data.history.map((h) => ({ kind: "change" as const, at: h.at, id: h.id, change: h })),
    ...timeline.data.sla
      .filter((s) => s.kind !== "started")
      .map((s) => ({ kind: "sla" as const, at: s.at, id: s.id, sla: s })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const author = (m: (typeof timeline.data.messages)[number]) =>
    m.authorName ?? t(`tickets.authorKinds.${m.authorKind as "agent"}`, { defaultValue: m.authorKind });
  const person = (label: string | null | undefined, field: string, raw: string | null) =>
    label !== undefined ? (label ?? "—") : value(field, raw);
  return (
    <Timeline bulletSize={14} lineWidth={2} active={entries.length} data-testid="timeline">
      <Timeline.Item title={t("tickets.opened")}>
        <Text size="xs" c="dimmed">
          {format.dateTime(ticket.createdAt)} · {ticket.requester.name}
        </Text>
        <Paper withBorder p="sm" mt={4} style={{ whiteSpace: "pre-wrap" }}>
          {ticket.description}
        </Paper>
      </Timeline.Item>
      {entries.map((e) =>
        e.kind === "message" ? (
          <Timeline.Item
            key={e.id}
            color={e.message.visibility === "internal" ? "yellow" : "blue"}
            title={
              <Group gap="xs">
                <Text fw={600} size="sm" data-testid="message-author">
                  {author(e.message)}
                </Text>
                {e.message.authorKind === "customer" && (
                  <Badge size="xs" variant="outline" color="gray">
                    {t("tickets.authorKinds.customer")}
                  </Badge>
                )}
                {e.message.visibility === "internal" && (
                  <Badge size="xs" color="yellow">
                    {t("tickets.visibilities.internal")}
                  </Badge>
                )}
                {e.message.kind === "phone_call" && (
                  <Badge size="xs" color="grape">
                    {t("tickets.phoneCallBadge")}
                  </Badge>
                )}
              </Group>
            }
            data-testid="timeline-message"
          >
            <Text size="xs" c="dimmed">
              {format.dateTime(e.at)}
            </Text>
            <Paper withBorder p="sm" mt={4} style={{ whiteSpace: "pre-wrap" }}>
              {e.message.body}
            </Paper>
            {attachments.data
              ?.filter((a) => a.messageId === e.message.id)
              .map((a) => (
                <AttachmentLine key={a.id} ticketId={ticket.id} attachment={a} />
              ))}
          </Timeline.Item>
        ) : e.kind === "change" ? (
          <Timeline.Item
            key={e.id}
            color="gray"
            title={
              <Text size="sm">
                {e.change.actorName
                  ? t("ticketConsole.changedBy", { field: fieldName(e.change.field), name: e.change.actorName })
                  : t("tickets.changed", { field: fieldName(e.change.field) })}
              </Text>
            }
            data-testid="timeline-change"
          >
            <Text size="xs" c="dimmed">
              {format.dateTime(e.at)} · {person(e.change.beforeLabel, e.change.field, e.change.before)} →{" "}
              {person(e.change.afterLabel, e.change.field, e.change.after)}
            </Text>
          </Timeline.Item>
        ) : (
          <Timeline.Item
            key={e.id}
            color={e.sla.kind === "breached" ? "red" : e.sla.kind === "warning" ? "orange" : "teal"}
            title={
              <Text size="sm">
                {t(`ticketConsole.slaMarks.${e.sla.kind as SlaMark}`, {
                  defaultValue: e.sla.kind,
                  clock: t(`tickets.sla.kinds.${e.sla.clock as SlaKind}`, { defaultValue: e.sla.clock }),
                })}
                {e.sla.tier ? ` (${e.sla.tier})` : ""}
              </Text>
            }
            data-testid="timeline-sla"
          >
            <Text size="xs" c="dimmed">
              {format.dateTime(e.at)}
            </Text>
          </Timeline.Item>
        ),
      )}
    </Timeline>
  );
}
