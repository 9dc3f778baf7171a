import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { OncallIcon } from "./icon";

const page = lazyPage(() => import("./OncallPage").then((m) => ({ default: m.OncallPage })));

// On-call data is the provider's: staff with monitoring access read it, as the server checks.
export const oncallArea: Area = {
  path: "/oncall",
  label: "oncall.nav",
  icon: OncallIcon,
  requires: "monitoring",
  staffOnly: true,
  page,
  subpages: [
    { path: "/oncall/pages", page },
    { path: "/oncall/policies", page },
  ],
};
