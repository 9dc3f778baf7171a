import type { Area } from "../../shell/area";
import { PulseIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

export const eventsArea: Area = {
  path: "/events",
  label: "nav.events",
  icon: PulseIcon,
  page: lazyPage(() => import("./LiveEventsPage").then((m) => ({ default: m.LiveEventsPage }))),
  requires: "events",
  staffOnly: true,
};
