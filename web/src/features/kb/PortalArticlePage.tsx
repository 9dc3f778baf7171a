import { Loader, Stack } from "@mantine/core";
import { useParams } from "react-router";
import { ArticleBody } from "./article-body";
import { FeedbackBox } from "./suggestions";

/** An article a reply linked to, read in the portal (customers' and public articles; the server checks). */
export function PortalArticlePage() {
  const { id = "" } = useParams();
  return (
    <Stack gap="md" maw={760}>
      <ArticleBody id={id} loading={<Loader />} />
      <FeedbackBox articleId={id} />
    </Stack>
  );
}
