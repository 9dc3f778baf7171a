import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { NotificationRequest, Notifier } from "../notifications/service.js";
import { localeOf } from "../notifications/templates.js";
import type { PlanDocument } from "../plan/document.js";
import type { Timer, TimerFiring, TimerService } from "../timers/service.js";
import type { StatusRepository, SubscriptionRow, WindowRow } from "./repository.js";
import type { Component, ComponentService, RequestInfo } from "./service.js";
import {
  announcedInTime,
  checkWindow,
  currentOrNext,
  durationOf,
  occurrencesBetween,
  planWarnings,
  type WindowShape,
  type WindowWarning,
} from "./windows.js";

export const windowModes = ["mute", "skip", "show"] as const;
export type WindowMode = (typeof windowModes)[number];

export interface WindowInput {
  title: string;
  description?: string;
  startsAt: string;
  endsAt: string;
  timezone?: string;
  rrule?: string | null;
  componentIds: string[];
  mode?: WindowMode;
}

/** Silences in the alerts module: the one way to mute alerts (Alertmanager semantics). */
export interface AlertSilencer {
  silence(monitorIds: string[], from: Date, to: Date, comment: string): Promise<void>;
  /** Expires the silences still active with this comment (a cancelled window's). */
  lift(comment: string): Promise<void>;
}

/** Customers' contacts to tell about a window on their components: their customer administrators. */
export type ContactsOf = (organizationIds: string[]) => Promise<{ userId: string; organizationId: string }[]>;

/** Lead times of the notices before each occurrence, in hours; then one at the start and one at the end. */
export const NOTICE_LEAD_HOURS = [72, 24] as const;
const SUBJECT = "maintenance_window";
const HOUR = 3_600_000;

export function windowView(row: WindowRow) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timezone: row.timezone,
    rrule: row.rrule,
    componentIds: JSON.parse(row.component_ids) as string[],
    mode: row.mode,
    state: row.state,
    occurrence:
      row.occurrence_start === null
        ? null
        : {
            startsAt: row.occurrence_start,
            endsAt: new Date(
              Date.parse(row.occurrence_start) + Date.parse(row.ends_at) - Date.parse(row.starts_at),
            ).toISOString(),
          },
    warnings: JSON.parse(row.warnings) as WindowWarning[],
    announcedInTime: announcedInTime(JSON.parse(row.warnings)),
    announcedAt: row.announced_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type MaintenanceWindow = ReturnType<typeof windowView>;

export const shapeOf = (row: WindowRow): WindowShape => ({
  startsAt: new Date(row.starts_at),
  endsAt: new Date(row.ends_at),
  timezone: row.timezone,
  rrule: checkWindowRule(row),
});
function checkWindowRule(row: WindowRow) {
  const c = checkWindow({ startsAt: row.starts_at, endsAt: row.ends_at, timezone: row.timezone, rrule: row.rrule });
  return "shape" in c ? c.shape.rrule : null;
}

interface NoticePayload {
  occurrence: string;
  hours?: number;
}

interface Prepared {
  row: WindowRow | undefined;
  components: Component[];
  subscriptions: SubscriptionRow[];
  contacts: { userId: string; organizationId: string }[];
}

/**
 * Maintenance windows: one-off or recurring, on status components. Timers (subject `maintenance_window`) move each
 * occurrence scheduled → in progress → completed and send the notices at the lead times, through the
 * notifications outbox, to confirmed subscribers of the affected components and to the affected customers'
 * contacts. While one runs, its monitors show MAINTENANCE (the gate in gate.ts) and their alerts are silenced in
 * the alerts module; in `skip` mode their checks are not run either; `show` only shows it on the page.
 */
export class MaintenanceService {
  private readonly repo: StatusRepository;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly timers: TimerService;
  private readonly notifier: Notifier;
  private readonly components: ComponentService;
  private readonly plan: () => Promise<PlanDocument>;
  private readonly contacts: ContactsOf;
  private readonly silencer: AlertSilencer;
  private readonly unsubscribeUrl: (s: SubscriptionRow) => string;
  private readonly publicUrl: string;
  private readonly events: EventBus;
  /** Called after a window's state or set changed, so the monitors' gate and the page catch up now. */
  onChange: () => Promise<void> = async () => {};

