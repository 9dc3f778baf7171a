import { Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { failureReasons } from "./restic.js";
import { backupKinds } from "./tiers.js";

const Name = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: "^[^\\s].*$",
  description: "Unique label; the CLI accepts it in place of the id",
});
const Path = Type.String({ minLength: 1, maxLength: 4096, description: "Absolute path" });
const Cron = Type.String({ minLength: 9, maxLength: 120, description: "Cron: minute hour day-of-month month weekday" });
const SnapshotId = Type.String({ pattern: "^[0-9a-f]{8,64}$", description: "restic snapshot id (short or full)" });

const Source = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal("plantao-db", {
          description: "Plantão's own database: an online SQLite copy or pg_dump -Fc",
        }),
      },
      strict,
    ),
    Type.Object(
      {
        kind: Type.Literal("files"),
        paths: Type.Array(Path, { minItems: 1, maxItems: 100, uniqueItems: true }),
        excludes: Type.Optional(
          Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
            maxItems: 100,
            description: "restic exclude globs",
          }),
        ),
      },
      strict,
    ),
    Type.Object(
      {
        kind: Type.Literal("postgres"),
        url: Type.String({
          minLength: 1,
          maxLength: 2000,
          description: "postgres://user:password@host:port/database; the password is stored sealed and never shown",
        }),
      },
      strict,
    ),
    Type.Object(
      {
        kind: Type.Literal("mysql"),
        url: Type.String({
          minLength: 1,
          maxLength: 2000,
          description: "mysql://user:password@host:port/database; the password is stored sealed and never shown",
        }),
      },
      strict,
    ),
  ],
  { description: "What is backed up" },
);

const Repository = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: "restic repository: local path, sftp:host:/path or s3:endpoint/bucket",
    }),
    password: Type.String({
      minLength: 8,
      maxLength: 1000,
      description: "Repository password; stored sealed, never returned",
    }),
  },
  strict,
);

const ScheduleFields = {
  full: nullable(Cron),
  incremental: nullable(Cron),
  frequent: nullable(Cron),
  check: nullable(Cron),
  prune: nullable(Cron),
  restoreTest: nullable(Cron),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: "IANA zone" }),
};
const ScheduleInput = Type.Object(
  Object.fromEntries(Object.entries(ScheduleFields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof typeof ScheduleFields]: ReturnType<typeof Type.Optional<(typeof ScheduleFields)[K]>>;
  },
  {
    ...strict,
    description:
      "Cron per operation (null = not scheduled); anything left out comes from the plan: full nightly, incremental every 4 h, frequent every 10 min for plantao-db, monthly restore test",
  },
);
const Schedule = Type.Object(ScheduleFields);

const Command = Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), {
  minItems: 1,
  maxItems: 50,
  description: "Program and arguments, run without a shell",
});
const Hooks = Type.Object(
  { pre: Type.Optional(Command), post: Type.Optional(Command) },
  { ...strict, description: "Commands before and after each backup (administrators only)" },
);
const Minutes = (description: string) => Type.Integer({ minimum: 1, maximum: 525_600, description });
const DataClass = Type.String({
  minLength: 1,
  maxLength: 60,
  pattern: "^[a-z0-9][a-z0-9-]*$",
  description: "Data class, e.g. tickets-db, pbx-config, recordings",
});

export const JobInput = Type.Object(
  {
    name: Name,
    source: Source,
    repository: Repository,
    schedule: Type.Optional(ScheduleInput),
    hooks: Type.Optional(Hooks),
    dataClass: Type.Optional(DataClass),
    rpoMinutes: Type.Optional(Minutes("RPO target; the plan's by default")),
    rtoMinutes: Type.Optional(Minutes("RTO target; the plan's by default")),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  strict,
);

export const JobPatch = Type.Object(
  {
    name: Type.Optional(Name),
    source: Type.Optional(Source),
    repository: Type.Optional(Repository),
    schedule: Type.Optional(ScheduleInput),
    hooks: Type.Optional(Hooks),
    dataClass: Type.Optional(DataClass),
    rpoMinutes: Type.Optional(Minutes("RPO target")),
    rtoMinutes: Type.Optional(Minutes("RTO target")),
    enabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);

export const Job = Type.Object({
  id: Id,
  name: Type.String(),
  source: Type.Object({
    kind: literals(["plantao-db", "files", "postgres", "mysql"] as const),
    paths: Type.Optional(Type.Array(Type.String())),
    excludes: Type.Optional(Type.Array(Type.String())),
    url: Type.Optional(Type.String({ description: "Without its password" })),
  }),
  repository: Type.Object({ url: Type.String() }, { description: "The password is never returned" }),
  schedule: Schedule,
  hooks: Type.Object({ pre: Type.Optional(Type.Array(Type.String())), post: Type.Optional(Type.Array(Type.String())) }),
  dataClass: Type.String(),
  rpoMinutes: Type.Integer(),
  rtoMinutes: Type.Integer(),
  enabled: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const JobList = Type.Object({ items: Type.Array(Job) });
export const JobParams = Type.Object({ id: Id }, strict);

const Details = nullable(
  Type.Object({}, { additionalProperties: true, description: "Summary, verdicts or check output" }),
);
export const Run = Type.Object({
  id: Id,
  jobId: Id,
  operation: literals(["backup", "check", "prune", "restore", "unlock"] as const),
  kind: nullable(literals(backupKinds)),
  trigger: literals(["schedule", "manual"] as const),
  status: literals(
    ["queued", "running", "succeeded", "failed"] as const,
    "queued (also while waiting out a locked repository), running, succeeded, failed",
  ),
  reason: nullable(literals(failureReasons, "Stable failure id")),
  error: nullable(Type.String()),
  snapshotId: nullable(Type.String()),
  details: Details,
  attempts: Type.Integer(),
  createdAt: Instant,
  startedAt: nullable(Instant),
  finishedAt: nullable(Instant),
  durationMs: nullable(Type.Integer()),
});
export const RunsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: "nextCursor of the previous page" })),
    operation: Type.Optional(literals(["backup", "check", "prune", "restore", "unlock"] as const)),
  },
  strict,
);
export const RunsPage = Type.Object({ items: Type.Array(Run), nextCursor: nullable(Type.String()) });
export const RunParams = Type.Object({ id: Id, runId: Id }, strict);

