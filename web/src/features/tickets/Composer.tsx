import {
  Alert,
  Anchor,
  Button,
  Card,
  Checkbox,
  FileInput,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Textarea,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, type Ref, useEffect, useImperativeHandle, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff } from "../../auth/access";
import { fieldErrors } from "../../shell/problem";
import { ActionAlert } from "./ActionAlert";
import { takesAttachments, UploadProblem } from "./AttachmentsPanel";
import { staffUsers, staffView, type Ticket, uploadAttachment } from "./model";

export interface ComposerHandle {
  /** Puts the cursor in the box, as a public reply or an internal note (the R and N shortcuts). */
  focus(visibility: "public" | "internal"): void;
  send(): void;
  /** Adds text at the end of the reply (a knowledge-base article's link and summary), as a public reply. */
  insert(text: string): void;
}

/**
 * The reply box: public reply, internal note or logged call; canned responses with their placeholders filled
 * by the server; @mentions that notify the named staff; files dropped on it go up with the message. It stays
 * in view at the bottom of the page while the timeline scrolls.
 */
export function Composer({
  ticket,
  ref,
  onTyping,
}: {
  ticket: Ticket;
  ref?: Ref<ComposerHandle>;
  onTyping?: (typing: boolean) => void;
}) {
  const { t } = useTranslation();
  const { user, can } = useAuth();
  const staff = isStaff(user.role);
  const client = useQueryClient();
  const [body, setBody] = useState("");
  const [visibility, setVisibility] = useState<"public" | "internal">("public");
  const [phoneCall, setPhoneCall] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [mentions, setMentions] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const merged = Boolean(ticket.mergedIntoId);
  const people = useQuery({
    queryKey: ["users", "staff"],
    queryFn: ({ signal }) => staffUsers(signal),
    enabled: staff,
  });
  const canned = useQuery({
    queryKey: ["canned-responses"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/canned-responses", { params: { query: { limit: 200 } }, signal })).items,
    enabled: staff,
  });
  useEffect(() => onTyping?.(body.trim().length > 0), [body, onTyping]);

  // Whoever is picked, and anyone whose "@Name" was typed by hand, is notified.
  const named = [
    ...new Set([
      ...mentions,
      ...(people.data ?? []).filter((u) => u.id !== user.id && body.includes(`@${u.name}`)).map((u) => u.id),
    ]),
  ];
  const send = useMutation({
    mutationFn: async () =>
      staffView(
        unwrap(
          await api.POST("/api/v1/tickets/{id}/messages", {
            params: { path: { id: ticket.id } },
            body: {
              body,
              visibility: staff ? visibility : "public",
              ...(staff && phoneCall ? { kind: "phone_call" as const } : {}),
              ...(staff && named.length ? { mentions: named } : {}),
            },
          }),
        ),
      ),
    onSuccess: (message) => {
      setBody("");
      setPhoneCall(false);
      setMentions([]);
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
  const insertCanned = useMutation({
    mutationFn: async (id: string) =>
      unwrap(
        await api.POST("/api/v1/canned-responses/{id}/render", {
          params: { path: { id } },
          body: { ticketId: ticket.id },
        }),
      ),
    onSuccess: (r) => {
      setBody((b) => (b.trim() ? `${b.trimEnd()}\n\n${r.body}` : r.body));
      area.current?.focus();
    },
  });
  const submit = () => {
    if (!merged && body.trim() && !send.isPending) send.mutate();
  };
  useImperativeHandle(ref, () => ({
    focus(v) {
      if (staff) setVisibility(v);
      area.current?.focus();
      area.current?.scrollIntoView({ block: "nearest" });
    },
    send: submit,
    insert(text) {
      if (staff) setVisibility("public");
      setBody((b) => (b.trim() ? `${b.trimEnd()}\n\n${text}` : text));
      area.current?.focus();
    },
  }));
  if (!can("tickets", "write")) return null;
  const errors = fieldErrors(send.error);
  const accepts = takesAttachments(ticket);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (accepts && e.dataTransfer.files.length) setFiles((f) => [...f, ...Array.from(e.dataTransfer.files)]);
  };
  const mention = (ids: string[]) => {
    // Each newly picked person is named in the text too, so the note reads as it notifies.
    const added = ids.filter((id) => !mentions.includes(id));
    const names = added.map((id) => people.data?.find((u) => u.id === id)?.name).filter(Boolean);
    if (names.length) setBody((b) => `${b}${b && !b.endsWith(" ") ? " " : ""}${names.map((n) => `@${n}`).join(" ")} `);
    setMentions(ids);
  };
  return (
    <Card
      withBorder
      padding="sm"
      radius="md"
      component="form"
      noValidate
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        submit();
      }}
      onDragOver={(e: DragEvent) => {
        if (!accepts) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="composer"
      style={{
        position: "sticky",
        bottom: 0,
        zIndex: 2,
        boxShadow: "0 -4px 12px rgba(0,0,0,0.08)",
        outline: dragging ? "2px dashed var(--mantine-color-blue-5)" : undefined,
      }}
    >
      <Stack gap="xs">
        {merged && (
          <Alert color="gray" data-testid="reply-closed">
            {t("tickets.merge.noReplies")}
          </Alert>
        )}
        <ActionAlert error={send.error} shown={["/body", "/mentions"]} conflict={t("tickets.replyRefused")} />
        <UploadProblem error={attach.error} />
        {staff && (
          <Group gap="xs" grow preventGrowOverflow={false} wrap="wrap">
            <Select
              size="xs"
              aria-label={t("ticketConsole.canned")}
              placeholder={t("ticketConsole.cannedPlaceholder")}
              searchable
              clearable
              value={null}
              disabled={merged}
              data={(canned.data ?? []).map((c) => ({ value: c.id, label: c.title }))}
              onChange={(id) => id && insertCanned.mutate(id)}
              data-testid="canned-select"
            />
            <MultiSelect
              size="xs"
              aria-label={t("ticketConsole.mention")}
              placeholder={mentions.length ? undefined : t("ticketConsole.mentionPlaceholder")}
              searchable
              clearable
              disabled={merged}
              value={mentions}
              error={errors["/mentions"]}
              data={(people.data ?? []).filter((u) => u.id !== user.id).map((u) => ({ value: u.id, label: u.name }))}
              onChange={mention}
              data-testid="mention-select"
            />
            <Anchor component={Link} to="/tickets/canned-responses" size="xs" style={{ flexGrow: 0 }}>
              {t("ticketConsole.manage")}
            </Anchor>
          </Group>
        )}
        <Textarea
          ref={area}
          aria-label={t("tickets.reply")}
          placeholder={dragging ? t("ticketConsole.dropFiles") : t("tickets.reply")}
          autosize
          minRows={2}
          maxRows={10}
          disabled={merged}
          value={body}
          error={errors["/body"]}
          onChange={(e) => setBody(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
          styles={visibility === "internal" && staff ? { input: { background: "var(--mantine-color-yellow-0)" } } : {}}
          data-testid="reply-body"
        />
        {accepts && (
          <FileInput
            size="xs"
            aria-label={t("tickets.attachments.withReply")}
            placeholder={t("ticketConsole.dropFiles")}
            multiple
            clearable
            value={files}
            onChange={setFiles}
            data-testid="reply-files"
          />
        )}
        <Group justify="space-between" gap="xs">
          {staff ? (
            <Group gap="xs">
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
                size="xs"
                label={t("tickets.phoneCall")}
                checked={phoneCall}
                onChange={(e) => setPhoneCall(e.currentTarget.checked)}
              />
            </Group>
          ) : (
            <span />
          )}
          <Button
            type="submit"
            size="sm"
            loading={send.isPending || attach.isPending}
            disabled={merged || !body.trim()}
          >
            {visibility === "internal" && staff ? t("tickets.addNote") : t("tickets.send")}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
