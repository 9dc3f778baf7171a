import type { Area } from "../../shell/area";
import { UsersIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

export const usersArea: Area = {
  path: "/users",
  label: "nav.users",
  icon: UsersIcon,
  requires: "users",
  page: lazyPage(() => import("./UsersPage").then((m) => ({ default: m.UsersPage }))),
};
