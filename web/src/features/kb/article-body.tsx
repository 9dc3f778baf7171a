import { Stack, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { api, unwrap } from "../../api/client";
import { MarkdownText } from "../../shell/Markdown";
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
      <MarkdownText size="sm">{article.data.body}</MarkdownText>
    </Stack>
  );
}
