import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { ScheduledCallIcon } from "./icon";

const page = lazyPage(() => import("./ScheduledCallsPage").then((m) => ({ default: m.ScheduledCallsPage })));

// Staff hold the calls; customers book theirs in the portal (/portal/scheduled-calls).
export const scheduledCallsArea: Area = {
  path: "/scheduled-calls",
  label: "scheduling.nav",
  icon: ScheduledCallIcon,
  requires: "tickets",
  staffOnly: true,
  page,
};
