import { lazy } from "react";
import type { Area } from "../../shell/area";
import { BackupIcon } from "./icon";

export const backupsArea: Area = {
  path: "/backups",
  label: "backups.nav",
  icon: BackupIcon,
  requires: "backups",
  page: lazy(() => import("./BackupsPage").then((m) => ({ default: m.BackupsPage }))),
  subpages: [
    {
      path: "/backups/jobs/:id",
      page: lazy(() => import("./BackupJobPage").then((m) => ({ default: m.BackupJobPage }))),
    },
  ],
};
