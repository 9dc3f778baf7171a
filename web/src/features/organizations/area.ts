import { lazy } from "react";
import type { Area } from "../../shell/area";
import { BuildingIcon } from "../../shell/icons";

export const organizationsArea: Area = {
  path: "/organizations",
  label: "nav.organizations",
  icon: BuildingIcon,
  requires: "organizations",
  page: lazy(() => import("./OrganizationsPage").then((m) => ({ default: m.OrganizationsPage }))),
  subpages: [
    {
      path: "/organizations/:id",
      page: lazy(() => import("./OrganizationPage").then((m) => ({ default: m.OrganizationPage }))),
    },
  ],
};
