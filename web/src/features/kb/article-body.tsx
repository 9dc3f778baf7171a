import { Stack, Title, Typography } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
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
    </Stack>
  );
}
