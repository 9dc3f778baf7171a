import {
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  Modal,
  MultiSelect,
  ScrollArea,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { isStaff, tiers } from "../../auth/access";
import { useFormat } from "../../shell/format";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { useNow } from "../../shell/useNow";
import { severities, severityColor, staffUsers, statusColor, statuses, type Tier } from "./model";
import { NewTicketForm } from "./NewTicketForm";
import {
  fetchQueue,
  QUEUE_KEY,
  type QueueItem,
  type QueueName,
  type QueueQuery,
  type QueueSort,
  queueNames,
  type SavedView,
  SlaCountdown,
  useLiveQueues,
  useQueueCounts,
} from "./queue";

/** A screenful and more: the queue shows 200 tickets before it fetches the next page. */
const PAGE = 200;
const NUMBER = /^\s*#?(\d{1,15})\s*$/;
const list = (v: string | null) => (v ? v.split(",").filter(Boolean) : []);
const csv = (values: string[]) => (values.length ? values.join(",") : undefined);

/** The queue's filters live in the URL, so a link or a reload shows the same queue. */
function useQueueParams() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? "";
  const set = (patch: Record<string, string | string[] | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          const value = Array.isArray(v) ? v.join(",") : v;
          if (value) next.set(k, value);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  return {
    queue: (get("queue") || "open") as QueueName,
    sort: (get("sort") || "urgency") as QueueSort,
    status: list(params.get("status")),
    severity: list(params.get("severity")),
    tier: list(params.get("tier")),
    organization: get("organization"),
    q: get("q"),
    view: get("view"),
    set,
  };
}

const bulkActions = ["assign", "status", "severity", "tier", "team", "tag", "merge"] as const;
type BulkAction = (typeof bulkActions)[number];

function BulkBar({ selected, onDone }: { selected: QueueItem[]; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [action, setAction] = useState<BulkAction>("assign");
  const [value, setValue] = useState<string | null>(null);
  const staff = useQuery({ queryKey: ["users", "staff"], queryFn: ({ signal }) => staffUsers(signal) });
  const run = useMutation({
    mutationFn: async () => {
      const base = { ticketIds: selected.map((s) => s.id) };
      const body =
        action === "assign"
          ? { ...base, action, assigneeId: value || null }
          : action === "status"
            ? { ...base, action, status: value as (typeof statuses)[number] }
            : action === "severity"
              ? { ...base, action, severity: value as (typeof severities)[number] }
              : action === "tier"
                ? { ...base, action, tier: value as Tier }
                : action === "team"
                  ? { ...base, action, team: value || null }
                  : action === "tag"
                    ? { ...base, action, addTags: value ? [value] : [] }
                    : { ...base, action, intoTicketId: value ?? "" };
      return unwrap(await api.POST("/api/v1/tickets/bulk", { body }));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: QUEUE_KEY });
    },
  });
  const options: Record<BulkAction, { value: string; label: string }[] | null> = {
    assign: (staff.data ?? []).map((u) => ({ value: u.id, label: u.name })),
    status: statuses.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) })),
    severity: severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) })),
    tier: tiers.map((x) => ({ value: x, label: t(`tickets.tiers.${x as Tier}`) })),
    team: null,
    tag: null,
    merge: selected.map((s) => ({ value: s.id, label: `#${s.number} ${s.subject}` })),
  };
  const result = run.data;
  return (
    <Card withBorder padding="sm" mb="sm" data-testid="bulk-bar">
      <Group align="flex-end" wrap="wrap" gap="sm">
        <Text fw={600}>{t("queue.selected", { count: selected.length })}</Text>
        <Select
          label={t("queue.bulkAction")}
          allowDeselect={false}
          data={bulkActions.map((a) => ({ value: a, label: t(`queue.bulk.${a}`) }))}
          value={action}
          onChange={(v) => {
            setAction((v as BulkAction) ?? "assign");
            setValue(null);
          }}
          w={180}
        />
        {options[action] ? (
          <Select
            label={t("queue.bulkValue")}
            searchable
            clearable={action === "assign"}
            data={options[action]!}
            value={value}
            onChange={setValue}
            w={240}
          />
        ) : (
          <TextInput
            label={t("queue.bulkValue")}
            value={value ?? ""}
            onChange={(e) => setValue(e.currentTarget.value)}
            w={200}
          />
        )}
        <Button onClick={() => run.mutate()} loading={run.isPending} disabled={action !== "assign" && !value}>
          {t("queue.apply")}
        </Button>
        <Button variant="subtle" onClick={onDone}>
          {t("queue.clearSelection")}
        </Button>
      </Group>
      <ProblemAlert error={run.error} />
      {result && (
        <Text size="sm" mt="xs" c={result.failed ? "orange" : "green"} data-testid="bulk-result">
          {t("queue.bulkResult", { succeeded: result.succeeded, failed: result.failed })}
          {result.results
            .filter((r) => !r.ok)
            .slice(0, 5)
            .map((r) => ` · #${selected.find((s) => s.id === r.ticketId)?.number ?? "?"}: ${r.detail}`)
            .join("")}
        </Text>
      )}
    </Card>
  );
}

