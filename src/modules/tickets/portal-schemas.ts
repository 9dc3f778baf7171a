import { Type } from "typebox";
import { Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { csatGroupings } from "./csat-service.js";
import { fcrGroupings } from "./fcr-service.js";
import { severities } from "./model.js";
import { portalViews } from "./portal-service.js";
import { TicketType } from "./schemas.js";

const CustomerPromise = nullable(
  Type.Object({
    dueAt: Instant,
    status: literals(["running", "paused", "met", "missed", "stopped"] as const),
    at: nullable(Instant),
  }),
);

/** A ticket as its customer reads it: no tier, team, assignee, tags, internal clocks or ids. */
export const PortalTicket = Type.Object({
  number: Type.Integer(),
  subject: Type.String(),
  description: Type.String(),
  type: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  channel: Type.String(),
  requesterName: Type.String(),
  requestedByMe: Type.Boolean(),
  firstResponseAt: nullable(Instant),
  resolvedAt: nullable(Instant),
  closedAt: nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
  sla: Type.Object(
    { firstResponse: CustomerPromise, resolution: CustomerPromise },
    { description: "The customer SLA: first response and resolution, when promised and whether kept" },
  ),
});

export const PortalMessage = Type.Object({
  fromSupport: Type.Boolean(),
  author: Type.String(),
  kind: literals(["reply", "phone_call"] as const),
  body: Type.String(),
  createdAt: Instant,
});

export const PortalAttachment = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  createdAt: Instant,
});

export const PortalSurvey = Type.Object({
  status: Type.String({ description: "pending (may be rated), rated or superseded" }),
  rating: nullable(Type.Integer()),
  comment: nullable(Type.String()),
  ratedAt: nullable(Instant),
});

export const PortalLink = Type.Object({
  kind: Type.String({
    description: "related, duplicate_of, duplicated_by, parent_of or child_of, read from this ticket",
  }),
  number: Type.Integer(),
  subject: Type.String(),
  status: Type.String(),
});

export const PortalWatching = Type.Object({ watching: Type.Boolean() });

export const PortalTicketDetail = Type.Object({
  ticket: PortalTicket,
  messages: Type.Array(PortalMessage),
  attachments: Type.Array(PortalAttachment),
  watching: Type.Boolean({ description: "Whether the reader is mailed about replies and status changes" }),
  links: Type.Array(PortalLink, { description: "Related tickets the reader may see too" }),
  survey: nullable(PortalSurvey),
});

export const PortalPage = Type.Object({ items: Type.Array(PortalTicket), nextCursor: nullable(Type.String()) });

export const PortalQuery = Type.Object(
  {
    view: Type.Optional(
      literals(
        portalViews,
        "open, closed (resolved or closed), all (default) or shared (others' tickets shared with the reader)",
      ),
    ),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })),
  },
  strict,
);

export const NumberParams = Type.Object({ number: Type.Integer({ minimum: 1, maximum: 1e15 }) }, strict);

export const PortalTicketInput = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.String({ minLength: 1, maxLength: 100_000 }),
    type: TicketType,
    severity: literals(severities),
  },
  strict,
);

export const PortalReplyInput = Type.Object({ body: Type.String({ minLength: 1, maxLength: 100_000 }) }, strict);

export const PortalStatusInput = Type.Object(
  { status: literals(["open", "resolved", "closed"] as const, "open reopens; resolved or closed ends the ticket") },
  strict,
);

export const RatingInput = Type.Object(
  {
    rating: Type.Integer({ minimum: 1, maximum: 5, description: "1 very unsatisfied … 5 very satisfied" }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  strict,
);

const PlanDuration = Type.Object({ value: Type.Number(), unit: Type.String() });

export const PortalGuide = Type.Object({
  severities: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      description: Type.String(),
      response: PlanDuration,
      resolution: PlanDuration,
      calendarName: Type.String(),
      alwaysOpen: Type.Boolean(),
    }),
  ),
  types: Type.Array(Type.String()),
});

export const SurveyToken = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 400, pattern: "^[A-Za-z0-9._-]+$" }) },
  strict,
);

export const SurveyView = Type.Object({
  state: literals(["open", "rated", "expired", "superseded"] as const),
  number: Type.Integer(),
  subject: Type.String(),
  rating: nullable(Type.Integer()),
  comment: nullable(Type.String()),
  expiresAt: Instant,
});

export const Survey = Type.Object({
  id: Type.String(),
  resolvedAt: Instant,
  status: Type.String({ description: "pending, rated or superseded (by a later resolution's survey)" }),
  expiresAt: Instant,
  remindedAt: nullable(Instant),
  rating: nullable(Type.Integer()),
  comment: nullable(Type.String()),
  ratedAt: nullable(Instant),
});

export const SurveyList = Type.Object({ items: Type.Array(Survey) });

export const CsatSettings = Type.Object({ surveysEnabled: Type.Boolean() }, strict);

const Period = {
  from: Type.String({ format: "date-time", description: "Start of the period (inclusive)" }),
  to: Type.String({ format: "date-time", description: "End of the period (exclusive)" }),
};

export const CsatReportQuery = Type.Object({ ...Period, groupBy: literals(csatGroupings) }, strict);
export const FcrReportQuery = Type.Object({ ...Period, groupBy: literals(fcrGroupings) }, strict);

const Rate = nullable(Type.Number({ minimum: 0, maximum: 1 }));
const CsatFigures = {
  surveys: Type.Integer({ description: "Surveys sent for resolutions in the period" }),
  responses: Type.Integer(),
  responseRate: Rate,
  average: nullable(Type.Number({ description: "Mean rating, 1-5" })),
  csat: Type.Union([Type.Number(), Type.Null()], { description: "Share of answers rating 4 or 5" }),
  distribution: Type.Array(Type.Integer(), { description: "How many answers rated 1, 2, 3, 4 and 5" }),
};

export const CsatReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  groupBy: Type.String(),
  total: Type.Object(CsatFigures),
  groups: Type.Array(Type.Object({ key: nullable(Type.String()), label: nullable(Type.String()), ...CsatFigures })),
});

export const FcrReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  groupBy: Type.String(),
  repeatBusinessDays: Type.Integer(),
  total: Type.Object({ resolved: Type.Integer(), fcr: Type.Integer(), rate: Rate }),
  groups: Type.Array(
    Type.Object({
      key: nullable(Type.String()),
      label: nullable(Type.String()),
      resolved: Type.Integer(),
      fcr: Type.Integer(),
      rate: Rate,
      provisional: Type.Integer({ description: "Counted as FCR while the repeat-contact window is still open" }),
      reasons: Type.Record(Type.String(), Type.Integer(), { description: "Misses by first failing reason" }),
    }),
  ),
  tickets: Type.Array(
    Type.Object({
      ticketId: Type.String(),
      number: Type.Integer(),
      resolvedAt: Instant,
      fcr: Type.Boolean(),
      reason: Type.String({
        description:
          "first_contact, or the first failing one of reopened, escalated, repeat_contact, several_contacts, several_replies",
      }),
      reasons: Type.Array(Type.String()),
      final: Type.Boolean({ description: "False while the repeat-contact window is open" }),
      contacts: Type.Integer({ description: "Contact sessions the customer started on the ticket" }),
      channels: Type.Array(Type.String()),
      publicStaffReplies: Type.Integer(),
      escalations: Type.Integer(),
      reopens: Type.Integer(),
      repeatContacts: Type.Array(Type.Object({ ticketId: Type.String(), channel: Type.String(), at: Instant })),
    }),
  ),
});
