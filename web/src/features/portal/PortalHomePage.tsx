import { Button, Group, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { PageHeader } from "../../shell/PageHeader";
import { ProblemAlert } from "../../shell/problem";
import { usePortalLiveUpdates } from "./model";
import { TicketCards } from "./TicketCards";

/** The customer's home: their open tickets and a button to open one. */
export function PortalHomePage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  usePortalLiveUpdates();
  const open = useQuery({
    queryKey: ["portal", "tickets", "home"],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/portal/tickets", { params: { query: { view: "open", limit: 50 } }, signal })),
  });
  return (
    <>
      <PageHeader title={t("portal.home.title", { name: user.name })} subtitle={t("portal.home.subtitle")}>
        <Group mt="xs">
          <Button component={Link} to="/portal/tickets/new">
            {t("portal.newTicket")}
          </Button>
          <Button component={Link} to="/portal/tickets" variant="default">
            {t("portal.home.all")}
          </Button>
          <Button component={Link} to="/portal/tracks" variant="subtle">
            {t("kbMore.tracks.area")}
          </Button>
        </Group>
      </PageHeader>
      <ProblemAlert error={open.error} />
      <div data-testid="home-tickets">
        {open.isPending ? <Loader /> : <TicketCards tickets={open.data?.items ?? []} empty={t("portal.home.none")} />}
      </div>
    </>
  );
}