  constructor(deps: {
    repo: StatusRepository;
    clock: Clock;
    audit: AuditService;
    events: EventBus;
    timers: TimerService;
    notifier: Notifier;
    components: ComponentService;
    plan: () => Promise<PlanDocument>;
    contacts: ContactsOf;
    silencer: AlertSilencer;
    unsubscribeUrl: (s: SubscriptionRow) => string;
    publicUrl: string;
  }) {
    this.repo = deps.repo;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.events = deps.events;
    this.timers = deps.timers;
    this.notifier = deps.notifier;
    this.components = deps.components;
    this.plan = deps.plan;
    this.contacts = deps.contacts;
    this.silencer = deps.silencer;
    this.unsubscribeUrl = deps.unsubscribeUrl;
    this.publicUrl = deps.publicUrl;
    deps.timers.handle<Prepared>(SUBJECT, {
      prepare: (timer) => this.#prepare(timer),
      fire: (firing, prepared) => this.#fire(firing, prepared),
    });
  }

  async list(page: { limit: number; after?: string }): Promise<MaintenanceWindow[]> {
    return (await this.repo.windows(page)).map(windowView);
  }

  async get(id: string): Promise<MaintenanceWindow> {
    const row = await this.repo.window(id);
    if (!row) throw Problem.notFound(`Maintenance window ${id}`);
    return windowView(row);
  }

  /** Live windows (scheduled or running), for the page and the gate. */
  async live(): Promise<MaintenanceWindow[]> {
    return (await this.repo.liveWindows()).map(windowView);
  }

  /** Windows (completed too) whose occurrences overlap [from, to), each occurrence once. */
  async occurrences(from: Date, to: Date) {
    const rows = await this.repo.windowsBefore(to.toISOString());
    return rows.flatMap((row) =>
      occurrencesBetween(shapeOf(row), from, to).map((o) => ({ window: windowView(row), ...o })),
    );
  }

