import { Stack, Text, Title, Typography } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { ProblemAlert } from "../../shell/problem";

/** An article as its reader may see it (the server sends the published version to readers), rendered safely. */
export function ArticleBody({ id, loading }: { id: string; loading?: ReactNode }) {
  const article = useQuery({
    queryKey: ["kb", "articles", id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/articles/{id}", { params: { path: { id } }, signal })),
  });
  if (article.isPending) return <>{loading ?? null}</>;
  if (article.isError) return <ProblemAlert error={article.error} />;
  return (
    <Stack gap="sm" data-testid="kb-article">
      <Title order={3}>{article.data.title}</Title>
      {/* The server's rendering: sanitised, links to articles the reader may not read shown as unavailable
          (src/modules/kb/markdown.ts); rendering the source here would show their words. */}
      <Typography
        fz="sm"
        style={{ overflowWrap: "anywhere" }}
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised server-side (src/modules/kb/markdown.ts)
        dangerouslySetInnerHTML={{ __html: article.data.html }}
      />
      <ArticleVideos articleId={id} />
    </Stack>
  );
}

/**
 * An article's video tutorials as players: the browser streams them with byte ranges from the server, with the
 * WebVTT captions as tracks (the reader's language on by default) and the poster frame before playing.
 */
export function ArticleVideos({ articleId }: { articleId: string }) {
  const { i18n } = useTranslation();
  const videos = useQuery({
    queryKey: ["kb", "videos", articleId],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/kb/videos", { params: { query: { articleId } }, signal })).items,
  });
  if (!videos.data?.length) return null;
  const base = i18n.language.slice(0, 2).toLowerCase();
  return (
    <Stack gap="md" data-testid="kb-videos">
      {videos.data.map((v) => {
        const fallback = v.captions.find((c) => c.lang.slice(0, 2).toLowerCase() === base);
        return (
          <figure key={v.id} style={{ margin: 0 }}>
            {/* biome-ignore lint/a11y/useMediaCaption: the uploaded WebVTT captions are its tracks, when it has any */}
            <video controls preload="metadata" poster={v.posterUrl ?? undefined} style={{ width: "100%" }}>
              <source src={v.streamUrl} type={v.contentType} />
              {v.captions.map((c) => (
                <track
                  key={c.lang}
                  kind="captions"
                  srcLang={c.lang}
                  label={c.label}
                  src={c.url}
                  default={c === fallback}
                />
              ))}
            </video>
            <Text component="figcaption" size="sm" c="dimmed">
              {v.title}
            </Text>
          </figure>
        );
      })}
    </Stack>
  );
}
