import type { Area } from "../../shell/area";
import { AuditIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

export const auditArea: Area = {
  path: "/audit",
  label: "nav.audit",
  icon: AuditIcon,
  requires: "audit",
  page: lazyPage(() => import("./AuditPage").then((m) => ({ default: m.AuditPage }))),
};
