import { Accordion, Alert, Badge, Button, Card, Group, Loader, Progress, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type JsonBody, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { ArticleDrawer } from "./suggestions";

type Track = JsonBody<paths["/api/v1/kb/tracks/{id}"]["get"]["responses"][200]>;
type Profile = "administrator" | "end-user" | "support-l1" | "support-l2" | "support-l3";

const when = (iso: string, lang: string) => new Date(iso).toLocaleDateString(lang);

/** The manager's view of one track: who completed how much, and when they finished. */
function WhoFinished({ trackId }: { trackId: string }) {
  const { t, i18n } = useTranslation();
  const view = useQuery({
    queryKey: ["kb", "tracks", trackId, "completion"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/tracks/{id}/completion", { params: { path: { id: trackId } }, signal })),
  });
  if (view.isPending) return <Loader size="sm" />;
  if (view.isError) return <ProblemAlert error={view.error} />;
  if (!view.data.users.length) return <Text size="sm">{t("kbMore.tracks.nobody")}</Text>;
  return (
    <Table data-testid="track-completion">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("kbMore.tracks.user")}</Table.Th>
          <Table.Th>{t("kbMore.tracks.completed")}</Table.Th>
          <Table.Th>{t("kbMore.tracks.finishedAt")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {view.data.users.map((u) => (
          <Table.Tr key={u.userId}>
            <Table.Td>{u.name ?? u.userId}</Table.Td>
            <Table.Td>
              {u.completed}/{u.total}
            </Table.Td>
            <Table.Td>{u.finishedAt ? when(u.finishedAt, i18n.language) : "—"}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function TrackCard({ track, manager }: { track: Track; manager: boolean }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [reading, setReading] = useState<string | null>(null);
  const [showWho, setShowWho] = useState(false);
  const mark = useMutation({
    mutationFn: async (v: { kind: "article" | "video" | "change"; id: string; done: boolean }) => {
      const params = { path: { id: track.id, kind: v.kind, itemId: v.id } };
      return unwrap(
        v.done
          ? await api.PUT("/api/v1/kb/tracks/{id}/progress/{kind}/{itemId}", { params })
          : await api.DELETE("/api/v1/kb/tracks/{id}/progress/{kind}/{itemId}", { params }),
      );
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["kb", "tracks"] }),
  });
  const { completed, total, finishedAt } = track.completion;
  return (
    <Card withBorder radius="md" padding="md" data-testid="track">
      <Group justify="space-between" mb="xs">
        <Stack gap={0}>
          <Text fw={600}>{track.title}</Text>
          {track.description && (
            <Text size="sm" c="dimmed">
              {track.description}
            </Text>
          )}
        </Stack>
        <Group gap="xs">
          <Badge variant="light">{t(`kbMore.tracks.profiles.${track.profile as Profile}`)}</Badge>
          <Badge variant="outline">{t(`kbMore.tracks.kinds.${track.kind as "manual"}`)}</Badge>
        </Group>
      </Group>
      <Progress value={total ? (completed / total) * 100 : 0} mb={4} aria-label={track.title} />
      <Text size="xs" c="dimmed" mb="sm">
        {finishedAt
          ? t("kbMore.tracks.finished", { at: when(finishedAt, i18n.language) })
          : t("kbMore.tracks.progress", { completed, total })}
      </Text>
      <Accordion variant="contained">
        {track.items.map((item, n) => (
          <Accordion.Item key={`${item.kind}:${item.id}`} value={`${item.kind}:${item.id}`}>
            <Accordion.Control>
              <Group gap="xs">
                <Text size="sm">{n + 1}.</Text>
                <Text size="sm" fw={500} td={item.completedAt ? "line-through" : undefined}>
                  {item.title}
                </Text>
                <Badge size="xs" variant="light" color="gray">
                  {t(`kbMore.tracks.itemKinds.${item.kind}`)}
                </Badge>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="xs">
                {item.summary && <Text size="sm">{item.summary}</Text>}
                <Group gap="xs">
                  {item.articleId && (
                    <Button size="compact-sm" variant="light" onClick={() => setReading(item.articleId)}>
                      {t("kbMore.tracks.open")}
                    </Button>
                  )}
                  <Button
                    size="compact-sm"
                    variant={item.completedAt ? "default" : "filled"}
                    loading={mark.isPending && mark.variables?.id === item.id}
                    onClick={() => mark.mutate({ kind: item.kind, id: item.id, done: !item.completedAt })}
                  >
                    {item.completedAt ? t("kbMore.tracks.markUndone") : t("kbMore.tracks.markDone")}
                  </Button>
                </Group>
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
      {mark.isError && <Alert color="red">{mark.error.message}</Alert>}
      {manager && (
        <Stack mt="sm" gap="xs">
          <Button size="xs" variant="subtle" onClick={() => setShowWho((v) => !v)} style={{ alignSelf: "start" }}>
            {t("kbMore.tracks.whoFinished")}
          </Button>
          {showWho && <WhoFinished trackId={track.id} />}
        </Stack>
      )}
      <ArticleDrawer articleId={reading} onClose={() => setReading(null)} />
    </Card>
  );
}

/** Manuals and training tracks of the reader's profiles, with their progress; managers see who finished. */
export function TracksPage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const manager = user.role === "admin" || user.role === "manager";
  const tracks = useQuery({
    queryKey: ["kb", "tracks"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/kb/tracks", { signal })).items,
  });
  return (
    <>
      <PageHeader title={t("kbMore.tracks.title")} subtitle={t("kbMore.tracks.subtitle")} />
      {tracks.isPending && <Loader />}
      {tracks.isError && <ProblemAlert error={tracks.error} />}
      {tracks.data?.length === 0 && <Text>{t("kbMore.tracks.empty")}</Text>}
      <Stack gap="md">
        {tracks.data?.map((track) => (
          <TrackCard key={track.id} track={track} manager={manager} />
        ))}
      </Stack>
    </>
  );
}