  async #validate(input: WindowInput, timezoneDefault: string) {
    const timezone = input.timezone ?? timezoneDefault;
    const checked = checkWindow({ startsAt: input.startsAt, endsAt: input.endsAt, timezone, rrule: input.rrule });
    if ("fault" in checked) throw Problem.invalid({ in: "body", ...checked.fault });
    const known = await this.repo.existingComponents(input.componentIds);
    const i = input.componentIds.findIndex((id) => !known.has(id));
    if (i >= 0)
      throw Problem.invalid({
        in: "body",
        pointer: `/componentIds/${i}`,
        message: `no component ${input.componentIds[i]}`,
      });
    const now = this.clock.now();
    const next = currentOrNext(checked.shape, now);
    if (!next) throw Problem.invalid({ in: "body", pointer: "/endsAt", message: "every occurrence has already ended" });
    return { shape: checked.shape, timezone, next };
  }

  async create(actor: Actor, input: WindowInput, req: RequestInfo): Promise<MaintenanceWindow> {
    const doc = await this.plan();
    const { shape, timezone, next } = await this.#validate(input, doc.maintenanceWindow.timezone);
    const now = this.clock.now();
    const warnings = planWarnings(shape, now, doc.maintenanceWindow);
    const id = uuidv7();
    const row: WindowRow = {
      id,
      title: input.title,
      description: input.description ?? "",
      starts_at: shape.startsAt.toISOString(),
      ends_at: shape.endsAt.toISOString(),
      timezone,
      rrule: input.rrule ?? null,
      component_ids: JSON.stringify([...new Set(input.componentIds)]),
      mode: input.mode ?? "mute",
      state: "scheduled",
      occurrence_start: next.start.toISOString(),
      warnings: JSON.stringify(warnings),
      announced_at: now.toISOString(),
      created_by: actor.userId,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.insertWindow({ ...row, component_ids: JSON.parse(row.component_ids), warnings }, trx);
      await this.#arm(trx, row, next.start, durationOf(shape), now);
      await this.#publish(trx, "maintenance.scheduled", row, next, { warnings: warnings.map((w) => w.code) });
      await this.audit.record(
        {
          action: "maintenance.created",
          actor,
          target: { type: "maintenance_window", id },
          details: { title: input.title, startsAt: input.startsAt, rrule: input.rrule ?? null, warnings },
          request: req,
        },
        trx,
      );
    });
    await this.onChange();
    return this.get(id);
  }

  async update(actor: Actor, id: string, patch: Partial<WindowInput>, req: RequestInfo): Promise<MaintenanceWindow> {
    const before = await this.get(id);
    if (before.state === "completed" || before.state === "cancelled")
      throw Problem.conflict(`the window is ${before.state}`);
    const doc = await this.plan();
    const input: WindowInput = {
      title: patch.title ?? before.title,
      description: patch.description ?? before.description,
      startsAt: patch.startsAt ?? before.startsAt,
      endsAt: patch.endsAt ?? before.endsAt,
      timezone: patch.timezone ?? before.timezone,
      rrule: patch.rrule !== undefined ? patch.rrule : before.rrule,
      componentIds: patch.componentIds ?? before.componentIds,
      mode: patch.mode ?? before.mode,
    };
    const { shape, timezone, next } = await this.#validate(input, doc.maintenanceWindow.timezone);
    const now = this.clock.now();
    // Moving the time is announcing it again: the notice counts from now.
    const moved = input.startsAt !== before.startsAt || input.rrule !== before.rrule;
    const announcedAt = moved ? now : new Date(before.announcedAt);
    const warnings = planWarnings(shape, announcedAt, doc.maintenanceWindow);
    const values = {
      title: input.title,
      description: input.description ?? "",
      starts_at: shape.startsAt.toISOString(),
      ends_at: shape.endsAt.toISOString(),
      timezone,
      rrule: input.rrule ?? null,
      component_ids: [...new Set(input.componentIds)],
      mode: input.mode,
      occurrence_start: next.start.toISOString(),
      state: next.start <= now ? "in_progress" : "scheduled",
      warnings,
      announced_at: announcedAt.toISOString(),
      updated_at: now.toISOString(),
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.updateWindow(id, values, trx);
      const row = (await this.repo.window(id, trx))!;
      if (values.state === "scheduled") await this.#arm(trx, row, next.start, durationOf(shape), now);
      else await this.timers.start(trx, this.#spec(id, "end", next.end, { occurrence: next.start.toISOString() }));
      if (moved)
        await this.#publish(trx, "maintenance.scheduled", row, next, { warnings: warnings.map((w) => w.code) });
      await this.audit.record(
        {
          action: "maintenance.updated",
          actor,
          target: { type: "maintenance_window", id },
          change: { before, after: { ...before, ...input } },
          request: req,
        },
        trx,
      );
    });
    await this.onChange();
    return this.get(id);
  }

  async cancel(actor: Actor, id: string, req: RequestInfo): Promise<MaintenanceWindow> {
    const before = await this.get(id);
    if (before.state === "completed" || before.state === "cancelled") return before;
    const now = this.clock.now().toISOString();
    await this.repo.transaction(async (trx) => {
      const row = (await this.repo.window(id, trx))!;
      const occurrence = before.occurrence
        ? { start: new Date(before.occurrence.startsAt), end: new Date(before.occurrence.endsAt) }
        : { start: new Date(before.startsAt), end: new Date(before.endsAt) };
      await this.repo.updateWindow(id, { state: "cancelled", occurrence_start: null, updated_at: now }, trx);
      await this.#publish(trx, "maintenance.cancelled", row, occurrence);
      for (const name of ["notice-72h", "notice-24h", "start", "end"])
        await this.timers.cancel(trx, { type: SUBJECT, id }, name);
      await this.audit.record(
        { action: "maintenance.cancelled", actor, target: { type: "maintenance_window", id }, request: req },
        trx,
      );
    });
    await this.silencer.lift(`maintenance:${id}`);
    await this.onChange();
    return this.get(id);
  }

  /** A window's event, about one occurrence (its next or running one, or the one a timer fired for). */
  async #publish(
    trx: Kysely<DB>,
    type: "maintenance.scheduled" | "maintenance.started" | "maintenance.completed" | "maintenance.cancelled",
    row: WindowRow,
    occurrence: { start: Date; end: Date },
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.events.publish(
      {
        type,
        subjectId: row.id,
        payload: {
          windowId: row.id,
          title: row.title,
          mode: row.mode,
          componentIds: JSON.parse(row.component_ids) as string[],
          startsAt: occurrence.start.toISOString(),
          endsAt: occurrence.end.toISOString(),
          ...extra,
        },
      } as never,
      trx,
    );
  }

  #spec(id: string, name: string, at: Date, payload: NoticePayload) {
    return { subject: { type: SUBJECT, id }, name, at, payload };
  }

  /** Arms an occurrence's timers: the notices still ahead, its start and its end. */
  async #arm(trx: Kysely<DB>, row: WindowRow, start: Date, durationMs: number, now: Date): Promise<void> {
    const occurrence = start.toISOString();
    for (const hours of NOTICE_LEAD_HOURS) {
      const at = new Date(start.getTime() - hours * HOUR);
      if (at >= now) await this.timers.start(trx, this.#spec(row.id, `notice-${hours}h`, at, { occurrence, hours }));
      else await this.timers.cancel(trx, { type: SUBJECT, id: row.id }, `notice-${hours}h`);
    }
    await this.timers.start(trx, this.#spec(row.id, "start", start, { occurrence }));
    await this.timers.start(trx, this.#spec(row.id, "end", new Date(start.getTime() + durationMs), { occurrence }));
  }

  async #prepare(timer: Timer): Promise<Prepared> {
    const row = await this.repo.window(timer.subject.id);
    if (!row) return { row, components: [], subscriptions: [], contacts: [] };
    const ids = new Set(JSON.parse(row.component_ids) as string[]);
    const components = (await this.components.list()).filter((c) => ids.has(c.id));
    const subscriptions = (await this.repo.activeSubscriptions()).filter((s) =>
      (JSON.parse(s.component_ids) as string[]).some((id) => ids.has(id)),
    );
    const orgs = [...new Set(components.flatMap((c) => c.organizationIds))];
    const contacts = orgs.length ? await this.contacts(orgs) : [];
    return { row, components, subscriptions, contacts };
  }

  async #fire(firing: TimerFiring, p: Prepared): Promise<void> {
    const { timer, trx, now } = firing;
    const row = p.row;
    const payload = timer.payload as NoticePayload;
    // A stale timer of an occurrence that was moved or a window that was cancelled.
    if (!row || row.state === "cancelled" || row.occurrence_start !== payload.occurrence) return;
    const shape = shapeOf(row);
    const occurrence = new Date(payload.occurrence);
    const end = new Date(occurrence.getTime() + durationOf(shape));
    const stamp = now.toISOString();
    if (timer.name === "start") {
      await this.repo.updateWindow(row.id, { state: "in_progress", updated_at: stamp }, trx);
      await this.#publish(trx, "maintenance.started", row, { start: occurrence, end });
      await this.notifier.enqueue(this.#notices(p, "started", occurrence, end), trx);
      // A skip window silences too: not gated (announced late), its monitors are checked as in a mute one.
      if (row.mode !== "show") {
        const monitorIds = [...new Set(p.components.flatMap((c) => c.monitorIds))];
        if (monitorIds.length)
          firing.afterCommit(async () => {
            await this.silencer.silence(monitorIds, occurrence, end, `maintenance:${row.id}`);
          });
      }
    } else if (timer.name === "end") {
      const next = currentOrNext(shape, new Date(end.getTime()));
      await this.notifier.enqueue(this.#notices(p, "ended", occurrence, end), trx);
      if (next && next.start >= end) {
        await this.repo.updateWindow(
          row.id,
          { state: "scheduled", occurrence_start: next.start.toISOString(), updated_at: stamp },
          trx,
        );
        await this.#arm(trx, row, next.start, durationOf(shape), now);
      } else {
        await this.repo.updateWindow(row.id, { state: "completed", occurrence_start: null, updated_at: stamp }, trx);
      }
      await this.#publish(
        trx,
        "maintenance.completed",
        row,
        { start: occurrence, end },
        {
          state: next && next.start >= end ? "scheduled" : "completed",
        },
      );
    } else {
      await this.notifier.enqueue(this.#notices(p, "notice", occurrence, end), trx);
    }
    firing.afterCommit(() => this.onChange());
  }

  /**
   * One message per subscriber and per contact, naming only the window's components that the subscriber chose
   * (or that the contact's organization uses): nobody hears of a component that is not theirs.
   */
  #notices(p: Prepared, phase: "notice" | "started" | "ended", start: Date, end: Date): NotificationRequest[] {
    const row = p.row!;
    const base = {
      phase,
      title: row.title,
      description: row.description,
      startsAt: start.toISOString(),
      endsAt: end.toISOString(),
      timezone: row.timezone,
      link: `${this.publicUrl}/status`,
    };
    const thread = { kind: "maintenance", id: row.id };
    const out: NotificationRequest[] = [];
    for (const s of p.subscriptions) {
      const chosen = new Set(JSON.parse(s.component_ids) as string[]);
      const names = p.components.filter((c) => chosen.has(c.id)).map((c) => c.name);
      if (!names.length) continue;
      out.push({
        to: { email: s.email, locale: localeOf(s.locale) },
        template: "status.maintenance",
        params: { ...base, components: names, unsubscribeUrl: this.unsubscribeUrl(s) },
        thread,
      });
    }
    for (const c of p.contacts) {
      const names = p.components.filter((x) => x.organizationIds.includes(c.organizationId)).map((x) => x.name);
      if (!names.length) continue;
      out.push({
        to: { userId: c.userId },
        channel: "email",
        template: "status.maintenance",
        params: { ...base, components: names },
        thread,
      });
    }
    return out;
  }
}
