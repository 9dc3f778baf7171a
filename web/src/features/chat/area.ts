import type { Area } from "../../shell/area";
import { ChatIcon } from "../../shell/icons";
import { lazyPage } from "../../shell/lazyPage";

export const chatArea: Area = {
  path: "/chat",
  label: "nav.chat",
  icon: ChatIcon,
  requires: "tickets",
  staffOnly: true,
  page: lazyPage(() => import("./ChatConsolePage").then((m) => ({ default: m.ChatConsolePage }))),
};
