import { lazy } from "react";
import type { Area } from "../../shell/area";
import { ChatIcon } from "../../shell/icons";

export const chatArea: Area = {
  path: "/chat",
  label: "nav.chat",
  icon: ChatIcon,
  requires: "tickets",
  staffOnly: true,
  page: lazy(() => import("./ChatConsolePage").then((m) => ({ default: m.ChatConsolePage }))),
};
