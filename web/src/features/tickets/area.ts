import { lazy } from "react";
import type { Area } from "../../shell/area";
import { TicketIcon } from "../../shell/icons";

export const ticketsArea: Area = {
  path: "/tickets",
  label: "nav.tickets",
  icon: TicketIcon,
  requires: "tickets",
  page: lazy(() => import("./TicketsPage").then((m) => ({ default: m.TicketsPage }))),
  subpages: [
    {
      path: "/tickets/canned-responses",
      page: lazy(() => import("./CannedResponsesPage").then((m) => ({ default: m.CannedResponsesPage }))),
    },
    {
      path: "/tickets/routing",
      page: lazy(() => import("./RoutingRulesPage").then((m) => ({ default: m.RoutingRulesPage }))),
    },
    { path: "/tickets/:id", page: lazy(() => import("./TicketPage").then((m) => ({ default: m.TicketPage }))) },
  ],
};
