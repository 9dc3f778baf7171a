import type { Area } from "../../shell/area";
import { PlanIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";
import { findingsQuery, planQuery } from "./queries";

export const planArea: Area = {
  path: "/plan",
  label: "nav.plan",
  icon: PlanIcon,
  requires: "plan",
  page: lazyPage(() => import("./PlanPage").then((m) => ({ default: m.PlanPage }))),
  // Every tab shows the plan and counts its findings; the editor's sections paint with both.
  prefetch: (client, language) => {
    void client.prefetchQuery(planQuery);
    void client.prefetchQuery(findingsQuery(language));
  },
};
