import type { Area } from "../../shell/area";
import { BuildingIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

export const organizationsArea: Area = {
  path: "/organizations",
  label: "nav.organizations",
  icon: BuildingIcon,
  requires: "organizations",
  page: lazyPage(() => import("./OrganizationsPage").then((m) => ({ default: m.OrganizationsPage }))),
  subpages: [
    {
      path: "/organizations/:id",
      page: lazyPage(() => import("./OrganizationPage").then((m) => ({ default: m.OrganizationPage }))),
    },
  ],
};
