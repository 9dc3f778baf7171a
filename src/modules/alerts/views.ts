import type { ReceiverTarget } from "./engine.js";
import type { AlertRow, ReceiverRow, RuleRow, SilenceRow } from "./repository.js";
import type { Matcher } from "./routing.js";
import type { MetricExpression, Severity } from "./rules.js";

/** Stored rows as the API shows them. */

export const ruleView = (r: RuleRow) => ({
  id: r.id,
  name: r.name,
  kind: r.kind as "metric" | "monitor",
  monitorId: r.monitor_id,
  expression: r.expression ? (JSON.parse(r.expression) as MetricExpression) : null,
  forSeconds: r.for_seconds,
  keepFiringForSeconds: r.keep_firing_for_seconds,
  severity: r.severity as Severity,
  labels: JSON.parse(r.labels) as Record<string, string>,
  annotations: JSON.parse(r.annotations) as Record<string, string>,
  enabled: Boolean(r.enabled),
  builtin: Boolean(r.builtin),
  lastEvaluatedAt: r.last_evaluated_at,
  lastError: r.last_error,
});

export const silenceView = (s: SilenceRow, now: Date) => ({
  id: s.id,
  matchers: JSON.parse(s.matchers) as Required<Matcher>[],
  startsAt: s.starts_at,
  endsAt: s.ends_at,
  comment: s.comment,
  createdBy: s.created_by,
  updatedAt: s.updated_at,
  status: (Date.parse(s.ends_at) <= now.getTime()
    ? "expired"
    : Date.parse(s.starts_at) > now.getTime()
      ? "pending"
      : "active") as "expired" | "pending" | "active",
});

export const receiverView = (r: ReceiverRow) => ({
  id: r.id,
  name: r.name,
  targets: JSON.parse(r.targets) as ReceiverTarget[],
  sendResolved: Boolean(r.send_resolved),
});

export function alertView(row: AlertRow) {
  return {
    fingerprint: row.fingerprint,
    ruleId: row.rule_id,
    source: row.source as "rule" | "api",
    labels: JSON.parse(row.labels) as Record<string, string>,
    annotations: JSON.parse(row.annotations) as Record<string, string>,
    state: row.state as "inactive" | "pending" | "firing" | "resolved",
    activeSince: row.active_since,
    firedAt: row.fired_at,
    resolvedAt: row.resolved_at,
    endsAt: row.ends_at,
    value: row.value,
    generatorUrl: row.generator_url,
    updatedAt: row.updated_at,
  };
}
