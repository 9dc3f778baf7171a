import { Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { flavours } from "./chat.js";
import { preferenceKinds } from "./templates.js";

export const channels = ["email", "in_app", "webhook"] as const;
export const statuses = ["pending", "failed", "sent", "dead"] as const;
const Channel = Type.Union(
  channels.map((c) => Type.Literal(c)),
  { description: "`email`, `in_app` (the user's notification centre) or `webhook` (signed POST)" },
);
const UserChannel = Type.Union([Type.Literal("email"), Type.Literal("in_app")]);
const Status = Type.Union(
  statuses.map((s) => Type.Literal(s)),
  {
    description:
      "`pending` (not tried yet), `failed` (last attempt failed, retried at `nextAttemptAt`), `sent`, or `dead` (attempts exhausted; resend by hand)",
  },
);
const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
const Cursor = Type.String({ minLength: 1, maxLength: 200, description: "`nextCursor` of the previous page" });

export const Notification = Type.Object(
  {
    id: Id,
    channel: Channel,
    template: Type.String({ description: "Template key, e.g. `ticket.escalation.staff`" }),
    kind: Type.String({ description: "Event kind preferences are keyed by; `account` cannot be switched off" }),
    locale: Type.String({ description: "Language it is rendered in" }),
    userId: nullable(Id),
    recipient: Type.String({ description: "Email address, user id (in-app) or webhook id" }),
    flavour: nullable(Type.Union(flavours.map((f) => Type.Literal(f)))),
    thread: nullable(Type.String({ description: "Subject it belongs to, `<kind>:<id>`" })),
    messageId: Type.String({ description: "`Message-ID` of the mail, the same on every attempt and resend" }),
    status: Status,
    attempts: Type.Integer({ minimum: 0 }),
    nextAttemptAt: nullable(Instant),
    lastError: nullable(Type.String()),
    providerMessageId: nullable(Type.String({ description: "The SMTP server's answer, or the webhook's HTTP status" })),
    sentAt: nullable(Instant),
    readAt: nullable(Instant),
    createdAt: Instant,
    updatedAt: Instant,
  },
  strict,
);

export const NotificationPage = Type.Object(
  { items: Type.Array(Notification), nextCursor: nullable(Type.String()) },
  strict,
);

export const LogQuery = Type.Object(
  {
    status: Type.Optional(Status),
    channel: Type.Optional(Channel),
    to: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 320,
        description: "Exact recipient: email address, user id or webhook id",
      }),
    ),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  strict,
);

export const NotificationParams = Type.Object({ id: Id }, strict);

export const InboxItem = Type.Object(
  {
    id: Id,
    kind: Type.String(),
    template: Type.String(),
    title: Type.String(),
    body: Type.String(),
    link: nullable(Type.String()),
    createdAt: Instant,
    readAt: nullable(Instant),
  },
  strict,
);

export const InboxQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: "Only notifications not marked read" })),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  strict,
);

export const InboxPage = Type.Object(
  { items: Type.Array(InboxItem), nextCursor: nullable(Type.String()), unread: Type.Integer({ minimum: 0 }) },
  strict,
);

export const UnreadCount = Type.Object({ unread: Type.Integer({ minimum: 0 }) }, strict);

const Preference = Type.Object(
  {
    kind: literals(
      preferenceKinds,
      "Event kind: `ticket.escalation` (SLA escalations), `ticket.watch` (tickets you watch); for customers " +
        "`ticket.received`, `ticket.reply` (agent replies), `ticket.status`, `ticket.waiting` (we wait for you, and its " +
        "reminder); for staff `ticket.assigned`, `ticket.mentioned`, `ticket.customer_reply`, `ticket.sla` (warning, breach)",
    ),
    channel: UserChannel,
    enabled: Type.Boolean(),
  },
  strict,
);

export const Preferences = Type.Object({ items: Type.Array(Preference) }, strict);
export const PreferencesInput = Type.Object({ items: Type.Array(Preference, { maxItems: 100 }) }, strict);
