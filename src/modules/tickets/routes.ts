import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems, strict } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { Id, IdParams, TierSchema } from "../identity/schemas.js";
import { channels, severities, statuses, ticketTypes } from "./model.js";
import type { TicketService } from "./service.js";

const enumOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...(description ? { description } : {}) });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Severity = enumOf(severities);
const Status = enumOf(statuses);
const TicketType = Type.String({
  pattern: "^[a-z][a-z0-9_]{1,59}$",
  description: `Ticket type; defaults: ${ticketTypes.join(", ")}`,
});
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 50, pattern: "^[^,\\s]+$" }), {
  maxItems: 30,
  uniqueItems: true,
});
const Requester = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ format: "email", maxLength: 254 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  strict,
);

const Ticket = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  organizationId: Type.String(),
  requesterId: nullable(Type.String()),
  requester: Type.Object({
    name: Type.String(),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
  }),
  subject: Type.String(),
  description: Type.String(),
  channel: Type.String(),
  type: Type.String(),
  severity: Type.String(),
  tier: Type.String(),
  status: Type.String(),
  assigneeId: nullable(Type.String()),
  team: nullable(Type.String()),
  tags: Type.Array(Type.String()),
  mergedIntoId: nullable(Type.String()),
  firstResponseAt: nullable(Type.String()),
  resolvedAt: nullable(Type.String()),
  closedAt: nullable(Type.String()),
  slaDueAt: Type.Union([Type.String(), Type.Null()], {
    description: "Earliest breach time of the SLA clocks still counting",
  }),
  slaBreached: Type.Boolean({ description: "Whether any SLA clock has breached" }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Message = Type.Object({
  id: Type.String(),
  ticketId: Type.String(),
  authorId: nullable(Type.String()),
  authorKind: Type.String(),
  visibility: Type.String(),
  kind: Type.String(),
  body: Type.String({
    description: "The text; a system note is written in the reader's language (Accept-Language, else their preference)",
  }),
  bodyKey: Type.Union([Type.String(), Type.Null()], {
    description:
      "A system note's phrase key (sla.breached, sla.warning, sla.escalation, ticket.escalated, ...), else null",
  }),
  bodyParams: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: "Parameters of bodyKey, for clients that write notes themselves",
  }),
  createdAt: Type.String(),
});

/** Comma-separated enum list in a query string, e.g. `status=new,open`. */
const csv = (values: readonly string[]) =>
  Type.String({ pattern: `^(${values.join("|")})(,(${values.join("|")}))*$`, maxLength: 200 });
const split = (v: string | undefined) => (v ? v.split(",") : undefined);

