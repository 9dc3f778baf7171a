import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { aggregate } from "../metrics/aggregate.js";
import type { MetricsService } from "../metrics/service.js";
import { defaultRules } from "./defaults.js";
import { type AlertEngine, type ReceiverTarget, type Routing, timingOf } from "./engine.js";
import type { AlertRow, AlertsRepository } from "./repository.js";
import {
  fingerprint,
  groupKey,
  type Labels,
  type Matcher,
  matcherProblem,
  matchesAll,
  type RouteNode,
  routeAlert,
} from "./routing.js";
import {
  type AlertState,
  expressionProblems,
  type MetricExpression,
  replay,
  type Severity,
  severities,
} from "./rules.js";
import { alertView, receiverView, ruleView, silenceView } from "./views.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;
/** The rule preview evaluates once a minute (the engine every 15 s): 1,441 evaluations over a day. */
const PREVIEW_STEP_MS = 60_000;
const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export interface RuleInput {
  name: string;
  kind: "metric" | "monitor";
  monitorId?: string | null;
  /** `match` and `by` default to none. */
  expression?: (Omit<MetricExpression, "match" | "by"> & Partial<Pick<MetricExpression, "match" | "by">>) | null;
  forSeconds?: number;
  keepFiringForSeconds?: number;
  severity?: Severity;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  enabled?: boolean;
}

/** A rule to preview: it need not be named yet. */
export type PreviewInput = Omit<RuleInput, "name"> & { name?: string };

export interface AlertFilter {
  state?: AlertState;
  matchers?: Matcher[];
  silenced?: boolean;
  inhibited?: boolean;
}

export interface SilenceInput {
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  comment: string;
}

/** Rules, silences, receivers and routing configuration, and the alerts' view; the engine does the work. */
export class AlertsService {
  private readonly repo: AlertsRepository;
  readonly engine: AlertEngine;
  private readonly metrics: Pick<MetricsService, "seriesMatching" | "windowPoints">;
  private readonly clock: Clock;
  private readonly audit: AuditService;

  constructor(deps: {
    repo: AlertsRepository;
    engine: AlertEngine;
    metrics: Pick<MetricsService, "seriesMatching" | "windowPoints">;
    clock: Clock;
    audit: AuditService;
  }) {
    this.repo = deps.repo;
    this.engine = deps.engine;
    this.metrics = deps.metrics;
    this.clock = deps.clock;
    this.audit = deps.audit;
  }

  async ensureDefaults() {
    const now = this.clock.now().toISOString();
    for (const r of defaultRules)
      if (!(await this.repo.findRuleByName(r.name)))
        await this.repo.insertRule({
          ...this.#ruleValues(r),
          id: uuidv7(),
          builtin: true,
          created_at: now,
          updated_at: now,
        });
  }

  // rules ------------------------------------------------------------------------------------------------

  async listRules() {
    return (await this.repo.listRules()).map(ruleView);
  }
  async getRule(id: string) {
    const r = await this.repo.findRule(id);
    if (!r) throw Problem.notFound(`Alert rule ${id}`);
    return ruleView(r);
  }

