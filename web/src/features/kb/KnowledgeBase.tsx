import {
  Anchor,
  Badge,
  Button,
  Card,
  FileButton,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { ArticleVideos } from "./article-body";

const audiences = ["public", "customers", "support", "admins", "internal"] as const;
const purposes = ["procedure", "faq", "video", "manual", "problem-solution", "lesson"] as const;
type Audience = (typeof audiences)[number];
type Purpose = (typeof purposes)[number];
type Status = "draft" | "review" | "published" | "archived";
const statusColour: Record<Status, string> = { draft: "gray", review: "yellow", published: "green", archived: "dark" };

interface Draft {
  id?: string;
  title: string;
  body: string;
  audience: Audience;
  purpose: Purpose;
  locale: "pt-BR" | "en";
  categoryId: string | null;
  /** A new translation of this article (its other language). */
  translationOf?: string;
  tags: string;
  note: string;
}
const blank: Draft = {
  title: "",
  body: "",
  audience: "customers",
  purpose: "faq",
  locale: "pt-BR",
  categoryId: null,
  tags: "",
  note: "",
};

/** The article editor: Markdown on the left, the server's sanitised rendering on the right. */
function Editor({ initial, onDone }: { initial: Draft; onDone: () => void }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const qc = useQueryClient();
  const [d, setD] = useState(initial);
  const publisher = user?.role === "admin" || user?.role === "manager";
  const categories = useQuery({
    queryKey: ["kb", "categories"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/kb/categories", { signal })).items,
  });
  const preview = useQuery({
    queryKey: ["kb", "preview", d.body],
    queryFn: async ({ signal }) =>
      unwrap(await api.POST("/api/v1/kb/preview", { body: { body: d.body }, signal })).html,
  });
  // An image or file goes up as its raw bytes; the server answers with the Markdown to paste (image or link).
  const attach = useMutation({
    mutationFn: async (file: File) =>
      unwrap(
        await api.POST("/api/v1/kb/articles/{id}/attachments", {
          params: { path: { id: d.id ?? "" }, query: { filename: file.name } },
          body: file as unknown as string,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { "content-type": file.type || "application/octet-stream" },
        }),
      ),
    onSuccess: (a) => setD((was) => ({ ...was, body: `${was.body.trimEnd()}\n\n${a.markdown}\n` })),
  });
  const save = useMutation({
    mutationFn: async (publish: boolean) => {
      const tags = d.tags
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (d.id) {
        unwrap(
          await api.PATCH("/api/v1/kb/articles/{id}", {
            params: { path: { id: d.id } },
            body: {
              title: d.title,
              body: d.body,
              audience: d.audience,
              purpose: d.purpose,
              categoryId: d.categoryId,
              tags,
              note: d.note || undefined,
            },
          }),
        );
        if (publish)
          unwrap(
            await api.POST("/api/v1/kb/articles/{id}/status", {
              params: { path: { id: d.id } },
              body: { status: "published" },
            }),
          );
        return;
      }
      unwrap(
        await api.POST("/api/v1/kb/articles", {
          body: {
            title: d.title,
            body: d.body,
            audience: d.audience,
            purpose: d.purpose,
            locale: d.locale,
            categoryId: d.categoryId ?? undefined,
            translationOf: d.translationOf,
            tags,
            status: publish ? "published" : "draft",
          },
        }),
      );
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["kb"] });
      onDone();
    },
  });
  return (
    <Stack>
      <TextInput
        label={t("kb.fields.title")}
        value={d.title}
        onChange={(e) => setD({ ...d, title: e.currentTarget.value })}
      />
      <Group grow>
        <Select
          label={t("kb.fields.audience")}
          data={audiences.map((a) => ({ value: a, label: t(`kb.audiences.${a}`) }))}
          value={d.audience}
          onChange={(v) => v && setD({ ...d, audience: v as Audience })}
        />
        <Select
          label={t("kb.fields.purpose")}
          data={purposes.map((p) => ({ value: p, label: t(`kb.purposes.${p}`) }))}
          value={d.purpose}
          onChange={(v) => v && setD({ ...d, purpose: v as Purpose })}
        />
        <Select
          label={t("kb.fields.locale")}
          data={["pt-BR", "en"]}
          value={d.locale}
          disabled={!!d.id || !!d.translationOf}
          onChange={(v) => v && setD({ ...d, locale: v as Draft["locale"] })}
        />
        <Select
          label={t("kb.fields.category")}
          clearable
          data={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={d.categoryId}
          onChange={(v) => setD({ ...d, categoryId: v })}
        />
      </Group>
      <TextInput
        label={t("kb.fields.tags")}
        value={d.tags}
        onChange={(e) => setD({ ...d, tags: e.currentTarget.value })}
      />
      <Group grow align="flex-start">
        <Textarea
          label={t("kb.fields.body")}
          autosize
          minRows={12}
          value={d.body}
          onChange={(e) => setD({ ...d, body: e.currentTarget.value })}
        />
        <Card withBorder>
          <Text fw={600} size="sm">
            {t("kb.actions.preview")}
          </Text>
          {/* The server renders and sanitises: raw HTML off, only safe link schemes. */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised server-side (src/modules/kb/markdown.ts) */}
          <div dangerouslySetInnerHTML={{ __html: preview.data ?? "" }} />
        </Card>
      </Group>
      {d.id ? (
        <Group>
          <FileButton onChange={(file) => file && attach.mutate(file)}>
            {(props) => (
              <Button {...props} variant="default" size="xs" loading={attach.isPending}>
                {t("kb.attachments.attach")}
              </Button>
            )}
          </FileButton>
          {attach.isSuccess && (
            <Text size="sm" c="dimmed">
              {t("kb.attachments.attached")}
            </Text>
          )}
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t("kb.attachments.attachAfterSave")}
        </Text>
      )}
      {attach.error && <ProblemAlert error={attach.error} />}
      {d.id && (
        <TextInput
          label={t("kb.fields.note")}
          value={d.note}
          onChange={(e) => setD({ ...d, note: e.currentTarget.value })}
        />
      )}
      {save.error && <ProblemAlert error={save.error} />}
      <Group>
        <Button
          variant="default"
          onClick={() => save.mutate(false)}
          loading={save.isPending}
          disabled={!d.title.trim()}
        >
          {t("kb.actions.save")}
        </Button>
        {publisher && (
          <Button onClick={() => save.mutate(true)} loading={save.isPending} disabled={!d.title.trim()}>
            {t("kb.actions.publish")}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/** One article: its rendering, workflow moves and version history with diffs. */
function ArticleView({ id, onEdit }: { id: string; onEdit: (d: Draft) => void }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const qc = useQueryClient();
  const publisher = user?.role === "admin" || user?.role === "manager";
  const article = useQuery({
    queryKey: ["kb", "article", id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/articles/{id}", { params: { path: { id } }, signal })),
  });
  const versions = useQuery({
    queryKey: ["kb", "versions", id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/articles/{id}/versions", { params: { path: { id } }, signal })).items,
    retry: false,
  });
  const [diffTo, setDiffTo] = useState<number | null>(null);
  const diff = useQuery({
    queryKey: ["kb", "diff", id, diffTo],
    enabled: diffTo !== null && diffTo > 1,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/kb/articles/{id}/diff", {
          params: { path: { id }, query: { from: (diffTo ?? 2) - 1, to: diffTo ?? 2 } },
          signal,
        }),
      ),
  });
  const move = useMutation({
    mutationFn: async (status: Status) =>
      unwrap(await api.POST("/api/v1/kb/articles/{id}/status", { params: { path: { id } }, body: { status } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["kb"] }),
  });
  const a = article.data;
  if (!a) return article.error ? <ProblemAlert error={article.error} /> : null;
  return (
    <Stack>
      <Group>
        <Badge color={statusColour[a.status as Status]}>{t(`kb.statuses.${a.status as Status}`)}</Badge>
        <Badge variant="light">{t(`kb.audiences.${a.audience as Audience}`)}</Badge>
        <Badge variant="outline">{a.locale}</Badge>
        <Text size="sm">{t("kb.version", { n: a.version })}</Text>
      </Group>
      <Text fw={700} size="xl">
        {a.title}
      </Text>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised server-side (src/modules/kb/markdown.ts) */}
      <div dangerouslySetInnerHTML={{ __html: a.html }} />
      <ArticleVideos articleId={a.id} />
      {a.translations.map((tr) => (
        <Anchor key={tr.id} href={`/kb/articles/${tr.id}`} size="sm" hrefLang={tr.locale}>
          {t("kb.translation", { locale: tr.locale, title: tr.title })}
        </Anchor>
      ))}
      {versions.data && (
        <Group>
          <Button
            variant="default"
            onClick={() =>
              onEdit({
                ...blank,
                id: a.id,
                title: a.title,
                body: a.body,
                audience: a.audience as Audience,
                purpose: a.purpose as Purpose,
                locale: a.locale as Draft["locale"],
                categoryId: a.categoryId,
                tags: a.tags.join(", "),
              })
            }
          >
            {t("kb.actions.edit")}
          </Button>
          {!a.translations.some((tr) => tr.locale !== a.locale) && (
            <Button
              variant="default"
              onClick={() =>
                onEdit({
                  ...blank,
                  translationOf: a.id,
                  title: a.title,
                  body: a.body,
                  audience: a.audience as Audience,
                  purpose: a.purpose as Purpose,
                  locale: a.locale === "en" ? "pt-BR" : "en",
                  categoryId: a.categoryId,
                  tags: a.tags.join(", "),
                })
              }
            >
              {t("kb.actions.translate", { locale: a.locale === "en" ? "pt-BR" : "en" })}
            </Button>
          )}
          {a.status === "draft" && !publisher && (
            <Button onClick={() => move.mutate("review")}>{t("kb.actions.submit")}</Button>
          )}
          {publisher && a.publishedVersion !== a.version && a.status !== "archived" && (
            <Button onClick={() => move.mutate("published")}>{t("kb.actions.publish")}</Button>
          )}
          {publisher && a.status === "review" && (
            <Button variant="default" onClick={() => move.mutate("draft")}>
              {t("kb.actions.sendBack")}
            </Button>
          )}
          {publisher && a.status !== "archived" && (
            <Button color="red" variant="light" onClick={() => move.mutate("archived")}>
              {t("kb.actions.archive")}
            </Button>
          )}
        </Group>
      )}
      {move.error && <ProblemAlert error={move.error} />}
      {versions.data && (
        <Table>
          <Table.Tbody>
            {versions.data.map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>{t("kb.version", { n: v.version })}</Table.Td>
                <Table.Td>{v.title}</Table.Td>
                <Table.Td>{t(`kb.statuses.${v.status as Status}`)}</Table.Td>
                <Table.Td>{new Date(v.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  {v.version > 1 && (
                    <Button size="xs" variant="subtle" onClick={() => setDiffTo(v.version)}>
                      {t("kb.actions.compare")}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {diff.data && (
        <pre style={{ whiteSpace: "pre-wrap" }}>
          {diff.data.lines.map((l, i) => (
            <span
              // biome-ignore lint/suspicious/noArrayIndexKey: parts of one diff, never reordered
              key={i}
              style={{ background: l.op === "added" ? "#d3f9d8" : l.op === "removed" ? "#ffe3e3" : undefined }}
            >
              {l.text}
            </span>
          ))}
        </pre>
      )}
    </Stack>
  );
}

/** Article list and search, the review queue and the editor. */
export function KnowledgeBase() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const [q, setQ] = useState("");
  // An article's own address (/kb/articles/:id, where links between articles point) opens it over the list.
  const { id: linked } = useParams();
  const navigate = useNavigate();
  const [open, setOpen] = useState<string | null>(linked ?? null);
  useEffect(() => setOpen(linked ?? null), [linked]);
  const close = () => {
    setOpen(null);
    if (linked) void navigate("/kb");
  };
  const [editing, setEditing] = useState<Draft | null>(null);
  const [tab, setTab] = useState<string | null>("articles");
  const editor = user?.role !== "customer" && user?.role !== "customer-admin" && user?.role !== "auditor";
  const publisher = user?.role === "admin" || user?.role === "manager";
  const list = useQuery({
    queryKey: ["kb", "list", q],
    queryFn: async ({ signal }) =>
      q.trim()
        ? unwrap(await api.GET("/api/v1/kb/search", { params: { query: { q, limit: 50 } }, signal }))
        : unwrap(await api.GET("/api/v1/kb/articles", { params: { query: { limit: 100 } }, signal })),
  });
  const queue = useQuery({
    queryKey: ["kb", "queue"],
    enabled: publisher,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/review-queue", { params: { query: {} }, signal })).items,
  });
  const items = (list.data?.items ?? []) as {
    id: string;
    title: string;
    snippet?: string;
    status?: string;
    audience: string;
  }[];
  const row = (a: (typeof items)[number]) => (
    <Table.Tr key={a.id} onClick={() => setOpen(a.id)} style={{ cursor: "pointer" }}>
      <Table.Td>
        <Text fw={500}>{a.title}</Text>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the server escapes the snippet and adds only <mark> */}
        {a.snippet && <Text size="sm" c="dimmed" dangerouslySetInnerHTML={{ __html: a.snippet }} />}
      </Table.Td>
      <Table.Td>{t(`kb.audiences.${a.audience as Audience}`)}</Table.Td>
      <Table.Td>
        {a.status && <Badge color={statusColour[a.status as Status]}>{t(`kb.statuses.${a.status as Status}`)}</Badge>}
      </Table.Td>
    </Table.Tr>
  );
  return (
    <Stack>
      <PageHeader title={t("kb.title")} subtitle={t("kb.subtitle")} />
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="articles">{t("kb.tabs.articles")}</Tabs.Tab>
          {publisher && <Tabs.Tab value="review">{t("kb.tabs.review")}</Tabs.Tab>}
          {editor && <Tabs.Tab value="new">{t("kb.tabs.new")}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="articles" pt="md">
          <TextInput
            placeholder={t("kb.search")}
            aria-label={t("kb.search")}
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
          />
          {list.data && "notice" in list.data && list.data.notice && <Text c="dimmed">{t("kb.noTerms")}</Text>}
          {list.error && <ProblemAlert error={list.error} />}
          <Table highlightOnHover>
            <Table.Tbody>{items.map(row)}</Table.Tbody>
          </Table>
          {list.data && !items.length && <Text c="dimmed">{t("kb.empty")}</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="review" pt="md">
          <Table highlightOnHover>
            <Table.Tbody>{(queue.data ?? []).map(row)}</Table.Tbody>
          </Table>
          {queue.data && !queue.data.length && <Text c="dimmed">{t("kb.empty")}</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="new" pt="md">
          {tab === "new" && <Editor initial={blank} onDone={() => setTab("articles")} />}
        </Tabs.Panel>
      </Tabs>
      <Modal opened={open !== null && !editing} onClose={close} size="xl" title={t("kb.title")}>
        {open && <ArticleView id={open} onEdit={setEditing} />}
      </Modal>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} size="100%" title={t("kb.actions.edit")}>
        {editing && (
          <Editor
            initial={editing}
            onDone={() => {
              setEditing(null);
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}
