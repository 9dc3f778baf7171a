import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import {
  type ComponentStatus,
  componentStatus,
  type Derived,
  type IncidentSeverity,
  type MonitorStatus,
} from "./core.js";
import type { ComponentRow, StatusRepository } from "./repository.js";

/** A public update of an incident, as the status page shows it. */
export interface IncidentUpdate {
  status: "investigating" | "identified" | "monitoring" | "resolved";
  body: string;
  at: string;
}

export interface StatusIncident {
  id: string;
  title: string;
  severity: IncidentSeverity;
  componentIds: string[];
  startedAt: string;
  resolvedAt: string | null;
  updates: IncidentUpdate[];
}

/**
 * Where the status page reads incidents from: the incidents module implements it (wired in services.ts); the
 * status module never reads its tables.
 */
export interface StatusIncidentSource {
  /** Incidents open now that have something public to say. */
  active(): Promise<StatusIncident[]>;
  /** Public incidents that started in [from, to), newest first. */
  history(from: Date, to: Date): Promise<StatusIncident[]>;
}

/** Until incidents publish public updates: none. */
export const noIncidents: StatusIncidentSource = {
  active: async () => [],
  history: async () => [],
};

/** What the status module reads of monitoring (through the monitoring service). */
export interface StatusMonitors {
  /** Current status of each monitor; unknown ids are left out, a monitor without a state yet is null. */
  statuses(ids: readonly string[]): Promise<Map<string, MonitorStatus | null>>;
  /** Daily uptime (0..1 or null) of each monitor over `days` days ending with today in `zone`. */
  dailyUptime(ids: readonly string[], days: number, zone: string): Promise<Map<string, (number | null)[]>>;
}

export interface ComponentInput {
  name: string;
  group?: string | null;
  position?: number;
  monitorIds?: string[];
  organizationIds?: string[];
}

export interface OverrideInput {
  status: ComponentStatus;
  until: string;
  reason?: string;
}

