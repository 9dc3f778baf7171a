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
  /** The calendar its tier clocks run on, from the routing rule that placed it; null: the tier's own. */
  sla_calendar: string | null;
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
  kind: "reply" | "note" | "phone_call" | "chat" | "system";
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
  /** When delivery may claim the row: its next attempt, or the end of the lease of the node sending it. */
  due_at: string | null;
  locked_by: string | null;
  round_attempts: number;
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

export interface TicketRoutingRuleTable {
  id: string;
  position: number;
  name: string;
  conditions: string;
  tier: string | null;
  team: string | null;
  assignee_user_id: string | null;
  calendar: string | null;
  created_at: string;
}

export interface TicketViewTable {
  id: string;
  owner_user_id: string;
  organization_id: string;
  name: string;
  shared: boolean | number;
  filters: string;
  sort: string;
  created_at: string;
  updated_at: string;
}

export interface TicketTextTable {
  ticket_number: number | string;
  public_text: string;
  internal_text: string;
}

export interface TicketWatcherTable {
  ticket_id: string;
  user_id: string;
  created_at: string;
}

export interface CsatSurveyTable {
  id: string;
  ticket_id: string;
  organization_id: string;
  resolved_at: string;
  recipient_user_id: string | null;
  recipient_email: string | null;
  agent_user_id: string | null;
  team: string | null;
  tier: string;
  type: string;
  status: "pending" | "rated" | "superseded";
  expires_at: string;
  reminded_at: string | null;
  rating: number | null;
  comment: string | null;
  rated_at: string | null;
  created_at: string;
}

export interface CsatSettingTable {
  organization_id: string;
  surveys_enabled: boolean;
  updated_by: string | null;
  updated_at: string;
}

