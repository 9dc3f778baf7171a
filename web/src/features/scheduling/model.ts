import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";
import { zonedInstant } from "../../shell/format";

export type ScheduledCall = JsonBody<paths["/api/v1/scheduled-calls/{id}"]["get"]["responses"][200]>;
export type Slot = JsonBody<paths["/api/v1/scheduled-calls/slots"]["get"]["responses"][200]>["items"][number];

export const statusColour: Record<ScheduledCall["status"], string> = {
  booked: "blue",
  cancelled: "gray",
  held: "green",
  no_show: "orange",
};

/** Local midnight of today in `timeZone` plus `days`, as a UTC instant (the start of the slots window). */
export function dayStart(timeZone: string, days: number, now = Date.now()): Date {
  const today = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(now));
  const [y, m, d] = today.split("-").map(Number);
  const date = new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
  return zonedInstant(`${date}T00:00`, timeZone) ?? new Date(now);
}
