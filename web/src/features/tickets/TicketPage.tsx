import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  FileInput,
  Grid,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff, tiers } from "../../auth/access";
import type pt from "../../i18n/pt-BR.json";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { followEvents } from "../events/eventStream";
import { ActionAlert } from "./ActionAlert";
import { AttachmentLine, AttachmentsPanel, takesAttachments, UploadProblem, useAttachments } from "./AttachmentsPanel";
import { LinksPanel } from "./LinksPanel";
import { MergeDialog, MergedBanner } from "./MergeDialog";
import {
  type Severity,
  type Status,
  severities,
  severityColor,
  staffUsers,
  statusColor,
  statuses,
  type Ticket,
  type Tier,
  uploadAttachment,
} from "./model";
import { SlaPanel } from "./SlaPanel";
import { WatchersPanel } from "./WatchersPanel";

type Patch = { status?: Status; severity?: Severity; assigneeId?: string | null };

function ReplyBox({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const staff = isStaff(user.role);
  const client = useQueryClient();
  const [body, setBody] = useState("");
  const [visibility, setVisibility] = useState<"public" | "internal">("public");
  const [phoneCall, setPhoneCall] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const merged = Boolean(ticket.mergedIntoId);
  const send = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/tickets/{id}/messages", {
          params: { path: { id: ticket.id } },
          body: {
            body,
            visibility: staff ? visibility : "public",
            ...(staff && phoneCall ? { kind: "phone_call" as const } : {}),
          },
        }),
      ),
    onSuccess: (message) => {
      setBody("");
      setPhoneCall(false);
      void client.invalidateQueries({ queryKey: ["tickets", ticket.id] });
      if (files.length > 0) attach.mutate(message.id);
    },
  });
  // The files go up once the message exists, each on it; the message stays sent if one is refused.
  const attach = useMutation({
    mutationFn: async (messageId: string) => {
      for (const file of files) await uploadAttachment(ticket.id, file, messageId);
    },
    onSettled: () => void client.invalidateQueries({ queryKey: ["tickets", ticket.id] }),
    onSuccess: () => setFiles([]),
  });
  if (!can("tickets", "write")) return null;
  const errors = fieldErrors(send.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  return (
    <Card withBorder padding="md" radius="md" component="form" onSubmit={submit} noValidate>
      <Stack gap="sm">
        {merged && (
          <Alert color="gray" data-testid="reply-closed">
            {t("tickets.merge.noReplies")}
          </Alert>
        )}
        <ActionAlert error={send.error} shown={["/body"]} conflict={t("tickets.replyRefused")} />
        <UploadProblem error={attach.error} />
        <Textarea
          label={t("tickets.reply")}
          autosize
          minRows={3}
          disabled={merged}
          value={body}
          error={errors["/body"]}
          onChange={(e) => setBody(e.currentTarget.value)}
        />
        {takesAttachments(ticket) && (
          <FileInput label={t("tickets.attachments.withReply")} multiple clearable value={files} onChange={setFiles} />
        )}
        <Group justify="space-between">
          {staff ? (
            <Group>
              <SegmentedControl
                size="xs"
                aria-label={t("tickets.visibility")}
                value={visibility}
                onChange={(v) => setVisibility(v as "public" | "internal")}
                data={[
                  { value: "public", label: t("tickets.visibilities.public") },
                  { value: "internal", label: t("tickets.visibilities.internal") },
                ]}
              />
              <Checkbox
                label={t("tickets.phoneCall")}
                checked={phoneCall}
                onChange={(e) => setPhoneCall(e.currentTarget.checked)}
              />
            </Group>
          ) : (
            <span />
          )}
          <Button type="submit" loading={send.isPending || attach.isPending} disabled={merged || !body.trim()}>
            {visibility === "internal" && staff ? t("tickets.addNote") : t("tickets.send")}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function Sidebar({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const staff = isStaff(user.role);
  const writable = can("tickets", "write");
  const client = useQueryClient();
  const assignees = useQuery({
    queryKey: ["users", "staff"],
    queryFn: ({ signal }) => staffUsers(signal),
    enabled: staff,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ["tickets"] });
  const update = useMutation({
    mutationFn: async (patch: Patch) =>
      unwrap(await api.PATCH("/api/v1/tickets/{id}", { params: { path: { id: ticket.id } }, body: patch })),
    onSuccess: () => void refresh(),
  });
  const [tier, setTier] = useState<Tier | null>(null);
  const [reason, setReason] = useState("");
  const escalate = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/tickets/{id}/escalate", {
          params: { path: { id: ticket.id } },
          body: { tier: tier ?? "L2", reason },
        }),
      ),
    onSuccess: () => {
      setReason("");
      setTier(null);
      void refresh();
    },
  });
  const [merging, setMerging] = useState(false);
  // A merged ticket takes no more changes: the server refuses them, so the controls say so first.
  const canChange = writable && staff && !ticket.mergedIntoId;
  return (
    <Stack gap="md">
      <Card withBorder padding="md" radius="md">
        <Stack gap="sm">
          <ActionAlert error={update.error} />
          <Select
            label={t("tickets.status")}
            allowDeselect={false}
            disabled={!canChange || update.isPending}
            data={statuses.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) }))}
            value={ticket.status}
            onChange={(v) => v && v !== ticket.status && update.mutate({ status: v as Status })}
          />
          <Select
            label={t("tickets.severity")}
            allowDeselect={false}
            disabled={!canChange || update.isPending}
            data={severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) }))}
            value={ticket.severity}
            onChange={(v) => v && v !== ticket.severity && update.mutate({ severity: v as Severity })}
          />
          {staff && (
            <Select
              label={t("tickets.assignee")}
              clearable
              searchable
              disabled={!canChange || update.isPending}
              placeholder={t("tickets.unassigned")}
              data={(assignees.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
              value={ticket.assigneeId}
              onChange={(v) => v !== ticket.assigneeId && update.mutate({ assigneeId: v })}
            />
          )}
          {canChange && (
            <Button variant="default" onClick={() => setMerging(true)}>
              {t("tickets.merge.open")}
            </Button>
          )}
        </Stack>
      </Card>
      {canChange && <MergeDialog ticket={ticket} opened={merging} onClose={() => setMerging(false)} />}
      {canChange && (
        <Card
          withBorder
          padding="md"
          radius="md"
          component="form"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            escalate.mutate();
          }}
        >
          <Stack gap="sm">
            <Title order={3} size="h5">
              {t("tickets.escalate")}
            </Title>
            <ActionAlert error={escalate.error} />
            <Select
              label={t("tickets.toTier")}
              data={tiers.filter((x) => x !== ticket.tier)}
              value={tier}
              onChange={(v) => setTier(v as Tier | null)}
            />
            <TextInput label={t("tickets.reason")} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
            <Button
              type="submit"
              variant="light"
              color="orange"
              loading={escalate.isPending}
              disabled={!tier || !reason.trim()}
            >
              {t("tickets.escalate")}
            </Button>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

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
        return assignees.data?.find((u) => u.id === raw)?.name ?? raw;
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
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/tickets/{id}", { params: { path: { id } }, signal })),
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

function TicketTimeline({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { fieldName, value } = useHistoryWords();
  const attachments = useAttachments(ticket.id);
  const timeline = useQuery({
    queryKey: ["tickets", ticket.id, "timeline"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/tickets/{id}/timeline", { params: { path: { id: ticket.id } }, signal })),
  });
  if (timeline.isPending) return <Loader aria-label={t("common.loading")} />;
  if (timeline.isError) return <ProblemAlert error={timeline.error} />;
  const entries = [
    ...timeline.data.messages.map((m) => ({ kind: "message" as const, at: m.createdAt, id: m.id, message: m })),
    ...timeline.data.history.map((h) => ({ kind: "change" as const, at: h.at, id: h.id, change: h })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Timeline bulletSize={14} lineWidth={2} active={entries.length}>
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
                <Text fw={600} size="sm">
                  {t(`tickets.authorKinds.${e.message.authorKind as "agent"}`, { defaultValue: e.message.authorKind })}
                </Text>
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
        ) : (
          <Timeline.Item
            key={e.id}
            color="gray"
            title={<Text size="sm">{t("tickets.changed", { field: fieldName(e.change.field) })}</Text>}
            data-testid="timeline-change"
          >
            <Text size="xs" c="dimmed">
              {format.dateTime(e.at)} · {value(e.change.field, e.change.before)} →{" "}
              {value(e.change.field, e.change.after)}
            </Text>
          </Timeline.Item>
        ),
      )}
    </Timeline>
  );
}

export function TicketPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { can } = useAuth();
  const client = useQueryClient();
  const ticket = useQuery({
    queryKey: ["tickets", id],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/tickets/{id}", { params: { path: { id } }, signal })),
  });
  const live = can("events", "read");
  // Changes made elsewhere (another agent, the customer, an SLA breach) refresh the ticket, its timeline and SLA.
  useEffect(() => {
    if (!live) return;
    return followEvents("/api/v1/events", {
      onEvent: (event) => {
        if (event.subjectId === id) void client.invalidateQueries({ queryKey: ["tickets", id] });
      },
      onState: () => {},
    });
  }, [client, id, live]);
  if (ticket.isPending) return <Loader aria-label={t("common.loading")} />;
  if (ticket.isError) return <ProblemAlert error={ticket.error} />;
  const tk = ticket.data;
  return (
    <>
      <PageHeader title={`#${tk.number} ${tk.subject}`} subtitle={tk.requester.name}>
        <Group gap="xs">
          <Badge color={statusColor[tk.status] ?? "gray"} variant="light">
            {t(`tickets.statuses.${tk.status as Status}`, { defaultValue: tk.status })}
          </Badge>
          <Badge color={severityColor[tk.severity] ?? "gray"}>
            {t(`tickets.severities.${tk.severity as Severity}`, { defaultValue: tk.severity })}
          </Badge>
          <Badge variant="outline">{t(`tickets.tiers.${tk.tier as Tier}`, { defaultValue: tk.tier })}</Badge>
          <Badge variant="outline" color="gray">
            {t(`tickets.types.${tk.type as "bug"}`, { defaultValue: tk.type })}
          </Badge>
        </Group>
      </PageHeader>
      {/* Keyed by ticket: following a link to another ticket starts its forms afresh. */}
      <Grid key={tk.id}>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            <MergedBanner ticket={tk} />
            <TicketTimeline ticket={tk} />
            <ReplyBox ticket={tk} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <SlaPanel ticketId={tk.id} updatedAt={tk.updatedAt} />
            <Sidebar ticket={tk} />
            <LinksPanel ticket={tk} />
            <WatchersPanel ticket={tk} />
            <AttachmentsPanel ticket={tk} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
