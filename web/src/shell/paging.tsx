import { Button, Center } from "@mantine/core";
import { type QueryKey, useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A keyset-paginated list: the pages fetched so far, flattened, and a way to fetch the next one. With
 * `refetchInterval`, the pages are fetched again at that pace (for filters relative to now).
 */
export function usePagedList<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
  options: { refetchInterval?: number | false } = {},
) {
  const query = useInfiniteQuery({
    queryKey,
    refetchInterval: options.refetchInterval,
    queryFn: ({ pageParam, signal }) => fetchPage(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return { ...query, items: query.data?.pages.flatMap((p) => p.items) ?? [] };
}

export function LoadMore({
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
}: {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}) {
  const { t } = useTranslation();
  if (!hasNextPage) return null;
  return (
    <Center py="sm">
      <Button variant="light" loading={isFetchingNextPage} onClick={() => void fetchNextPage()}>
        {t("common.loadMore")}
      </Button>
    </Center>
  );
}