export type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export function componentView(row: ComponentRow) {
  return {
    id: row.id,
    name: row.name,
    group: row.group_name,
    position: row.position,
    monitorIds: JSON.parse(row.monitor_ids) as string[],
    organizationIds: JSON.parse(row.organization_ids) as string[],
    override:
      row.override_status && row.override_until
        ? {
            status: row.override_status as ComponentStatus,
            until: row.override_until,
            reason: row.override_reason,
          }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type Component = ReturnType<typeof componentView>;

/** A customer sees the components of its organization and the ones every customer uses (no organization). */
export function visibleTo(actor: Actor, c: Component): boolean {
  return isStaff(actor.role) || !c.organizationIds.length || c.organizationIds.includes(actor.organizationId);
}

/**
 * Status components: what customers care about, linked to monitors and organizations; their status is derived
 * (core.ts) from the monitors, open incidents and running windows, with a manual override that expires.
 */
export class ComponentService {
  private readonly repo: StatusRepository;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly monitors: StatusMonitors;
  private readonly organizationsExist: (ids: string[]) => Promise<Set<string>>;
  private readonly events: EventBus;
  incidents: StatusIncidentSource;

  constructor(deps: {
    repo: StatusRepository;
    clock: Clock;
    audit: AuditService;
    events: EventBus;
    monitors: StatusMonitors;
    incidents?: StatusIncidentSource;
    organizationsExist: (ids: string[]) => Promise<Set<string>>;
  }) {
    this.repo = deps.repo;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.events = deps.events;
    this.monitors = deps.monitors;
    this.incidents = deps.incidents ?? noIncidents;
    this.organizationsExist = deps.organizationsExist;
  }

  async list(actor?: Actor): Promise<Component[]> {
    const all = (await this.repo.components()).map(componentView);
    return actor ? all.filter((c) => visibleTo(actor, c)) : all;
  }

  /**
   * The components an alert is about: those linked to one of its monitors, and those whose name or group is its
   * `service` label (case and surrounding spaces ignored).
   */
  async affectedBy(alert: { monitorIds: readonly string[]; service: string | null }): Promise<Component[]> {
    const service = alert.service?.trim().toLowerCase() || null;
    const named = (s: string | null) => service !== null && s?.trim().toLowerCase() === service;
    return (await this.list()).filter(
      (c) => c.monitorIds.some((id) => alert.monitorIds.includes(id)) || named(c.name) || named(c.group),
    );
  }

  async get(id: string, actor?: Actor): Promise<Component> {
    const row = await this.repo.component(id);
    const c = row && componentView(row);
    if (!c || (actor && !visibleTo(actor, c))) throw Problem.notFound(`Component ${id}`);
    return c;
  }

  async #checkLinks(input: { monitorIds?: string[]; organizationIds?: string[] }) {
    if (input.monitorIds?.length) {
      const known = await this.monitors.statuses(input.monitorIds);
      const i = input.monitorIds.findIndex((id) => !known.has(id));
      if (i >= 0)
        throw Problem.invalid({
          in: "body",
          pointer: `/monitorIds/${i}`,
          message: `no monitor ${input.monitorIds[i]}`,
        });
    }
    if (input.organizationIds?.length) {
      const known = await this.organizationsExist(input.organizationIds);
      const i = input.organizationIds.findIndex((id) => !known.has(id));
      if (i >= 0)
        throw Problem.invalid({
          in: "body",
          pointer: `/organizationIds/${i}`,
          message: `no organization ${input.organizationIds[i]}`,
        });
    }
  }

  async create(actor: Actor, input: ComponentInput, req: RequestInfo): Promise<Component> {
    await this.#checkLinks(input);
    const now = this.clock.now().toISOString();
    const id = uuidv7();
    const row = {
      id,
      name: input.name,
      group_name: input.group ?? null,
      position: input.position ?? (await this.repo.nextPosition()),
      monitor_ids: [...new Set(input.monitorIds ?? [])],
      organization_ids: [...new Set(input.organizationIds ?? [])],
      override_status: null,
      override_until: null,
      override_reason: null,
      created_at: now,
      updated_at: now,
    };
    await this.repo.insertComponent(row);
    await this.audit.record({
      action: "status.component.created",
      actor,
      target: { type: "status_component", id },
      details: { name: input.name },
      request: req,
    });
    return this.get(id);
  }

  async update(actor: Actor, id: string, patch: Partial<ComponentInput>, req: RequestInfo): Promise<Component> {
    const before = await this.get(id);
    await this.#checkLinks(patch);
    const values: Record<string, unknown> = { updated_at: this.clock.now().toISOString() };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.group !== undefined) values.group_name = patch.group;
    if (patch.position !== undefined) values.position = patch.position;
    if (patch.monitorIds !== undefined) values.monitor_ids = [...new Set(patch.monitorIds)];
    if (patch.organizationIds !== undefined) values.organization_ids = [...new Set(patch.organizationIds)];
    await this.repo.updateComponent(id, values);
    const after = await this.get(id);
    await this.audit.record({
      action: "status.component.updated",
      actor,
      target: { type: "status_component", id },
      change: { before, after },
      request: req,
    });
    return after;
  }

  async remove(actor: Actor, id: string, req: RequestInfo): Promise<void> {
    await this.get(id);
    await this.repo.deleteComponent(id);
    await this.audit.record({
      action: "status.component.deleted",
      actor,
      target: { type: "status_component", id },
      request: req,
    });
  }

  /** Sets the status by hand until `until`; null clears it. */
  async override(actor: Actor, id: string, input: OverrideInput | null, req: RequestInfo): Promise<Component> {
    await this.get(id);
    if (input && Date.parse(input.until) <= this.clock.now().getTime())
      throw Problem.invalid({ in: "body", pointer: "/until", message: "must be in the future" });
    await this.repo.updateComponent(id, {
      override_status: input?.status ?? null,
      override_until: input ? new Date(input.until).toISOString() : null,
      override_reason: input?.reason ?? null,
      updated_at: this.clock.now().toISOString(),
    });
    await this.audit.record({
      action: "status.component.override",
      actor,
      target: { type: "status_component", id },
      details: { override: input },
      request: req,
    });
    return this.get(id);
  }

  /**
   * Every component with its derived status now, given which components a window runs on and the open
   * incidents; one read of the monitors' states for all of them.
   */
  async statuses(inMaintenance: ReadonlySet<string>, incidents: readonly StatusIncident[]) {
    const components = await this.list();
    const monitorIds = [...new Set(components.flatMap((c) => c.monitorIds))];
    const states = await this.monitors.statuses(monitorIds);
    const now = this.clock.now();
    return components.map((c) => ({
      component: c,
      ...componentStatus({
        monitors: c.monitorIds.map((id) => states.get(id) ?? null),
        incidents: incidents.filter((i) => i.componentIds.includes(c.id)).map((i) => i.severity),
        inMaintenance: inMaintenance.has(c.id),
        override: c.override,
        now,
      }),
    }));
  }

  /**
   * Publishes `status.component_changed` for each component whose derived status differs from the last one
   * published. Every node building the page gets here; the compare-and-set on the stored status lets one of
   * them publish each change, in the same transaction.
   */
  async publishChanges(statuses: readonly ({ component: Component } & Derived)[]): Promise<void> {
    const published = await this.repo.publishedStatuses();
    const at = this.clock.now().toISOString();
    for (const { component: c, status, source } of statuses) {
      const from = published.get(c.id);
      if (from === undefined || from === status) continue;
      await this.repo.transaction(async (trx) => {
        if (!(await this.repo.moveComponentStatus(c.id, from, status, at, trx))) return;
        await this.events.publish(
          {
            type: "status.component_changed",
            subjectId: c.id,
            payload: {
              componentId: c.id,
              name: c.name,
              from: from as ComponentStatus | null,
              to: status,
              source,
              at,
            },
          },
          trx,
        );
      });
    }
  }

  /** Daily uptime bars of each component: the mean over its monitors of each day's uptime. */
  async bars(components: readonly Component[], days: number, zone: string): Promise<Map<string, (number | null)[]>> {
    const ids = [...new Set(components.flatMap((c) => c.monitorIds))];
    const daily = await this.monitors.dailyUptime(ids, days, zone);
    const out = new Map<string, (number | null)[]>();
    for (const c of components) {
      const bars: (number | null)[] = [];
      for (let d = 0; d < days; d++) {
        const values = c.monitorIds.map((id) => daily.get(id)?.[d] ?? null).filter((v): v is number => v !== null);
        bars.push(values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
      }
      out.set(c.id, bars);
    }
    return out;
  }
}
