import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  FileInput,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiProblem, api, unwrap } from "../../api/client";
import { useFormat } from "../../shell/format";
import { NotFoundPage } from "../../shell/NotFoundPage";
import { ProblemAlert } from "../../shell/problem";
import { fileToBase64 } from "./files";
import { openStatuses, usePortalLiveUpdates } from "./model";
import { RatingForm, Stars } from "./RatingForm";
import { PromiseLine, TicketBadges } from "./TicketCards";

/** One ticket as its customer follows it: the promised times, the conversation, reply, close or reopen, rate. */
export function PortalTicketPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const number = Number(useParams().number);
  usePortalLiveUpdates(number);
  const [body, setBody] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const key = ["portal", "ticket", number];
  const detail = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/portal/tickets/{number}", { params: { path: { number } }, signal })),
    enabled: Number.isInteger(number) && number > 0,
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ["portal"] });
  const path = { params: { path: { number } } };
  const reply = useMutation({
    mutationFn: async () => {
      for (const file of files) {
        unwrap(
          await api.POST("/api/v1/portal/tickets/{number}/attachments", {
            ...path,
            body: { filename: file.name, data: await fileToBase64(file) },
          }),
        );
      }
      if (body.trim()) unwrap(await api.POST("/api/v1/portal/tickets/{number}/messages", { ...path, body: { body } }));
    },
    onSuccess: () => {
      setBody("");
      setFiles([]);
      refresh();
    },
  });
  const setStatus = useMutation({
    mutationFn: async (status: "open" | "resolved" | "closed") =>
      unwrap(await api.POST("/api/v1/portal/tickets/{number}/status", { ...path, body: { status } })),
    onSuccess: refresh,
  });
  const watch = useMutation({
    mutationFn: async (watching: boolean) =>
      unwrap(
        watching
          ? await api.PUT("/api/v1/portal/tickets/{number}/watch", path)
          : await api.DELETE("/api/v1/portal/tickets/{number}/watch", path),
      ),
    onSuccess: refresh,
  });
  const rate = useMutation({
    mutationFn: async (value: { rating: number; comment?: string }) =>
      unwrap(await api.POST("/api/v1/portal/tickets/{number}/rating", { ...path, body: value })),
    onSuccess: refresh,
  });

  if (detail.error instanceof ApiProblem && detail.error.problem.status === 404) return <NotFoundPage />;
  if (!detail.data) return detail.error ? <ProblemAlert error={detail.error} /> : <Loader />;
  const { ticket, messages, attachments, survey, watching, links } = detail.data;
  const open = openStatuses.includes(ticket.status);
  return (
    <Stack gap="md" maw={900}>
      <div>
        <Title order={2} style={{ overflowWrap: "anywhere" }}>
          #{ticket.number} {ticket.subject}
        </Title>
        <Group gap="xs" mt={4} wrap="wrap">
          <TicketBadges ticket={ticket} />
          <Text size="sm" c="dimmed">
            {t(`tickets.types.${ticket.type as "bug"}`, { defaultValue: ticket.type })} ·{" "}
            {t("portal.openedBy", { name: ticket.requesterName, at: format.dateTime(ticket.createdAt) })}
          </Text>
        </Group>
        <Group gap="xs" mt="xs" wrap="wrap">
          <Button
            size="xs"
            variant={watching ? "default" : "light"}
            loading={watch.isPending}
            onClick={() => watch.mutate(!watching)}
            data-testid="portal-watch"
          >
            {watching ? t("portal.ticket.unwatch") : t("portal.ticket.watch")}
          </Button>
          {watching && (
            <Text size="xs" c="dimmed">
              {t("portal.ticket.watching")}
            </Text>
          )}
        </Group>
        <ProblemAlert error={watch.error} />
      </div>

      <Card withBorder radius="md" padding="sm">
        <Text fw={600} size="sm" mb={4}>
          {t("portal.ticket.promises")}
        </Text>
        <PromiseLine label={t("portal.promise.firstResponse")} promise={ticket.sla.firstResponse} />
        <PromiseLine label={t("portal.promise.resolution")} promise={ticket.sla.resolution} />
      </Card>

      {links.length > 0 && (
        <Card withBorder radius="md" padding="sm" data-testid="portal-links">
          <Text fw={600} size="sm" mb={4}>
            {t("portal.ticket.related")}
          </Text>
          <Stack gap={2}>
            {links.map((l) => (
              <Text key={`${l.kind}-${l.number}`} size="sm">
                {t(`portal.ticket.links.${l.kind as "related"}`, { defaultValue: l.kind })}{" "}
                <Anchor component={Link} to={`/portal/tickets/${l.number}`}>
                  #{l.number} {l.subject}
                </Anchor>{" "}
                <Text span size="xs" c="dimmed">
                  ({t(`tickets.statuses.${l.status as "open"}`, { defaultValue: l.status })})
                </Text>
              </Text>
            ))}
          </Stack>
        </Card>
      )}

      {survey?.status === "pending" && (
        <Card withBorder radius="md" padding="md" data-testid="portal-rating">
          <Text fw={600} mb="xs">
            {t("portal.ticket.rateTitle")}
          </Text>
          <ProblemAlert error={rate.error} />
          <RatingForm pending={rate.isPending} onSubmit={(v) => rate.mutate(v)} />
        </Card>
      )}
      {survey?.status === "rated" && survey.rating !== null && (
        <Card withBorder radius="md" padding="sm" data-testid="portal-rated">
          <Text fw={600} size="sm">
            {t("portal.ticket.yourRating")}
          </Text>
          <Stars rating={survey.rating} />
          {survey.comment && <Text size="sm">“{survey.comment}”</Text>}
        </Card>
      )}

      <Paper withBorder radius="md" p="sm">
        <Text size="xs" c="dimmed">
          {t("tickets.description")}
        </Text>
        <Text style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{ticket.description}</Text>
      </Paper>

      <Stack gap="xs" aria-label={t("portal.ticket.conversation")} data-testid="conversation">
        {messages.map((m) => (
          <Paper
            key={`${m.createdAt}-${m.fromSupport}-${m.body.length}`}
            withBorder
            radius="md"
            p="sm"
            bg={m.fromSupport ? "var(--mantine-color-blue-light)" : undefined}
            data-testid="portal-message"
          >
            <Group justify="space-between" gap="xs" wrap="wrap">
              <Text size="sm" fw={600}>
                {m.fromSupport ? t("portal.ticket.support", { name: m.author }) : m.author}
                {m.kind === "phone_call" && (
                  <Badge size="xs" ml={6} variant="light">
                    {t("tickets.phoneCallBadge")}
                  </Badge>
                )}
              </Text>
              <Text size="xs" c="dimmed">
                {format.dateTime(m.createdAt)}
              </Text>
            </Group>
            <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {m.body}
            </Text>
          </Paper>
        ))}
        {!messages.length && (
          <Text c="dimmed" size="sm">
            {t("portal.ticket.noMessages")}
          </Text>
        )}
      </Stack>

      {attachments.length > 0 && (
        <Card withBorder radius="md" padding="sm">
          <Text fw={600} size="sm" mb={4}>
            {t("tickets.attachments.title")}
          </Text>
          {attachments.map((a) => (
            <Anchor
              key={a.id}
              display="block"
              size="sm"
              href={`/api/v1/portal/tickets/${ticket.number}/attachments/${a.id}`}
              download={a.filename}
            >
              {a.filename}
            </Anchor>
          ))}
        </Card>
      )}

      <ProblemAlert error={reply.error ?? setStatus.error} />
      {ticket.status !== "closed" ? (
        <Card withBorder radius="md" padding="sm">
          <Stack gap="xs">
            <Textarea
              label={t("portal.ticket.reply")}
              description={ticket.status === "resolved" ? t("portal.ticket.replyReopens") : undefined}
              autosize
              minRows={3}
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
            />
            <FileInput
              placeholder={t("portal.new.attachmentsHint")}
              multiple
              clearable
              value={files}
              onChange={setFiles}
              aria-label={t("portal.new.attachments")}
            />
            <Group justify="space-between" wrap="wrap">
              <Group gap="xs">
                {open && (
                  <Button
                    variant="light"
                    color="green"
                    onClick={() => setStatus.mutate("resolved")}
                    loading={setStatus.isPending}
                  >
                    {t("portal.ticket.markResolved")}
                  </Button>
                )}
                <Button variant="default" onClick={() => setStatus.mutate("closed")} loading={setStatus.isPending}>
                  {t("portal.ticket.close")}
                </Button>
                {ticket.status === "resolved" && (
                  <Button variant="default" onClick={() => setStatus.mutate("open")}>
                    {t("portal.ticket.reopen")}
                  </Button>
                )}
              </Group>
              <Button onClick={() => reply.mutate()} loading={reply.isPending} disabled={!body.trim() && !files.length}>
                {t("portal.ticket.send")}
              </Button>
            </Group>
          </Stack>
        </Card>
      ) : (
        <Alert color="gray">
          <Group justify="space-between" wrap="wrap">
            <Text size="sm">{t("portal.ticket.closed")}</Text>
            <Button variant="default" onClick={() => setStatus.mutate("open")} loading={setStatus.isPending}>
              {t("portal.ticket.reopen")}
            </Button>
          </Group>
        </Alert>
      )}
    </Stack>
  );
}
