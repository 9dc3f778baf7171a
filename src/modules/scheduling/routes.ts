import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { decodeCursor, encodeCursor } from "../../platform/http/pagination.js";
import { Problem } from "../../platform/http/problems.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import * as S from "./schemas.js";
import type { SchedulingService } from "./service.js";

const tags = ["scheduled calls"];
/** Customers book for their own organization (tickets write); staff book on their behalf and hold the calls. */
const read = { area: "tickets", access: "read" } as const;
const write = { area: "tickets", access: "write" } as const;
const staffWrite = { ...write, roles: ["admin", "manager", "agent", "noc", "security"] } as const;
const planners = { ...write, roles: ["admin", "manager"] } as const;

const cursorOf = (cursor: string | undefined) => {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const [startsAt, id] = key.split("|");
  if (!startsAt || !id || Number.isNaN(Date.parse(startsAt))) {
    throw Problem.invalid({ in: "querystring", pointer: "/cursor", message: "is not a cursor returned by this API" });
  }
  return { startsAt, id };
};

export function schedulingRoutes(calls: SchedulingService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/scheduled-calls/slots",
      {
        config: read,
        schema: {
          tags,
          summary: "Free call slots of the L2/L3 engineers (working hours minus bookings), in the viewer's zone",
          querystring: S.SlotsQuery,
          response: { 200: S.SlotList, ...problems(400, 404) },
        },
      },
      async (request) => calls.slots(requireActor(request), request.query),
    );

    app.get(
      "/api/v1/scheduled-calls",
      {
        config: read,
        schema: {
          tags,
          summary: "Scheduled calls by start time (a customer sees their organization's only)",
          querystring: S.ListQuery,
          response: { 200: S.CallList, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, ...filter } = request.query;
        const rows = await calls.list(requireActor(request), { ...filter, limit, after: cursorOf(cursor) });
        const items = rows.slice(0, limit);
        const last = items.at(-1);
        return {
          items,
          nextCursor: rows.length > limit && last ? encodeCursor(`${last.startsAt}|${last.id}`) : null,
        };
      },
    );

    app.post(
      "/api/v1/scheduled-calls",
      {
        config: write,
        schema: {
          tags,
          summary: "Book a call on a ticket in a free slot; the invitation (ICS) goes to the customer and the engineer",
          body: S.BookInput,
          response: { 201: S.ScheduledCall, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => reply.code(201).send(await calls.book(requireActor(request), request.body, request)),
    );

    app.get(
      "/api/v1/scheduled-calls/engineers",
      {
        config: { area: "tickets", access: "read", roles: ["admin", "manager", "agent", "noc", "security", "auditor"] },
        schema: {
          tags,
          summary: "L2/L3 engineers who take scheduled calls, with their calendar and slot length",
          response: { 200: S.EngineerList },
        },
      },
      async () => ({
        items: (await calls.engineers()).map(({ id, name, tier, calendarId, slotMinutes, active }) => ({
          id,
          name,
          tier,
          calendarId,
          slotMinutes,
          active,
        })),
      }),
    );

    app.put(
      "/api/v1/scheduled-calls/engineers/:id",
      {
        config: planners,
        schema: {
          tags,
          summary: "Set an engineer's working-hours calendar, slot length and whether they take calls",
          params: S.IdParams,
          body: S.EngineerInput,
          response: { 200: S.Engineer, ...problems(400, 404) },
        },
      },
      async (request) => {
        const e = await calls.saveEngineer(requireActor(request), request.params.id, request.body, request);
        return {
          id: e.id,
          name: e.name,
          tier: e.tier,
          calendarId: e.calendarId,
          slotMinutes: e.slotMinutes,
          active: e.active,
        };
      },
    );

    app.get(
      "/api/v1/scheduled-calls/:id",
      {
        config: read,
        schema: {
          tags,
          summary: "One scheduled call",
          params: S.IdParams,
          response: { 200: S.ScheduledCall, ...problems(400, 404) },
        },
      },
      async (request) => calls.get(requireActor(request), request.params.id),
    );

    app.patch(
      "/api/v1/scheduled-calls/:id",
      {
        config: write,
        schema: {
          tags,
          summary: "Reschedule: a new slot (or engineer); the invitation is updated (same UID, SEQUENCE + 1)",
          params: S.IdParams,
          body: S.ReschedulePatch,
          response: { 200: S.ScheduledCall, ...problems(400, 404, 409) },
        },
      },
      async (request) => calls.reschedule(requireActor(request), request.params.id, request.body, request),
    );

    app.post(
      "/api/v1/scheduled-calls/:id/cancel",
      {
        config: write,
        schema: {
          tags,
          summary: "Cancel a booked call; the calendars get METHOD:CANCEL for the same UID",
          params: S.IdParams,
          body: S.CancelInput,
          response: { 200: S.ScheduledCall, ...problems(400, 404, 409) },
        },
      },
      async (request) => calls.cancel(requireActor(request), request.params.id, request.body ?? {}, request),
    );

    app.post(
      "/api/v1/scheduled-calls/:id/outcome",
      {
        config: staffWrite,
        schema: {
          tags,
          summary: "Record whether the call was held (logged on the ticket as a phone call) or a no-show",
          params: S.IdParams,
          body: S.OutcomeInput,
          response: { 200: S.ScheduledCall, ...problems(400, 404, 409) },
        },
      },
      async (request) => calls.recordOutcome(requireActor(request), request.params.id, request.body, request),
    );
  };
  return plugin;
}
