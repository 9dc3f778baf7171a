import { type Static, Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { staffRoles } from "../identity/roles.js";

const Cursor = Type.String({ maxLength: 100, description: "nextCursor of the previous page" });
const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });

export const runbookKinds = ["full-recovery", "contingency-activation", "plantao-restore", "other"] as const;
export type RunbookKind = (typeof runbookKinds)[number];
const Kind = literals(
  runbookKinds,
  "full-recovery (rebuild the service from backups), contingency-activation (switch to the contingency environment), plantao-restore (restore Plantão itself) or other",
);

export const drillStatuses = ["running", "finished", "aborted"] as const;
export const stepStatuses = ["pending", "started", "done", "skipped"] as const;
export const rtoVerdicts = ["on-track", "within", "exceeded", "incomplete"] as const;

const OwnerRole = literals(staffRoles as readonly (typeof staffRoles)[number][], "Staff role that owns the step");

export const StepInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 4000, default: "", description: "What to do; commands" })),
    ownerRole: Type.Optional(OwnerRole),
    ownerUserId: Type.Optional(Type.String({ format: "uuid", description: "Staff user who owns the step" })),
    expectedMinutes: Type.Integer({ minimum: 0, maximum: 10080, description: "Minutes the step should take" }),
  },
  { ...strict, description: "One step; exactly one of ownerRole and ownerUserId names its owner" },
);
export type StepInput = Static<typeof StepInput>;

const Steps = Type.Array(StepInput, { minItems: 1, maxItems: 100, description: "The steps, in order" });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Purpose = Type.String({ maxLength: 4000, description: "When to use the runbook and what it achieves" });
const MonitorId = nullable(
  Type.String({
    minLength: 1,
    maxLength: 100,
    description: "Monitor watching the contingency environment's readiness; contingency-activation runbooks only",
  }),
);
const Comment = Type.String({ maxLength: 500, description: "Why it changed, kept with the version" });

export const RunbookInput = Type.Object(
  {
    name: Name,
    purpose: Type.Optional(Purpose),
    kind: Kind,
    monitorId: Type.Optional(MonitorId),
    steps: Steps,
    comment: Type.Optional(Comment),
  },
  strict,
);
export type RunbookInput = Static<typeof RunbookInput>;

export const RunbookPatch = Type.Object(
  {
    name: Type.Optional(Name),
    purpose: Type.Optional(Purpose),
    kind: Type.Optional(Kind),
    monitorId: Type.Optional(MonitorId),
    steps: Type.Optional(Steps),
    comment: Type.Optional(Comment),
    baseVersion: Type.Optional(
      Type.Integer({ minimum: 1, description: "The version the edit was made on; a newer current version is a 409" }),
    ),
  },
  { ...strict, minProperties: 1 },
);
export type RunbookPatch = Static<typeof RunbookPatch>;

const Step = Type.Object({
  title: Type.String(),
  description: Type.String(),
  ownerRole: nullable(Type.String()),
  ownerUserId: nullable(Type.String()),
  expectedMinutes: Type.Integer(),
});

const runbookFields = {
  name: Type.String(),
  purpose: Type.String(),
  kind: Kind,
  monitorId: nullable(Type.String()),
  steps: Type.Array(Step),
  version: Type.Integer(),
  expectedMinutes: Type.Integer({ description: "Sum of the steps' expected minutes" }),
};

export const Runbook = Type.Object({
  id: Id,
  ...runbookFields,
  rtoMinutes: Type.Number({ description: "The plan's RTO in minutes" }),
  createdAt: Instant,
  updatedAt: Instant,
});

export const RunbookPage = Type.Object({ items: Type.Array(Runbook), nextCursor: nullable(Type.String()) });

export const RunbookVersion = Type.Object({
  runbookId: Id,
  ...runbookFields,
  author: nullable(Type.Object({ userId: nullable(Type.String()), name: Type.String() })),
  comment: Type.String(),
  createdAt: Instant,
});
export const RunbookVersionPage = Type.Object({
  items: Type.Array(RunbookVersion),
  nextCursor: nullable(Type.String()),
});

export const RunbookParams = Type.Object({ id: Id }, strict);
export const RunbooksQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor), kind: Type.Optional(Kind) },
  strict,
);
export const PageQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, strict);

// drills ----------------------------------------------------------------------------------------
export const DrillInput = Type.Object(
  {
    runbookId: Id,
    notes: Type.Optional(Type.String({ maxLength: 4000, description: "Scope, participants, environment used" })),
  },
  strict,
);

export const StepMarkInput = Type.Object(
  {
    status: literals(
      ["started", "done", "skipped"] as const,
      "started; done (from started, or straight from pending: it then counts from the end of the previous work); skipped",
    ),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  strict,
);

export const DrillFinishInput = Type.Object(
  { notes: Type.Optional(Type.String({ maxLength: 4000, description: "Lessons, follow-ups" })) },
  strict,
);
export const DrillAbortInput = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 4000, description: "Why the drill stopped" }) },
  strict,
);

const DrillStep = Type.Object({
  index: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  ownerRole: nullable(Type.String()),
  ownerUserId: nullable(Type.String()),
  expectedMinutes: Type.Integer(),
  status: literals(stepStatuses, "pending, started, done or skipped"),
  startedAt: nullable(Instant),
  finishedAt: nullable(Instant),
  durationSeconds: nullable(Type.Integer({ description: "Start to finish; a started step counts up to now" })),
  overran: nullable(Type.Boolean({ description: "Took longer than its expected minutes" })),
  note: Type.String(),
  markedBy: nullable(Type.String()),
});

const drillFields = {
  id: Id,
  runbookId: Id,
  runbookVersion: Type.Integer(),
  runbookName: Type.String(),
  kind: Kind,
  status: literals(drillStatuses, "running, finished (every step done or skipped) or aborted"),
  notes: Type.String(),
  startedBy: Type.Object({ userId: nullable(Type.String()), name: Type.String() }),
  startedAt: Instant,
  finishedAt: nullable(Instant),
  elapsedSeconds: Type.Integer({ description: "Start to finish, or to now while running (server clock)" }),
  expectedMinutes: Type.Integer({ description: "Sum of the steps' expected minutes" }),
  rtoMinutes: Type.Number({ description: "The plan's RTO when the drill started" }),
  expectedFitsRto: Type.Boolean(),
  rtoVerdict: literals(
    rtoVerdicts,
    "on-track (running, inside the RTO so far), within (finished inside it), exceeded, incomplete (aborted inside it)",
  ),
};

export const Drill = Type.Object({ ...drillFields, steps: Type.Array(DrillStep) });
export const DrillSummary = Type.Object(drillFields);
export const DrillPage = Type.Object({ items: Type.Array(DrillSummary), nextCursor: nullable(Type.String()) });

export const DrillParams = Type.Object({ id: Id }, strict);
export const DrillStepParams = Type.Object({ id: Id, index: Type.Integer({ minimum: 0, maximum: 99 }) }, strict);
export const DrillsQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    runbookId: Type.Optional(Id),
    status: Type.Optional(literals(drillStatuses, "Only drills in this status")),
  },
  strict,
);
