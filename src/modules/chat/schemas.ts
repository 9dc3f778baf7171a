import { Type } from "typebox";
import { ChatAttachment, chatEvent } from "../../platform/events/catalogue.js";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { chatLocales, chatStatuses } from "./model.js";

const Signature = Type.String({
  pattern: "^[0-9a-fA-F]{64}$",
  description: "HMAC-SHA256 of `visitorId` with the site's key, hex",
});
const VisitorId = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: "^[\\x21-\\x7e]+$",
  description: "The visitor's identifier on the site (printable ASCII, no spaces)",
});
const credentials = { siteId: Id, visitorId: VisitorId, signature: Signature };
const ClientId = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: "^[A-Za-z0-9._:-]+$",
  description: "The sender's id for this message: a repeated post with it returns the first event",
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Email = Type.String({ format: "email", maxLength: 320 });
const Subject = Type.String({ minLength: 1, maxLength: 300 });
const Body = Type.String({ minLength: 1, maxLength: 10_000 });
const Locale = literals(chatLocales);

export const SiteParams = Type.Object({ siteId: Id }, strict);
export const IdParams = Type.Object({ id: Id }, strict);
export const FileParams = Type.Object({ id: Id, seq: Type.Integer({ minimum: 1 }) }, strict);

export const Credentials = Type.Object(credentials, strict);
export const AfterQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_000_000_000, description: "Events after this cursor" })),
  },
  strict,
);
export const VisitorQuery = Type.Object(
  {
    ...credentials,
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_000_000_000, description: "Events after this cursor" })),
  },
  strict,
);
export const LastEventHeaders = Type.Object({
  "last-event-id": Type.Optional(Type.String({ pattern: "^[0-9]{1,10}$" })),
});

export const SiteInfo = Type.Object(
  {
    id: Id,
    name: Type.String(),
    visitors: literals(["verified", "anonymous"]),
    open: Type.Boolean({ description: "Whether agents attend the chat now (the site's plan calendar)" }),
    nextOpening: nullable(Instant),
  },
  strict,
);
export const VisitorIdentity = Type.Object({ visitorId: Type.String(), signature: Type.String() }, strict);
export const PortalIdentity = Type.Object(
  { siteId: Id, visitorId: Type.String(), signature: Type.String(), name: Type.String(), email: Type.String() },
  strict,
);

export const PortalSite = Type.Object(
  { siteId: nullable(Id) },
  { ...strict, description: "The chat site the portal embeds (one whose origins name the portal's); null for none" },
);

export const StartInput = Type.Object(
  { ...credentials, name: Name, email: Email, subject: Subject, locale: Type.Optional(Locale) },
  strict,
);
export const OfflineInput = Type.Object(
  { ...credentials, name: Name, email: Email, subject: Subject, message: Body, locale: Type.Optional(Locale) },
  strict,
);
export const OfflineResult = Type.Object({ ticketId: Id, number: Type.Integer() }, strict);
export const VisitorMessage = Type.Object({ ...credentials, clientId: ClientId, body: Body }, strict);
export const VisitorTyping = Type.Object({ ...credentials, typing: Type.Boolean() }, strict);
const fileFields = (maxBytes: number) => ({
  clientId: ClientId,
  filename: Type.String({ minLength: 1, maxLength: 255 }),
  data: Type.String({
    minLength: 1,
    pattern: "^[A-Za-z0-9+/]*={0,2}$",
    contentEncoding: "base64",
    description: `At most ${maxBytes} bytes once decoded`,
  }),
});
export const VisitorFile = (maxBytes: number) => Type.Object({ ...credentials, ...fileFields(maxBytes) }, strict);
export const AgentFile = (maxBytes: number) => Type.Object(fileFields(maxBytes), strict);

export const AgentMessage = Type.Object({ clientId: ClientId, body: Body }, strict);
export const AgentTyping = Type.Object({ typing: Type.Boolean() }, strict);
export const TransferInput = Type.Object({ userId: Id }, strict);

export const Conversation = Type.Object(
  {
    id: Id,
    siteId: Id,
    organizationId: Id,
    visitor: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }, strict),
    subject: Type.String(),
    locale: Type.String(),
    status: literals(chatStatuses),
    assigneeId: nullable(Id),
    ticketId: nullable(Id),
    lastSeq: Type.Integer({ description: "Cursor of the conversation's last event" }),
    createdAt: Instant,
    updatedAt: Instant,
    closedAt: nullable(Instant),
  },
  strict,
);
export const ConversationPage = Type.Object(
  { items: Type.Array(Conversation), nextCursor: nullable(Type.String()) },
  strict,
);
export const ConversationQuery = Type.Object(
  {
    status: Type.Optional(literals(chatStatuses)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
export const ChatEvent = chatEvent;
export const ChatEventList = Type.Object({ items: Type.Array(chatEvent) }, strict);
export const PostResult = chatEvent;
export { ChatAttachment };

export const SiteInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    organizationId: Id,
    visitors: Type.Optional(literals(["verified", "anonymous"])),
    calendar: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    origins: Type.Optional(
      Type.Array(Type.String({ pattern: "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", maxLength: 300 }), {
        maxItems: 50,
      }),
    ),
  },
  strict,
);
export const SitePatch = Type.Partial(SiteInput, strict);
export const Site = Type.Object(
  {
    id: Id,
    name: Type.String(),
    organizationId: Id,
    visitors: literals(["verified", "anonymous"]),
    calendar: nullable(Type.String()),
    origins: Type.Array(Type.String()),
    secret: Type.String({ description: "The HMAC key the site's backend signs visitor identifiers with" }),
    createdAt: Instant,
    updatedAt: Instant,
  },
  strict,
);
export const SiteList = Type.Object({ items: Type.Array(Site) }, strict);
