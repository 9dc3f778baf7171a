import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";
import { followEvents } from "../events/eventStream";

export type PortalTicket = JsonBody<paths["/api/v1/portal/tickets"]["get"]["responses"][200]>["items"][number];
export type PortalTicketDetail = JsonBody<paths["/api/v1/portal/tickets/{number}"]["get"]["responses"][200]>;
export type Guide = JsonBody<paths["/api/v1/portal/guide"]["get"]["responses"][200]>;
export type SurveyView = JsonBody<paths["/api/v1/surveys/{token}"]["get"]["responses"][200]>;
export type CustomerPromise = NonNullable<PortalTicket["sla"]["firstResponse"]>;

export const promiseColor: Record<CustomerPromise["status"], string> = {
  running: "blue",
  paused: "gray",
  met: "green",
  missed: "red",
  stopped: "gray",
};

/** Statuses a customer sees as still being worked on. */
export const openStatuses = ["new", "open", "pending_customer", "pending_vendor", "on_hold"];

/** Refreshes the portal's ticket queries when the server announces a change to one of the organization's tickets. */
export function usePortalLiveUpdates(number?: number) {
  const client = useQueryClient();
  useEffect(
    () =>
      followEvents("/api/v1/events", {
        onEvent: (event) => {
          if (!event.type.startsWith("ticket.")) return;
          const about = (event.payload as { number?: number }).number;
          void client.invalidateQueries({ queryKey: ["portal", "tickets"] });
          if (number === undefined || about === number)
            void client.invalidateQueries({ queryKey: ["portal", "ticket", about] });
        },
        onState: () => {},
      }),
    [client, number],
  );
}
