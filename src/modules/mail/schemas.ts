import { Type } from "typebox";
import { Id, Instant, nullable, strict } from "../../platform/http/schemas.js";
import { PageQuery, page } from "../identity/schemas.js";

const Address = Type.String({
  minLength: 3,
  maxLength: 254,
  pattern: "^[^@\\s<>]+@[^@\\s<>]+\\.[^@\\s<>]+$",
  description: "The mailbox's address (mail to it is taken in)",
});
const Team = nullable(Type.String({ minLength: 1, maxLength: 60, description: "Team new tickets go to" }));
const Host = Type.String({ minLength: 1, maxLength: 253, pattern: "^[A-Za-z0-9.:\\[\\]-]+$" });

const ImapInput = Type.Object(
  {
    host: Host,
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    tls: Type.Boolean({ description: "Implicit TLS (993); false uses STARTTLS when the server offers it" }),
    user: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: "Sealed at rest, never returned; omit on a change to keep the stored one",
      }),
    ),
    folder: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "Folder to read (INBOX by default)" }),
    ),
  },
  { ...strict, description: "IMAP polling of an existing mailbox (IDLE where offered)" },
);

export const MailboxInput = Type.Object(
  {
    address: Address,
    organizationId: Type.Optional(
      nullable(Type.String({ format: "uuid", description: "Organization mail from unknown senders belongs to" })),
    ),
    team: Type.Optional(Team),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    imap: Type.Optional(nullable(ImapInput)),
  },
  strict,
);

export const MailboxPatch = Type.Object(
  {
    address: Type.Optional(Address),
    organizationId: Type.Optional(nullable(Type.String({ format: "uuid" }))),
    team: Type.Optional(Team),
    enabled: Type.Optional(Type.Boolean()),
    imap: Type.Optional(nullable(ImapInput)),
  },
  { ...strict, minProperties: 1 },
);

export const Mailbox = Type.Object({
  id: Id,
  address: Type.String(),
  organizationId: nullable(Type.String()),
  team: nullable(Type.String()),
  enabled: Type.Boolean(),
  imap: nullable(
    Type.Object({
      host: Type.String(),
      port: Type.Integer(),
      tls: Type.Boolean(),
      user: Type.String(),
      folder: Type.String(),
      passwordSet: Type.Boolean(),
    }),
  ),
  lastPolledAt: nullable(Instant),
  lastUid: Type.Integer({ description: "Highest IMAP UID taken in" }),
  lastError: nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});

export const MailboxList = page(Mailbox);
export const MailboxParams = Type.Object({ id: Id }, strict);
export const ListQuery = Type.Object(PageQuery, strict);

export const LogEntry = Type.Object({
  id: Id,
  mailboxId: nullable(Type.String()),
  at: Instant,
  level: Type.Union([Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")]),
  event: Type.String({ description: "opened, threaded, reopened, linked, automatic, rate_limited, duplicate, …" }),
  sender: nullable(Type.String()),
  subject: nullable(Type.String()),
  ticketId: nullable(Type.String()),
  detail: Type.String(),
});
export const LogPage = page(LogEntry);

const DomainRule = Type.Object(
  {
    domain: Type.String({
      minLength: 3,
      maxLength: 253,
      pattern: "^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",
      description: "Sender domain",
    }),
    organizationId: Type.String({ format: "uuid" }),
  },
  strict,
);
export const DomainRules = Type.Object({ items: Type.Array(DomainRule, { maxItems: 1000 }) }, strict);

export const PollResult = Type.Object({
  taken: Type.Integer(),
  skipped: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});
