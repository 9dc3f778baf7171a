import { Button, Center, Group, Loader, Table, Text } from "@mantine/core";
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

/** The row a paged table shows when the list came back empty. */
export function EmptyRow({
  list,
  colSpan,
  text,
}: {
  list: { isSuccess: boolean; items: unknown[] };
  colSpan: number;
  text: string;
}) {
  if (!list.isSuccess || list.items.length > 0) return null;
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Text c="dimmed" ta="center" py="md">
          {text}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** Under a paged table: a spinner while the first page loads, then "load more" while pages remain. */
export function PagedFooter(list: Parameters<typeof LoadMore>[0] & { isPending: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      {list.isPending && (
        <Group justify="center" p="md">
          <Loader size="sm" aria-label={t("common.loading")} />
        </Group>
      )}
      <LoadMore {...list} />
    </>
  );
}