function SaveViewButton({ filters, sort }: { filters: SavedView["filters"]; sort: QueueSort }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const save = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/ticket-views", { body: { name, shared, filters, sort } })),
    onSuccess: () => {
      setOpened(false);
      setName("");
      void client.invalidateQueries({ queryKey: ["ticket-views"] });
    },
  });
  return (
    <>
      <Button variant="light" onClick={() => setOpened(true)}>
        {t("queue.saveView")}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t("queue.saveView")}>
        <Stack>
          <ProblemAlert error={save.error} />
          <TextInput label={t("queue.viewName")} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Switch label={t("queue.shareView")} checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!name.trim()}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

export function TicketsPage() {
  const { t } = useTranslation();
  const { can, user } = useAuth();
  const staff = isStaff(user.role);
  const format = useFormat();
  const navigate = useNavigate();
  const location = useLocation();
  const p = useQueueParams();
  const [search, setSearch] = useState(p.q);
  const [q] = useDebouncedValue(search.trim(), 300);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<Record<string, QueueItem>>({});
  const now = useNow(1000);
  useLiveQueues();
  // The debounced search goes to the URL like every other filter, while the address is still the queue's: a
  // navigation away (a row, `#3` + Enter, a menu) is a transition, so the queue stays mounted until the next page
  // commits, and a search whose debounce ends meanwhile would land in that page's address as `?q=`.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the typed text drives this
  useEffect(() => {
    if (window.location.pathname !== location.pathname) return;
    if (q !== p.q) p.set({ q });
  }, [q]);

  const query: QueueQuery = {
    queue: p.queue,
    sort: p.sort,
    status: csv(p.status),
    severity: csv(p.severity),
    tier: csv(p.tier),
    organization: p.organization || undefined,
    q: p.q || undefined,
    limit: PAGE,
  };
  const pages = useInfiniteQuery({
    queryKey: [...QUEUE_KEY, "list", query],
    queryFn: ({ pageParam, signal }) => fetchQueue({ ...query, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = useMemo(() => pages.data?.pages.flatMap((page) => page.items) ?? [], [pages.data]);
  // After the first page: the rows on screen come first, the counts beside them next.
  const counts = useQueueCounts(pages.isSuccess);
  const views = useQuery({
    queryKey: ["ticket-views"],
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/ticket-views", { signal })).items,
  });

  // Keyset infinite scroll: the next page loads as the end of the list comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && pages.hasNextPage && !pages.isFetchingNextPage)
        void pages.fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [pages.hasNextPage, pages.isFetchingNextPage, pages.fetchNextPage]);

  const jumpToNumber = async (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter" || !NUMBER.test(search)) return;
    const page = await fetchQueue({ q: search.trim(), queue: "all", limit: 1 });
    if (page.jumpTo) void navigate(`/tickets/${page.jumpTo}`);
  };

  const applyView = (id: string | null) => {
    const view = views.data?.find((v) => v.id === id);
    if (!view) return p.set({ view: null });
    const f = view.filters;
    setSearch(f.q ?? "");
    p.set({
      view: view.id,
      queue: f.queue ?? null,
      sort: view.sort,
      status: f.status ?? null,
      severity: f.severity ?? null,
      tier: f.tier ?? null,
      organization: f.organization ?? null,
      q: f.q ?? null,
    });
  };

  const chosen = Object.values(selected);
  const allChosen = items.length > 0 && items.every((i) => selected[i.id]);
  const toggle = (item: QueueItem) =>
    setSelected((s) => {
      const next = { ...s };
      if (next[item.id]) delete next[item.id];
      else next[item.id] = item;
      return next;
    });
  const columns = staff ? 11 : 10;

  return (
    <>
      <PageHeader title={t("tickets.title")} subtitle={t("queue.subtitle")}>
        <ScrollArea type="auto" offsetScrollbars mt="xs">
          <Group gap={6} wrap="nowrap" role="tablist" aria-label={t("queue.queues")}>
            {queueNames
              .filter((name) => staff || !["mine", "team", "unassigned"].includes(name))
              .map((name) => (
                <Button
                  key={name}
                  role="tab"
                  aria-selected={p.queue === name}
                  size="compact-sm"
                  variant={p.queue === name ? "filled" : "light"}
                  color={name === "breached" ? "red" : name === "breaching" ? "orange" : undefined}
                  onClick={() => p.set({ queue: name === "open" ? null : name, view: null })}
                  data-testid={`queue-${name}`}
                  // Each keeps its label's width; the row scrolls sideways on a phone.
                  style={{ flexShrink: 0 }}
                  rightSection={
                    name !== "all" && counts.data ? (
                      <Badge size="xs" variant="white" color="dark" data-testid={`count-${name}`}>
                        {counts.data.queues[name]}
                      </Badge>
                    ) : undefined
                  }
                >
                  {t(`queue.names.${name}`)}
                </Button>
              ))}
          </Group>
        </ScrollArea>
        <Group align="flex-end" mt="xs" wrap="wrap" gap="sm">
          <TextInput
            type="search"
            label={t("common.search")}
            placeholder={t("queue.searchHint")}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            onKeyDown={(e) => void jumpToNumber(e)}
            w={220}
            data-testid="queue-search"
          />
          <MultiSelect
            label={t("tickets.status")}
            data={statuses.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) }))}
            value={p.status}
            onChange={(v) => p.set({ status: v })}
            clearable
            w={200}
          />
          <MultiSelect
            label={t("tickets.severity")}
            data={severities.map((s) => ({ value: s, label: t(`tickets.severities.${s}`) }))}
            value={p.severity}
            onChange={(v) => p.set({ severity: v })}
            clearable
            w={180}
          />
          <MultiSelect
            label={t("tickets.tier")}
            data={tiers.map((x) => {
              const n = counts.data?.tiers.find((c) => c.tier === x)?.count;
              return { value: x, label: `${t(`tickets.tiers.${x as Tier}`)}${n === undefined ? "" : ` (${n})`}` };
            })}
            value={p.tier}
            onChange={(v) => p.set({ tier: v })}
            clearable
            w={180}
          />
          {staff && (
            <Select
              label={t("tickets.organization")}
              searchable
              clearable
              data={(counts.data?.organizations ?? []).map((o) => ({
                value: o.organizationId,
                label: `${o.name} (${o.count})`,
              }))}
              value={p.organization || null}
              onChange={(v) => p.set({ organization: v })}
              w={200}
            />
          )}
          <Select
            label={t("queue.sort")}
            allowDeselect={false}
            data={(["urgency", "newest"] as const).map((s) => ({ value: s, label: t(`queue.sorts.${s}`) }))}
            value={p.sort}
            onChange={(v) => p.set({ sort: v === "urgency" ? null : v })}
            w={150}
          />
          <Select
            label={t("queue.views")}
            clearable
            data={(views.data ?? []).map((v) => ({
              value: v.id,
              label: v.shared ? `${v.name} · ${t("queue.shared")}` : v.name,
            }))}
            value={p.view || null}
            onChange={applyView}
            w={200}
          />
          <SaveViewButton
            sort={p.sort}
            filters={{
              queue: p.queue,
              ...(p.status.length ? { status: p.status as SavedView["filters"]["status"] } : {}),
              ...(p.severity.length ? { severity: p.severity as SavedView["filters"]["severity"] } : {}),
              ...(p.tier.length ? { tier: p.tier as Tier[] } : {}),
              ...(p.organization ? { organization: p.organization } : {}),
              ...(p.q ? { q: p.q } : {}),
            }}
          />
          {staff && can("plan") && (
            <Button component={Link} to="/tickets/routing" variant="subtle">
              {t("queue.routing.link")}
            </Button>
          )}
          {can("tickets", "write") && <Button onClick={() => setCreating(true)}>{t("tickets.new")}</Button>}
        </Group>
      </PageHeader>
      <ProblemAlert error={pages.error} />
      {staff && chosen.length > 0 && <BulkBar selected={chosen} onDone={() => setSelected({})} />}
      <Card withBorder padding={0} radius="md">
        <Table.ScrollContainer minWidth={1040}>
          <Table highlightOnHover verticalSpacing={6} data-testid="queue-table">
            <Table.Thead>
              <Table.Tr>
                {staff && (
                  <Table.Th w={36}>
                    <Checkbox
                      aria-label={t("queue.selectAll")}
                      checked={allChosen}
                      indeterminate={chosen.length > 0 && !allChosen}
                      onChange={() =>
                        setSelected(allChosen ? {} : Object.fromEntries(items.map((i) => [i.id, i] as const)))
                      }
                    />
                  </Table.Th>
                )}
                <Table.Th w={64}>#</Table.Th>
                <Table.Th>{t("tickets.subject")}</Table.Th>
                <Table.Th>{t("tickets.organization")}</Table.Th>
                <Table.Th>{t("tickets.requester")}</Table.Th>
                <Table.Th>{t("tickets.assignee")}</Table.Th>
                <Table.Th>{t("tickets.status")}</Table.Th>
                <Table.Th>{t("tickets.severity")}</Table.Th>
                <Table.Th>{t("tickets.tier")}</Table.Th>
                <Table.Th>{t("queue.sla")}</Table.Th>
                <Table.Th>{t("queue.updated")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((ticket) => (
                <Table.Tr
                  key={ticket.id}
                  data-testid="ticket-row"
                  data-ticket-number={ticket.number}
                  data-status={ticket.status}
                  style={{ cursor: "pointer" }}
                  onClick={(e) => {
                    // Clicks on the checkbox or the link do their own thing.
                    if ((e.target as HTMLElement).closest("a,input,button,label")) return;
                    void navigate(`/tickets/${ticket.id}`);
                  }}
                >
                  {staff && (
                    <Table.Td>
                      <Checkbox
                        aria-label={t("queue.select", { number: ticket.number })}
                        checked={Boolean(selected[ticket.id])}
                        onChange={() => toggle(ticket)}
                      />
                    </Table.Td>
                  )}
                  <Table.Td>{ticket.number}</Table.Td>
                  <Table.Td maw={360}>
                    <Anchor component={Link} to={`/tickets/${ticket.id}`} lineClamp={1} title={ticket.subject}>
                      {ticket.subject}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1}>
                      {ticket.organizationName}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1}>
                      {ticket.requesterName}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={ticket.assigneeName ? undefined : "dimmed"} lineClamp={1}>
                      {ticket.assigneeName ?? t("tickets.unassigned")}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusColor[ticket.status] ?? "gray"} variant="light" data-testid="row-status">
                      {t(`tickets.statuses.${ticket.status as (typeof statuses)[number]}`, {
                        defaultValue: ticket.status,
                      })}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={severityColor[ticket.severity] ?? "gray"}>
                      {t(`tickets.severities.${ticket.severity as (typeof severities)[number]}`, {
                        defaultValue: ticket.severity,
                      })}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{ticket.tier}</Table.Td>
                  <Table.Td>
                    <SlaCountdown item={ticket} now={now} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" title={format.dateTime(ticket.updatedAt)}>
                      {format.relative(ticket.updatedAt, now)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
              {pages.isSuccess && items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={columns}>
                    <Text c="dimmed" ta="center" py="md">
                      {t("tickets.none")}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <div ref={sentinel} />
        {(pages.isPending || pages.isFetchingNextPage) && (
          <Group justify="center" p="md">
            <Loader size="sm" aria-label={t("common.loading")} />
          </Group>
        )}
      </Card>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("tickets.new")} size="xl">
        {creating && (
          <NewTicketForm
            onCancel={() => setCreating(false)}
            onCreated={(ticket) => {
              setCreating(false);
              void navigate(`/tickets/${ticket.id}`);
            }}
          />
        )}
      </Modal>
    </>
  );
}
