import { lazy } from "react";
import type { Area } from "../../shell/area";
import { IncidentIcon } from "./icon";

export const incidentsArea: Area = {
  path: "/incidents",
  label: "incidents.nav",
  icon: IncidentIcon,
  requires: "incidents",
  staffOnly: true,
  page: lazy(() => import("./IncidentsPage").then((m) => ({ default: m.IncidentsPage }))),
  subpages: [
    {
      path: "/incidents/:id",
      page: lazy(() => import("./IncidentPage").then((m) => ({ default: m.IncidentPage }))),
    },
  ],
};
