import type { Area } from "../../shell/area";
import { lazyPage } from "../../shell/lazyPage";
import { WebhookIcon } from "./WebhookIcon";

// Only roles with a webhooks grant (admin, manager) see the area; the server checks the same grant.
export const webhooksArea: Area = {
  path: "/webhooks",
  label: "areas.webhooks",
  icon: WebhookIcon,
  requires: "webhooks",
  page: lazyPage(() => import("./WebhooksPage").then((m) => ({ default: m.WebhooksPage }))),
  subpages: [
    { path: "/webhooks/:id", page: lazyPage(() => import("./WebhookPage").then((m) => ({ default: m.WebhookPage }))) },
  ],
};
