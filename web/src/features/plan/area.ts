import type { Area } from "../../shell/area";
import { PlanIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

export const planArea: Area = {
  path: "/plan",
  label: "nav.plan",
  icon: PlanIcon,
  requires: "plan",
  page: lazyPage(() => import("./PlanPage").then((m) => ({ default: m.PlanPage }))),
};
