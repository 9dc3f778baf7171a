import { Alert, Anchor, Badge, Button, Card, Drawer, Group, Loader, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiProblem, api, unwrap } from "../../api/client";
import { ArticleBody } from "./article-body";

/** Suggestions wait this long after the last keystroke. */
const DEBOUNCE_MS = 250;

export function useDebounced<T>(value: T, ms = DEBOUNCE_MS): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export type Suggestion = { id: string; title: string; snippet: string; summary: string; purpose: string };

/** Articles for what is being typed, for the reader's audience (the server filters). */
export function useSuggestions(q: string) {
  const query = useDebounced(q.trim());
  return useQuery({
    queryKey: ["kb", "suggestions", query],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/suggestions", { params: { query: { q: query, limit: 5 } }, signal })).items,
    enabled: query.length >= 3,
    staleTime: 30_000,
    placeholderData: (previous) => previous,
  });
}

/** "Did this help?" under an article. */
export function FeedbackBox({ articleId }: { articleId: string }) {
  const { t } = useTranslation();
  const [helpful, setHelpful] = useState<boolean | null>(null);
  const [comment, setComment] = useState("");
  const send = useMutation({
    mutationFn: async (value: boolean) =>
      unwrap(
        await api.POST("/api/v1/kb/articles/{id}/feedback", {
          params: { path: { id: articleId } },
          body: { helpful: value, comment: comment.trim() || undefined },
        }),
      ),
  });
  if (send.isSuccess) return <Text size="sm">{t("kbMore.feedback.thanks")}</Text>;
  return (
    <Stack gap="xs" data-testid="kb-feedback">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          {t("kbMore.feedback.question")}
        </Text>
        <Button size="compact-sm" variant={helpful === true ? "filled" : "default"} onClick={() => setHelpful(true)}>
          {t("kbMore.feedback.yes")}
        </Button>
        <Button size="compact-sm" variant={helpful === false ? "filled" : "default"} onClick={() => setHelpful(false)}>
          {t("kbMore.feedback.no")}
        </Button>
      </Group>
      {helpful !== null && (
        <Group align="flex-end">
          <Textarea
            label={t("kbMore.feedback.comment")}
            value={comment}
            maxLength={2000}
            onChange={(e) => setComment(e.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button size="sm" loading={send.isPending} onClick={() => send.mutate(helpful)}>
            {t("kbMore.feedback.send")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** One article read in a drawer, over the page that suggested it (the form keeps what was typed). */
export function ArticleDrawer({
  articleId,
  onClose,
  footer,
}: {
  articleId: string | null;
  onClose: () => void;
  footer?: React.ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Drawer opened={articleId !== null} onClose={onClose} position="right" size="lg" title={null}>
      {articleId && (
        <Stack gap="md">
          <ArticleBody id={articleId} loading={<Loader aria-label={t("kbMore.suggestions.loading")} />} />
          <FeedbackBox articleId={articleId} />
          {footer}
        </Stack>
      )}
    </Drawer>
  );
}

/**
 * The new-ticket form's suggestions: the best articles for the subject being typed. What was shown and opened is
 * recorded when the customer leaves without opening the ticket (deflected), says an article solved it, or opens
 * the ticket anyway (`submitted(number)`).
 */
export function usePortalDeflection() {
  const session = useRef({ query: "", shown: new Set<string>(), opened: new Set<string>(), ended: false });
  const send = (outcome: "deflected" | "solved" | "submitted", ticketNumber?: number, keepalive = false) => {
    const s = session.current;
    if (s.ended || !s.shown.size) return;
    s.ended = true;
    void api
      .POST("/api/v1/kb/deflections", {
        body: {
          query: s.query.slice(0, 500) || "-",
          shownArticleIds: [...s.shown].slice(0, 20),
          openedArticleIds: [...s.opened].slice(0, 20),
          outcome,
          ticketNumber,
        },
        // Leaving the page (closing the tab) must not cancel the record.
        keepalive,
      })
      .catch(() => undefined);
  };
  // The session lives as long as the page: `send` reads it through the ref.
  // biome-ignore lint/correctness/useExhaustiveDependencies: registered once, on mount
  useEffect(() => {
    const leave = () => send("deflected", undefined, true);
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      leave();
    };
  }, []);
  return {
    shown(query: string, ids: string[]) {
      session.current.query = query;
      for (const id of ids) session.current.shown.add(id);
    },
    opened(id: string) {
      session.current.opened.add(id);
    },
    solved: () => send("solved"),
    submitted: (ticketNumber: number) => send("submitted", ticketNumber),
  };
}

export function PortalSuggestions({
  subject,
  deflection,
  onSolved,
}: {
  subject: string;
  deflection: ReturnType<typeof usePortalDeflection>;
  onSolved: () => void;
}) {
  const { t } = useTranslation();
  const suggestions = useSuggestions(subject);
  const [reading, setReading] = useState<string | null>(null);
  const items = subject.trim().length >= 3 ? (suggestions.data ?? []) : [];
  useEffect(() => {
    if (items.length)
      deflection.shown(
        subject.trim(),
        items.map((i) => i.id),
      );
  }, [items, subject, deflection]);
  if (!items.length) return null;
  return (
    <Card withBorder padding="sm" radius="md" data-testid="kb-suggestions" aria-live="polite">
      <Text fw={600} size="sm">
        {t("kbMore.suggestions.title")}
      </Text>
      <Text size="xs" c="dimmed" mb="xs">
        {t("kbMore.suggestions.hint")}
      </Text>
      <Stack gap="xs">
        {items.map((s) => (
          <div key={s.id}>
            <Anchor
              component="button"
              type="button"
              fw={600}
              size="sm"
              data-testid="kb-suggestion"
              onClick={() => {
                deflection.opened(s.id);
                setReading(s.id);
              }}
            >
              {s.title}
            </Anchor>
            <Text size="xs" c="dimmed" lineClamp={2}>
              {s.summary || s.snippet}
            </Text>
          </div>
        ))}
      </Stack>
      <ArticleDrawer
        articleId={reading}
        onClose={() => setReading(null)}
        footer={
          <Group justify="space-between">
            <Button
              color="green"
              data-testid="kb-solved"
              onClick={() => {
                deflection.solved();
                setReading(null);
                onSolved();
              }}
            >
              {t("kbMore.suggestions.solved")}
            </Button>
            <Button variant="default" onClick={() => setReading(null)}>
              {t("kbMore.suggestions.stillNeed")}
            </Button>
          </Group>
        }
      />
    </Card>
  );
}

/**
 * The agent's side panel on a ticket: articles suggested for its text, each insertable into the reply (a link
 * and its summary, refused by the server when the requester may not read it); a resolved ticket can become a
 * problem/solution draft.
 */
export function AgentSuggestions({
  ticket,
  onInsert,
  canDraft,
}: {
  ticket: { id: string; status: string };
  onInsert: (markdown: string) => void;
  canDraft: boolean;
}) {
  const { t } = useTranslation();
  const [reading, setReading] = useState<string | null>(null);
  const suggestions = useQuery({
    queryKey: ["kb", "suggestions", "ticket", ticket.id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/suggestions", { params: { query: { ticketId: ticket.id, limit: 5 } }, signal }))
        .items,
    staleTime: 60_000,
  });
  const insert = useMutation({
    mutationFn: async (articleId: string) =>
      unwrap(
        await api.POST("/api/v1/kb/articles/{id}/reply", {
          params: { path: { id: articleId } },
          body: { ticketId: ticket.id },
        }),
      ),
    onSuccess: (r) => onInsert(r.markdown),
  });
  const draft = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/kb/drafts", { body: { sources: [{ type: "ticket", id: ticket.id }] } })),
  });
  const resolved = ticket.status === "resolved" || ticket.status === "closed";
  return (
    <Card withBorder padding="sm" radius="md" data-testid="kb-agent-suggestions">
      <Text fw={600} size="sm" mb="xs">
        {t("kbMore.suggestions.agentTitle")}
      </Text>
      {suggestions.isPending && <Loader size="sm" />}
      {suggestions.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          {t("kbMore.suggestions.none")}
        </Text>
      )}
      <Stack gap="xs">
        {suggestions.data?.map((s) => (
          <Stack key={s.id} gap={2} data-testid="kb-agent-suggestion">
            <Group gap="xs" wrap="nowrap" justify="space-between">
              <Anchor component="button" type="button" size="sm" fw={600} onClick={() => setReading(s.id)}>
                {s.title}
              </Anchor>
              <Badge size="xs" variant="light">
                {s.purpose}
              </Badge>
            </Group>
            <Button
              size="compact-xs"
              variant="light"
              data-testid="kb-insert"
              loading={insert.isPending && insert.variables === s.id}
              onClick={() => insert.mutate(s.id)}
            >
              {t("kbMore.suggestions.insert")}
            </Button>
          </Stack>
        ))}
      </Stack>
      {insert.isError && (
        <Alert color="red" mt="xs">
          {insert.error instanceof ApiProblem && insert.error.problem.status === 409
            ? t("kbMore.suggestions.notForRequester")
            : insert.error.message}
        </Alert>
      )}
      {insert.isSuccess && !insert.isError && (
        <Text size="xs" c="green" mt="xs">
          {t("kbMore.suggestions.inserted")}
        </Text>
      )}
      {canDraft && resolved && (
        <Stack gap={4} mt="sm">
          <Button size="xs" variant="default" loading={draft.isPending} onClick={() => draft.mutate()}>
            {t("kbMore.suggestions.draft")}
          </Button>
          <Text size="xs" c="dimmed">
            {t("kbMore.suggestions.draftHelp")}
          </Text>
          {draft.isSuccess && (
            <Text size="xs" c="green">
              {t("kbMore.suggestions.drafted", { title: draft.data.article.title })}
            </Text>
          )}
          {draft.isError && (
            <Text size="xs" c="red">
              {draft.error.message}
            </Text>
          )}
        </Stack>
      )}
      <ArticleDrawer articleId={reading} onClose={() => setReading(null)} />
    </Card>
  );
}
