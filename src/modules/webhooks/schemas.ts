import { Type } from "typebox";
import { Id, Instant, nullable, strict } from "../../platform/http/schemas.js";

export const deliveryStatuses = ["pending", "failed", "succeeded", "dead"] as const;

const Name = Type.String({ minLength: 1, maxLength: 100, description: "Label shown to administrators" });
const Url = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: "http or https URL the events are POSTed to (loopback and private addresses are allowed)",
});
const EventTypes = Type.Array(
  Type.String({
    maxLength: 100,
    pattern: "^(\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?)$",
    description: "An event type (`ticket.created`), a prefix ending in `.*` (`ticket.*`), or `*` for every event",
  }),
  { minItems: 1, maxItems: 50, uniqueItems: true },
);
const OrganizationFilter = nullable(
  Type.String({
    format: "uuid",
    description: "Only this organization's events; null for every organization's and the provider-wide ones",
  }),
);

export const WebhookInput = Type.Object(
  {
    name: Name,
    url: Url,
    eventTypes: EventTypes,
    organizationId: Type.Optional(OrganizationFilter),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  strict,
);

export const WebhookPatch = Type.Object(
  {
    name: Type.Optional(Name),
    url: Type.Optional(Url),
    eventTypes: Type.Optional(EventTypes),
    organizationId: Type.Optional(OrganizationFilter),
    enabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);

const webhookFields = {
  id: Id,
  name: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  organizationId: nullable(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
};

export const Webhook = Type.Object(webhookFields);

export const WebhookWithSecret = Type.Object({
  ...webhookFields,
  secret: Type.String({
    description: "The signing secret; shown only in this answer (at creation and rotation), never again",
  }),
});

export const WebhookList = Type.Object({ items: Type.Array(Webhook) });

export const Delivery = Type.Object({
  id: Id,
  webhookId: Id,
  eventId: Type.Integer(),
  eventType: Type.String(),
  status: Type.Unsafe<(typeof deliveryStatuses)[number]>({
    type: "string",
    enum: [...deliveryStatuses],
    description:
      "pending (not tried yet), failed (the last attempt failed; retried at nextAttemptAt), succeeded, dead (attempts exhausted)",
  }),
  attempts: Type.Integer(),
  lastStatusCode: nullable(Type.Integer()),
  lastError: nullable(Type.String()),
  responseMs: nullable(Type.Integer()),
  nextAttemptAt: nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
});

export const DeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: "nextCursor of the previous page" })),
    status: Type.Optional(
      Type.Unsafe<(typeof deliveryStatuses)[number]>({ type: "string", enum: [...deliveryStatuses] }),
    ),
  },
  strict,
);

export const DeliveriesPage = Type.Object({ items: Type.Array(Delivery), nextCursor: nullable(Type.String()) });

export const WebhookParams = Type.Object({ id: Id }, strict);
export const DeliveryParams = Type.Object({ id: Id, deliveryId: Id }, strict);
