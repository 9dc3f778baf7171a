import { type Static, Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";

const Zone = Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone, e.g. America/Sao_Paulo" });
const HostTier = literals(["L2", "L3"] as const, "Engineer tier");
const LocalInstant = Type.String({ description: "The same instant in the viewer's zone, ISO-8601 with offset" });
const Topic = Type.String({
  minLength: 1,
  maxLength: 200,
  description: "What the call is about (default: the ticket's subject)",
});
const CalendarRef = Type.String({
  pattern: "^[a-z0-9][a-z0-9x_-]{0,39}$",
  description: "Plan calendar whose open hours are the engineer's working hours",
});
const status = literals(["booked", "cancelled", "held", "no_show"] as const, "booked, cancelled, held or no_show");

export const IdParams = Type.Object({ id: Id }, strict);

export const SlotsQuery = Type.Object(
  {
    from: Instant,
    to: { ...Instant, description: "End of the window (at most 31 days after `from`)" },
    tier: Type.Optional(HostTier),
    engineerId: Type.Optional(Id),
    timeZone: Type.Optional({ ...Zone, description: "Zone for the local times (default: the viewer's own)" }),
  },
  strict,
);

const EngineerRef = Type.Object({ id: Id, name: Type.String(), tier: HostTier }, strict);

export const SlotList = Type.Object(
  {
    timeZone: Zone,
    items: Type.Array(
      Type.Object(
        {
          start: Instant,
          end: Instant,
          localStart: LocalInstant,
          localEnd: LocalInstant,
          engineer: EngineerRef,
        },
        strict,
      ),
    ),
  },
  { ...strict, description: "Free slots, UTC instants with their local times in `timeZone`" },
);

const Reminders = Type.Array(Type.Integer({ minimum: 1, maximum: 10_080 }), {
  maxItems: 5,
  description: "Minutes before the start at which reminders go out (default [1440, 15])",
});

export const BookInput = Type.Object(
  {
    ticketId: Id,
    engineerId: Id,
    start: { ...Instant, description: "Start of a free slot of that engineer (from the slots list)" },
    topic: Type.Optional(Topic),
    timeZone: Type.Optional({ ...Zone, description: "Zone the mails show the time in (default: the booker's)" }),
    reminderMinutes: Type.Optional(Reminders),
  },
  strict,
);
export type BookInput = Static<typeof BookInput>;

export const ReschedulePatch = Type.Object(
  {
    start: Type.Optional(Instant),
    engineerId: Type.Optional(Id),
    topic: Type.Optional(Topic),
    timeZone: Type.Optional(Zone),
  },
  { ...strict, minProperties: 1 },
);

export const CancelInput = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500, description: "Why (shown in the cancellation mail)" })) },
  strict,
);

export const OutcomeInput = Type.Object(
  {
    outcome: literals(["held", "no_show"] as const, "held: the call took place; no_show: the customer did not come"),
    note: Type.Optional(Type.String({ maxLength: 5000, description: "What was done or agreed" })),
  },
  strict,
);

export const ScheduledCall = Type.Object(
  {
    id: Id,
    organizationId: Id,
    ticketId: Id,
    ticketNumber: Type.Integer(),
    engineer: Type.Object({ id: Id, name: Type.String() }, strict),
    attendee: Type.Object({ userId: nullable(Id), name: Type.String(), email: Type.String() }, strict),
    bookedBy: Id,
    topic: Type.String(),
    startsAt: Instant,
    endsAt: Instant,
    timeZone: Zone,
    localStartsAt: LocalInstant,
    status,
    sequence: Type.Integer({ description: "SEQUENCE of the last invitation sent" }),
    reminderMinutes: Type.Array(Type.Integer()),
    outcomeNote: nullable(Type.String()),
    outcomeAt: nullable(Instant),
    cancelledAt: nullable(Instant),
    createdAt: Instant,
    updatedAt: Instant,
  },
  strict,
);

export const ListQuery = Type.Object(
  {
    mine: Type.Optional(Type.Boolean({ description: "Staff: only calls I hold as the engineer" })),
    engineerId: Type.Optional(Id),
    ticketId: Type.Optional(Id),
    status: Type.Optional(status),
    from: Type.Optional({ ...Instant, description: "Calls ending after this instant" }),
    to: Type.Optional({ ...Instant, description: "Calls starting before this instant" }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const CallList = Type.Object({ items: Type.Array(ScheduledCall), nextCursor: nullable(Type.String()) }, strict);

export const Engineer = Type.Object(
  {
    id: Id,
    name: Type.String(),
    tier: HostTier,
    calendarId: Type.String(),
    slotMinutes: Type.Integer(),
    active: Type.Boolean(),
  },
  strict,
);
export const EngineerList = Type.Object({ items: Type.Array(Engineer) }, strict);

export const EngineerInput = Type.Object(
  {
    calendarId: CalendarRef,
    slotMinutes: Type.Integer({ minimum: 10, maximum: 240, description: "Length of one slot in minutes" }),
    active: Type.Boolean({ description: "Whether the engineer offers slots" }),
  },
  strict,
);
