import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { IncidentIcon } from "./icon";

export const incidentsArea: Area = {
  path: "/incidents",
  label: "incidents.nav",
  icon: IncidentIcon,
  requires: "incidents",
  staffOnly: true,
  page: lazyPage(() => import("./IncidentsPage").then((m) => ({ default: m.IncidentsPage }))),
  subpages: [
    {
      path: "/incidents/:id",
      page: lazyPage(() => import("./IncidentPage").then((m) => ({ default: m.IncidentPage }))),
    },
  ],
};
