import type { FastifyRequest } from "fastify";
import { IANAZone } from "luxon";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { Calendar } from "../plan/document.js";
import type { PlanService } from "../plan/service.js";
import { DAY, holidaysOf } from "../sla/calendar.js";
import type { OncallRepository, OverrideRow, RotationRow } from "./repository.js";
import {
  type IsHoliday,
  type Layer,
  MAX_SCHEDULE_MS,
  type Override,
  onCallAt,
  type Segment,
  type Source,
  schedule,
  type Warning,
} from "./schedule.js";
import type { RotationInput } from "./schemas.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

/** The plan calendar whose holidays a rotation follows when it names none. */
export const DEFAULT_HOLIDAY_CALENDAR = "comercial";
/** How far ahead a rotation's warnings look. */
const WARNING_SPAN_MS = 28 * DAY;

/** A holiday test over a plan calendar's holidays (public holidays of its region, by kind, and its own dates). */
export function holidayCheck(h: Calendar["holidays"] | undefined): IsHoliday {
  if (!h) return () => false;
  const types = new Set<string>(h.types);
  const custom = new Set(h.custom.map((c) => c.date));
  const years = new Map<number, Set<string>>();
  return (date) => {
    if (custom.has(date)) return true;
    const year = Number(date.slice(0, 4));
    let dates = years.get(year);
    if (!dates) {
      dates = new Set(
        holidaysOf(h.country, h.state, h.city, year)
          .filter((x) => types.has(x.type))
          .map((x) => x.date.slice(0, 10)),
      );
      years.set(year, dates);
    }
    return dates.has(date);
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function presentWarning(w: Warning) {
  return w.kind === "gap"
    ? { kind: w.kind, start: iso(w.start), end: iso(w.end) }
    : { kind: w.kind, start: iso(w.start), end: iso(w.end), overrideIds: [...w.overrideIds] };
}

function presentSource(source: Source | null, layers: Layer[]) {
  if (!source) return null;
  return source.type === "layer"
    ? { type: "layer" as const, index: source.index, layer: layers[source.index]?.name }
    : { type: "override" as const, id: source.id };
}

const overrideOf = (o: OverrideRow): Override => ({
  id: o.id,
  userId: o.user_id,
  startsAt: Date.parse(o.starts_at),
  endsAt: Date.parse(o.ends_at),
});

/** Rotations and overrides: who is on call now, at an instant, or over a span, with its gaps and overlaps. */
export class RotationService {
  private readonly repo: OncallRepository;
  private readonly directory: DirectoryService;
  private readonly plan: PlanService;
  private readonly audit: AuditService;
  private readonly clock: Clock;

  constructor(deps: {
    repo: OncallRepository;
    directory: DirectoryService;
    plan: PlanService;
    audit: AuditService;
    clock: Clock;
  }) {
    this.repo = deps.repo;
    this.directory = deps.directory;
    this.plan = deps.plan;
    this.audit = deps.audit;
    this.clock = deps.clock;
  }

  // rotations ---------------------------------------------------------------------------------------

  async list(page: { limit: number; after?: string; team?: string }) {
    const rows = await this.repo.listRotations(page);
    return Promise.all(rows.map((r) => this.present(r)));
  }

  async get(id: string) {
    return this.present(await this.row(id));
  }

  async create(actor: Actor, input: RotationInput, req: RequestInfo) {
    await this.check(input);
    const now = this.clock.now().toISOString();
    const row: RotationRow = {
      id: uuidv7(),
      name: input.name,
      team: input.team ?? null,
      timezone: input.timezone,
      holiday_calendar: input.holidayCalendar ?? null,
      layers: JSON.stringify(input.layers),
      created_at: now,
      updated_at: now,
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.insertRotation(row, trx);
      await this.audit.record(
        { action: "oncall.rotation.created", actor, target: { type: "rotation", id: row.id }, request: req },
        trx,
      );
    });
    return this.present(row);
  }

  async update(actor: Actor, id: string, patch: Partial<RotationInput>, req: RequestInfo) {
    const before = await this.row(id);
    const merged: RotationInput = {
      name: patch.name ?? before.name,
      team: patch.team === undefined ? before.team : patch.team,
      timezone: patch.timezone ?? before.timezone,
      holidayCalendar: patch.holidayCalendar === undefined ? before.holiday_calendar : patch.holidayCalendar,
      layers: patch.layers ?? (JSON.parse(before.layers) as Layer[]),
    };
    await this.check(merged);
    const row: RotationRow = {
      ...before,
      name: merged.name,
      team: merged.team ?? null,
      timezone: merged.timezone,
      holiday_calendar: merged.holidayCalendar ?? null,
      layers: JSON.stringify(merged.layers),
      updated_at: this.clock.now().toISOString(),
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.updateRotation(id, row, trx);
      await this.audit.record(
        {
          action: "oncall.rotation.updated",
          actor,
          target: { type: "rotation", id },
          request: req,
          change: { before: this.presentRow(before), after: this.presentRow(row) },
        },
        trx,
      );
    });
    return this.present(row);
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    await this.row(id);
    await this.repo.transaction(async (trx) => {
      await this.repo.deleteRotation(id, trx);
      await this.audit.record(
        { action: "oncall.rotation.deleted", actor, target: { type: "rotation", id }, request: req },
        trx,
      );
    });
  }

  // overrides ---------------------------------------------------------------------------------------

  async overrides(rotationId: string, from?: string, to?: string) {
    await this.row(rotationId);
    const now = this.clock.now().getTime();
    const rows = await this.repo.overrides(rotationId, from ?? iso(now), to ?? iso(now + 366 * DAY));
    const names = await this.names(rows.map((r) => r.user_id));
    return rows.map((o) => this.presentOverride(o, names));
  }

  async addOverride(
    actor: Actor,
    rotationId: string,
    input: { userId: string; startsAt: string; endsAt: string; reason?: string | null },
    req: RequestInfo,
  ) {
    await this.row(rotationId);
    const startsAt = Date.parse(input.startsAt);
    const endsAt = Date.parse(input.endsAt);
    if (!(endsAt > startsAt)) {
      throw Problem.invalid({ in: "body", pointer: "/endsAt", message: "must be after startsAt" });
    }
    if (endsAt - startsAt > MAX_SCHEDULE_MS) {
      throw Problem.invalid({ in: "body", pointer: "/endsAt", message: "an override lasts at most 93 days" });
    }
    await this.staff(input.userId, "/userId");
    const row: OverrideRow = {
      id: uuidv7(),
      rotation_id: rotationId,
      user_id: input.userId,
      starts_at: iso(startsAt),
      ends_at: iso(endsAt),
      reason: input.reason ?? null,
      created_by: actor.userId,
      created_at: this.clock.now().toISOString(),
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.insertOverride(row, trx);
      await this.audit.record(
        {
          action: "oncall.override.created",
          actor,
          target: { type: "rotation", id: rotationId },
          request: req,
          details: { overrideId: row.id, userId: row.user_id, startsAt: row.starts_at, endsAt: row.ends_at },
        },
        trx,
      );
    });
    return this.presentOverride(row, await this.names([row.user_id]));
  }

  async removeOverride(actor: Actor, rotationId: string, id: string, req: RequestInfo) {
    const row = await this.repo.findOverride(rotationId, id);
    if (!row) throw Problem.notFound("Override");
    await this.repo.transaction(async (trx) => {
      await this.repo.deleteOverride(id, trx);
      await this.audit.record(
        {
          action: "oncall.override.deleted",
          actor,
          target: { type: "rotation", id: rotationId },
          request: req,
          details: { overrideId: id, userId: row.user_id, startsAt: row.starts_at, endsAt: row.ends_at },
        },
        trx,
      );
    });
  }

  // who is on call ------------------------------------------------------------------------------------

  /** Segments over [from, to) (default: the next 28 days) with their gaps and overlapping overrides. */
  async schedule(id: string, range: { from?: string; to?: string }) {
    const row = await this.row(id);
    const from = range.from ? Date.parse(range.from) : this.clock.now().getTime();
    const to = range.to ? Date.parse(range.to) : from + WARNING_SPAN_MS;
    if (!(to > from)) throw Problem.invalid({ in: "querystring", pointer: "/to", message: "must be after from" });
    if (to - from > MAX_SCHEDULE_MS) {
      throw Problem.invalid({ in: "querystring", pointer: "/to", message: "a schedule spans at most 93 days" });
    }
    const { segments, warnings } = await this.compute(row, from, to);
    const names = await this.names(segments.flatMap((s) => (s.userId ? [s.userId] : [])));
    const layers = JSON.parse(row.layers) as Layer[];
    return {
      rotationId: row.id,
      from: iso(from),
      to: iso(to),
      segments: segments.map((s) => this.presentSegment(s, layers, names)),
      warnings: warnings.map(presentWarning),
    };
  }

  /** Who each rotation (or the one named, or a team's) puts on call at `at` (default now). */
  async now(query: { at?: string; rotationId?: string; team?: string }) {
    const at = query.at ? Date.parse(query.at) : this.clock.now().getTime();
    const rows = query.rotationId ? [await this.row(query.rotationId)] : await this.all(query.team);
    const items = [];
    for (const row of rows) {
      const hit = await this.onCall(row, at);
      const layers = JSON.parse(row.layers) as Layer[];
      items.push({
        rotationId: row.id,
        rotationName: row.name,
        team: row.team,
        userId: hit?.userId ?? null,
        userName: null as string | null,
        source: presentSource(hit?.source ?? null, layers),
        since: hit ? iso(hit.start) : null,
        until: hit ? iso(hit.end) : null,
      });
    }
    const names = await this.names(items.flatMap((i) => (i.userId ? [i.userId] : [])));
    for (const i of items) i.userName = i.userId ? (names.get(i.userId) ?? null) : null;
    return { at: iso(at), items };
  }

  /** The user a rotation puts on call at `at`; null for a gap or an unknown rotation. */
  async onCallUser(rotationId: string, at: number): Promise<string | null> {
    const row = await this.repo.findRotation(rotationId);
    return row ? ((await this.onCall(row, at))?.userId ?? null) : null;
  }

  /** Everyone any rotation puts on call at `at`. */
  async everyoneOnCall(at: number): Promise<string[]> {
    const out = new Set<string>();
    for (const row of await this.all()) {
      const hit = await this.onCall(row, at);
      if (hit) out.add(hit.userId);
    }
    return [...out];
  }

  private async onCall(row: RotationRow, at: number) {
    const overrides = await this.repo.overrides(row.id, iso(at - 8 * DAY), iso(at + 8 * DAY));
    return onCallAt(
      { timezone: row.timezone, layers: JSON.parse(row.layers) },
      overrides.map(overrideOf),
      at,
      await this.holidays(row),
    );
  }

  private async compute(row: RotationRow, from: number, to: number) {
    const overrides = await this.repo.overrides(row.id, iso(from), iso(to));
    return schedule(
      { timezone: row.timezone, layers: JSON.parse(row.layers) },
      overrides.map(overrideOf),
      from,
      to,
      await this.holidays(row),
    );
  }

  private async all(team?: string): Promise<RotationRow[]> {
    const out: RotationRow[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.repo.listRotations({ limit: 200, after, team });
      out.push(...page);
      if (page.length < 200) return out;
      after = page.at(-1)!.id;
    }
  }

  private async holidays(row: RotationRow): Promise<IsHoliday> {
    // The timeline is cached until a newer plan version exists: a page's step reads it without parsing the plan.
    const doc = (await this.plan.timeline()).at(-1)!.document;
    const id = row.holiday_calendar ?? DEFAULT_HOLIDAY_CALENDAR;
    return holidayCheck(Object.hasOwn(doc.calendars, id) ? doc.calendars[id]?.holidays : undefined);
  }

  // helpers -----------------------------------------------------------------------------------------

  private async row(id: string): Promise<RotationRow> {
    const row = await this.repo.findRotation(id);
    if (!row) throw Problem.notFound("Rotation");
    return row;
  }

  private async check(input: RotationInput): Promise<void> {
    if (!IANAZone.isValidZone(input.timezone)) {
      throw Problem.invalid({ in: "body", pointer: "/timezone", message: "is not an IANA time zone" });
    }
    if (input.holidayCalendar) {
      const doc = (await this.plan.current()).document;
      if (!Object.hasOwn(doc.calendars, input.holidayCalendar)) {
        throw Problem.invalid({ in: "body", pointer: "/holidayCalendar", message: "is not a calendar of the plan" });
      }
    }
    for (const [i, layer] of input.layers.entries()) {
      if (Number.isNaN(Date.parse(`${layer.startsOn}T00:00:00Z`)) || !validDate(layer.startsOn)) {
        throw Problem.invalid({ in: "body", pointer: `/layers/${i}/startsOn`, message: "is not a date" });
      }
      for (const [j, userId] of layer.participants.entries()) {
        await this.staff(userId, `/layers/${i}/participants/${j}`);
      }
    }
  }

  /** A participant or override user must be an active staff member. */
  private async staff(userId: string, pointer: string): Promise<void> {
    const user = await this.directory.getUser(userId).catch(() => null);
    if (!user || user.disabled || !isStaff(user.role)) {
      throw Problem.invalid({ in: "body", pointer, message: "is not an active staff user" });
    }
  }

  private async names(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of new Set(ids)) {
      const user = await this.directory.getUser(id).catch(() => null);
      if (user) out.set(id, user.name);
    }
    return out;
  }

  private presentRow(row: RotationRow) {
    return {
      id: row.id,
      name: row.name,
      team: row.team,
      timezone: row.timezone,
      holidayCalendar: row.holiday_calendar,
      layers: JSON.parse(row.layers) as Layer[],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private async present(row: RotationRow) {
    const now = this.clock.now().getTime();
    const { warnings } = await this.compute(row, now, now + WARNING_SPAN_MS);
    return { ...this.presentRow(row), warnings: warnings.map(presentWarning) };
  }

  private presentSegment(s: Segment, layers: Layer[], names: Map<string, string>) {
    return {
      start: iso(s.start),
      end: iso(s.end),
      userId: s.userId,
      userName: s.userId ? (names.get(s.userId) ?? null) : null,
      source: presentSource(s.source, layers),
    };
  }

  private presentOverride(o: OverrideRow, names: Map<string, string>) {
    return {
      id: o.id,
      rotationId: o.rotation_id,
      userId: o.user_id,
      userName: names.get(o.user_id) ?? null,
      startsAt: o.starts_at,
      endsAt: o.ends_at,
      reason: o.reason,
      createdBy: o.created_by,
      createdAt: o.created_at,
    };
  }
}

function validDate(date: string): boolean {
  return new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
}
