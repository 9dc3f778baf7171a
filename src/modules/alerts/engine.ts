import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import { aggregate } from "../metrics/aggregate.js";
import type { MetricsService } from "../metrics/service.js";
import type { Flavour } from "../notifications/chat.js";
import type { NotificationRequest, Notifier, Recipient } from "../notifications/service.js";
import type { TimerService } from "../timers/service.js";
import type { AlertRow, AlertsRepository, RuleRow } from "./repository.js";
import {
  type FlushDecision,
  fingerprint,
  flush,
  type GroupAlert,
  groupKey,
  type InhibitRule,
  inhibitedBy,
  inInterval,
  type Labels,
  type RouteNode,
  routeAlert,
  type Silence,
  silencedBy,
  type TimeInterval,
} from "./routing.js";
import {
  type AlertMemory,
  evaluate,
  initialAlert,
  type MetricExpression,
  type Severity,
  severities,
  step,
  type Timing,
} from "./rules.js";

export const EVALUATE_JOB = "alerts.evaluate";
/** The timer that flushes alert groups at their own instant (group_wait, group_interval), between ticks. */
const FLUSH_TIMER = { subject: { type: "alert-groups", id: "routing" }, name: "flush" } as const;
/** A resolved alert stays in its groups this long, for its resolution to be sent. */
const RESOLVED_KEPT_MS = 24 * 3600_000;

export interface MonitorStatus {
  id: string;
  name: string;
  type: string;
  status: string | null;
  severity?: string;
}

export interface Routing {
  route: RouteNode;
  inhibitRules: InhibitRule[];
  muteIntervals: Record<string, TimeInterval[]>;
}

export interface ReceiverTarget {
  type: "email" | "user" | "webhook";
  to?: string;
  userId?: string;
  webhookId?: string;
  flavour?: Flavour;
}

export const defaultRouting: Routing = {
  route: {
    id: "root",
    receiver: "default",
    matchers: [],
    groupBy: ["alertname"],
    groupWaitSeconds: 30,
    groupIntervalSeconds: 300,
    repeatIntervalSeconds: 4 * 3600,
  },
  inhibitRules: [],
  muteIntervals: {},
};

const memoryOf = (row: AlertRow | undefined): AlertMemory =>
  row
    ? {
        state: row.state as AlertMemory["state"],
        activeSince: row.active_since,
        firedAt: row.fired_at,
        lastTrueAt: row.last_true_at,
        resolvedAt: row.resolved_at,
        value: row.value,
      }
    : initialAlert;

/** Reads shared by the rules of one tick. */
interface TickData {
  series: Map<string, Promise<Awaited<ReturnType<MetricsService["seriesMatching"]>>>>;
  points: Map<string, ReturnType<MetricsService["windowPoints"]>>;
}

export interface AlertStatus {
  row: AlertRow;
  labels: Labels;
  silencedBy: string[];
  inhibitedBy: string[];
}

/**
 * Evaluates every rule (one claimed job per 15 s tick, so one node does it), keeps alerts' rule state,
 * then routes: silences and inhibition mark alerts, the route tree puts them in groups, and each due group
 * is flushed to its receiver through the notifications outbox. Rule state and notification state
 * (alert_groups) are kept apart.
 */
export class AlertEngine {
  private readonly repo: AlertsRepository;
  private readonly metrics: Pick<MetricsService, "seriesMatching" | "windowPoints">;
  /** The monitors' current states (the monitoring module's view). */
  public monitors: () => Promise<MonitorStatus[]>;
  private readonly notifier: Notifier;
  private readonly events: Pick<EventBus, "publish">;
  private readonly jobs: JobQueue;
  private readonly timers: Pick<TimerService, "start" | "handle">;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly options: { publicUrl: string };
  /** Monitor alerts' fingerprints of the last tick, by rule and monitor labels. */
  #fingerprints = new Map<string, string>();

  constructor(deps: {
    repo: AlertsRepository;
    metrics: Pick<MetricsService, "seriesMatching" | "windowPoints">;
    monitors: () => Promise<MonitorStatus[]>;
    notifier: Notifier;
    events: Pick<EventBus, "publish">;
    jobs: JobQueue;
    timers: Pick<TimerService, "start" | "handle">;
    clock: Clock;
    log: Logger;
    options: { publicUrl: string };
  }) {
    this.repo = deps.repo;
    this.metrics = deps.metrics;
    this.monitors = deps.monitors;
    this.notifier = deps.notifier;
    this.events = deps.events;
    this.jobs = deps.jobs;
    this.timers = deps.timers;
    this.clock = deps.clock;
    this.log = deps.log;
    this.options = deps.options;
    // Routing alone (no rule evaluation) once the timer's transaction committed: a group due between two
    // ticks is sent at its own instant, not up to a tick late.
    this.timers.handle(FLUSH_TIMER.subject.type, {
      fire: async ({ afterCommit }) =>
        afterCommit(async () => {
          await this.flushDue();
        }),
    });
  }

