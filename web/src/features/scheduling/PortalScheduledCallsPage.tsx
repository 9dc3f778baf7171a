import { Alert, Select, Stack, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { CallsTable } from "./CallsTable";
import { SlotPicker } from "./SlotPicker";

/** The portal's booking page: pick one of your open tickets and a free slot; see, move or cancel your bookings. */
export function PortalScheduledCallsPage() {
  const { t } = useTranslation();
  const [ticketId, setTicketId] = useState<string | null>(null);
  const tickets = useQuery({
    queryKey: ["scheduled-calls", "tickets"],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET("/api/v1/tickets", {
          params: { query: { status: "new,open,pending_customer,pending_vendor,on_hold", limit: 100 } },
          signal,
        }),
      ).items,
  });
  const calls = useQuery({
    queryKey: ["scheduled-calls", "list", "portal"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/scheduled-calls", { params: { query: { limit: 100 } }, signal })).items,
  });
  const options = (tickets.data ?? []).map((tk) => ({ value: tk.id, label: `#${tk.number} ${tk.subject}` }));
  const selected = ticketId ?? options[0]?.value ?? null;
  return (
    <>
      <PageHeader title={t("scheduling.portalTitle")} subtitle={t("scheduling.portalSubtitle")} />
      <Stack gap="lg">
        <ProblemAlert error={tickets.error ?? calls.error} />
        {tickets.isSuccess && options.length === 0 ? (
          <Alert color="gray">{t("scheduling.noTickets")}</Alert>
        ) : (
          <>
            <Select
              label={t("scheduling.ticket")}
              description={t("scheduling.ticketHint")}
              data={options}
              value={selected}
              onChange={setTicketId}
              allowDeselect={false}
              maw={520}
            />
            {selected && <SlotPicker ticketId={selected} />}
          </>
        )}
        <Title order={3} size="h4">
          {t("scheduling.upcoming")}
        </Title>
        <CallsTable items={calls.data ?? []} staff={false} showTicket />
      </Stack>
    </>
  );
}
