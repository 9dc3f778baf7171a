import { Alert, Anchor, Button, Card, FileButton, Group, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { ApiProblem, api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { useFormat } from "../../shell/format";
import { fieldErrors, ProblemAlert } from "../../shell/problem";
import { ActionAlert } from "./ActionAlert";
import { type Attachment, attachmentUrl, fileSize, staffView, type Ticket, uploadAttachment } from "./model";

/** The ticket's attachments, shared by the panel and the messages they were sent with. */
export function useAttachments(ticketId: string) {
  return useQuery({
    queryKey: ["tickets", ticketId, "attachments"],
    queryFn: async ({ signal }) =>
      staffView(
        unwrap(await api.GET("/api/v1/tickets/{id}/attachments", { params: { path: { id: ticketId } }, signal })),
      ).items,
  });
}

/** Whether the ticket still takes attachments (the server refuses them on closed or merged tickets). */
export const takesAttachments = (ticket: Ticket) => !ticket.mergedIntoId && ticket.status !== "closed";

/**
 * An upload's problem in the reader's words: a file over the size limit is refused with a field error on
 * `/data` (the server's message names the limit) or, far over it, before the body is read, with a 413.
 */
export function UploadProblem({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  if (error instanceof ApiProblem && error.problem.status === 413) {
    return (
      <Alert color="red" title={t("common.error")} role="alert">
        {t("tickets.attachments.tooLarge")}
      </Alert>
    );
  }
  const errors = fieldErrors(error);
  const data = errors["/data"];
  return (
    <>
      <ActionAlert error={error} shown={["/data"]} conflict={t("tickets.attachments.closed")} />
      {data && (
        <Alert color="red" title={t("tickets.attachments.refused")} role="alert" data-testid="upload-error">
          {t("tickets.attachments.fileField", { message: data })}
        </Alert>
      )}
    </>
  );
}

export function AttachmentLine({ ticketId, attachment }: { ticketId: string; attachment: Attachment }) {
  const { i18n } = useTranslation();
  const format = useFormat();
  return (
    <Group gap="xs" justify="space-between" wrap="nowrap" data-testid="attachment">
      <Stack gap={0} style={{ minWidth: 0 }}>
        <Anchor
          href={attachmentUrl(ticketId, attachment.id)}
          download={attachment.filename}
          size="sm"
          style={{ overflowWrap: "anywhere" }}
        >
          {attachment.filename}
        </Anchor>
        <Text size="xs" c="dimmed">
          {attachment.contentType} · {fileSize(attachment.size, i18n.language)} ·{" "}
          {format.dateTime(attachment.createdAt)}
        </Text>
      </Stack>
    </Group>
  );
}

export function AttachmentsPanel({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const client = useQueryClient();
  const attachments = useAttachments(ticket.id);
  // Cleared after each try, so choosing the same file again (after a refusal) uploads it again.
  const resetFile = useRef<() => void>(null);
  const upload = useMutation({
    mutationFn: (file: File) => uploadAttachment(ticket.id, file),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["tickets", ticket.id] }),
    onSettled: () => resetFile.current?.(),
  });
  const writable = can("tickets", "write") && takesAttachments(ticket);
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="ticket-attachments-title">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={3} size="h5" id="ticket-attachments-title">
            {t("tickets.attachments.title")}
          </Title>
          {writable && (
            <FileButton resetRef={resetFile} onChange={(file) => file && upload.mutate(file)}>
              {(props) => (
                <Button {...props} size="xs" variant="light" loading={upload.isPending}>
                  {t("tickets.attachments.upload")}
                </Button>
              )}
            </FileButton>
          )}
        </Group>
        <ProblemAlert error={attachments.error} />
        <UploadProblem error={upload.error} />
        {attachments.isSuccess && attachments.data.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("tickets.attachments.none")}
          </Text>
        )}
        {attachments.data?.map((a) => (
          <AttachmentLine key={a.id} ticketId={ticket.id} attachment={a} />
        ))}
      </Stack>
    </Card>
  );
}
