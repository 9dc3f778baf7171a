import { randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { TObject } from "typebox";
import { Compile } from "typebox/compile";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import type { EventPayload } from "../../platform/events/catalogue.js";
import { type FieldError, Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { sha256 } from "../identity/credentials.js";
import { secretSettings } from "./checks/index.js";
import type { ProbeType } from "./checks/types.js";
import { MonitoringEngine } from "./engine.js";
import { type EngineOptions, PUSH_CHANNEL, stateChangedEvent } from "./engine-model.js";
import { freshest, MonitorMeasurements } from "./measurements.js";
import type { LastCheck, ListFilter, MonitoringRepository, MonitorRow, MonitorValues, StateRow } from "./repository.js";
import { shardOf } from "./schedule.js";
import { GroupSettings, HeartbeatSettings } from "./schemas.js";
import type { Status } from "./state-machine.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export const ROLLUP_JOB = "monitoring.rollup";
export const RETENTION_JOB = "monitoring.retention";

export interface Retention {
  minutesHours: number;
  hoursDays: number;
  daysDays: number;
}

export interface MonitoringOptions extends EngineOptions {
  retention: Retention;
}

export interface MonitorInput {
  name: string;
  type: string;
  target?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  failureThreshold?: number;
  successThreshold?: number;
  severity?: "critical" | "high" | "medium" | "low";
  settings?: Record<string, unknown>;
  parentId?: string | null;
  groupId?: string | null;
  organizationId?: string | null;
  enabled?: boolean;
}
export type MonitorPatch = Partial<Omit<MonitorInput, "enabled">>;

/** Types the engine derives itself; every other type is a probe. */
const DERIVED: Record<string, TObject> = { heartbeat: HeartbeatSettings, group: GroupSettings };
const _MINUTE = 60_000;
const _HOUR = 3_600_000;
const _DAY = 86_400_000;
const _MAX_POINTS = 2000;
const _DEFAULT_POINTS = 300;

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });
const newToken = () => randomBytes(24).toString("base64url");
export const pushPath = (token: string) => `/api/v1/push/${token}`;

function stateView(row: StateRow | null | undefined, live: LastCheck | null = null) {
  if (!row) return null;
  const last = freshest({ at: row.last_check_at, latencyMs: row.last_latency_ms }, live);
  return {
    status: row.status as Status,
    reason: row.reason,
    message: row.message,
    since: row.since,
    flapping: Boolean(row.flapping),
    lastCheckAt: last.at,
    lastLatencyMs: last.latencyMs,
  };
}

