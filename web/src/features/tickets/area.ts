import type { Area } from "../../shell/area";
import { TicketIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

export const ticketsArea: Area = {
  path: "/tickets",
  label: "nav.tickets",
  icon: TicketIcon,
  requires: "tickets",
  page: lazyPage(() => import("./TicketsPage").then((m) => ({ default: m.TicketsPage }))),
  subpages: [
    {
      path: "/tickets/canned-responses",
      page: lazyPage(() => import("./CannedResponsesPage").then((m) => ({ default: m.CannedResponsesPage }))),
    },
    {
      path: "/tickets/routing",
      page: lazyPage(() => import("./RoutingRulesPage").then((m) => ({ default: m.RoutingRulesPage }))),
    },
    { path: "/tickets/:id", page: lazyPage(() => import("./TicketPage").then((m) => ({ default: m.TicketPage }))) },
  ],
};
