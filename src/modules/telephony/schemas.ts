import { Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";

const Name = Type.String({ minLength: 1, maxLength: 120, description: "Display name" });
const Host = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: "^[A-Za-z0-9.:_-]+$",
  description: "AMI host name or IP address",
});
const AgentInterface = Type.String({
  pattern: "^[A-Za-z0-9]+/[A-Za-z0-9._@-]{1,80}$",
  description: "A PBX interface, e.g. PJSIP/1001",
});
const Extensions = Type.Record(AgentInterface, Type.String({ format: "email", maxLength: 254 }), {
  description:
    "Agents' PBX interfaces to their staff emails: who rang or answered, and whose phone click-to-call rings",
  maxProperties: 5000,
  additionalProperties: false,
});
/** A caller id or dialled number as a PBX sends it: digits, +, spaces and the usual punctuation, or an extension. */
const Number_ = Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9A-Za-z+*#()./@:_ -]+$" });

export const PbxConnectionInput = Type.Object(
  {
    name: Name,
    host: Host,
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: "AMI TCP port; 5038 when left out" })),
    username: Type.String({ minLength: 1, maxLength: 80, pattern: "^[^\\r\\n]+$" }),
    secret: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: "^[^\\r\\n]+$",
      description: "The AMI secret: sealed at rest, never returned",
    }),
    enabled: Type.Optional(Type.Boolean({ description: "Keep a session open; true when left out" })),
    extensions: Type.Optional(Extensions),
    originateContext: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 80,
        pattern: "^[A-Za-z0-9_-]+$",
        description: "Dialplan context Originate dials customers in; from-internal when left out",
      }),
    ),
  },
  strict,
);
export const PbxConnectionPatch = Type.Partial(PbxConnectionInput, { ...strict, minProperties: 1 });

export const PbxConnection = Type.Object({
  id: Id,
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  username: Type.String(),
  enabled: Type.Boolean(),
  extensions: Type.Record(Type.String(), Type.String()),
  originateContext: Type.String(),
  holder: nullable(Type.String({ description: "Node holding the AMI session" })),
  state: Type.String({ description: "connecting, connected, disconnected, or standby (no node holds it)" }),
  lastError: nullable(Type.String()),
  connectedAt: nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
});
export const PbxConnectionList = Type.Object({ items: Type.Array(PbxConnection), nextCursor: nullable(Type.String()) });

export const CallEventInput = Type.Object(
  {
    callId: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: "^[^\\r\\n]+$",
      description: "The PBX's id of the call",
    }),
    event: literals(["ringing", "answered", "hangup"] as const),
    at: Type.String({ format: "date-time", description: "When it happened (ISO-8601 with a zone)" }),
    from: Number_,
    to: Number_,
    queue: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    agentEmail: Type.Optional(Type.String({ format: "email", maxLength: 254 })),
    recordingUrl: Type.Optional(Type.String({ format: "uri", maxLength: 2000, pattern: "^https?://" })),
  },
  strict,
);

const Contact = Type.Object({
  name: Type.String(),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
});

export const Call = Type.Object({
  id: Id,
  externalId: Type.String(),
  source: Type.String({ description: "webhook or ami" }),
  pbxConnectionId: nullable(Id),
  direction: Type.String({ description: "inbound or outbound" }),
  from: Type.String(),
  to: Type.String(),
  callerNumber: nullable(Type.String({ description: "The customer side in E.164 (the matching key)" })),
  queue: nullable(Type.String()),
  organizationId: nullable(Id),
  contact: nullable(Contact),
  agentId: nullable(Id),
  status: Type.String({ description: "ringing, answered, completed or missed" }),
  ringingAt: nullable(Instant),
  answeredAt: nullable(Instant),
  endedAt: nullable(Instant),
  durationSeconds: nullable(Type.Integer()),
  recordingUrl: nullable(Type.String()),
  ticketId: nullable(Id),
  callback: nullable(
    Type.Object({
      status: Type.String({ description: "pending, overdue or done" }),
      dueAt: nullable(Instant),
    }),
  ),
  createdAt: Instant,
});
export const CallDetail = Type.Intersect([
  Call,
  Type.Object({
    steps: Type.Array(Type.Object({ event: Type.String(), key: Type.String(), at: Instant, receivedAt: Instant }), {
      description: "The steps received (staff only; empty for customers)",
    }),
  }),
]);
export const CallList = Type.Object({ items: Type.Array(Call), nextCursor: nullable(Type.String()) });
export const CallEventResult = Type.Object({
  duplicate: Type.Boolean({ description: "The step was already recorded: nothing changed" }),
  call: Call,
});

export const CallQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    ticketId: Type.Optional(Id),
    organizationId: Type.Optional(Id),
    status: Type.Optional(literals(["ringing", "answered", "completed", "missed"] as const)),
    callback: Type.Optional(literals(["pending", "overdue", "done"] as const)),
  },
  strict,
);
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
export const IdParams = Type.Object({ id: Id }, strict);
export const ClickToCall = Type.Object(
  {
    to: Type.Optional(Number_),
    connectionId: Type.Optional(Id),
  },
  { ...strict, description: "The number to call (default: the requester's phone) and the PBX connection" },
);
