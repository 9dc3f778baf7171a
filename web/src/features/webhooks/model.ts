import type { JsonBody } from "../../api/client";
import type { paths } from "../../api/schema";

export type Webhook = JsonBody<paths["/api/v1/webhooks/{id}"]["get"]["responses"][200]>;
export type WebhookWithSecret = JsonBody<paths["/api/v1/webhooks"]["post"]["responses"][201]>;
export type Delivery = JsonBody<paths["/api/v1/webhooks/{id}/deliveries"]["get"]["responses"][200]>["items"][number];
export type DeliveryStatus = Delivery["status"];

export const deliveryStatuses: readonly DeliveryStatus[] = ["pending", "failed", "succeeded", "dead"];

export const deliveryColor: Record<DeliveryStatus, string> = {
  pending: "blue",
  failed: "orange",
  succeeded: "green",
  dead: "red",
};

/** Filters offered while typing event types; any other type, `prefix.*` or `*` can be typed too. */
export const eventTypeSuggestions = [
  "*",
  "ticket.*",
  "ticket.created",
  "ticket.updated",
  "ticket.message.created",
  "ticket.merged",
  "ticket.escalation",
  "organization.*",
  "user.*",
];

/** Only a succeeded or dead delivery can be sent again; the others are still being tried. */
export const redeliverable = (d: Delivery) => d.status === "succeeded" || d.status === "dead";