export function ticketRoutes(tickets: TicketService, opts: { attachmentMaxBytes: number }) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.post(
      "/api/v1/tickets",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Open a ticket (a customer opens it for its own organization)",
          body: Type.Object(
            {
              subject: Type.String({ minLength: 1, maxLength: 300 }),
              description: Type.String({ minLength: 1, maxLength: 100_000 }),
              organizationId: Type.Optional(Id),
              requester: Type.Optional(Requester),
              channel: Type.Optional(enumOf(channels)),
              type: TicketType,
              severity: Severity,
              tier: Type.Optional(TierSchema),
              assigneeId: Type.Optional(nullable(Id)),
              team: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 60 }))),
              tags: Type.Optional(Tags),
            },
            strict,
          ),
          response: { 201: Ticket, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await tickets.create(requireActor(request), request.body, request)),
    );

    app.get(
      "/api/v1/tickets",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "The ticket queue, newest first, with keyset pagination",
          querystring: Type.Object(
            {
              status: Type.Optional(csv(statuses)),
              severity: Type.Optional(csv(severities)),
              tier: Type.Optional(csv(["L1", "L2", "L3"])),
              team: Type.Optional(Type.String({ maxLength: 60 })),
              assignee: Type.Optional(Id),
              organization: Type.Optional(Id),
              q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              breached: Type.Optional(
                Type.Boolean({ description: "Only tickets with (or without) a breached SLA clock" }),
              ),
              dueBefore: Type.Optional(
                Type.String({
                  format: "date-time",
                  description: "Only tickets whose next SLA breach is before this instant",
                }),
              ),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
              cursor: Type.Optional(Type.String({ maxLength: 100 })),
            },
            strict,
          ),
          response: {
            200: Type.Object({ items: Type.Array(Ticket), nextCursor: nullable(Type.String()) }),
            ...problems(400, 404, 409),
          },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { limit = 50, cursor, status, severity, tier, dueBefore, ...rest } = request.query;
        const rows = await tickets.list(actor, {
          ...rest,
          dueBefore: dueBefore ? new Date(dueBefore).toISOString() : undefined,
          status: split(status),
          severity: split(severity),
          tier: split(tier),
          before: decodeCursor(cursor),
          limit: limit + 1,
        });
        return toPage(rows, limit, (t) => t.id);
      },
    );

    app.get(
      "/api/v1/tickets/:id",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "One ticket",
          params: IdParams,
          response: { 200: Ticket, ...problems(400, 404, 409) },
        },
      },
      async (request) => tickets.get(requireActor(request), request.params.id),
    );

    app.patch(
      "/api/v1/tickets/:id",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Change a ticket; every change lands in its history",
          params: IdParams,
          body: Type.Object(
            {
              subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
              type: Type.Optional(TicketType),
              severity: Type.Optional(Severity),
              tier: Type.Optional(TierSchema),
              status: Type.Optional(Status),
              assigneeId: Type.Optional(nullable(Id)),
              team: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 60 }))),
              tags: Type.Optional(Tags),
            },
            { ...strict, minProperties: 1 },
          ),
          response: { 200: Ticket, ...problems(400, 404, 409) },
        },
      },
      async (request) => tickets.update(requireActor(request), request.params.id, request.body, request),
    );

    app.post(
      "/api/v1/tickets/:id/messages",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Reply publicly, write an internal note, or log an answered phone call",
          params: IdParams,
          body: Type.Object(
            {
              body: Type.String({ minLength: 1, maxLength: 100_000 }),
              visibility: enumOf(["public", "internal"] as const),
              kind: Type.Optional(
                enumOf(["reply", "phone_call"] as const, "phone_call logs an answered call; it counts as a response"),
              ),
            },
            strict,
          ),
          response: { 201: Message, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await tickets.addMessage(requireActor(request), request.params.id, request.body, request)),
    );

    app.get(
      "/api/v1/tickets/:id/timeline",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Messages and field history of a ticket (customers see public messages only)",
          description:
            "System notes are written in the language Accept-Language asks for (pt or en), else the user's preference, else pt-BR.",
          params: IdParams,
          response: {
            200: Type.Object({
              messages: Type.Array(Message),
              sla: Type.Array(
                Type.Object({
                  id: Type.String(),
                  at: Type.String(),
                  clock: Type.String(),
                  tier: nullable(Type.String()),
                  kind: Type.String(),
                }),
                { description: "SLA clock events: started, paused, resumed, fulfilled, warning, breached, escalation" },
              ),
              history: Type.Array(
                Type.Object({
                  id: Type.String(),
                  at: Type.String(),
                  actorId: nullable(Type.String()),
                  field: Type.String(),
                  before: nullable(Type.String()),
                  after: nullable(Type.String()),
                }),
              ),
            }),
            ...problems(400, 404, 409),
          },
        },
      },
      async (request) => tickets.timeline(requireActor(request), request.params.id, request.headers["accept-language"]),
    );

    const Iso = Type.String({ format: "date-time" });
    app.get(
      "/api/v1/tickets/:id/sla",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets", "sla"],
          summary:
            "The ticket's SLA clocks now, each explained: calendar, target, breach, elapsed and remaining business time, pauses",
          params: IdParams,
          response: {
            200: Type.Object({
              ticketId: Type.String(),
              computedAt: Iso,
              planVersion: Type.Integer({
                description: "Plan version in force when the ticket was opened: its targets apply",
              }),
              calendarVersions: Type.Array(Type.Integer(), {
                description:
                  "Plan versions whose calendars the clocks ran on, in order: later calendar changes apply from when they were saved",
              }),
              policy: Type.Object(
                { id: Type.String(), name: Type.String() },
                {
                  description:
                    "SLA policy in force now: the first of the plan version's policies matching the ticket, or \"default\" (the plan's own targets)",
                },
              ),
              policyHistory: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), from: Iso }), {
                description:
                  "Policies applied, in order, each from when a change of type, severity or tier made it match first",
              }),
              clocks: Type.Array(
                Type.Object({
                  kind: enumOf(["first_response", "next_response", "resolution", "tier_response"] as const),
                  tier: nullable(Type.String()),
                  calendar: Type.String(),
                  calendarName: Type.String(),
                  status: enumOf(["running", "paused", "fulfilled", "breached", "stopped"] as const),
                  startedAt: Iso,
                  targetAt: Iso,
                  breachAt: Iso,
                  fulfilledAt: nullable(Iso),
                  breachedAt: nullable(Iso),
                  stoppedAt: nullable(Iso),
                  targetBusinessMinutes: Type.Number(),
                  breachBusinessMinutes: Type.Number(),
                  elapsedBusinessMinutes: Type.Number(),
                  remainingBusinessMinutes: Type.Number(),
                  pauses: Type.Array(Type.Object({ from: Iso, to: nullable(Iso), reason: Type.String() })),
                }),
              ),
            }),
            ...problems(400, 404, 409),
          },
        },
      },
      async (request) => tickets.sla(requireActor(request), request.params.id),
    );

    const LinkKind = enumOf(
      ["related", "duplicate_of", "duplicated_by", "parent_of", "child_of"] as const,
      "How the link reads from this ticket",
    );
    const Link = Type.Object({
      id: Type.String(),
      kind: LinkKind,
      ticketId: Type.String(),
      number: Type.Integer(),
      subject: Type.String(),
      status: Type.String(),
      createdAt: Type.String(),
    });
    app.get(
      "/api/v1/tickets/:id/links",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Links of a ticket to others (related, duplicate, parent/child)",
          params: IdParams,
          response: { 200: Type.Object({ items: Type.Array(Link) }), ...problems(400, 404, 409) },
        },
      },
      async (request) => ({ items: await tickets.linksOf(requireActor(request), request.params.id) }),
    );
    app.post(
      "/api/v1/tickets/:id/links",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Link this ticket to another one",
          params: IdParams,
          body: Type.Object({ ticketId: Id, kind: LinkKind }, strict),
          response: { 201: Type.Object({ items: Type.Array(Link) }), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          items: await tickets.link(requireActor(request), request.params.id, request.body, request),
        }),
    );
    app.delete(
      "/api/v1/tickets/:id/links/:linkId",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Remove a link",
          params: Type.Object({ id: Id, linkId: Id }, strict),
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        await tickets.unlink(requireActor(request), request.params.id, request.params.linkId, request);
        return reply.code(204).send(null);
      },
    );
    const Watchers = Type.Object({
      items: Type.Array(Type.Object({ userId: Type.String(), name: Type.String(), email: Type.String() })),
    });
    app.get(
      "/api/v1/tickets/:id/watchers",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Who watches the ticket (mailed on public replies and status changes)",
          params: IdParams,
          response: { 200: Watchers, ...problems(400, 404, 409) },
        },
      },
      async (request) => ({
        items: await tickets.watchersOf(requireActor(request), request.params.id),
      }),
    );
    app.post(
      "/api/v1/tickets/:id/watchers",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Watch the ticket (yourself, or another user who can see it)",
          params: IdParams,
          body: Type.Object({ userId: Type.Optional(Id) }, strict),
          response: { 201: Watchers, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          items: await tickets.watch(requireActor(request), request.params.id, request.body.userId, request),
        }),
    );
    app.delete(
      "/api/v1/tickets/:id/watchers/:userId",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Stop watching the ticket",
          params: Type.Object({ id: Id, userId: Id }, strict),
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        await tickets.unwatch(requireActor(request), request.params.id, request.params.userId, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/tickets/:id/merge",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary:
            "Merge this ticket into another of the same organization; this one is closed and takes no more replies",
          params: IdParams,
          body: Type.Object({ intoTicketId: Id }, strict),
          response: { 200: Ticket, ...problems(400, 404, 409) },
        },
      },
      async (request) => tickets.merge(requireActor(request), request.params.id, request.body.intoTicketId, request),
    );

    const Attachment = Type.Object({
      id: Type.String(),
      ticketId: Type.String(),
      messageId: nullable(Type.String()),
      filename: Type.String(),
      contentType: Type.String({ description: "Detected from the content, not the name" }),
      size: Type.Integer(),
      sha256: Type.String(),
      uploadedBy: nullable(Type.String()),
      createdAt: Type.String(),
    });
    app.post(
      "/api/v1/tickets/:id/attachments",
      {
        // base64 makes the body a third larger than the file.
        bodyLimit: Math.ceil((opts.attachmentMaxBytes * 4) / 3) + 64 * 1024,
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Attach a file (base64 in JSON); its type is detected from the content",
          params: IdParams,
          body: Type.Object(
            {
              filename: Type.String({ minLength: 1, maxLength: 255 }),
              data: Type.String({
                minLength: 1,
                pattern: "^[A-Za-z0-9+/]*={0,2}$",
                contentEncoding: "base64",
                description: `At most ${opts.attachmentMaxBytes} bytes once decoded`,
              }),
              messageId: Type.Optional(Id),
            },
            strict,
          ),
          response: { 201: Attachment, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await tickets.attach(requireActor(request), request.params.id, request.body, request)),
    );
    app.get(
      "/api/v1/tickets/:id/attachments",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Attachments of a ticket",
          params: IdParams,
          response: { 200: Type.Object({ items: Type.Array(Attachment) }), ...problems(400, 404, 409) },
        },
      },
      async (request) => ({
        items: await tickets.attachmentsOf(requireActor(request), request.params.id),
      }),
    );
    app.get(
      "/api/v1/tickets/:id/attachments/:attachmentId",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Download an attachment (always as a download, never rendered inline)",
          params: Type.Object({ id: Id, attachmentId: Id }, strict),
          produces: ["application/octet-stream"],
          response: { 200: Type.String({ format: "binary" }), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const { attachment, stream } = await tickets.download(
          requireActor(request),
          request.params.id,
          request.params.attachmentId,
        );
        const ascii = attachment.filename.replace(/[^\x20-\x7e]/g, "_").replace(/[\\"]/g, "_");
        return reply
          .type(attachment.contentType)
          .header("content-length", attachment.size)
          .header(
            "content-disposition",
            `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
          )
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'; sandbox")
          .header("cache-control", "private, no-store")
          .send(stream);
      },
    );

    app.post(
      "/api/v1/tickets/:id/escalate",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Move a ticket to another support tier, with the reason on its timeline",
          params: IdParams,
          body: Type.Object({ tier: TierSchema, reason: Type.String({ minLength: 1, maxLength: 2000 }) }, strict),
          response: { 200: Ticket, ...problems(400, 404, 409) },
        },
      },
      async (request) =>
        tickets.escalate(requireActor(request), request.params.id, request.body.tier, request.body.reason, request),
    );
  };
  return plugin;
}