  /** Flushes the groups due now from the stored alerts. */
  async flushDue(now = this.clock.now()) {
    return this.route(now, await this.repo.listAlerts());
  }

  /** Arms the flush timer for the earliest group due after now (its own instant, not the next tick). */
  async #armFlush(nextFlush: string | null, now: Date) {
    if (nextFlush === null) return;
    const at = new Date(Math.max(Date.parse(nextFlush), now.getTime() + 1));
    await this.repo.transaction((trx) => this.timers.start(trx, { ...FLUSH_TIMER, at }));
  }

  async start(timezone: string) {
    await this.jobs.schedule("alerts-evaluate", EVALUATE_JOB, "*/15 * * * * *", timezone);
  }

  /** One evaluation of every rule, then routing and notification; returns what was notified. */
  async tick(now = this.clock.now()) {
    const rules = (await this.repo.listRules()).filter((r) => r.enabled);
    const alerts = new Map((await this.repo.listAlerts()).map((a) => [a.fingerprint, a]));
    const at = now.toISOString();
    const seen = new Set<string>();
    const save = async (
      rule: RuleRow | null,
      labels: Labels,
      annotations: Record<string, string>,
      next: ReturnType<typeof step>,
      fp = fingerprint(labels),
    ) => {
      seen.add(fp);
      const before = alerts.get(fp);
      if (!before && next.memory.state === "inactive") return;
      const m = next.memory;
      const changed =
        !before || before.state !== m.state || before.value !== m.value || before.last_true_at !== m.lastTrueAt;
      if (!changed) return;
      const row: AlertRow = {
        fingerprint: fp,
        rule_id: rule?.id ?? null,
        source: "rule",
        labels: JSON.stringify(labels),
        annotations: JSON.stringify(annotations),
        state: m.state,
        active_since: m.activeSince,
        fired_at: m.firedAt,
        last_true_at: m.lastTrueAt,
        resolved_at: m.resolvedAt,
        ends_at: null,
        value: m.value,
        generator_url: null,
        updated_at: at,
      };
      await this.repo.upsertAlert({ ...row, labels, annotations });
      if (next.transition) {
        const entry = await this.repo.addHistory(fp, next.transition, m.value, at);
        if (next.transition === "firing" || next.transition === "resolved")
          await this.announce(next.transition, { ...row, labels, annotations, ruleName: rule?.name ?? null }, entry);
      }
      alerts.set(fp, row);
    };

    const monitorRules = rules.filter((r) => r.kind === "monitor");
    if (monitorRules.length > 0) {
      const monitors = await this.monitors();
      const own = new Map(monitorRules.filter((r) => r.monitor_id).map((r) => [r.monitor_id!, r]));
      const fallback = monitorRules.find((r) => !r.monitor_id);
      // Parsed once per rule, not once per monitor (one rule usually covers thousands).
      const parsed = new Map(
        monitorRules.map((r) => [r.id, { labels: JSON.parse(r.labels), annotations: JSON.parse(r.annotations) }]),
      );
      // A monitor's fingerprint is the same tick after tick: hashed again only when its labels change.
      const fingerprints = new Map<string, string>();
      for (const m of monitors) {
        const rule = own.get(m.id) ?? fallback;
        if (!rule) continue;
        const texts = parsed.get(rule.id)!;
        const severity = m.severity ?? rule.severity;
        const labels: Labels = {
          ...texts.labels,
          alertname: rule.name,
          severity,
          monitor: m.name,
          monitor_id: m.id,
        };
        const key = `${rule.id}\0${rule.name}\0${rule.labels}\0${m.id}\0${m.name}\0${severity}`;
        const fp = this.#fingerprints.get(key) ?? fingerprint(labels);
        fingerprints.set(key, fp);
        const before = alerts.get(fp);
        const next = step(memoryOf(before), m.status === "DOWN", now, timingOf(rule), null);
        // Up and never alerted (nearly every monitor, every tick): nothing to store.
        if (!before && next.memory.state === "inactive") continue;
        const annotations = {
          summary: `${m.name} (${m.type}) is ${m.status ?? "unknown"}`,
          ...texts.annotations,
        };
        await save(rule, labels, annotations, next, fp);
      }
      this.#fingerprints = fingerprints;
      await this.repo.rulesEvaluated(
        monitorRules.map((r) => r.id),
        at,
      );
    }

    // Rules share reads: one series list per metric and one window of points per metric and window.
    const data: TickData = { series: new Map(), points: new Map() };
    const evaluated: string[] = [];
    for (const rule of rules.filter((r) => r.kind === "metric")) {
      try {
        await this.#evaluateMetricRule(rule, now, alerts, save, data);
        evaluated.push(rule.id);
      } catch (err) {
        // One broken rule never stops the others.
        await this.repo.ruleEvaluated(rule.id, at, (err as Error).message.slice(0, 500));
      }
    }
    await this.repo.rulesEvaluated(evaluated, at);

    // Alerts of rules whose series vanished (or of deleted rules) get no data: they resolve.
    const byId = new Map(rules.map((r) => [r.id, r]));
    for (const a of [...alerts.values()]) {
      if (a.source !== "rule" || seen.has(a.fingerprint)) continue;
      if (a.state !== "firing" && a.state !== "pending") continue;
      const rule = a.rule_id ? byId.get(a.rule_id) : undefined;
      const next = step(
        memoryOf(a),
        false,
        now,
        rule ? timingOf(rule) : { forSeconds: 0, keepFiringForSeconds: 0 },
        null,
      );
      await save(rule ?? null, JSON.parse(a.labels), JSON.parse(a.annotations), next);
    }
    // Alerts posted through the API resolve when their endsAt passes without a new post.
    for (const a of alerts.values()) {
      if (a.source === "api" && a.state === "firing" && a.ends_at && Date.parse(a.ends_at) <= now.getTime()) {
        const row = { ...a, state: "resolved", resolved_at: a.ends_at, updated_at: at };
        const labels = JSON.parse(a.labels);
        const annotations = JSON.parse(a.annotations);
        await this.repo.upsertAlert({ ...row, labels, annotations });
        const entry = await this.repo.addHistory(a.fingerprint, "resolved", null, at);
        await this.announce("resolved", { ...row, labels, annotations, ruleName: null }, entry);
        alerts.set(a.fingerprint, row);
      }
    }
    return this.route(now, [...alerts.values()]);
  }

  async #evaluateMetricRule(
    rule: RuleRow,
    now: Date,
    alerts: Map<string, AlertRow>,
    save: (
      rule: RuleRow,
      labels: Labels,
      annotations: Record<string, string>,
      next: ReturnType<typeof step>,
    ) => Promise<void>,
    data: TickData,
  ) {
    const expr = JSON.parse(rule.expression!) as MetricExpression;
    let all = data.series.get(expr.metric);
    if (!all) {
      all = this.metrics.seriesMatching(expr.metric, []);
      data.series.set(expr.metric, all);
    }
    const series = (await all).filter((s) => Object.entries(expr.match).every(([k, v]) => (s.labels[k] ?? "") === v));
    const windowKey = `${expr.metric}|${expr.windowSeconds}`;
    let window = data.points.get(windowKey);
    if (!window) {
      const ids = (await all).map((s) => s.id);
      window = this.metrics.windowPoints(ids, now.getTime() - expr.windowSeconds * 1000, now.getTime());
      data.points.set(windowKey, window);
    }
    const points = await window;
    // Series sharing the `by` labels are one alert: the mean of their aggregates.
    const groups = new Map<string, { labels: Labels; values: number[] }>();
    for (const s of series) {
      const by = Object.fromEntries(expr.by.map((l) => [l, s.labels[l] ?? ""]));
      const key = JSON.stringify(by);
      const g = groups.get(key) ?? { labels: by, values: [] };
      groups.set(key, g);
      const v = aggregate(expr.fn, points.get(s.id) ?? [], expr.quantile);
      if (v !== null) g.values.push(v);
    }
    for (const g of groups.values()) {
      const value = g.values.length ? g.values.reduce((a, b) => a + b, 0) / g.values.length : null;
      const labels: Labels = { ...JSON.parse(rule.labels), ...g.labels, alertname: rule.name, severity: rule.severity };
      const annotations = {
        summary: `${rule.name}: ${expr.fn}(${expr.metric}[${expr.windowSeconds}s]) = ${value === null ? "no data" : round(value)} (${expr.op} ${expr.threshold})`,
        ...JSON.parse(rule.annotations),
      };
      const next = evaluate(memoryOf(alerts.get(fingerprint(labels))), expr, value, now, timingOf(rule));
      await save(rule, labels, annotations, next);
    }
  }

  /**
   * Publishes `alert.firing` or `alert.resolved` for a transition just recorded as history entry `entry`.
   * The episode's id is the firing's entry, so a resolution names the firing it ends.
   */
  async announce(
    transition: "firing" | "resolved",
    alert: Pick<AlertRow, "fingerprint" | "rule_id" | "fired_at" | "resolved_at"> & {
      labels: Labels;
      annotations: Record<string, string>;
      ruleName: string | null;
    },
    entry: string,
  ) {
    const alertId = transition === "firing" ? entry : ((await this.repo.lastFiring(alert.fingerprint)) ?? entry);
    const [route] = routeAlert((await this.routing()).route, alert.labels);
    const monitorId = alert.labels.monitor_id;
    await this.events.publish({
      type: `alert.${transition}`,
      organizationId: null,
      subjectId: alert.fingerprint,
      payload: {
        alertId,
        fingerprint: alert.fingerprint,
        groupKey: route ? groupKey(route, alert.labels) : "",
        ruleId: alert.rule_id,
        ruleName: alert.ruleName ?? alert.labels.alertname ?? "",
        severity: severityOf(alert.labels.severity),
        labels: alert.labels,
        annotations: alert.annotations,
        monitorId: monitorId && UUID.test(monitorId) ? monitorId : null,
        startsAt: alert.fired_at ?? new Date(0).toISOString(),
        endsAt: transition === "resolved" ? alert.resolved_at : null,
      },
    });
  }

  async routing(): Promise<Routing> {
    const row = await this.repo.routing();
    if (!row) return defaultRouting;
    return {
      route: JSON.parse(row.route),
      inhibitRules: JSON.parse(row.inhibit_rules),
      muteIntervals: JSON.parse(row.mute_intervals),
    };
  }

  /** Silenced and inhibited flags of alerts, as routing sees them now. */
  async statuses(now: Date, rows?: AlertRow[]): Promise<AlertStatus[]> {
    const all = rows ?? (await this.repo.listAlerts());
    const silences: Silence[] = (await this.repo.listSilences()).map((s) => ({
      id: s.id,
      matchers: JSON.parse(s.matchers),
      startsAt: s.starts_at,
      endsAt: s.ends_at,
    }));
    const { inhibitRules } = await this.routing();
    const parsed = all.map((row) => ({ row, labels: JSON.parse(row.labels) as Labels }));
    const firing = parsed
      .filter((a) => a.row.state === "firing")
      .map((a) => ({ fingerprint: a.row.fingerprint, labels: a.labels }));
    return parsed.map((a) => ({
      ...a,
      silencedBy: silencedBy(silences, a.labels, now),
      inhibitedBy:
        a.row.state === "firing"
          ? inhibitedBy(inhibitRules, firing, { fingerprint: a.row.fingerprint, labels: a.labels })
          : [],
    }));
  }

  /** Groups the live alerts by route and flushes the due groups to their receivers. */
  async route(now: Date, rows: AlertRow[]) {
    const routing = await this.routing();
    const live = rows.filter(
      (a) =>
        a.state === "firing" ||
        (a.state === "resolved" && a.resolved_at && now.getTime() - Date.parse(a.resolved_at) < RESOLVED_KEPT_MS),
    );
    const statuses = await this.statuses(now, live);
    const groups = new Map<
      string,
      { route: ReturnType<typeof routeAlert>[number]; labels: Labels; alerts: (GroupAlert & { status: AlertStatus })[] }
    >();
    for (const s of statuses) {
      for (const route of routeAlert(routing.route, s.labels)) {
        const key = groupKey(route, s.labels);
        const g = groups.get(key) ?? {
          route,
          labels: Object.fromEntries(route.groupBy.filter((l) => l !== "...").map((l) => [l, s.labels[l] ?? ""])),
          alerts: [],
        };
        groups.set(key, g);
        const silenced = s.silencedBy.length > 0;
        g.alerts.push({
          fingerprint: s.row.fingerprint,
          state: s.row.state === "firing" ? "firing" : "resolved",
          suppressed: silenced || s.inhibitedBy.length > 0,
          silenced,
          status: s,
        });
      }
    }
    const stored = new Map((await this.repo.listGroups()).map((g) => [g.key, g]));
    const sent: { receiver: string; group: Labels; firing: string[]; resolved: string[] }[] = [];
    let nextFlush: string | null = null;
    for (const key of new Set([...groups.keys(), ...stored.keys()])) {
      const g = groups.get(key);
      const row = stored.get(key);
      if (!g) {
        await this.repo.deleteGroup(key);
        continue;
      }
      // A group of nothing but resolutions nobody was told about is no group.
      if (!row && !g.alerts.some((a) => a.state === "firing")) continue;
      const memory = row
        ? {
            createdAt: row.created_at,
            lastFlushAt: row.last_flush_at,
            lastNotifiedAt: row.last_notified_at,
            notifiedFiring: JSON.parse(row.notified_firing) as string[],
          }
        : { createdAt: now.toISOString(), lastFlushAt: null, lastNotifiedAt: null, notifiedFiring: [] };
      const muted = g.route.muteIntervals.some((name) =>
        (routing.muteIntervals[name] ?? []).some((i) => inInterval(i, now)),
      );
      const decision: FlushDecision = flush(memory, g.alerts, g.route, now, muted);
      if (decision.nextAt !== null && (nextFlush === null || decision.nextAt < nextFlush)) nextFlush = decision.nextAt;
      // Not due yet and already stored as such: nothing to write.
      if (row && !decision.notify && decision.memory === memory && row.next_flush_at === decision.nextAt) continue;
      if (decision.nextAt === null && !decision.notify) {
        await this.repo.deleteGroup(key);
        continue;
      }
      const claimed = await this.repo.transaction(async (trx) => {
        const mine = await this.repo.claimGroup(trx, row, {
          key,
          route_id: g.route.routeId,
          receiver: g.route.receiver,
          labels: g.labels,
          created_at: decision.memory.createdAt,
          last_flush_at: decision.memory.lastFlushAt,
          last_notified_at: decision.memory.lastNotifiedAt,
          notified_firing: decision.memory.notifiedFiring,
          next_flush_at: decision.nextAt,
        });
        if (mine && decision.notify) await this.#notify(g.route.receiver, g.labels, decision.notify, g.alerts, trx);
        return mine;
      });
      if (claimed && decision.notify) sent.push({ receiver: g.route.receiver, group: g.labels, ...decision.notify });
    }
    await this.#armFlush(nextFlush, now);
    return sent;
  }

  async #notify(
    receiverName: string,
    groupLabels: Labels,
    what: { firing: string[]; resolved: string[] },
    alerts: (GroupAlert & { status: AlertStatus })[],
    trx: Kysely<DB>,
  ) {
    const receiver = await this.repo.findReceiverByName(receiverName, trx);
    if (!receiver) {
      this.log.warn({ receiver: receiverName }, "alert group routed to a receiver that does not exist");
      return;
    }
    const resolved = receiver.send_resolved ? what.resolved : [];
    if (what.firing.length === 0 && resolved.length === 0) return;
    const byFp = new Map(alerts.map((a) => [a.fingerprint, a.status]));
    const describe = (fp: string, state: string) => {
      const s = byFp.get(fp)!;
      const annotations = JSON.parse(s.row.annotations) as Record<string, string>;
      return {
        fingerprint: fp,
        state,
        name: s.labels.alertname ?? "",
        severity: s.labels.severity ?? "",
        summary: annotations.summary ?? "",
        labels: Object.entries(s.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(", "),
        labelSet: s.labels,
        startsAt: s.row.fired_at,
        endsAt: s.row.resolved_at,
      };
    };
    const params = {
      title:
        Object.entries(groupLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ") || receiverName,
      receiver: receiverName,
      firing: what.firing.length,
      resolved: resolved.length,
      groupLabels,
      alerts: [...what.firing.map((f) => describe(f, "firing")), ...resolved.map((f) => describe(f, "resolved"))],
      link: `${this.options.publicUrl}/alerts`,
    };
    const requests: NotificationRequest[] = [];
    for (const t of JSON.parse(receiver.targets) as ReceiverTarget[]) {
      const to: Recipient =
        t.type === "email"
          ? { email: t.to! }
          : t.type === "user"
            ? { userId: t.userId! }
            : { webhookId: t.webhookId!, flavour: t.flavour };
      requests.push({
        to,
        template: "alert.group",
        params,
        thread: { kind: "alert-group", id: fingerprint(groupLabels) },
      });
    }
    await this.notifier.enqueue(requests, trx);
  }
}

export const timingOf = (r: Pick<RuleRow, "for_seconds" | "keep_firing_for_seconds">): Timing => ({
  forSeconds: r.for_seconds,
  keepFiringForSeconds: r.keep_firing_for_seconds,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A severity label in Plantão's four levels; Prometheus' usual names (error, warning, info) map onto them. */
export function severityOf(label: string | undefined): Severity {
  const v = (label ?? "").toLowerCase();
  if ((severities as readonly string[]).includes(v)) return v as Severity;
  if (v === "page" || v === "fatal" || v === "emergency") return "critical";
  if (v === "error" || v === "major") return "high";
  if (v === "info" || v === "none" || v === "minor") return "low";
  return "medium";
}

const round = (v: number) => Math.round(v * 100) / 100;
