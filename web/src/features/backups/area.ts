import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { BackupIcon } from "./icon";

export const backupsArea: Area = {
  path: "/backups",
  label: "backups.nav",
  icon: BackupIcon,
  requires: "backups",
  page: lazyPage(() => import("./BackupsPage").then((m) => ({ default: m.BackupsPage }))),
  subpages: [
    {
      path: "/backups/jobs/:id",
      page: lazyPage(() => import("./BackupJobPage").then((m) => ({ default: m.BackupJobPage }))),
    },
  ],
};
