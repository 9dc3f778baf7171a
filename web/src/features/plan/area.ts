import { lazy } from "react";
import type { Area } from "../../shell/area";
import { PlanIcon } from "../../shell/icons";

export const planArea: Area = {
  path: "/plan",
  label: "nav.plan",
  icon: PlanIcon,
  requires: "plan",
  page: lazy(() => import("./PlanPage").then((m) => ({ default: m.PlanPage }))),
};
