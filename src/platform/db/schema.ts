import type { Generated } from "kysely";

/**
 * Row types of every table. Instants are ISO-8601 UTC strings on both engines; JSON columns are text
 * that the repositories parse; booleans arrive as 0/1 on SQLite and are read with `Boolean()`.
 */
export interface JobTable {
  id: string;
  kind: string;
  payload: string;
  status: "queued" | "running" | "succeeded" | "dead";
  run_at: string;
  attempts: number;
  max_attempts: number;
  dedupe_key: string | null;
  schedule_name: string | null;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ScheduleTable {
  name: string;
  kind: string;
  cron: string;
  timezone: string;
  payload: string;
  enabled: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface EventTable {
  id: Generated<number>;
  type: string;
  organization_id: string | null;
  subject_id: string | null;
  payload: string;
  created_at: string;
  fanned_out_at: string | null;
}

export interface OrganizationTable {
  id: string;
  name: string;
  slug: string;
  kind: "provider" | "customer";
  service_tier: string | null;
  calendar: string | null;
  contacts: string;
  phone_numbers: string;
  sip_identities: string;
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  email: string;
  name: string;
  role: string;
  organization_id: string;
  tier: string | null;
  teams: string;
  locale: string;
  timezone: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: boolean | number;
  disabled: boolean | number;
  failed_logins: number;
  locked_until: string | null;
  last_login_at: string | null;
  role_changed_at: string;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  id: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface PasswordResetTable {
  token_hash: string;
  user_id: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  action: string;
  outcome: "success" | "failure";
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string | null;
  organization_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface PlanVersionTable {
  version: number;
  /** The plan document, JSON text. */
  document: string;
  /** The user who saved this version; null for the seeded default and the CLI. */
  author_user_id: string | null;
  /** Who saved it, as shown: the user's name, "cli", or null for the seeded default. */
  author_label: string | null;
  comment: string;
  created_at: string;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface TicketTable {
  id: string;
  number: number;
  organization_id: string;
  requester_user_id: string | null;
  requester_contact: string;
  subject: string;
  description: string;
  channel: string;
  type: string;
  severity: string;
  tier: string;
  status: string;
  assignee_user_id: string | null;
  team: string | null;
  tags: string;
  merged_into_id: string | null;
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  /** Earliest breach time of the SLA clocks still counting; null when none is. */
  sla_due_at: string | null;
  sla_breached: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface SlaEventTable {
  id: string;
  ticket_id: string;
  clock: string;
  tier: string | null;
  kind: "started" | "paused" | "resumed" | "fulfilled" | "warning" | "breached" | "escalation";
  at: string;
  dedupe_key: string;
  created_at: string;
}

export interface TicketMessageTable {
  id: string;
  ticket_id: string;
  author_user_id: string | null;
  author_kind: "agent" | "customer" | "system";
  visibility: "public" | "internal";
  kind: "reply" | "note" | "phone_call" | "system";
  body: string;
  /** A system note's phrase key (rendered in the reader's language); null for what people wrote. */
  body_key: string | null;
  /** JSON parameters of `body_key`. */
  body_params: string | null;
  created_at: string;
}

export interface TicketHistoryTable {
  id: string;
  ticket_id: string;
  at: string;
  actor_user_id: string | null;
  field: string;
  before_value: string | null;
  after_value: string | null;
}

export interface WebhookTable {
  id: string;
  name: string;
  url: string;
  /** JSON array of event types, each exact (`ticket.created`), a prefix (`ticket.*`) or `*`. */
  event_types: string;
  organization_id: string | null;
  /** The signing secret, sealed with the instance's secret key. */
  secret: string;
  enabled: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveryTable {
  id: string;
  webhook_id: string;
  event_id: number;
  event_type: string;
  status: "pending" | "failed" | "succeeded" | "dead";
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  response_ms: number | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export type NotificationChannel = "email" | "in_app" | "webhook";
export type NotificationStatus = "pending" | "failed" | "sent" | "dead";

export interface NotificationTable {
  id: string;
  channel: NotificationChannel;
  template: string;
  kind: string;
  params: string;
  locale: string;
  user_id: string | null;
  organization_id: string | null;
  recipient: string;
  flavour: string | null;
  thread: string | null;
  message_id: string;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  provider_message_id: string | null;
  sent_at: string | null;
  read_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface NotificationPreferenceTable {
  user_id: string;
  kind: string;
  channel: NotificationChannel;
  enabled: boolean | number;
  updated_at: string;
}

export interface TicketLinkTable {
  id: string;
  ticket_id: string;
  other_ticket_id: string;
  kind: "related" | "duplicate" | "parent";
  created_by: string | null;
  created_at: string;
}

export interface AttachmentTable {
  id: string;
  ticket_id: string;
  message_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: string | null;
  created_at: string;
}

export interface TicketWatcherTable {
  ticket_id: string;
  user_id: string;
  created_at: string;
}

export interface BackupJobTable {
  id: string;
  name: string;
  /** JSON: the source without its password (`kind` plantao-db, files, postgres or mysql). */
  source: string;
  repository_url: string;
  /** Sealed JSON: the repository password and the source's database password. */
  secrets: string;
  /** JSON: cron per kind (`full`, `incremental`, `frequent`, null = not scheduled) and the zone. */
  schedule: string;
  /** JSON: `pre` and `post` commands as argument lists. */
  hooks: string;
  data_class: string;
  rpo_minutes: number;
  rto_minutes: number;
  enabled: boolean | number;
  check_cursor: number;
  rpo_alerted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface BackupRunTable {
  id: string;
  job_id: string;
  operation: "backup" | "check" | "prune" | "restore" | "unlock";
  kind: "full" | "incremental" | "frequent" | null;
  trigger: "schedule" | "manual";
  status: "queued" | "running" | "succeeded" | "failed";
  reason: string | null;
  error: string | null;
  snapshot_id: string | null;
  details: string | null;
  manifest: string | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface BackupRestoreTestTable {
  id: string;
  job_id: string;
  snapshot_id: string | null;
  trigger: "schedule" | "manual";
  status: "running" | "passed" | "failed";
  checks: string;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

export type RunbookKind = "full-recovery" | "contingency-activation" | "plantao-restore" | "other";

export interface RunbookTable {
  id: string;
  name: string;
  purpose: string;
  kind: RunbookKind;
  /** Monitor watching the contingency environment's readiness (contingency-activation only); no FK. */
  monitor_id: string | null;
  /** JSON array of ordered steps: title, description, ownerRole or ownerUserId, expectedMinutes. */
  steps: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface RunbookVersionTable {
  runbook_id: string;
  version: number;
  name: string;
  purpose: string;
  kind: RunbookKind;
  monitor_id: string | null;
  steps: string;
  /** Null for the seeded defaults. */
  author_user_id: string | null;
  author_label: string | null;
  comment: string;
  created_at: string;
}

export interface DrillTable {
  id: string;
  runbook_id: string;
  runbook_version: number;
  runbook_name: string;
  kind: RunbookKind;
  status: "running" | "finished" | "aborted";
  /** The plan's RTO when the drill started. */
  rto_minutes: number;
  notes: string;
  started_by_user_id: string | null;
  started_by_label: string;
  started_at: string;
  finished_at: string | null;
}

export interface DrillStepTable {
  drill_id: string;
  position: number;
  title: string;
  description: string;
  owner_role: string | null;
  owner_user_id: string | null;
  expected_minutes: number;
  status: "pending" | "started" | "done" | "skipped";
  started_at: string | null;
  finished_at: string | null;
  note: string;
  marked_by_label: string | null;
}

export interface MonitorTable {
  id: string;
  organization_id: string | null;
  name: string;
  type: string;
  target: string;
  interval_seconds: number;
  timeout_seconds: number;
  retries: number;
  failure_threshold: number;
  success_threshold: number;
  /** JSON object of the probe type's settings, defaults applied. */
  settings: string;
  parent_id: string | null;
  group_id: string | null;
  enabled: boolean | number;
  /** SHA-256 (hex) of a heartbeat monitor's push token; null for other types. */
  push_token_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface MonitorStateTable {
  monitor_id: string;
  status: string;
  reason: string | null;
  message: string | null;
  since: string;
  flapping: boolean | number;
  version: number;
  updated_at: string;
  /** Written with the minute flush and with state changes, not per check. */
  last_check_at: string | null;
  last_latency_ms: number | null;
}

export interface MonitorIntervalTable {
  id: string;
  monitor_id: string;
  status: string;
  reason: string | null;
  message: string | null;
  started_at: string;
  ended_at: string | null;
}

export interface MonitorPushTable {
  monitor_id: string;
  status: string;
  message: string | null;
  latency_ms: number | null;
  pushed_at: string;
}

/** The shape of monitor_minutes, monitor_hours and monitor_days. */
export interface MonitorAggregateTable {
  monitor_id: string;
  bucket: string;
  checks: number;
  failures: number;
  latency_count: number;
  latency_min: number | null;
  latency_avg: number | null;
  latency_max: number | null;
  latency_p95: number | null;
}

export interface MonitorShardTable {
  shard: number;
  owner: string | null;
  lease_until: string | null;
  checked_through: string | null;
}

export interface MonitorNodeTable {
  node_id: string;
  seen_at: string;
  started_at: string | null;
}

export interface TimerTable {
  id: string;
  subject_type: string;
  subject_id: string;
  name: string;
  status: "running" | "paused" | "fired" | "cancelled";
  calendar_id: string | null;
  /** JSON: the calendar definition the timer counts on. */
  calendar: string | null;
  started_at: string | null;
  budget_ms: number | null;
  warn_ms: number | null;
  elapsed_ms: number;
  running_since: string | null;
  target_at: string | null;
  due_at: string | null;
  warn_at: string | null;
  warned_at: string | null;
  fired_at: string | null;
  generation: number;
  /** JSON */
  payload: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScrapeTargetTable {
  id: string;
  name: string;
  /** `http`: a Prometheus /metrics endpoint; `host`: the built-in collector of the node that scrapes. */
  kind: string;
  url: string | null;
  interval_seconds: number;
  timeout_seconds: number;
  /** JSON object of labels added to every series of the target. */
  labels: string;
  max_series: number;
  max_bytes: number;
  enabled: boolean;
  last_scrape_at: string | null;
  last_duration_ms: number | null;
  last_samples: number | null;
  last_error: string | null;
  series_count: number;
  series_capped: boolean;
  created_at: string;
  updated_at: string;
}

export interface MetricSeriesTable {
  id: Generated<number>;
  target_id: string;
  metric: string;
  labels: string;
  labels_key: string;
  created_at: string;
  last_seen_at: string;
}

export interface MetricSampleTable {
  series_id: number;
  /** Milliseconds since the epoch. */
  t: number;
  value: number;
}

export interface MetricRollupTable {
  series_id: number;
  resolution: number;
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

export interface AlertRuleTable {
  id: string;
  name: string;
  kind: string;
  monitor_id: string | null;
  expression: string | null;
  for_seconds: number;
  keep_firing_for_seconds: number;
  severity: string;
  labels: string;
  annotations: string;
  enabled: boolean;
  builtin: boolean;
  last_evaluated_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface AlertTable {
  fingerprint: string;
  rule_id: string | null;
  source: string;
  labels: string;
  annotations: string;
  state: string;
  active_since: string | null;
  fired_at: string | null;
  last_true_at: string | null;
  resolved_at: string | null;
  ends_at: string | null;
  value: number | null;
  generator_url: string | null;
  updated_at: string;
}

export interface AlertHistoryTable {
  id: string;
  fingerprint: string;
  state: string;
  value: number | null;
  at: string;
}

export interface SilenceTable {
  id: string;
  matchers: string;
  starts_at: string;
  ends_at: string;
  comment: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface AlertReceiverTable {
  id: string;
  name: string;
  targets: string;
  send_resolved: boolean;
  created_at: string;
  updated_at: string;
}

export interface AlertRoutingTable {
  id: string;
  route: string;
  inhibit_rules: string;
  mute_intervals: string;
  updated_at: string;
}

export interface AlertGroupTable {
  key: string;
  route_id: string;
  receiver: string;
  labels: string;
  created_at: string;
  last_flush_at: string | null;
  last_notified_at: string | null;
  notified_firing: string;
  next_flush_at: string | null;
}

export interface DB {
  jobs: JobTable;
  schedules: ScheduleTable;
  events: EventTable;
  organizations: OrganizationTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  password_resets: PasswordResetTable;
  audit_log: AuditLogTable;
  settings: SettingTable;
  counters: CounterTable;
  tickets: TicketTable;
  ticket_messages: TicketMessageTable;
  ticket_history: TicketHistoryTable;
  sla_events: SlaEventTable;
  ticket_links: TicketLinkTable;
  attachments: AttachmentTable;
  ticket_watchers: TicketWatcherTable;
  plan_versions: PlanVersionTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  notifications: NotificationTable;
  notification_preferences: NotificationPreferenceTable;
  backup_jobs: BackupJobTable;
  backup_runs: BackupRunTable;
  backup_restore_tests: BackupRestoreTestTable;
  runbooks: RunbookTable;
  runbook_versions: RunbookVersionTable;
  drills: DrillTable;
  drill_steps: DrillStepTable;
  monitors: MonitorTable;
  monitor_states: MonitorStateTable;
  monitor_intervals: MonitorIntervalTable;
  monitor_pushes: MonitorPushTable;
  monitor_minutes: MonitorAggregateTable;
  monitor_hours: MonitorAggregateTable;
  monitor_days: MonitorAggregateTable;
  monitor_shards: MonitorShardTable;
  monitor_nodes: MonitorNodeTable;
  timers: TimerTable;
  scrape_targets: ScrapeTargetTable;
  metric_series: MetricSeriesTable;
  metric_samples: MetricSampleTable;
  metric_rollups: MetricRollupTable;
  alert_rules: AlertRuleTable;
  alerts: AlertTable;
  alert_history: AlertHistoryTable;
  silences: SilenceTable;
  alert_receivers: AlertReceiverTable;
  alert_routing: AlertRoutingTable;
  alert_groups: AlertGroupTable;
}
