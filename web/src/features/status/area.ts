import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { StatusIcon } from "./StatusIcon";

// Operations' work: roles that read monitoring see it; the server checks the same grant on every route.
export const statusArea: Area = {
  path: "/status-page",
  label: "statusPage.area",
  icon: StatusIcon,
  requires: "monitoring",
  staffOnly: true,
  page: lazyPage(() => import("./StatusPageAdmin").then((m) => ({ default: m.StatusPageAdmin }))),
};
