import { lazy } from "react";
import type { Area } from "../../shell/area";
import { AuditIcon } from "../../shell/icons";

export const auditArea: Area = {
  path: "/audit",
  label: "nav.audit",
  icon: AuditIcon,
  requires: "audit",
  page: lazy(() => import("./AuditPage").then((m) => ({ default: m.AuditPage }))),
};