/** A monitor as the API shows it; `hidden` settings (passwords) are never shown. */
export function monitorView(
  row: MonitorRow,
  state: StateRow | null | undefined,
  hidden: readonly string[] = [],
  live: LastCheck | null = null,
) {
  const settings = JSON.parse(row.settings) as Record<string, unknown>;
  for (const name of hidden) delete settings[name];
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    target: row.target,
    intervalSeconds: row.interval_seconds,
    timeoutSeconds: row.timeout_seconds,
    retries: row.retries,
    failureThreshold: row.failure_threshold,
    successThreshold: row.success_threshold,
    severity: row.severity as "critical" | "high" | "medium" | "low",
    settings,
    parentId: row.parent_id,
    groupId: row.group_id,
    organizationId: row.organization_id,
    enabled: Boolean(row.enabled),
    state: stateView(state, live),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** TypeBox's errors of a settings object, as fields under /settings. */
function settingsErrors(schema: ReturnType<typeof Compile>, value: unknown): FieldError[] {
  const out: FieldError[] = [];
  for (const e of schema.Errors(value) as Iterable<{
    keyword: string;
    instancePath: string;
    params: Record<string, unknown>;
    message: string;
  }>) {
    if (e.keyword === "additionalProperties") continue;
    if (e.keyword === "required") {
      for (const p of e.params.requiredProperties as string[]) {
        out.push({ in: "body", pointer: `/settings${e.instancePath}/${p}`, message: `"${p}" is required` });
      }
    } else if (e.keyword === "boolean") {
      out.push({ in: "body", pointer: `/settings${e.instancePath}`, message: "is not a setting of this type" });
    } else {
      out.push({ in: "body", pointer: `/settings${e.instancePath}`, message: e.message });
    }
  }
  return out;
}

export interface MonitoringServiceDeps {
  repo: MonitoringRepository;
  jobs: JobQueue;
  events: EventBus;
  clock: Clock;
  audit: AuditService;
  /** Seals the probe settings kept secret at rest. */
  secrets: SecretBox;
  log: Logger;
  options: MonitoringOptions;
  probes: Iterable<ProbeType>;
  /** PostgreSQL LISTEN: a heartbeat pushed to any node reaches the node checking that monitor; absent on SQLite. */
  listen?: (channel: string, fn: (payload: string) => void) => Promise<() => Promise<void>>;
}

/**
 * Monitors: their definitions (validated against the probe types), pause and resume, heartbeat pushes,
 * uptime and series from the stored history, and the engine that runs the checks of this node's shards.
 */
export class MonitoringService {
  readonly #probes = new Map<string, ProbeType>();
  readonly #compiled = new Map<string, ReturnType<typeof Compile>>();
  /** Settings of each probe type kept sealed at rest and never shown. */
  readonly #secrets = new Map<string, string[]>();
  readonly engine: MonitoringEngine;
  /** Uptime, series, history and roll-ups of what the monitors measured. */
  readonly measurements: MonitorMeasurements;

  private readonly repo: MonitoringRepository;
  private readonly jobs: JobQueue;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly secretBox: SecretBox;
  private readonly log: Logger;
  private readonly opts: MonitoringOptions;

  constructor(deps: MonitoringServiceDeps) {
    this.repo = deps.repo;
    this.jobs = deps.jobs;
    this.events = deps.events;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.secretBox = deps.secrets;
    this.log = deps.log;
    this.opts = deps.options;
    for (const [type, schema] of Object.entries(DERIVED)) this.#compiled.set(type, Compile(schema));
    for (const probe of deps.probes) this.registerProbe(probe);
    this.engine = new MonitoringEngine({
      repo: deps.repo,
      events: deps.events,
      clock: deps.clock,
      log: deps.log,
      probes: this.#probes,
      options: deps.options,
      reveal: (type, settings) => this.#reveal(type, settings),
      listen: deps.listen,
    });
    this.measurements = new MonitorMeasurements({
      repo: deps.repo,
      clock: deps.clock,
      log: deps.log,
      retention: deps.options.retention,
      lastCheck: (id) => this.engine.lastCheck(id),
    });
  }

  /** Adds a probe type (the built-in ones at construction; tests add their own). */
  registerProbe(probe: ProbeType): void {
    if (probe.type in DERIVED) throw new Error(`monitor type ${probe.type} is derived by the engine`);
    this.#probes.set(probe.type, probe);
    this.#compiled.set(probe.type, Compile(probe.settings));
    this.#secrets.set(probe.type, secretSettings(probe));
  }

  #hidden(type: string): string[] {
    return this.#secrets.get(type) ?? [];
  }

  #view(row: MonitorRow, state: StateRow | null | undefined) {
    return monitorView(row, state, this.#hidden(row.type), this.engine.lastCheck(row.id));
  }

  /** Stored settings with their secrets opened, for the probe (and to carry them over a patch). */
  #reveal(type: string, settings: Record<string, unknown>): Record<string, unknown> {
    const out = { ...settings };
    for (const name of this.#hidden(type)) {
      if (typeof out[name] === "string") out[name] = this.secretBox.open(out[name] as string);
    }
    return out;
  }

  #seal(type: string, settings: Record<string, unknown>): Record<string, unknown> {
    const out = { ...settings };
    for (const name of this.#hidden(type)) {
      if (typeof out[name] === "string") out[name] = this.secretBox.seal(out[name] as string);
    }
    return out;
  }

  types(): string[] {
    return [...this.#probes.keys(), ...Object.keys(DERIVED)].sort();
  }

  /** The nodes of the shard protocol as the database knows them, for the admin screen. */
  async nodes() {
    const [nodes, shards, ids] = await Promise.all([this.repo.nodes(), this.repo.shards(), this.repo.ids()]);
    const now = this.engine.time.now();
    const perShard = new Map<number, number>();
    for (const id of ids) perShard.set(shardOf(id), (perShard.get(shardOf(id)) ?? 0) + 1);
    return {
      leaseMs: this.opts.leaseMs,
      nodes: nodes.map((n) => {
        const held = shards.filter((s) => s.owner === n.node_id).map((s) => s.shard);
        return {
          nodeId: n.node_id,
          startedAt: n.started_at,
          lastHeartbeat: n.seen_at,
          alive: Date.parse(n.seen_at) > now - this.opts.leaseMs,
          shards: held,
          monitors: held.reduce((sum, s) => sum + (perShard.get(s) ?? 0), 0),
        };
      }),
      shards: shards.map((s) => ({
        shard: s.shard,
        owner: s.owner,
        leaseUntil: s.lease_until,
        checkedThrough: s.checked_through,
      })),
    };
  }

  /** Schedules the roll-ups and starts the engine. Call after the platform started (the engine hears events). */
  async start(): Promise<void> {
    await this.jobs.schedule(ROLLUP_JOB, ROLLUP_JOB, "7 * * * *", "UTC");
    await this.jobs.schedule(RETENTION_JOB, RETENTION_JOB, "23 0 * * *", "UTC");
    await this.engine.start();
  }

  stop(): Promise<void> {
    return this.engine.stop();
  }

  // definitions ---------------------------------------------------------------------------------
  /** Checks a whole definition (after a patch is merged); returns the settings with defaults applied. */
  async #validate(v: MonitorValues, pointerOfType = "/type"): Promise<Record<string, unknown>> {
    const probe = this.#probes.get(v.type);
    if (!probe && !(v.type in DERIVED)) {
      throw invalid(pointerOfType, `is not a monitor type; the types are ${this.types().join(", ")}`);
    }
    if (v.timeout_seconds > v.interval_seconds) {
      throw invalid("/timeoutSeconds", "must not be longer than intervalSeconds");
    }
    if (probe) {
      if (!v.target) throw invalid("/target", `is required for a ${v.type} monitor`);
      const message = probe.validateTarget(v.target);
      if (message) throw invalid("/target", message);
    } else if (v.target) {
      throw invalid("/target", `must be empty for a ${v.type} monitor`);
    }
    const schema = this.#compiled.get(v.type)!;
    const settings = schema.Default(structuredClone(v.settings)) as Record<string, unknown>;
    const errors = settingsErrors(schema, settings);
    if (errors.length) {
      throw new Problem(400, ProblemType.validation, "Request is not valid", errors[0]!.message, errors);
    }
    if (v.organization_id && !(await this.repo.organizationExists(v.organization_id))) {
      throw invalid("/organizationId", "is not an organization");
    }
    if (v.parent_id) {
      if (v.parent_id === v.id) throw invalid("/parentId", "must not be the monitor itself");
      if (!(await this.repo.find(v.parent_id))) throw invalid("/parentId", "is not a monitor");
      if ((await this.repo.ancestors(v.parent_id, "parent_id")).includes(v.id)) {
        throw invalid("/parentId", "would make the dependencies circular");
      }
    }
    if (v.group_id) {
      const group = v.group_id === v.id ? undefined : await this.repo.find(v.group_id);
      if (group?.type !== "group") throw invalid("/groupId", "is not a group monitor");
      if ((await this.repo.ancestors(v.group_id, "group_id")).includes(v.id)) {
        throw invalid("/groupId", "would make the groups circular");
      }
    }
    return settings;
  }

  /** Every monitor's current status with what alerts label it by (name, type, severity). */
  async statuses() {
    return (await this.repo.statuses()).map((m) => ({
      ...m,
      severity: m.severity as "critical" | "high" | "medium" | "low",
    }));
  }

  async list(filter: ListFilter) {
    return (await this.repo.list(filter)).map((r) => this.#view(r, r.state));
  }

  async get(id: string) {
    const row = await this.#find(id);
    return this.#view(row, await this.repo.findState(id));
  }

  async #find(id: string): Promise<MonitorRow> {
    const row = await this.repo.find(id);
    if (!row) throw Problem.notFound("Monitor");
    return row;
  }

  async #changed<T extends "monitor.created" | "monitor.updated" | "monitor.deleted">(
    type: T,
    row: MonitorRow,
    trx: Kysely<DB>,
    payload: Omit<EventPayload<T>, "monitorId">,
  ) {
    await this.events.publish(
      {
        type,
        organizationId: row.organization_id,
        subjectId: row.id,
        payload: { monitorId: row.id, ...payload },
      } as NewEvent,
      trx,
    );
  }

  async create(actor: Actor, input: MonitorInput, req: RequestInfo) {
    const now = this.clock.now().toISOString();
    const values: MonitorValues = {
      id: uuidv7(),
      organization_id: input.organizationId ?? null,
      name: input.name,
      type: input.type,
      target: input.target ?? "",
      interval_seconds: input.intervalSeconds ?? 60,
      timeout_seconds: input.timeoutSeconds ?? Math.min(10, input.intervalSeconds ?? 60),
      retries: input.retries ?? 0,
      failure_threshold: input.failureThreshold ?? 1,
      success_threshold: input.successThreshold ?? 1,
      severity: input.severity ?? "critical",
      settings: input.settings ?? {},
      parent_id: input.parentId ?? null,
      group_id: input.groupId ?? null,
      enabled: input.enabled ?? true,
      push_token_hash: null,
      created_at: now,
      updated_at: now,
    };
    values.settings = this.#seal(values.type, await this.#validate(values));
    const token = values.type === "heartbeat" ? newToken() : undefined;
    if (token) values.push_token_hash = sha256(token);
    await this.repo.transaction(async (trx) => {
      await this.repo.insert(values, trx);
      const row = (await this.repo.find(values.id, trx))!;
      if (!values.enabled) await this.#enterMaintenance(row, undefined, trx);
      await this.#changed("monitor.created", row, trx, { name: row.name, type: row.type });
      await this.audit.record(
        {
          action: "monitor.created",
          actor,
          target: { type: "monitor", id: values.id },
          request: req,
          details: { name: values.name, type: values.type, target: values.target },
        },
        trx,
      );
    });
    await this.engine.refresh(values.id);
    return { ...(await this.get(values.id)), ...(token ? { pushToken: token } : {}) };
  }

  async update(actor: Actor, id: string, patch: MonitorPatch, req: RequestInfo) {
    const before = await this.#find(id);
    const sameType = !patch.type || patch.type === before.type;
    const old = sameType ? this.#reveal(before.type, JSON.parse(before.settings)) : {};
    // Secrets are never shown, so a client sends settings without them: those it leaves out are kept.
    const kept = Object.fromEntries(
      this.#hidden(before.type)
        .filter((n) => n in old)
        .map((n) => [n, old[n]]),
    );
    const merged: MonitorValues = {
      ...before,
      settings: patch.settings ? { ...(sameType ? kept : {}), ...patch.settings } : old,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.type !== undefined ? { type: patch.type } : {}),
      ...(patch.target !== undefined ? { target: patch.target } : {}),
      ...(patch.intervalSeconds !== undefined ? { interval_seconds: patch.intervalSeconds } : {}),
      ...(patch.timeoutSeconds !== undefined ? { timeout_seconds: patch.timeoutSeconds } : {}),
      ...(patch.retries !== undefined ? { retries: patch.retries } : {}),
      ...(patch.failureThreshold !== undefined ? { failure_threshold: patch.failureThreshold } : {}),
      ...(patch.successThreshold !== undefined ? { success_threshold: patch.successThreshold } : {}),
      ...(patch.severity !== undefined ? { severity: patch.severity } : {}),
      ...(patch.parentId !== undefined ? { parent_id: patch.parentId } : {}),
      ...(patch.groupId !== undefined ? { group_id: patch.groupId } : {}),
      ...(patch.organizationId !== undefined ? { organization_id: patch.organizationId } : {}),
      updated_at: this.clock.now().toISOString(),
    };
    merged.settings = this.#seal(merged.type, await this.#validate(merged));
    if (merged.type !== before.type && before.type === "group") {
      const members = await this.repo.list({ limit: 1, groupId: id });
      if (members.length) throw invalid("/type", "a group with members cannot change its type");
    }
    // A monitor that becomes a heartbeat gets a token; one that stops being one loses it.
    const token = merged.type === "heartbeat" && !before.push_token_hash ? newToken() : undefined;
    merged.push_token_hash = merged.type !== "heartbeat" ? null : token ? sha256(token) : before.push_token_hash;
    await this.repo.transaction(async (trx) => {
      const { id: _id, created_at: _c, ...changes } = merged;
      await this.repo.update(id, changes, trx);
      const after = (await this.repo.find(id, trx))!;
      await this.#changed("monitor.updated", after, trx, {});
      await this.audit.record(
        {
          action: "monitor.updated",
          actor,
          target: { type: "monitor", id },
          request: req,
          change: { before: this.#view(before, null), after: this.#view(after, null) },
        },
        trx,
      );
    });
    await this.engine.refresh(id);
    return { ...(await this.get(id)), ...(token ? { pushToken: token } : {}) };
  }

  async remove(actor: Actor, id: string, req: RequestInfo): Promise<void> {
    const row = await this.#find(id);
    await this.repo.transaction(async (trx) => {
      await this.repo.delete(id, trx);
      await this.#changed("monitor.deleted", row, trx, {});
      await this.audit.record(
        {
          action: "monitor.deleted",
          actor,
          target: { type: "monitor", id },
          request: req,
          details: { name: row.name, type: row.type, target: row.target },
        },
        trx,
      );
    });
    await this.engine.refresh(id);
  }

  /** Writes MAINTENANCE (reason `paused`) as any state change is written: a new interval and an event. */
  async #enterMaintenance(row: MonitorRow, state: StateRow | undefined, trx: Kysely<DB>): Promise<void> {
    if (state?.status === "MAINTENANCE") return;
    const at = this.clock.now().toISOString();
    const next = { status: "MAINTENANCE" as const, reason: "paused", message: null, flapping: false };
    const ok = await this.repo.changeState(
      { monitorId: row.id, version: state?.version ?? 0, next, statusChanged: true, at },
      trx,
    );
    if (!ok) throw Problem.conflict("The monitor's state changed meanwhile; try again");
    const monitor = {
      id: row.id,
      organizationId: row.organization_id,
      name: row.name,
      type: row.type,
      parentId: row.parent_id,
      groupId: row.group_id,
    };
    await this.events.publish(stateChangedEvent(monitor, (state?.status as Status) ?? null, next, at), trx);
  }

  /** Paused: no checks, and MAINTENANCE (left out of uptime) until resumed. */
  async pause(actor: Actor, id: string, req: RequestInfo) {
    return this.#setEnabled(actor, id, false, req);
  }

  /** Resumed: checked at once; MAINTENANCE lasts until that first result. */
  async resume(actor: Actor, id: string, req: RequestInfo) {
    return this.#setEnabled(actor, id, true, req);
  }

  async #setEnabled(actor: Actor, id: string, enabled: boolean, req: RequestInfo) {
    const row = await this.#find(id);
    if (Boolean(row.enabled) !== enabled) {
      await this.repo.transaction(async (trx) => {
        await this.repo.update(id, { enabled, updated_at: this.clock.now().toISOString() }, trx);
        if (!enabled) await this.#enterMaintenance(row, await this.repo.findState(id, trx), trx);
        await this.#changed("monitor.updated", row, trx, { enabled });
        await this.audit.record(
          {
            action: enabled ? "monitor.resumed" : "monitor.paused",
            actor,
            target: { type: "monitor", id },
            request: req,
          },
          trx,
        );
      });
      await this.engine.refresh(id);
    }
    return this.get(id);
  }

  /** A new push token at once; the old one stops working. */
  async rotatePushToken(actor: Actor, id: string, req: RequestInfo) {
    const row = await this.#find(id);
    if (row.type !== "heartbeat") throw Problem.conflict("Only heartbeat monitors have a push token");
    const token = newToken();
    await this.repo.transaction(async (trx) => {
      await this.repo.update(id, { push_token_hash: sha256(token), updated_at: this.clock.now().toISOString() }, trx);
      await this.audit.record(
        { action: "monitor.push_token_rotated", actor, target: { type: "monitor", id }, request: req },
        trx,
      );
    });
    return { pushToken: token, pushPath: pushPath(token) };
  }

  // pushes --------------------------------------------------------------------------------------
  /** A heartbeat's push; the token is the credential. Unknown tokens are not found (and change nothing). */
  async push(token: string, input: { status?: "up" | "down"; msg?: string; ping?: number }): Promise<void> {
    const row = await this.repo.findByTokenHash(sha256(token));
    if (!row) throw Problem.notFound("Push token");
    const push = {
      monitor_id: row.id,
      status: input.status ?? "up",
      message: input.msg ?? null,
      latency_ms: input.ping ?? null,
      pushed_at: this.clock.now().toISOString(),
    };
    await this.repo.recordPush(push);
    await this.engine.pushed(row.id, push);
    await this.repo.announcePush(row.id, PUSH_CHANNEL);
  }
}
