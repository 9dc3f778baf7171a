import { Button, Group, SegmentedControl, TextInput } from "@mantine/core";
import { useDebouncedValue, useMediaQuery } from "@mantine/hooks";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { PageHeader } from "../../shell/PageHeader";
import { LoadMore, usePagedList } from "../../shell/paging";
import { ProblemAlert } from "../../shell/problem";
import { usePortalLiveUpdates } from "./model";
import { TicketCards } from "./TicketCards";

type View = "open" | "closed" | "all" | "shared";

/** The tickets the customer may see, searchable, with the promised response and resolution times. */
export function PortalTicketsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const view = (params.get("view") as View | null) ?? "all";
  const search = params.get("q") ?? "";
  const [q] = useDebouncedValue(search.trim(), 300);
  usePortalLiveUpdates();
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const list = usePagedList(["portal", "tickets", view, q], async (cursor, signal) =>
    unwrap(
      await api.GET("/api/v1/portal/tickets", {
        params: { query: { view, q: q || undefined, cursor, limit: 25 } },
        signal,
      }),
    ),
  );
  const narrow = useMediaQuery("(max-width: 36em)");
  return (
    <>
      <PageHeader title={t("portal.tickets.title")} subtitle={t("portal.tickets.subtitle")}>
        <Group justify="space-between" align="flex-end" mt="xs" wrap="wrap">
          <Group align="flex-end" wrap="wrap">
            <TextInput
              type="search"
              label={t("common.search")}
              placeholder={t("portal.tickets.searchHint")}
              value={search}
              onChange={(e) => set("q", e.currentTarget.value)}
              w={narrow ? "100%" : 240}
            />
            <SegmentedControl
              // Four labels do not fit a phone's width side by side.
              orientation={narrow ? "vertical" : "horizontal"}
              fullWidth={narrow}
              value={view}
              onChange={(v) => set("view", v === "all" ? "" : v)}
              data={(["all", "open", "closed", "shared"] as const).map((v) => ({
                value: v,
                label: t(`portal.tickets.views.${v}`),
              }))}
            />
          </Group>
          <Button component={Link} to="/portal/tickets/new">
            {t("portal.newTicket")}
          </Button>
        </Group>
      </PageHeader>
      <ProblemAlert error={list.error} />
      <TicketCards tickets={list.items} empty={list.isPending ? "" : t("portal.tickets.none")} />
      <LoadMore {...list} />
    </>
  );
}
