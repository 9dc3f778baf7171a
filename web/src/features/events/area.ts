import type { Area } from "../../shell/area";
import { PulseIcon } from "../../shell/icons";
import { LiveEventsPage } from "./LiveEventsPage";

export const eventsArea: Area = {
  path: "/events",
  label: "nav.events",
  icon: PulseIcon,
  page: LiveEventsPage,
  requires: "events",
  staffOnly: true,
};
