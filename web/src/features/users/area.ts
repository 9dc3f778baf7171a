import { lazy } from "react";
import type { Area } from "../../shell/area";
import { UsersIcon } from "../../shell/icons";

export const usersArea: Area = {
  path: "/users",
  label: "nav.users",
  icon: UsersIcon,
  requires: "users",
  page: lazy(() => import("./UsersPage").then((m) => ({ default: m.UsersPage }))),
};