export interface TicketContactTable {
  id: string;
  ticket_id: string;
  organization_id: string;
  type: string;
  channel: string;
  kind: "opened" | "customer_reply" | "call" | "chat";
  at: string;
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
  /** critical, high, medium or low: the severity its DOWN alert fires with (default critical). */
  severity: Generated<string>;
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

/** The raw samples of one scrape of a target at one instant (metrics/frames.ts). */
export interface MetricFrameTable {
  target_id: string;
  /** Milliseconds since the epoch. */
  t: number;
  /** Series ids ascending, little-endian uint32. */
  series: Buffer;
  /** Their values in the same order, little-endian doubles. */
  samples: Buffer;
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

/** A day of one series' hourly roll-ups packed in one row (metrics/hour-blocks.ts). */
export interface MetricHourBlockTable {
  series_id: number;
  /** Start of the UTC day, milliseconds since the epoch. */
  day: number;
  hours: Buffer;
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

export interface IncidentTable {
  id: string;
  kind: string;
  title: string;
  description: string;
  severity: string;
  stage: string;
  source: string;
  source_ref: string | null;
  alert_group_key: string | null;
  open_alert_group: string | null;
  /** The service it is about (0037): the opening alert's `service` label, or given; null for none. */
  service: string | null;
  details: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  response_due_at: string | null;
  resolution_due_at: string | null;
  response_breached_at: string | null;
  resolution_breached_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface IncidentStageTable {
  id: string;
  incident_id: string;
  stage: string;
  entered_at: string;
  by_user_id: string | null;
  fields: string;
  reason: string | null;
}

export interface IncidentComponentTable {
  incident_id: string;
  component_id: string;
}

export interface IncidentOrganizationTable {
  incident_id: string;
  organization_id: string;
}

export interface IncidentTicketTable {
  incident_id: string;
  ticket_id: string;
  linked_by: string | null;
  linked_at: string;
  resolved_at: string | null;
}

export interface IncidentUpdateTable {
  id: string;
  incident_id: string;
  visibility: string;
  kind: string;
  body: string;
  author_user_id: string | null;
  created_at: string;
}

export interface IncidentAlertTable {
  incident_id: string;
  alert_id: string;
  fingerprint: string;
  rule_name: string;
  severity: string;
  starts_at: string;
  ends_at: string | null;
}

export interface IncidentPostmortemTable {
  incident_id: string;
  summary: string;
  impact: string;
  timeline: string;
  root_cause: string;
  went_well: string;
  went_badly: string;
  updated_by: string | null;
  updated_at: string;
}

export interface IncidentActionItemTable {
  id: string;
  incident_id: string;
  title: string;
  owner_user_id: string | null;
  due_at: string | null;
  done_at: string | null;
  ticket_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface IncidentEvidenceTable {
  id: string;
  incident_id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  description: string;
  uploaded_by: string | null;
  created_at: string;
}

export interface IncidentAccountTable {
  id: string;
  incident_id: string;
  kind: string;
  ref_id: string;
  note: string;
  action: string | null;
  action_at: string | null;
  action_by: string | null;
  linked_at: string;
}

export interface OncallRotationTable {
  id: string;
  name: string;
  team: string | null;
  timezone: string;
  holiday_calendar: string | null;
  /** JSON: the layers, lowest first. */
  layers: string;
  created_at: string;
  updated_at: string;
}

export interface OncallOverrideTable {
  id: string;
  rotation_id: string;
  user_id: string;
  starts_at: string;
  ends_at: string;
  reason: string | null;
  created_by: string | null;
  created_at: string;
}

export interface EscalationPolicyTable {
  id: string;
  name: string;
  description: string | null;
  default_for: string | null;
  /** JSON: the ordered steps. */
  steps: string;
  repeat: number;
  created_at: string;
  updated_at: string;
}

export interface PageTable {
  id: string;
  subject_type: string;
  subject_id: string;
  open_key: string | null;
  policy_id: string | null;
  severity: string;
  title: string;
  url: string | null;
  summary: string | null;
  /** JSON: affected customers' addresses. */
  customers: string;
  /** JSON: the policy's steps as they were when the page started. */
  steps: string;
  repeat: number;
  status: "triggered" | "acknowledged" | "resolved";
  step: number;
  round: number;
  escalated_at: string | null;
  exhausted_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CannedResponseTable {
  id: string;
  team: string | null;
  title: string;
  body: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface PageDeliveryTable {
  id: string;
  page_id: string;
  step: number;
  round: number;
  user_id: string | null;
  target: string;
  /** JSON: ids of the notifications sent. */
  notification_ids: string;
  link_used_at: string | null;
  created_at: string;
}

export type PresenceActivity = "viewing" | "replying";

export interface TicketPresenceTable {
  ticket_id: string;
  user_id: string;
  activity: PresenceActivity;
  expires_at: string;
  updated_at: string;
}

export interface StatusComponentTable {
  id: string;
  name: string;
  group_name: string | null;
  position: number;
  monitor_ids: string;
  organization_ids: string;
  override_status: string | null;
  override_until: string | null;
  override_reason: string | null;
  /** The last published derived status (0037); null before the first. */
  status: string | null;
  status_changed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MaintenanceWindowTable {
  id: string;
  title: string;
  description: string;
  starts_at: string;
  ends_at: string;
  timezone: string;
  rrule: string | null;
  component_ids: string;
  mode: "mute" | "skip" | "show";
  state: "scheduled" | "in_progress" | "completed" | "cancelled";
  occurrence_start: string | null;
  warnings: string;
  announced_at: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface StatusSubscriptionTable {
  id: string;
  email: string;
  component_ids: string;
  locale: string;
  token_hash: string;
  token_sealed: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ChangeRecordTable {
  id: string;
  title: string;
  kind: "security" | "fix" | "improvement";
  description: string;
  validation: "pending" | "passed" | "failed";
  validated_at: string | null;
  window_id: string | null;
  applied_at: string | null;
  outcome: "pending" | "succeeded" | "failed" | "rolled_back";
  outside_window_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
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
  ticket_routing_rules: TicketRoutingRuleTable;
  ticket_views: TicketViewTable;
  ticket_texts: TicketTextTable;
  plan_versions: PlanVersionTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  notifications: NotificationTable;
  notification_preferences: NotificationPreferenceTable;
  canned_responses: CannedResponseTable;
  ticket_presence: TicketPresenceTable;
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
  metric_frames: MetricFrameTable;
  metric_rollups: MetricRollupTable;
  metric_hour_blocks: MetricHourBlockTable;
  alert_rules: AlertRuleTable;
  alerts: AlertTable;
  alert_history: AlertHistoryTable;
  silences: SilenceTable;
  alert_receivers: AlertReceiverTable;
  alert_routing: AlertRoutingTable;
  alert_groups: AlertGroupTable;
  incidents: IncidentTable;
  incident_stages: IncidentStageTable;
  incident_components: IncidentComponentTable;
  incident_organizations: IncidentOrganizationTable;
  incident_tickets: IncidentTicketTable;
  incident_updates: IncidentUpdateTable;
  incident_alerts: IncidentAlertTable;
  incident_postmortems: IncidentPostmortemTable;
  incident_action_items: IncidentActionItemTable;
  incident_evidence: IncidentEvidenceTable;
  incident_accounts: IncidentAccountTable;
  oncall_rotations: OncallRotationTable;
  oncall_overrides: OncallOverrideTable;
  escalation_policies: EscalationPolicyTable;
  pages: PageTable;
  page_deliveries: PageDeliveryTable;
  csat_surveys: CsatSurveyTable;
  csat_settings: CsatSettingTable;
  ticket_contacts: TicketContactTable;
  status_components: StatusComponentTable;
  maintenance_windows: MaintenanceWindowTable;
  status_subscriptions: StatusSubscriptionTable;
  change_records: ChangeRecordTable;
  call_hosts: CallHostTable;
  scheduled_calls: ScheduledCallTable;
  mailboxes: MailboxTable;
  mail_messages: MailMessageTable;
  mail_intake_log: MailIntakeLogTable;
  mail_domain_rules: MailDomainRuleTable;
  kb_categories: KbCategoryTable;
  kb_articles: KbArticleTable;
  kb_article_versions: KbArticleVersionTable;
  kb_article_tags: KbArticleTagTable;
  kb_article_links: KbArticleLinkTable;
  kb_search_documents: KbSearchDocumentTable;
  kb_title_trigrams: KbTitleTrigramTable;
  kb_search_postings: KbSearchPostingTable;
  chat_sites: ChatSiteTable;
  chat_conversations: ChatConversationTable;
  chat_events: ChatEventTable;
  chat_rate_buckets: ChatRateBucketTable;
  pbx_connections: PbxConnectionTable;
  calls: CallTable;
  call_events: CallEventTable;
}

export interface CallHostTable {
  user_id: string;
  calendar_id: string;
  slot_minutes: number;
  active: boolean | number;
  updated_at: string;
}

export type ScheduledCallStatus = "booked" | "cancelled" | "held" | "no_show";

export interface ScheduledCallTable {
  id: string;
  organization_id: string;
  ticket_id: string;
  ticket_number: number | string;
  engineer_user_id: string;
  booked_by_user_id: string;
  attendee_user_id: string | null;
  attendee_email: string;
  attendee_name: string;
  time_zone: string;
  topic: string;
  starts_at: string;
  ends_at: string;
  status: ScheduledCallStatus;
  sequence: number;
  reminder_minutes: string;
  outcome_note: string | null;
  outcome_at: string | null;
  outcome_by_user_id: string | null;
  cancelled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MailboxTable {
  id: string;
  address: string;
  organization_id: string | null;
  team: string | null;
  /** JSON {host, port, tls, user, folder}; null for a mailbox reached only through the SMTP listener. */
  imap: string | null;
  /** The IMAP password, sealed (secrets.ts). */
  imap_password: string | null;
  enabled: boolean | number;
  uid_validity: string | null;
  last_uid: string | number;
  poll_owner: string | null;
  poll_until: string | null;
  last_polled_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface MailMessageTable {
  id: string;
  mailbox_id: string;
  message_id: string | null;
  via: "smtp" | "imap";
  imap_uid: string | null;
  sender: string;
  subject: string;
  subject_key: string;
  ticket_id: string | null;
  ticket_message_id: string | null;
  outcome: string;
  automatic: string | null;
  quoted: string | null;
  raw_sha256: string | null;
  raw_size: number;
  received_at: string;
}

export interface MailIntakeLogTable {
  id: string;
  mailbox_id: string | null;
  at: string;
  level: "info" | "warn" | "error";
  event: string;
  sender: string | null;
  subject: string | null;
  ticket_id: string | null;
  detail: string;
}

export interface MailDomainRuleTable {
  domain: string;
  organization_id: string;
  created_at: string;
}

export type KbAudience = "public" | "customers" | "support" | "admins" | "internal";

export type KbPurpose = "procedure" | "faq" | "video" | "manual" | "problem-solution" | "lesson";

export type KbStatus = "draft" | "review" | "published" | "archived";

export type KbLocale = "pt-BR" | "en";

export interface KbCategoryTable {
  id: string;
  parent_id: string | null;
  name: string;
  name_en: string | null;
  description: string;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface KbArticleTable {
  id: string;
  translation_group_id: string;
  locale: KbLocale;
  title: string;
  body: string;
  audience: KbAudience;
  purpose: KbPurpose;
  status: KbStatus;
  version: number;
  published_version: number | null;
  category_id: string | null;
  organization_id: string | null;
  owner_id: string | null;
  created_by: string | null;
  review_note: string | null;
  published_at: string | null;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface KbArticleVersionTable {
  id: string;
  article_id: string;
  version: number;
  title: string;
  body: string;
  status: KbStatus;
  author_id: string | null;
  note: string | null;
  created_at: string;
}

export interface KbArticleTagTable {
  article_id: string;
  tag: string;
}

export interface KbArticleLinkTable {
  article_id: string;
  target_kind: "article" | "ticket";
  target_id: string;
}

export interface KbSearchDocumentTable {
  id: Generated<number>;
  article_id: string;
  title_terms: string;
  body_terms: string;
  title_trigrams: number;
}

export interface KbTitleTrigramTable {
  trigram: string;
  article_id: string;
}

export interface KbSearchPostingTable {
  term: string;
  prefix: string;
  document_id: number;
  weight: number;
}

export interface ChatRateBucketTable {
  key: string;
  tokens: number;
  /** Milliseconds since the epoch. */
  at: number;
  taken: boolean | number;
}

export interface ChatSiteTable {
  id: string;
  name: string;
  organization_id: string;
  /** The HMAC key of visitor identities, sealed with the secret key. */
  secret: string;
  visitors: "verified" | "anonymous";
  calendar: string | null;
  /** JSON: origins allowed to embed the widget; empty for any. */
  origins: string;
  created_at: string;
  updated_at: string;
}

export interface ChatConversationTable {
  id: string;
  site_id: string;
  organization_id: string;
  visitor_id: string;
  visitor_name: string;
  visitor_email: string;
  subject: string;
  locale: string;
  status: "waiting" | "active" | "closed";
  assignee_user_id: string | null;
  ticket_id: string | null;
  last_seq: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface ChatEventTable {
  conversation_id: string;
  seq: number;
  kind: string;
  author_kind: "visitor" | "agent" | "system";
  author_user_id: string | null;
  author_name: string;
  client_id: string | null;
  body: string | null;
  /** JSON: {filename, contentType, size, sha256} of a file sent in the chat. */
  attachment: string | null;
  created_at: string;
}

// Knowledge base around the articles (migration 0035): videos, suggestions, feedback, upkeep, sources, tracks.

export interface KbVideoTable {
  id: string;
  article_id: string;
  title: string;
  filename: string;
  content_type: "video/mp4" | "video/webm";
  size: number | string;
  sha256: string;
  poster_type: string | null;
  poster_sha256: string | null;
  uploaded_by: string | null;
  created_at: string;
  updated_at: string;
}

/** Migration 0047: files attached to articles. */
export interface KbAttachmentTable {
  id: string;
  article_id: string;
  filename: string;
  content_type: string;
  size: number | string;
  sha256: string;
  uploaded_by: string | null;
  created_at: string;
}

export interface KbVideoCaptionTable {
  video_id: string;
  lang: string;
  label: string;
  vtt: string;
  updated_at: string;
}

export interface KbDeflectionTable {
  id: string;
  user_id: string | null;
  organization_id: string | null;
  query: string;
  shown_article_ids: string;
  opened_article_ids: string;
  outcome: "deflected" | "solved" | "submitted";
  ticket_number: number | string | null;
  created_at: string;
}

export interface KbFeedbackTable {
  id: string;
  article_id: string;
  user_id: string | null;
  helpful: boolean | number;
  comment: string;
  created_at: string;
  updated_at: string;
}

export interface KbReviewTable {
  article_id: string;
  review_at: string;
  reviewed_at: string | null;
  reviewed_by: string | null;
  reminded_at: string | null;
  updated_at: string;
}

export interface KbArticleSourceTable {
  article_id: string;
  source_type: "ticket" | "incident";
  source_id: string;
  created_at: string;
}

export interface KbTrackTable {
  id: string;
  title: string;
  description: string;
  profile: "administrator" | "end-user" | "support-l1" | "support-l2" | "support-l3";
  kind: "manual" | "whats-new";
  category_id: string | null;
  locale: string;
  position: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface KbTrackItemTable {
  track_id: string;
  position: number;
  item_kind: "article" | "video" | "change";
  item_id: string;
}

export interface KbTrackProgressTable {
  track_id: string;
  user_id: string;
  item_kind: "article" | "video" | "change";
  item_id: string;
  completed_at: string;
}

/** Declaration merging keeps these entries apart from the core list above (easier merges between branches). */
export interface DB {
  kb_videos: KbVideoTable;
  kb_video_captions: KbVideoCaptionTable;
  kb_attachments: KbAttachmentTable;
  kb_deflections: KbDeflectionTable;
  kb_feedback: KbFeedbackTable;
  kb_reviews: KbReviewTable;
  kb_article_sources: KbArticleSourceTable;
  kb_tracks: KbTrackTable;
  kb_track_items: KbTrackItemTable;
  kb_track_progress: KbTrackProgressTable;
}

export interface PbxConnectionTable {
  id: string;
  name: string;
  host: string;
  port: number;
  username: string;
  secret: string;
  enabled: boolean | number;
  extensions: string;
  originate_context: string;
  lease_owner: string | null;
  lease_until: string | null;
  state: "disconnected" | "connecting" | "connected" | "standby";
  last_error: string | null;
  connected_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface CallTable {
  id: string;
  external_id: string;
  source: "webhook" | "ami";
  pbx_connection_id: string | null;
  direction: "inbound" | "outbound";
  from_number: string;
  to_number: string;
  caller_key: string | null;
  queue: string | null;
  organization_id: string | null;
  contact: string | null;
  agent_user_id: string | null;
  status: "ringing" | "answered" | "completed" | "missed";
  ringing_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  recording_url: string | null;
  ticket_id: string | null;
  message_id: string | null;
  callback_status: "pending" | "overdue" | "done" | null;
  callback_due_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CallEventTable {
  id: string;
  call_id: string;
  event_key: string;
  event: string;
  at: string;
  payload: string;
  received_at: string;
}