export const RunInput = Type.Object(
  {
    kind: Type.Optional(literals(backupKinds, "full re-reads every file without a parent; incremental by default")),
  },
  strict,
);
export const OperationInput = Type.Object(
  {
    operation: literals(
      ["check", "prune", "unlock"] as const,
      "check: rotating read-data subset; prune: retention, then restic prune; unlock: `restic unlock` (only the locks restic finds stale), refused while a run uses the repository",
    ),
  },
  strict,
);

export const RestoreInput = Type.Object(
  {
    snapshotId: SnapshotId,
    target: Type.Union([
      Type.Object(
        { kind: Type.Literal("path"), path: Path },
        { ...strict, description: "Restore under this directory" },
      ),
      Type.Object(
        {
          kind: Type.Literal("in-place"),
          confirm: Type.String({
            maxLength: 100,
            description: "The job's name, typed again to confirm overwriting the live data",
          }),
        },
        strict,
      ),
      Type.Object(
        {
          kind: Type.Literal("database"),
          url: Type.String({ minLength: 1, maxLength: 2000, description: "postgres:// URL of an existing database" }),
        },
        strict,
      ),
    ]),
  },
  strict,
);

export const Snapshot = Type.Object({
  id: Type.String(),
  shortId: Type.String(),
  time: Type.String({ description: "restic's time, with the UTC offset of the schedule's zone" }),
  tags: Type.Array(Type.String()),
  paths: Type.Array(Type.String()),
  hostname: Type.String(),
  kind: nullable(literals(backupKinds)),
  retention: Type.Object({
    keep: Type.Boolean(),
    tier: nullable(literals(backupKinds)),
    reasons: Type.Array(Type.String(), {
      description: "Rules that keep it, in restic's words (`daily within 30d`); empty when the next prune removes it",
    }),
  }),
});
export const SnapshotList = Type.Object({ items: Type.Array(Snapshot) });

export const Lock = Type.Object({
  id: Type.String(),
  time: Type.String(),
  exclusive: Type.Boolean(),
  hostname: Type.String(),
  username: Type.String(),
  pid: Type.Integer(),
  stale: Type.Boolean({
    description: "Older than 30 min, or made on this host by a process that is gone; never removed by Plantão",
  }),
});
export const LockList = Type.Object({ items: Type.Array(Lock) });

const Check = Type.Object({
  name: Type.String(),
  status: literals(["passed", "failed"] as const),
  detail: Type.String({ description: "In English; `key` and `params` say the same for translation" }),
  key: Type.Optional(Type.String({ description: "Message key of the detail, e.g. `rto.passed`" })),
  params: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: "Values of the message" }),
  ),
});
export const RestoreTest = Type.Object({
  id: Id,
  jobId: Id,
  snapshotId: nullable(Type.String()),
  trigger: literals(["schedule", "manual"] as const),
  status: literals(["running", "passed", "failed"] as const),
  checks: Type.Array(Check),
  error: nullable(Type.String()),
  createdAt: Instant,
  finishedAt: nullable(Instant),
  durationMs: nullable(Type.Integer({ description: "Measured RTO" })),
});
export const RestoreTestInput = Type.Object(
  { snapshotId: Type.Optional(SnapshotId) },
  { ...strict, description: "Without a snapshot, the newest backup is tested" },
);
export const RestoreTestsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  strict,
);
export const RestoreTestsPage = Type.Object({ items: Type.Array(RestoreTest), nextCursor: nullable(Type.String()) });
export const RestoreTestParams = Type.Object({ id: Id, testId: Id }, strict);

const Target = (statuses: readonly string[]) =>
  Type.Object({
    targetMinutes: Type.Integer(),
    measuredMinutes: nullable(Type.Number()),
    status: literals(statuses),
  });
export const Rpo = Type.Object({
  measuredAt: Instant,
  jobs: Type.Array(
    Type.Object({
      jobId: Id,
      name: Type.String(),
      dataClass: Type.String(),
      enabled: Type.Boolean(),
      restorablePoint: nullable(Instant),
      rpo: Target(["ok", "exceeded", "no-backup"] as const),
      rto: Type.Object({ ...Target(["ok", "exceeded", "untested"] as const).properties, testedAt: nullable(Instant) }),
    }),
  ),
  classes: Type.Array(
    Type.Object({
      dataClass: Type.String(),
      jobs: Type.Integer(),
      rpoStatus: literals(["ok", "exceeded", "no-backup"] as const),
      rtoStatus: literals(["ok", "exceeded", "untested"] as const),
    }),
  ),
});
