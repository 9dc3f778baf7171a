import {
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  FileButton,
  Group,
  ScrollArea,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { type DomainEvent, followEvents, type StreamState } from "../events/eventStream";

type ChatEvent = Extract<DomainEvent, { type: "chat.event" }>["payload"];

interface Thread {
  events: ChatEvent[];
  typing: string | null;
}

const newClientId = () => crypto.randomUUID();

/**
 * The agents' chat console: the waiting and active conversations, several open side by side in tabs. Every change
 * arrives on the live event stream (which resumes from its last event after a drop); each conversation shows its
 * events strictly in cursor order, and a gap is filled from the API, so nothing shows twice or goes missing.
 */
export function ChatConsolePage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [open, setOpen] = useState<string[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [threads, setThreads] = useState<Record<string, Thread>>({});
  const [stream, setStream] = useState<StreamState>("connecting");
  const threadsRef = useRef(threads);
  threadsRef.current = threads;

  const conversations = useQuery({
    queryKey: ["chat", "conversations"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/chat/conversations", { params: { query: { limit: 200 } }, signal })).items,
  });

  const fill = useCallback(async (id: string) => {
    const after = threadsRef.current[id]?.events.at(-1)?.seq ?? 0;
    const { items } = unwrap(
      await api.GET("/api/v1/chat/conversations/{id}/events", { params: { path: { id }, query: { after } } }),
    );
    setThreads((all) => {
      const thread = all[id] ?? { events: [], typing: null };
      let events = thread.events;
      for (const e of items) if (e.seq === (events.at(-1)?.seq ?? 0) + 1) events = [...events, e];
      return { ...all, [id]: { ...thread, events } };
    });
  }, []);

  useEffect(
    () =>
      followEvents("/api/v1/events", {
        onState: (state) => {
          setStream(state);
          // Back from a drop: the stream replays from its last event, and each open thread checks for a gap.
          if (state === "connected") for (const id of Object.keys(threadsRef.current)) void fill(id);
        },
        onEvent: (event) => {
          if (event.type === "chat.typing") {
            const p = event.payload;
            if (p.side !== "visitor") return;
            setThreads((all) =>
              all[p.conversationId]
                ? { ...all, [p.conversationId]: { ...all[p.conversationId]!, typing: p.typing ? p.name : null } }
                : all,
            );
            return;
          }
          if (event.type !== "chat.event") return;
          const e = event.payload;
          void client.invalidateQueries({ queryKey: ["chat", "conversations"] });
          const thread = threadsRef.current[e.conversationId];
          if (!thread) return;
          const last = thread.events.at(-1)?.seq ?? 0;
          if (e.seq === last + 1)
            setThreads((all) => {
              const th = all[e.conversationId]!;
              if (e.seq !== (th.events.at(-1)?.seq ?? 0) + 1) return all;
              return { ...all, [e.conversationId]: { events: [...th.events, e], typing: null } };
            });
          else if (e.seq > last + 1) void fill(e.conversationId);
        },
      }),
    [client, fill],
  );

  const openConversation = (id: string) => {
    if (!threads[id]) {
      setThreads((all) => ({ ...all, [id]: { events: [], typing: null } }));
      threadsRef.current = { ...threadsRef.current, [id]: { events: [], typing: null } };
      void fill(id);
    }
    setOpen((list) => (list.includes(id) ? list : [...list, id]));
    setActive(id);
  };
  const closeTab = (id: string) => {
    setOpen((list) => list.filter((x) => x !== id));
    setActive((a) => (a === id ? (open.find((x) => x !== id) ?? null) : a));
  };

  const byStatus = (status: string) => (conversations.data ?? []).filter((c) => c.status === status);
  return (
    <>
      <PageHeader title={t("chat.title")} subtitle={t("chat.subtitle")}>
        <Group>
          <Badge color={stream === "connected" ? "green" : "yellow"} data-testid="chat-stream-state">
            {t(`chat.stream.${stream}`)}
          </Badge>
        </Group>
      </PageHeader>
      {conversations.error && <ProblemAlert error={conversations.error} />}
      <Group align="flex-start" wrap="nowrap" gap="md">
        <Stack w={300} gap="sm">
          {(["waiting", "active"] as const).map((status) => (
            <Card key={status} withBorder padding="sm">
              <Text fw={600} mb={4}>
                {t(`chat.${status}`)} ({byStatus(status).length})
              </Text>
              {byStatus(status).length === 0 && <Text c="dimmed">{t("chat.none")}</Text>}
              <Stack gap={4}>
                {byStatus(status).map((c) => (
                  <Button
                    key={c.id}
                    variant={active === c.id ? "light" : "subtle"}
                    justify="space-between"
                    onClick={() => openConversation(c.id)}
                    aria-label={`${t("chat.open")}: ${c.visitor.name} — ${c.subject}`}
                  >
                    <Text truncate size="sm">
                      {c.visitor.name} — {c.subject}
                    </Text>
                  </Button>
                ))}
              </Stack>
            </Card>
          ))}
          <SitesCard />
        </Stack>
        <Card withBorder style={{ flex: 1 }} padding="sm">
          {open.length === 0 ? (
            <Text c="dimmed">{t("chat.pickOne")}</Text>
          ) : (
            <Tabs value={active} onChange={setActive} keepMounted>
              <Tabs.List>
                {open.map((id) => {
                  const c = conversations.data?.find((x) => x.id === id);
                  return (
                    <Tabs.Tab key={id} value={id}>
                      {c?.visitor.name ?? id.slice(0, 8)}
                    </Tabs.Tab>
                  );
                })}
              </Tabs.List>
              {open.map((id) => (
                <Tabs.Panel key={id} value={id} pt="sm">
                  <ConversationPanel
                    id={id}
                    thread={threads[id] ?? { events: [], typing: null }}
                    onCloseTab={() => closeTab(id)}
                  />
                </Tabs.Panel>
              ))}
            </Tabs>
          )}
        </Card>
      </Group>
    </>
  );
}

function ConversationPanel({ id, thread, onCloseTab }: { id: string; thread: Thread; onCloseTab(): void }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const client = useQueryClient();
  const [body, setBody] = useState("");
  const [transferTo, setTransferTo] = useState<string | null>(null);
  const typingAt = useRef(0);
  const conversation = useQuery({
    queryKey: ["chat", "conversation", id, thread.events.length],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/chat/conversations/{id}", { params: { path: { id } }, signal })),
  });
  const staff = useQuery({
    queryKey: ["chat", "staff"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/users", { params: { query: { limit: 200 } }, signal })).items.filter(
        (u) => !u.role.startsWith("customer") && !u.disabled && u.id !== user.id,
      ),
  });
  const canned = useQuery({
    queryKey: ["canned-responses"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/canned-responses", { params: { query: { limit: 200 } }, signal })).items,
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ["chat"] });
  const act = useMutation({
    mutationFn: async (what: "accept" | "close" | "transfer") => {
      const params = { params: { path: { id } } };
      if (what === "accept") return unwrap(await api.POST("/api/v1/chat/conversations/{id}/accept", params));
      if (what === "close") return unwrap(await api.POST("/api/v1/chat/conversations/{id}/close", params));
      return unwrap(
        await api.POST("/api/v1/chat/conversations/{id}/transfer", { ...params, body: { userId: transferTo ?? "" } }),
      );
    },
    onSuccess: refresh,
  });
  const send = useMutation({
    mutationFn: async (text: string) =>
      unwrap(
        await api.POST("/api/v1/chat/conversations/{id}/messages", {
          params: { path: { id } },
          body: { clientId: newClientId(), body: text },
        }),
      ),
    onSuccess: () => setBody(""),
  });
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const data = await new Promise<string>((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(file);
      });
      return unwrap(
        await api.POST("/api/v1/chat/conversations/{id}/attachments", {
          params: { path: { id } },
          body: { clientId: newClientId(), filename: file.name, data },
        }),
      );
    },
  });
  const typing = (on: boolean) => {
    const now = Date.now();
    if (on && now - typingAt.current < 3000) return;
    typingAt.current = on ? now : 0;
    void api.POST("/api/v1/chat/conversations/{id}/typing", { params: { path: { id } }, body: { typing: on } });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    typing(false);
    send.mutate(body.trim());
  };
  const c = conversation.data;
  const closed = c?.status === "closed";
  return (
    <Stack gap="xs" data-testid={`chat-conversation-${id}`}>
      {c && (
        <Group justify="space-between">
          <div>
            <Text fw={600}>{c.subject}</Text>
            <Text size="sm" c="dimmed">
              {c.visitor.name} &lt;{c.visitor.email}&gt;
            </Text>
          </div>
          <Group gap="xs">
            {c.ticketId && (
              <Anchor component={Link} to={`/tickets/${c.ticketId}`} data-testid="chat-ticket-link">
                {t("chat.ticket")}
              </Anchor>
            )}
            {c.status === "waiting" && (
              <Button size="xs" onClick={() => act.mutate("accept")}>
                {t("chat.accept")}
              </Button>
            )}
            {!closed && (
              <>
                <Select
                  size="xs"
                  w={180}
                  placeholder={t("chat.transferTo")}
                  aria-label={t("chat.transferTo")}
                  data={(staff.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
                  value={transferTo}
                  onChange={setTransferTo}
                />
                <Button size="xs" variant="default" disabled={!transferTo} onClick={() => act.mutate("transfer")}>
                  {t("chat.transfer")}
                </Button>
                <Button size="xs" color="red" variant="light" onClick={() => act.mutate("close")}>
                  {t("chat.close")}
                </Button>
              </>
            )}
            <Button size="xs" variant="subtle" onClick={onCloseTab}>
              {t("chat.closeTab")}
            </Button>
          </Group>
        </Group>
      )}
      {(act.error || send.error || upload.error) && <ProblemAlert error={act.error ?? send.error ?? upload.error} />}
      <ScrollArea h={360} type="auto">
        <Stack gap={6} data-testid="chat-console-log">
          {thread.events.map((e) => (
            <EventLine key={e.seq} id={id} e={e} />
          ))}
        </Stack>
      </ScrollArea>
      <Text size="sm" c="dimmed" mih={20} data-testid="chat-console-typing">
        {thread.typing ? t("chat.typing", { name: thread.typing }) : ""}
      </Text>
      {!closed && (
        <form onSubmit={submit}>
          <Group gap="xs" align="flex-end">
            <Select
              size="sm"
              w={200}
              placeholder={t("chat.canned")}
              aria-label={t("chat.canned")}
              data={(canned.data ?? []).map((r) => ({ value: r.id, label: r.title }))}
              value={null}
              onChange={(v) => setBody((b) => `${b}${canned.data?.find((r) => r.id === v)?.body ?? ""}`)}
            />
            <TextInput
              style={{ flex: 1 }}
              aria-label={t("chat.message")}
              placeholder={t("chat.message")}
              value={body}
              onChange={(e) => {
                setBody(e.currentTarget.value);
                typing(true);
              }}
            />
            <FileButton onChange={(f) => f && upload.mutate(f)}>
              {(props) => (
                <Button variant="default" {...props}>
                  {t("chat.attach")}
                </Button>
              )}
            </FileButton>
            <Button type="submit" loading={send.isPending}>
              {t("chat.send")}
            </Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}

function EventLine({ id, e }: { id: string; e: ChatEvent }) {
  const { t } = useTranslation();
  if (e.kind === "accepted")
    return (
      <Text size="sm" c="dimmed" ta="center">
        {t("chat.accepted", { name: e.authorName })}
      </Text>
    );
  if (e.kind === "transferred")
    return (
      <Text size="sm" c="dimmed" ta="center">
        {t("chat.transferred", { author: e.authorName, name: e.body ?? "" })}
      </Text>
    );
  if (e.kind === "closed")
    return (
      <Text size="sm" c="dimmed" ta="center">
        {t("chat.ended", { name: e.authorName })}
      </Text>
    );
  const mine = e.authorKind === "agent";
  return (
    <Card
      padding="xs"
      radius="md"
      bg={mine ? "var(--mantine-color-blue-light)" : "var(--mantine-color-default-hover)"}
      style={{ alignSelf: mine ? "flex-end" : "flex-start", maxWidth: "80%" }}
      data-seq={e.seq}
    >
      <Text size="xs" c="dimmed">
        {e.authorName}
      </Text>
      {e.kind === "attachment" && e.attachment ? (
        <Anchor href={`/api/v1/chat/conversations/${id}/files/${e.seq}`}>📎 {e.attachment.filename}</Anchor>
      ) : (
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          {e.body}
        </Text>
      )}
    </Card>
  );
}

function SitesCard() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const sites = useQuery({
    queryKey: ["chat", "sites"],
    enabled: user.role === "admin" || user.role === "manager",
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/chat/sites", { signal })).items,
  });
  if (!sites.data) return null;
  return (
    <Card withBorder padding="sm">
      <Text fw={600} mb={4}>
        {t("chat.sites")}
      </Text>
      {sites.data.length === 0 && <Text c="dimmed">{t("chat.noSites")}</Text>}
      <Table>
        <Table.Tbody>
          {sites.data.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>
                <Text size="sm">{s.name}</Text>
                <Text size="xs" c="dimmed">
                  {t("chat.embed")}
                </Text>
                <Code
                  block
                  fz="xs"
                >{`<script src="${location.origin}/chat/widget.js" data-site="${s.id}" data-visitor="…" data-signature="…" async></script>`}</Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