  #ruleValues(input: RuleInput) {
    if (input.kind === "metric") {
      if (!input.expression) throw invalid("/expression", "a metric rule needs an expression");
      const expression: MetricExpression = {
        ...input.expression,
        by: input.expression.by ?? [],
        match: input.expression.match ?? {},
      };
      input = { ...input, expression };
      const problems = expressionProblems(expression);
      if (problems.length)
        throw new Problem(
          400,
          "validation-failed",
          "Request is not valid",
          problems.map((p) => `${p.field}: ${p.message}`).join("; "),
          problems.map((p) => ({ in: "body", pointer: `/${p.field.replace(/\./g, "/")}`, message: p.message })),
        );
    } else if (input.expression) throw invalid("/expression", "a monitor rule takes no expression");
    if (input.severity && !severities.includes(input.severity))
      throw invalid("/severity", "critical, high, medium or low");
    return {
      name: input.name,
      kind: input.kind,
      monitor_id: input.kind === "monitor" ? (input.monitorId ?? null) : null,
      expression: input.kind === "metric" ? input.expression! : null,
      for_seconds: input.forSeconds ?? 0,
      keep_firing_for_seconds: input.keepFiringForSeconds ?? 0,
      severity: input.severity ?? "medium",
      labels: input.labels ?? {},
      annotations: input.annotations ?? {},
      enabled: input.enabled ?? true,
      last_evaluated_at: null,
      last_error: null,
    };
  }

  async createRule(actor: Actor | null, input: RuleInput, req?: RequestInfo) {
    if (await this.repo.findRuleByName(input.name)) throw Problem.conflict(`an alert rule named ${input.name} exists`);
    const now = this.clock.now().toISOString();
    const id = uuidv7();
    await this.repo.insertRule({ ...this.#ruleValues(input), id, builtin: false, created_at: now, updated_at: now });
    await this.audit.record({
      action: "alert_rule.created",
      actor: actor ?? undefined,
      target: { type: "alert_rule", id },
      request: req,
      details: { name: input.name },
    });
    return this.getRule(id);
  }

  async updateRule(actor: Actor | null, id: string, patch: Partial<RuleInput>, req?: RequestInfo) {
    const before = await this.getRule(id);
    const merged = { ...before, ...patch } as RuleInput;
    if (patch.name && patch.name !== before.name && (await this.repo.findRuleByName(patch.name)))
      throw Problem.conflict(`an alert rule named ${patch.name} exists`);
    const { last_evaluated_at: _a, last_error: _b, ...values } = this.#ruleValues(merged);
    await this.repo.updateRule(id, { ...values, updated_at: this.clock.now().toISOString() });
    const after = await this.getRule(id);
    await this.audit.record({
      action: "alert_rule.updated",
      actor: actor ?? undefined,
      target: { type: "alert_rule", id },
      request: req,
      change: { before, after },
    });
    return after;
  }

  async deleteRule(actor: Actor | null, id: string, req?: RequestInfo) {
    const before = await this.getRule(id);
    await this.repo.deleteRule(id);
    await this.audit.record({
      action: "alert_rule.deleted",
      actor: actor ?? undefined,
      target: { type: "alert_rule", id },
      request: req,
      details: { name: before.name },
    });
  }

  /**
   * A metric rule replayed over the last hours from stored samples at 1-minute steps: per series group, the
   * expression's value at each step and where the rule would have been pending and firing.
   */
  async preview(input: PreviewInput, hours = 24) {
    if (input.kind !== "metric") throw invalid("/kind", "only a metric rule has values to preview");
    const values = this.#ruleValues({ ...input, name: input.name ?? "" });
    const expr = values.expression as MetricExpression;
    const window = expr.windowSeconds * 1000;
    const now = this.clock.now().getTime();
    const from = now - hours * 3600_000;
    const series = await this.metrics.seriesMatching(
      expr.metric,
      Object.entries(expr.match).map(([name, value]) => ({ name, op: "=" as const, value })),
    );
    const points = await this.metrics.windowPoints(
      series.map((s) => s.id),
      from - window,
      now,
    );
    const byGroup = new Map<string, { labels: Labels; ids: number[] }>();
    for (const s of series) {
      const labels = Object.fromEntries(expr.by.map((l) => [l, s.labels[l] ?? ""]));
      const key = JSON.stringify(labels);
      const g = byGroup.get(key) ?? { labels, ids: [] };
      g.ids.push(s.id);
      byGroup.set(key, g);
    }
    const items = [...byGroup.values()].map((g) => {
      const evaluations: { at: Date; value: number | null }[] = [];
      // Each series' window slides forward over its points (oldest first): [start, end) is (t - window, t].
      const cursors = g.ids.map((id) => ({ points: points.get(id) ?? [], start: 0, end: 0 }));
      for (let t = from; t <= now; t += PREVIEW_STEP_MS) {
        const vals: number[] = [];
        for (const c of cursors) {
          while (c.end < c.points.length && c.points[c.end]![0] <= t) c.end++;
          while (c.start < c.end && c.points[c.start]![0] <= t - window) c.start++;
          const v = aggregate(expr.fn, c.points.slice(c.start, c.end), expr.quantile);
          if (v !== null) vals.push(v);
        }
        evaluations.push({
          at: new Date(t),
          value: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null,
        });
      }
      return {
        labels: g.labels,
        points: evaluations.flatMap((e) =>
          e.value === null || !Number.isFinite(e.value) ? [] : [[e.at.getTime(), e.value] as [number, number]],
        ),
        ...replay(evaluations, expr, timingOf(values)),
      };
    });
    return {
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      stepSeconds: PREVIEW_STEP_MS / 1000,
      items,
    };
  }

  // silences ---------------------------------------------------------------------------------------------

  async listSilences() {
    const now = this.clock.now();
    return (await this.repo.listSilences()).map((s) => silenceView(s, now));
  }

  async getSilence(id: string) {
    const s = await this.repo.findSilence(id);
    if (!s) throw Problem.notFound(`Silence ${id}`);
    return silenceView(s, this.clock.now());
  }

  #checkSilence(input: SilenceInput) {
    if (input.matchers.length === 0) throw invalid("/matchers", "a silence needs at least one matcher");
    input.matchers.forEach((m, i) => {
      const p = matcherProblem(m);
      if (p) throw invalid(`/matchers/${i}`, p);
    });
    if (Number.isNaN(Date.parse(input.startsAt))) throw invalid("/startsAt", "not an instant");
    if (!(Date.parse(input.endsAt) > Date.parse(input.startsAt))) throw invalid("/endsAt", "must be after startsAt");
    if (input.matchers.every((m) => m.isRegex && new RegExp(`^(?:${m.value})$`).test("")))
      throw invalid("/matchers", "the matchers would silence every alert");
  }

  /** Creates a silence, or replaces one (by id) as Alertmanager does: the old one expires. */
  async createSilence(author: string, input: SilenceInput & { id?: string }, actor?: Actor) {
    this.#checkSilence(input);
    const now = this.clock.now().toISOString();
    if (input.id) {
      const old = await this.repo.findSilence(input.id);
      if (!old) throw Problem.notFound(`Silence ${input.id}`);
      if (Date.parse(old.ends_at) > Date.parse(now))
        await this.repo.updateSilence(old.id, { ends_at: now, updated_at: now });
    }
    const id = uuidv7();
    await this.repo.insertSilence({
      id,
      matchers: input.matchers.map((m) => ({
        name: m.name,
        value: m.value,
        isRegex: m.isRegex ?? false,
        isEqual: m.isEqual ?? true,
      })),
      starts_at: new Date(Math.max(Date.parse(input.startsAt), Date.parse(now))).toISOString(),
      ends_at: new Date(input.endsAt).toISOString(),
      comment: input.comment,
      created_by: author,
      created_at: now,
      updated_at: now,
    });
    await this.audit.record({
      action: "silence.created",
      actor,
      actorLabel: author,
      target: { type: "silence", id },
      details: { matchers: input.matchers, endsAt: input.endsAt, comment: input.comment },
    });
    return this.getSilence(id);
  }

  async expireSilence(id: string, actor?: Actor, author?: string) {
    const s = await this.getSilence(id);
    if (s.status === "expired") return s;
    const now = this.clock.now().toISOString();
    await this.repo.updateSilence(id, { ends_at: now, updated_at: now });
    await this.audit.record({ action: "silence.expired", actor, actorLabel: author, target: { type: "silence", id } });
    return this.getSilence(id);
  }

  // receivers and routing --------------------------------------------------------------------------------

  async listReceivers() {
    return (await this.repo.listReceivers()).map(receiverView);
  }

  async saveReceiver(actor: Actor | null, input: { name: string; targets: ReceiverTarget[]; sendResolved?: boolean }) {
    input.targets.forEach((t, i) => {
      if (t.type === "email" && !t.to?.includes("@"))
        throw invalid(`/targets/${i}/to`, "an email target needs an address");
      if (t.type === "user" && !t.userId) throw invalid(`/targets/${i}/userId`, "a user target needs a user id");
      if (t.type === "webhook" && !t.webhookId)
        throw invalid(`/targets/${i}/webhookId`, "a webhook target needs a webhook id");
    });
    const now = this.clock.now().toISOString();
    const existing = await this.repo.findReceiverByName(input.name);
    if (existing)
      await this.repo.updateReceiver(existing.id, {
        targets: input.targets,
        send_resolved: input.sendResolved ?? true,
        updated_at: now,
      });
    else
      await this.repo.insertReceiver({
        id: uuidv7(),
        name: input.name,
        targets: input.targets,
        send_resolved: input.sendResolved ?? true,
        created_at: now,
        updated_at: now,
      });
    const row = (await this.repo.findReceiverByName(input.name))!;
    await this.audit.record({
      action: "alert_receiver.saved",
      actor: actor ?? undefined,
      target: { type: "alert_receiver", id: row.id },
      details: { name: input.name },
    });
    return receiverView(row);
  }

  async deleteReceiver(actor: Actor | null, id: string) {
    const row = await this.repo.findReceiver(id);
    if (!row) throw Problem.notFound(`Receiver ${id}`);
    const routing = await this.engine.routing();
    const uses = (n: RouteNode): boolean => n.receiver === row.name || (n.routes ?? []).some(uses);
    if (uses(routing.route)) throw Problem.conflict(`receiver ${row.name} is used by a route`);
    await this.repo.deleteReceiver(id);
    await this.audit.record({
      action: "alert_receiver.deleted",
      actor: actor ?? undefined,
      target: { type: "alert_receiver", id },
      details: { name: row.name },
    });
  }

  routing() {
    return this.engine.routing();
  }

  async saveRouting(actor: Actor | null, routing: Routing) {
    const receivers = new Set((await this.repo.listReceivers()).map((r) => r.name));
    const ids = new Set<string>();
    const check = (n: RouteNode, path: string, root: boolean) => {
      if (ids.has(n.id)) throw invalid(`${path}/id`, `route id ${n.id} is used twice`);
      ids.add(n.id);
      if (root && !n.receiver) throw invalid(`${path}/receiver`, "the root route needs a receiver");
      if (n.receiver && !receivers.has(n.receiver))
        throw invalid(`${path}/receiver`, `no receiver named ${n.receiver}`);
      n.matchers.forEach((m, i) => {
        const p = matcherProblem(m);
        if (p) throw invalid(`${path}/matchers/${i}`, p);
      });
      for (const name of n.muteIntervals ?? [])
        if (!routing.muteIntervals[name]) throw invalid(`${path}/muteIntervals`, `no mute interval named ${name}`);
      for (const [i, c] of (n.routes ?? []).entries()) check(c, `${path}/routes/${i}`, false);
    };
    check(routing.route, "/route", true);
    for (const [name, intervals] of Object.entries(routing.muteIntervals))
      for (const i of intervals) {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: i.timezone });
        } catch {
          throw invalid(`/muteIntervals/${name}`, `unknown time zone ${i.timezone}`);
        }
      }
    const before = await this.engine.routing();
    await this.repo.saveRouting({
      route: routing.route,
      inhibit_rules: routing.inhibitRules,
      mute_intervals: routing.muteIntervals,
      updated_at: this.clock.now().toISOString(),
    });
    await this.audit.record({
      action: "alert_routing.updated",
      actor: actor ?? undefined,
      target: { type: "alert_routing", id: "default" },
      change: { before, after: routing },
    });
    return this.engine.routing();
  }

  // alerts -----------------------------------------------------------------------------------------------

  /**
   * Alerts with their silenced and inhibited flags and the receivers their routes lead to. `silenced` and
   * `inhibited` keep only alerts that are (true) or are not (false); matchers as in a silence.
   */
  async listAlerts(filter: AlertFilter = {}) {
    const now = this.clock.now();
    const [statuses, routing] = await Promise.all([this.engine.statuses(now), this.engine.routing()]);
    return statuses
      .filter(
        (s) =>
          (!filter.state || s.row.state === filter.state) &&
          (!filter.matchers || matchesAll(filter.matchers, s.labels)) &&
          (filter.silenced === undefined || s.silencedBy.length > 0 === filter.silenced) &&
          (filter.inhibited === undefined || s.inhibitedBy.length > 0 === filter.inhibited),
      )
      .map((s) => ({
        ...alertView(s.row),
        silencedBy: s.silencedBy,
        inhibitedBy: s.inhibitedBy,
        silenced: s.silencedBy.length > 0,
        inhibited: s.inhibitedBy.length > 0,
        receivers: [...new Set(routeAlert(routing.route, s.labels).map((r) => r.receiver))],
      }));
  }

  /** One page of `listAlerts`, newest change first (keyset on updatedAt and fingerprint). */
  async alertPage(filter: AlertFilter & { limit?: number; cursor?: string }) {
    const limit = filter.limit ?? 100;
    let after: [string, string] | null = null;
    if (filter.cursor) {
      const [at, fp] = Buffer.from(filter.cursor, "base64url").toString("utf8").split("|");
      if (!at || !fp || Number.isNaN(Date.parse(at)))
        throw Problem.invalid({ in: "query", pointer: "/cursor", message: "not a cursor of this list" });
      after = [at, fp];
    }
    const all = (await this.listAlerts(filter)).sort((a, b) =>
      a.updatedAt === b.updatedAt ? a.fingerprint.localeCompare(b.fingerprint) : a.updatedAt < b.updatedAt ? 1 : -1,
    );
    const start = after
      ? all.findIndex(
          (a) => a.updatedAt < after[0] || (a.updatedAt === after[0] && a.fingerprint.localeCompare(after[1]) > 0),
        )
      : 0;
    const items = start === -1 ? [] : all.slice(start, start + limit);
    const last = items.at(-1);
    const more = start !== -1 && start + limit < all.length;
    return {
      items,
      nextCursor: more && last ? Buffer.from(`${last.updatedAt}|${last.fingerprint}`).toString("base64url") : null,
    };
  }

  /** Alerts by notification group, as Alertmanager's /api/v2/alerts/groups shows them. */
  async alertGroups(alerts: Awaited<ReturnType<AlertsService["listAlerts"]>>) {
    const routing = await this.engine.routing();
    const groups = new Map<string, { labels: Labels; receiver: string; alerts: typeof alerts }>();
    for (const a of alerts)
      for (const route of routeAlert(routing.route, a.labels)) {
        const key = groupKey(route, a.labels);
        const g = groups.get(key) ?? {
          labels: Object.fromEntries(route.groupBy.filter((l) => l !== "...").map((l) => [l, a.labels[l] ?? ""])),
          receiver: route.receiver,
          alerts: [],
        };
        g.alerts.push(a);
        groups.set(key, g);
      }
    return [...groups.values()];
  }

  async alertHistory(fp: string) {
    const row = await this.repo.findAlert(fp);
    if (!row) throw Problem.notFound(`Alert ${fp}`);
    return { alert: alertView(row), history: await this.repo.history(fp) };
  }

  /**
   * Alerts posted by Prometheus (or amtool): deduplicated by label set; each post extends a firing alert's
   * endsAt (Prometheus resends every evaluation), an endsAt in the past resolves it.
   */
  async postAlerts(
    alerts: {
      labels: Labels;
      annotations?: Record<string, string>;
      startsAt?: string;
      endsAt?: string;
      generatorURL?: string;
    }[],
  ) {
    const now = this.clock.now();
    alerts.forEach((a, i) => {
      if (!a.labels.alertname && Object.keys(a.labels).length === 0)
        throw invalid(`/${i}/labels`, "an alert needs labels");
      for (const name of Object.keys(a.labels))
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw invalid(`/${i}/labels`, `"${name}" is not a label name`);
    });
    for (const a of alerts) {
      const fp = fingerprint(a.labels);
      const before = await this.repo.findAlert(fp);
      // Go clients send the zero time (year 1) for "unset".
      const given = (v?: string) => (v && Date.parse(v) > 0 ? new Date(v) : null);
      const startsAt = given(a.startsAt) ?? now;
      // Alertmanager's resolve_timeout: an alert without endsAt resolves 5 minutes after its last post.
      const endsAt = given(a.endsAt) ?? new Date(now.getTime() + 5 * 60_000);
      const firing = endsAt.getTime() > now.getTime();
      const wasFiring = before?.state === "firing";
      const row: AlertRow = {
        fingerprint: fp,
        rule_id: null,
        source: "api",
        labels: "",
        annotations: "",
        state: firing ? "firing" : "resolved",
        active_since: firing
          ? wasFiring
            ? before!.active_since
            : startsAt.toISOString()
          : (before?.active_since ?? null),
        fired_at: firing
          ? wasFiring
            ? before!.fired_at
            : startsAt.toISOString()
          : (before?.fired_at ?? startsAt.toISOString()),
        last_true_at: firing ? now.toISOString() : (before?.last_true_at ?? null),
        resolved_at: firing ? null : endsAt.toISOString(),
        ends_at: endsAt.toISOString(),
        value: null,
        generator_url: a.generatorURL ?? null,
        updated_at: now.toISOString(),
      };
      await this.repo.upsertAlert({ ...row, labels: a.labels, annotations: a.annotations ?? {} });
      if (firing !== wasFiring && (firing || before)) {
        const transition = firing ? "firing" : "resolved";
        const entry = await this.repo.addHistory(fp, transition, null, now.toISOString());
        await this.engine.announce(
          transition,
          { ...row, labels: a.labels, annotations: a.annotations ?? {}, ruleName: null },
          entry,
        );
      }
    }
  }
}
