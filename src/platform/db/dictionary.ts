import { canonicalType, dialectFor, type Engine, type SchemaTable } from "./dialect.js";

/**
 * What every table and column means. `npm run docs:data-dictionary` merges it with the migrated schema
 * into docs/data-dictionary.md, and test/db fails while a migrated table or column has no entry here or
 * an entry names one that does not exist: a new migration comes with its entry.
 */

/** How a migration declares the column: a plain type, a `dialect.types` member, or `dialect.serialId`. */
export type ColumnKind = "text" | "integer" | "bigint" | "real" | "timestamp" | "json" | "boolean" | "serial";

export interface ColumnMeaning {
  kind: ColumnKind;
  meaning: string;
}

export interface TableMeaning {
  meaning: string;
  columns: Record<string, ColumnMeaning>;
}

const column =
  (kind: ColumnKind) =>
  (meaning: string): ColumnMeaning => ({ kind, meaning });
const text = column("text");
const integer = column("integer");
const bigint = column("bigint");
const timestamp = column("timestamp");
const json = column("json");
const boolean = column("boolean");
const serial = column("serial");
const real = column("real");

const createdAt = timestamp("When the row was created");
const updatedAt = timestamp("When the row last changed");

export const dataDictionary: Record<string, TableMeaning> = {
  jobs: {
    meaning:
      "Durable background work: one row per job run (one-off jobs and each tick of a schedule). A node claims due rows under a lease, retries failures with backoff and leaves a job `dead` when its attempts run out.",
    columns: {
      id: text("UUIDv7 of the job (sorts by creation time)"),
      kind: text("Name of the registered handler that runs the job"),
      payload: json("Arguments handed to the handler"),
      status: text(
        "`queued` (waiting or due), `running` (leased to a node), `succeeded`, or `dead` (no attempts left)",
      ),
      run_at: timestamp("When the job becomes due; a retry moves it forward by the backoff"),
      attempts: integer("Attempts started so far, the running one included"),
      max_attempts: integer("Attempts allowed before the job is left `dead`"),
      dedupe_key: text(
        "Unique key that makes a second enqueue of the same work a no-op (`cron:<schedule>:<instant>` for schedule ticks)",
      ),
      schedule_name: text("The schedule whose tick this job is; null for one-off jobs"),
      locked_by: text("Node id holding the lease while `running`"),
      locked_until: timestamp("End of the lease; a running job past it is taken over by another node"),
      last_error: text("Message of the last failed attempt (at most 2000 characters)"),
      created_at: createdAt,
      updated_at: updatedAt,
      finished_at: timestamp("When the job succeeded or died"),
    },
  },
  schedules: {
    meaning:
      "Recurring jobs: a cron pattern in an IANA time zone. Each tick is enqueued as a `jobs` row, once, whichever node computes it first.",
    columns: {
      name: text("Unique name of the schedule, chosen by the module that registers it"),
      kind: text("Job kind each tick runs"),
      cron: text("Cron pattern (croner syntax, five or six fields)"),
      timezone: text("IANA zone the pattern is read in, e.g. `America/Sao_Paulo`"),
      payload: json("Payload of every tick's job"),
      enabled: boolean("Whether ticks are enqueued"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  events: {
    meaning:
      "Outbox of domain events: written in the same transaction as the change they announce, then delivered to subscribers on every node (SSE at `/api/v1/events`). The id orders them and is the SSE event id.",
    columns: {
      id: serial("Increasing event number; clients resume after it with `Last-Event-ID`"),
      type: text("Event type, `<area>.<what-happened>`; the SSE event name"),
      organization_id: text(
        "Organization the event belongs to; null for provider-wide events. Customers see only theirs",
      ),
      subject_id: text("Id of the entity the event is about"),
      payload: json("Event body"),
      created_at: createdAt,
      fanned_out_at: timestamp(
        "When a node turned the event into its webhook (and later notification) jobs, in the same transaction; null while pending",
      ),
    },
  },
  organizations: {
    meaning:
      "Tenants: the provider running Plantão (exactly one, `kind = provider`) and its customer companies. Customer users see only their own organization's data.",
    columns: {
      id: text("UUIDv7 of the organization"),
      name: text("Display name"),
      slug: text("Unique URL-safe short name (`[a-z0-9-]`)"),
      kind: text("`provider` or `customer`"),
      service_tier: text("Service level contracted by the customer (a plan tier name); null when none"),
      calendar: text("Business-hours calendar overriding the plan's default (plan calendar id)"),
      contacts: json("People to reach at the customer: array of `{name, email?, phone?, role?}`"),
      phone_numbers: json("The customer's DIDs in E.164 form, to match calls and alerts to it"),
      sip_identities: json("The customer's SIP identities (`user@host`), to match SIP traffic to it"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  users: {
    meaning: "People who sign in: provider staff and customer users. Each belongs to one organization.",
    columns: {
      id: text("UUIDv7 of the user"),
      email: text("Unique sign-in address, stored lower-case"),
      name: text("Display name"),
      role: text(
        "`admin`, `manager`, `agent`, `noc`, `security`, `auditor` (staff) or `customer`, `customer-admin` (customer users)",
      ),
      organization_id: text("Organization the user belongs to"),
      tier: text("Support level of an agent: `L1`, `L2` or `L3`; null for other roles"),
      teams: json("Names of the teams the user is in (array of strings)"),
      locale: text("Interface language, `pt-BR` or `en`"),
      timezone: text("IANA zone the user reads times in"),
      password_hash: text("Argon2id hash of the password; null until the user sets one"),
      totp_secret: text("TOTP seed, encrypted with the secret key; null without two-factor sign-in"),
      totp_enabled: boolean("Whether sign-in asks for a TOTP code"),
      disabled: boolean("A disabled user cannot sign in and its tokens stop working"),
      failed_logins: integer("Consecutive failed sign-ins; reaching the limit locks the account"),
      locked_until: timestamp("Sign-in is refused until then after too many failures; null when not locked"),
      last_login_at: timestamp("Last successful sign-in"),
      role_changed_at: timestamp("When the role last changed (for the periodic access review)"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  sessions: {
    meaning: "Browser sign-ins. The cookie holds a random secret; only its hash is stored.",
    columns: {
      id: text("SHA-256 of the session cookie's secret"),
      user_id: text("The signed-in user; sessions go when the user is deleted"),
      csrf_token: text("Token the browser echoes in `x-csrf-token` on every write"),
      ip: text("Client address at sign-in"),
      user_agent: text("Browser at sign-in"),
      created_at: createdAt,
      last_seen_at: timestamp("Last request (written at most once a minute); idle sessions expire"),
      expires_at: timestamp("Absolute end of the session"),
    },
  },
  api_tokens: {
    meaning:
      "Personal API tokens for scripts and integrations (`Authorization: Bearer`). A token acts as its user, limited to its scopes; the secret is shown once and only its hash is stored.",
    columns: {
      id: text("UUIDv7 of the token"),
      user_id: text("Owner; the token can never do more than the owner's role allows"),
      name: text("Label given by the owner"),
      token_hash: text("SHA-256 of the secret (unique)"),
      prefix: text("First characters of the secret, to recognise a token in lists and logs"),
      scopes: json("Granted scopes, array of `<area>:<read|write>` or `*:<read|write>`"),
      expires_at: timestamp("When the token stops working; null for no expiry"),
      last_used_at: timestamp("Last request made with the token"),
      revoked_at: timestamp("When the token was revoked; null while valid"),
      created_at: createdAt,
    },
  },
  password_resets: {
    meaning: "One-time password reset links sent by mail. Only the hash of the link's token is stored.",
    columns: {
      token_hash: text("SHA-256 of the token in the link"),
      user_id: text("User whose password the link resets"),
      expires_at: timestamp("The link stops working after this"),
      used_at: timestamp("When the link was used; a used link never works again"),
      created_at: createdAt,
    },
  },
  audit_log: {
    meaning:
      "Append-only, hash-chained record of sign-ins, token use and every write. Each row's hash covers its fields and the previous row's hash, so an edited, removed or inserted row breaks the chain (`GET /api/v1/audit/verify`).",
    columns: {
      seq: bigint("Position in the chain: 1, 2, 3… with no gaps, assigned under a lock"),
      at: timestamp("When it happened"),
      action: text("What happened, e.g. `auth.login`, `user.role-changed`, `token.used`"),
      outcome: text("`success` or `failure`"),
      actor_user_id: text("User who acted; null for the system, the CLI or an unknown user"),
      actor_token_id: text("API token the user acted through; null for a browser session"),
      actor_label: text("Readable actor: the user's email, the email typed at a failed sign-in, `system` or `cli`"),
      organization_id: text("Organization the action concerns (for customers' view of their own trail)"),
      target_type: text("Kind of entity acted on, e.g. `user`, `token`, `organization`"),
      target_id: text("Id of that entity"),
      ip: text("Client address"),
      user_agent: text("Client software (at most 512 characters)"),
      details: text("JSON object with the rest: reasons, names, and a before/after diff of configuration changes"),
      prev_hash: text("Hash of the previous row (64 zeros for the first)"),
      hash: text("SHA-256 over `prev_hash` and this row's fields"),
    },
  },
  settings: {
    meaning: "Instance-wide key/value state that is not configuration, such as the pending first-admin setup token.",
    columns: {
      key: text("Setting name, e.g. `setup_token`, `secret_key_check`"),
      value: text("Setting value; secrets are stored hashed or sealed"),
      updated_at: updatedAt,
    },
  },
  plan_versions: {
    meaning:
      "The support and maintenance plan (SLA targets, calendars, tiers…) as numbered versions. A save adds a version and never changes an earlier one; the newest is in force.",
    columns: {
      version: integer("Version number: 1, 2, 3…"),
      document: text("The plan document as JSON text, kept as written so its YAML export keeps the author's key order"),
      author_user_id: text("User who saved this version; null for the seeded default and the CLI"),
      author_label: text("Who saved it, as shown: the user's name, `cli`, or null for the seeded default"),
      comment: text("Why this version was saved"),
      created_at: createdAt,
    },
  },
  counters: {
    meaning:
      "Named counters incremented under a row lock, such as the human ticket number, on SQLite. PostgreSQL uses a sequence per counter instead (`ticket_number_seq`), so this table is empty there.",
    columns: {
      name: text("Counter name, e.g. `ticket_number`"),
      value: bigint("Last value handed out"),
    },
  },
  tickets: {
    meaning: "Support requests of customer organizations, tracked by tier, severity and status.",
    columns: {
      id: text("UUIDv7 of the ticket (sorts by creation time; the queue's keyset order)"),
      number: bigint("Sequential human number shown to customers and agents"),
      organization_id: text("Customer organization the ticket belongs to (its tenant)"),
      requester_user_id: text("User who asked, when the requester has an account"),
      requester_contact: json("Name, email and phone of the requester"),
      subject: text("One-line summary"),
      description: text("The request as first written"),
      channel: text("How it arrived: portal, email, chat, phone, scheduled_call, api, monitoring"),
      type: text("Kind of request, e.g. `sip_trunk_integration`"),
      severity: text("critical, high, medium or low"),
      tier: text("Support tier holding the ticket: L1, L2 or L3"),
      status: text("new, open, pending_customer, pending_vendor, on_hold, resolved or closed"),
      assignee_user_id: text("Agent working on it"),
      team: text("Team working on it"),
      tags: json("Free labels"),
      merged_into_id: text("Ticket this one was merged into; a merged ticket takes no more changes"),
      first_response_at: timestamp("First public agent reply or logged answered call"),
      resolved_at: timestamp("When it last became resolved"),
      closed_at: timestamp("When it was closed"),
      sla_due_at: timestamp(
        "Earliest breach time of the SLA clocks still counting (null when none is); indexed for `dueBefore`",
      ),
      sla_breached: boolean("Whether any SLA clock of the ticket has breached"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  ticket_messages: {
    meaning: "What was said on a ticket: public replies, internal notes, logged calls and system notes.",
    columns: {
      id: text("UUIDv7 of the message"),
      ticket_id: text("Ticket it belongs to"),
      author_user_id: text("Who wrote it (null for the system)"),
      author_kind: text("agent, customer or system"),
      visibility: text("public (the customer sees it) or internal"),
      kind: text("reply, note, phone_call or system"),
      body: text("The text (for a system note with a key: its English wording)"),
      body_key: text(
        "Phrase key of a system note (sla.breached, sla.escalation, ...): the API writes it in the reader's language",
      ),
      body_params: json("Parameters of the phrase (clock, tier, times, who was notified, ...)"),
      created_at: createdAt,
    },
  },
  attachments: {
    meaning: "Files attached to tickets. The bytes are on disk under the attachments directory, named by SHA-256.",
    columns: {
      id: text("UUIDv7 of the attachment"),
      ticket_id: text("Ticket it belongs to"),
      message_id: text("Message it came with, if any"),
      filename: text("Name given by the uploader (sanitised)"),
      content_type: text("Type detected from the content (magic bytes), not the one claimed"),
      size: bigint("Size in bytes"),
      sha256: text("SHA-256 of the content; the file's name on disk"),
      uploaded_by: text("User who uploaded it"),
      created_at: createdAt,
    },
  },
  ticket_watchers: {
    meaning: "Users who follow a ticket: they are mailed its public replies and status changes.",
    columns: {
      ticket_id: text("Ticket followed"),
      user_id: text("User following it"),
      created_at: createdAt,
    },
  },
  ticket_links: {
    meaning: "Links between tickets: related, duplicate of, parent of (the child side is read from the parent row).",
    columns: {
      id: text("UUIDv7 of the link"),
      ticket_id: text("Ticket the link was made on"),
      other_ticket_id: text("Ticket it points to"),
      kind: text(
        "related, duplicate (ticket_id duplicates other_ticket_id) or parent (ticket_id is the parent of other_ticket_id)",
      ),
      created_by: text("User who made the link"),
      created_at: createdAt,
    },
  },
  timers: {
    meaning:
      "Deadline timers owned by any subject (a ticket, an incident, an escalation step, a maintenance notice): N of calendar time from a start, or an absolute instant. Computed once on the calendar, fired by the job queue at the exact instant; a recomputation bumps `generation`, so a job armed for an older instant does nothing.",
    columns: {
      id: text("UUIDv7 of the timer"),
      subject_type: text(
        "What owns the timer (`ticket`, `incident`, `maintenance`…); picks the handler called when it fires",
      ),
      subject_id: text("Id of the owning subject"),
      name: text("Name of the timer among its subject's (`respond`, `resolve`, `notice-72h`…); unique per subject"),
      status: text("`running`, `paused`, `fired` (its due instant passed and its handler ran) or `cancelled`"),
      calendar_id: text(
        "Id of the plan calendar a duration timer counts on (`comercial`, `24x7`); null for an absolute instant",
      ),
      calendar: json(
        "The calendar definition in force for the timer; a plan change of that calendar replaces it from when it was saved",
      ),
      started_at: timestamp("When a duration timer started counting (business-day budgets are counted from it)"),
      budget_ms: bigint("Open time of the calendar the timer allows before it is due, in ms"),
      warn_ms: bigint("Open time after which its warning fires (a share of the budget); null for no warning"),
      elapsed_ms: bigint("Open time counted before `running_since` (pauses and calendar changes fold it in), in ms"),
      running_since: timestamp("Start of the stretch the timer has been running since; null while paused"),
      target_at: timestamp("The instant of an absolute timer"),
      due_at: timestamp("The computed instant the timer fires; null while paused"),
      warn_at: timestamp("The computed instant its warning fires; null when none is pending"),
      warned_at: timestamp("When its warning fired"),
      fired_at: timestamp("When it fired"),
      generation: integer("Incremented at each recomputation; the fire job carries it, so a stale job is a no-op"),
      payload: json("Data of the owning module, handed back to its handler"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  sla_events: {
    meaning:
      "What happened to a ticket's SLA clocks (start, pauses, fulfilment, warning, breach, escalation steps), each recorded once and shown on the timeline.",
    columns: {
      id: text("UUIDv7 of the announcement"),
      ticket_id: text("Ticket whose clock it is"),
      clock: text("first_response, next_response, resolution or tier_response"),
      tier: text("Tier of a tier_response clock"),
      kind: text(
        "started, paused, resumed, fulfilled, warning (target reached), breached, or escalation (a step of the plan's escalation matrix fired)",
      ),
      at: timestamp("When the clock reached that point"),
      dedupe_key: text("ticket, clock, tier, kind and clock start: a repeated announcement is a no-op"),
      created_at: createdAt,
    },
  },
  ticket_history: {
    meaning: "Every change of a ticket's fields, oldest first.",
    columns: {
      id: text("UUIDv7 of the change"),
      ticket_id: text("Ticket that changed"),
      at: timestamp("When"),
      actor_user_id: text("Who changed it"),
      field: text("Which field: subject, type, severity, tier, status, assigneeId, team, tags"),
      before_value: text("Value before, as text"),
      after_value: text("Value after, as text"),
    },
  },
  webhooks: {
    meaning:
      "Outgoing webhooks: URLs that receive matching domain events as signed HTTP POSTs (`x-plantao-signature`), retried with backoff.",
    columns: {
      id: text("UUIDv7 of the webhook"),
      name: text("Label shown to administrators"),
      url: text("http(s) URL the events are POSTed to"),
      event_types: json("Event types delivered: exact (`ticket.created`), a prefix (`ticket.*`) or `*` for all"),
      organization_id: text(
        "Only events of this organization when set; every organization's and provider-wide ones when null",
      ),
      secret: text(
        "HMAC-SHA256 signing secret, sealed with the instance secret key; shown once at creation or rotation",
      ),
      enabled: boolean("Whether new events are delivered"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  webhook_deliveries: {
    meaning: "The delivery log: one row per webhook and event, updated by every attempt of its `webhook.deliver` job.",
    columns: {
      id: text("UUIDv7 of the delivery; sent as `x-plantao-delivery`"),
      webhook_id: text("Webhook it goes to"),
      event_id: bigint("Event delivered (`events.id`)"),
      event_type: text("Type of that event, e.g. `ticket.sla.breached` or `webhook.test`"),
      status: text(
        "`pending` (not tried yet), `failed` (last attempt failed, retry at `next_attempt_at`), `succeeded`, or `dead` (attempts exhausted)",
      ),
      attempts: integer("Attempts made so far, manual retries included"),
      last_status_code: integer("HTTP status of the last answer; null when none came (network error, timeout)"),
      last_error: text("Why the last attempt failed: status and start of the answer, or the network error"),
      response_ms: integer("Duration of the last attempt in milliseconds"),
      next_attempt_at: timestamp("When the next retry is due while `failed`; null otherwise"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  notifications: {
    meaning:
      "The notification outbox and delivery log: one row per recipient and channel, written in the transaction of the change it announces and delivered by a `notification.deliver` job (email, webhook) or at once (in-app).",
    columns: {
      id: text("UUIDv7 of the notification"),
      channel: text(
        "`email`, `in_app` (the user's notification centre) or `webhook` (signed POST, optionally in a chat flavour)",
      ),
      template: text("Template key, e.g. `ticket.escalation.staff`"),
      kind: text(
        "Event kind the recipient's preferences are keyed by, e.g. `ticket.escalation`; `account` for mail that cannot be switched off",
      ),
      params: json("Parameters the template is rendered with"),
      locale: text("Language it is rendered in (`pt-BR` or `en`); a template missing in it falls back to pt-BR"),
      user_id: text("Recipient user, when the notification is addressed to one; null for a bare address or a webhook"),
      organization_id: text("Recipient user's organization, so its in-app event stays in its tenancy"),
      recipient: text("Where it goes: the email address, the user id (in-app) or the webhook id"),
      flavour: text(
        "Payload shape of a webhook notification: `plantao`, `slack`, `teams`, `telegram` or `discord`; null for other channels",
      ),
      thread: text(
        "Subject it belongs to as `<kind>:<id>` (a ticket, an incident): mail of one thread share `In-Reply-To`/`References`",
      ),
      message_id: text(
        "`Message-ID` of the mail, generated and stored before the first attempt so a resend after a crash repeats it",
      ),
      status: text(
        "`pending` (not tried yet), `failed` (last attempt failed, retry at `next_attempt_at`), `sent`, or `dead` (attempts exhausted)",
      ),
      attempts: integer("Attempts made so far, resends included"),
      next_attempt_at: timestamp("When the next retry is due while `failed`; null otherwise"),
      last_error: text("Why the last attempt failed (SMTP answer, network error, HTTP status)"),
      provider_message_id: text(
        "What the receiving side answered on success: the SMTP server's queue answer or the webhook's HTTP status",
      ),
      sent_at: timestamp("When it was delivered"),
      read_at: timestamp("When the user marked an in-app notification read; null while unread"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  notification_preferences: {
    meaning: "Per-user choices of channel per event kind; a missing row means the default (on).",
    columns: {
      user_id: text("User the choice belongs to"),
      kind: text("Event kind, e.g. `ticket.escalation`"),
      channel: text("`email` or `in_app`"),
      enabled: boolean("Whether notifications of that kind reach the user on that channel"),
      updated_at: updatedAt,
    },
  },
  backup_jobs: {
    meaning:
      "Backup jobs: what is backed up (Plantão's database, file sets, external PostgreSQL or MySQL) into which restic repository, when, and the RPO/RTO targets of its data class.",
    columns: {
      id: text("UUIDv7 of the job; snapshots carry the tag `plantao-job:<id>`"),
      name: text("Unique label shown to operators and used by the CLI"),
      source: json(
        "The source without secrets: `kind` (plantao-db, files, postgres, mysql), paths and excludes, or the database URL with its password removed",
      ),
      repository_url: text("restic repository: a local path, `sftp:…` or `s3:…`"),
      secrets: text(
        "Repository password, source database password and Plantão's machine key to a local repository (id and random password), sealed with the instance secret key; never returned by the API",
      ),
      schedule: json(
        "Cron per kind (`full`, `incremental`, `frequent`; null = not scheduled) and the IANA zone they run in",
      ),
      hooks: json("Commands run before (`pre`) and after (`post`) each backup, as argument lists without a shell"),
      data_class: text("Data class the RPO/RTO targets belong to, e.g. `tickets-db`, `pbx-config`, `recordings`"),
      rpo_minutes: integer("Recovery point objective: the most data, in minutes, that may be lost"),
      rto_minutes: integer("Recovery time objective: the longest a restore may take, in minutes"),
      enabled: boolean("Whether the schedules run; manual runs work either way"),
      check_cursor: integer("Next `restic check --read-data-subset n/30` group; advances only after a check passes"),
      rpo_alerted_at: timestamp(
        "When the RPO was found exceeded and `backup.rpo_exceeded` published; null while within target",
      ),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  backup_runs: {
    meaning:
      "The history of every restic operation of a job: backups, repository checks, retention prunes and restores, with the reason when one failed.",
    columns: {
      id: text("UUIDv7 of the run"),
      job_id: text("Backup job"),
      operation: text("`backup`, `check`, `prune`, `restore` or `unlock` (removes stale locks only)"),
      kind: text("For backups: `full` (no parent, every file re-read), `incremental` or `frequent`; null otherwise"),
      trigger: text("`schedule` or `manual` (API or CLI)"),
      status: text(
        "`queued`, `running`, `succeeded` or `failed`; a run waiting out a repository lock is `queued` again",
      ),
      reason: text(
        "Stable failure id (`wrong-password`, `repository-locked`, `source-missing`, `interrupted`, `no-space`…); null when it succeeded",
      ),
      error: text("The failure in words, from restic's or the dump tool's own message"),
      snapshot_id: text("Snapshot written (backup) or read (restore)"),
      details: json(
        "restic's backup summary, the check's subset and output, the prune's per-snapshot verdicts, or the restore target",
      ),
      manifest: json(
        "Backups of database dumps: rows per table at backup time (file checksums are the snapshot's own chunk ids; runs before 2026-11-25 also list per-file sha256, no longer read)",
      ),
      attempts: integer("Attempts made so far (a locked repository is retried)"),
      created_at: createdAt,
      started_at: timestamp("When the last attempt started"),
      finished_at: timestamp("When it succeeded or failed for good"),
      duration_ms: integer("Duration of the last attempt in milliseconds"),
    },
  },
  backup_restore_tests: {
    meaning:
      "Restore tests: a snapshot restored into a scratch location, its checksums and database integrity verified; the duration is the measured RTO.",
    columns: {
      id: text("UUIDv7 of the restore test"),
      job_id: text("Backup job"),
      snapshot_id: text("Snapshot restored; null until chosen (the newest at the start)"),
      trigger: text("`schedule` (monthly, from the plan) or `manual`"),
      status: text("`running`, `passed` or `failed`"),
      checks: json(
        "The checks run, each `{name, status, detail}`: restore, checksums, sqlite-integrity, pg-restore, mysql-restore, row-counts, rto",
      ),
      error: text("Why it failed, in words"),
      created_at: createdAt,
      finished_at: timestamp("When it ended"),
      duration_ms: integer("Restore and verification time in milliseconds: the measured RTO"),
    },
  },
  runbooks: {
    meaning:
      "Disaster-recovery runbooks: ordered checklists of steps with owners and expected minutes (full recovery, contingency activation, restoring Plantão). The defaults are seeded once (setting `runbooks_seeded`).",
    columns: {
      id: text("UUIDv7 of the runbook"),
      name: text("Title shown in lists"),
      purpose: text("When to use it and what it achieves"),
      kind: text("`full-recovery`, `contingency-activation`, `plantao-restore` or `other`"),
      monitor_id: text(
        "Monitor watching the contingency environment's readiness (contingency-activation only); not a foreign key",
      ),
      steps: json("Ordered steps: `title`, `description`, `ownerRole` or `ownerUserId`, `expectedMinutes`"),
      version: integer("Number of the current version (`runbook_versions.version`)"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  runbook_versions: {
    meaning: "Every saved version of every runbook, whole, numbered 1..n per runbook; never changed once written.",
    columns: {
      runbook_id: text("Runbook it is a version of (deleted with it)"),
      version: integer("1 for the first save, then one more per edit"),
      name: text("Name in this version"),
      purpose: text("Purpose in this version"),
      kind: text("Kind in this version"),
      monitor_id: text("Monitor in this version"),
      steps: json("Steps in this version"),
      author_user_id: text("User who saved it; null for the seeded defaults"),
      author_label: text("Who saved it, as shown; null for the seeded defaults"),
      comment: text("Why it changed"),
      created_at: createdAt,
    },
  },
  drills: {
    meaning:
      "Disaster-recovery drills: one run of a runbook, timed step by step on the server clock and compared with the plan's RTO.",
    columns: {
      id: text("UUIDv7 of the drill"),
      runbook_id: text("Runbook drilled (not a foreign key: the drill outlives the runbook)"),
      runbook_version: integer("Version of the runbook whose steps were copied"),
      runbook_name: text("Runbook name when the drill started"),
      kind: text("Runbook kind when the drill started"),
      status: text("`running`, `finished` (every step done or skipped) or `aborted`"),
      rto_minutes: { kind: "real", meaning: "The plan's RTO in minutes when the drill started" },
      notes: text("Notes of the team: the reason of an abort, lessons"),
      started_by_user_id: text("User who started it"),
      started_by_label: text("Who started it, as shown"),
      started_at: timestamp("When the drill started (server clock)"),
      finished_at: timestamp("When it was finished or aborted; null while running"),
    },
  },
  drill_steps: {
    meaning: "The steps of a drill, copied from the runbook version, each with its own timing.",
    columns: {
      drill_id: text("Drill it belongs to"),
      position: integer("0-based place of the step in the runbook"),
      title: text("Step title"),
      description: text("What to do"),
      owner_role: text("Role that owns the step, or null"),
      owner_user_id: text("User who owns the step, or null"),
      expected_minutes: integer("Minutes the runbook expects the step to take"),
      status: text("`pending`, `started`, `done` or `skipped`"),
      started_at: timestamp("When the step started (server clock)"),
      finished_at: timestamp("When it was marked done or skipped"),
      note: text("What the team noted on the step"),
      marked_by_label: text("Who marked it last"),
    },
  },
  monitors: {
    meaning:
      "What is monitored: a probed target (http, tcp, dns, icmp, sip-options, sip-register, postgres, mysql), a heartbeat fed by pushes, or a group derived from its members.",
    columns: {
      id: text("UUIDv7 of the monitor"),
      organization_id: text("Customer organization the monitored service belongs to; null for the provider's own"),
      name: text("Label shown on the dashboard"),
      type: text("Probe type (`http`, `tcp`, `sip-options`…), `heartbeat` or `group`"),
      target: text("What the probe looks at: URL, host:port, hostname or SIP URI; empty for heartbeat and group"),
      interval_seconds: integer("Seconds between checks (at least 5); for a heartbeat, the expected push period"),
      timeout_seconds: integer("Seconds a check may take before it counts as a timeout"),
      retries: integer("Failed checks tolerated as PENDING before the monitor is DOWN"),
      failure_threshold: integer("Consecutive degraded (or failed) checks before an UP monitor is DEGRADED"),
      success_threshold: integer("Consecutive good checks before a DOWN or DEGRADED monitor recovers"),
      settings: json("Type-specific settings, validated by the probe type's schema, defaults applied"),
      parent_id: text("Monitor this one depends on: while it is down, this one is UNREACHABLE instead of DOWN"),
      group_id: text("Group monitor this one is a member of"),
      enabled: boolean("False while paused: no checks, state MAINTENANCE"),
      push_token_hash: text("SHA-256 (hex) of a heartbeat's push token, the credential of POST /api/v1/push/{token}"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  monitor_states: {
    meaning: "The current state of each monitor that has one, written only when it changes.",
    columns: {
      monitor_id: text("Monitor"),
      status: text("`UP`, `DEGRADED`, `DOWN`, `PENDING`, `MAINTENANCE` or `UNREACHABLE`"),
      reason: text("Stable reason id of a state other than UP (e.g. `timeout`, `parent_down`, `no_push`)"),
      message: text("Human detail of the reason"),
      since: timestamp("When the monitor entered this status"),
      flapping: boolean("Whether the recent checks change status too often (flap detection)"),
      version: integer("Bumped by every write; a writer holding an older version lost a race and re-reads"),
      updated_at: updatedAt,
      last_check_at: timestamp(
        "When the last check of the monitor started; written by the minute flush and with state changes, so up to about 65 s old",
      ),
      last_latency_ms: real("Latency of that check in milliseconds; null when nothing answered"),
    },
  },
  monitor_intervals: {
    meaning: "State history: one row per stretch of time a monitor spent in one status; uptime is computed from it.",
    columns: {
      id: text("UUIDv7 of the interval (sorts by start)"),
      monitor_id: text("Monitor"),
      status: text("Status during the interval"),
      reason: text("Reason id of that status"),
      message: text("Human detail of the reason"),
      started_at: timestamp("When the status began"),
      ended_at: timestamp("When it ended; null for the current one"),
    },
  },
  monitor_pushes: {
    meaning: "The last push received by each heartbeat monitor.",
    columns: {
      monitor_id: text("Heartbeat monitor"),
      status: text("`up` or `down`, as pushed"),
      message: text("`msg` sent with the push"),
      latency_ms: real("`ping` sent with the push, in milliseconds"),
      pushed_at: timestamp("When the push arrived"),
    },
  },
  monitor_minutes: {
    meaning:
      "Per-minute check aggregates, flushed once a minute in one statement per batch of monitors; kept 48 hours by default.",
    columns: {
      monitor_id: text("Monitor measured (no foreign key: a batch never fails because one monitor was deleted)"),
      bucket: timestamp("Start of the bucket (UTC)"),
      checks: integer("Checks (or pushes) in the bucket"),
      failures: integer("Checks whose result was `down`"),
      latency_count: integer("Checks that measured a latency (the weight of the averages)"),
      latency_min: real("Smallest latency in milliseconds; null when none was measured"),
      latency_avg: real("Mean latency in milliseconds"),
      latency_max: real("Largest latency in milliseconds"),
      latency_p95: real(
        "95th percentile latency in milliseconds; rolled-up buckets hold the latency-weighted mean of their parts' p95",
      ),
    },
  },
  monitor_hours: {
    meaning: "Per-hour roll-up of monitor_minutes; kept 90 days by default.",
    columns: {
      monitor_id: text("Monitor measured (no foreign key: a batch never fails because one monitor was deleted)"),
      bucket: timestamp("Start of the bucket (UTC)"),
      checks: integer("Checks (or pushes) in the bucket"),
      failures: integer("Checks whose result was `down`"),
      latency_count: integer("Checks that measured a latency (the weight of the averages)"),
      latency_min: real("Smallest latency in milliseconds; null when none was measured"),
      latency_avg: real("Mean latency in milliseconds"),
      latency_max: real("Largest latency in milliseconds"),
      latency_p95: real(
        "95th percentile latency in milliseconds; rolled-up buckets hold the latency-weighted mean of their parts' p95",
      ),
    },
  },
  monitor_days: {
    meaning: "Per-day roll-up of monitor_hours; kept 2 years by default.",
    columns: {
      monitor_id: text("Monitor measured (no foreign key: a batch never fails because one monitor was deleted)"),
      bucket: timestamp("Start of the bucket (UTC)"),
      checks: integer("Checks (or pushes) in the bucket"),
      failures: integer("Checks whose result was `down`"),
      latency_count: integer("Checks that measured a latency (the weight of the averages)"),
      latency_min: real("Smallest latency in milliseconds; null when none was measured"),
      latency_avg: real("Mean latency in milliseconds"),
      latency_max: real("Largest latency in milliseconds"),
      latency_p95: real(
        "95th percentile latency in milliseconds; rolled-up buckets hold the latency-weighted mean of their parts' p95",
      ),
    },
  },
  monitor_shards: {
    meaning:
      "Leases that spread monitors over app nodes: a monitor belongs to shard hash(id) mod the shard count, and only the node holding a shard's lease runs its monitors.",
    columns: {
      shard: integer("Shard number"),
      owner: text("Node id holding the lease; null when free"),
      lease_until: timestamp("End of the lease; past it, another node may take the shard"),
      checked_through: timestamp(
        "Every check of the shard due up to this instant was started (written by the owner before starting them); the next owner runs at once the ones due after it",
      ),
    },
  },
  monitor_nodes: {
    meaning: "App nodes running monitors, with their last heartbeat; the live ones share the shards evenly.",
    columns: {
      node_id: text("Node id (PLANTAO_NODE_ID)"),
      seen_at: timestamp("Last heartbeat of the node"),
      started_at: timestamp("When the node joined the monitoring (its engine started)"),
    },
  },
  scrape_targets: {
    meaning: "Prometheus exporters (and the built-in host collector) scraped into metric_series and metric_samples.",
    columns: {
      id: text("Identifier (UUIDv7)"),
      name: text("Unique name, also the `target` label of its series"),
      kind: text("`http` (a /metrics endpoint) or `host` (the built-in collector of the node that scrapes)"),
      url: text("URL scraped (http targets); null for the host collector"),
      interval_seconds: integer("Seconds between scrapes"),
      timeout_seconds: integer("A scrape running longer fails with a timeout"),
      labels: json("Labels added to every series of the target (JSON object)"),
      max_series: integer("Most series kept for the target; new series past it are dropped and series_capped set"),
      max_bytes: integer("Largest response body read; a larger one fails the scrape"),
      enabled: boolean("Whether the target is scraped"),
      last_scrape_at: timestamp("When the last scrape finished"),
      last_duration_ms: integer("Duration of the last scrape in milliseconds"),
      last_samples: integer("Samples stored by the last scrape"),
      last_error: text(
        "Why the last scrape failed (line of a malformed exposition, timeout, size); null when it worked",
      ),
      series_count: integer("Series the target has"),
      series_capped: boolean(
        "Whether the last scrape dropped new series past max_series (label-cardinality explosion)",
      ),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  metric_series: {
    meaning: "One time series: a target's metric name and label set.",
    columns: {
      id: serial("Sequential id, the key of its samples"),
      target_id: text(
        "Scrape target the series comes from (no foreign key: samples outlive a deleted target until pruned)",
      ),
      metric: text("Sample name (`node_cpu_seconds_total`, `rpc_latency_bucket`…)"),
      labels: json("Labels of the series, including the target's (JSON object)"),
      labels_key: text("Labels as sorted canonical JSON: the series' identity within its target and metric"),
      created_at: createdAt,
      last_seen_at: timestamp("When a scrape last returned the series"),
    },
  },
  metric_samples: {
    meaning: "Raw samples, kept 7 days by default; time in integer milliseconds to keep the high-volume rows small.",
    columns: {
      series_id: bigint("Series of the sample (metric_series.id)"),
      t: bigint("Instant of the sample in milliseconds since the epoch (UTC)"),
      value: real("Sample value (double precision)"),
    },
  },
  metric_rollups: {
    meaning: "Samples rolled up to 5-minute (kept 90 days) and 1-hour (kept 2 years) buckets.",
    columns: {
      series_id: bigint("Series rolled up (metric_series.id)"),
      resolution: integer("Bucket width in seconds: 300 or 3600"),
      t: bigint("Start of the bucket in milliseconds since the epoch (UTC)"),
      count: integer("Samples in the bucket"),
      sum: real("Sum of the samples (avg = sum / count)"),
      min: real("Smallest sample"),
      max: real("Largest sample"),
      last: real("Latest sample (counters and rates use it)"),
    },
  },
  alert_rules: {
    meaning: "Alert rules on monitor states and on metric expressions, evaluated every 15 seconds.",
    columns: {
      id: text("Identifier (UUIDv7)"),
      name: text("Unique name, the `alertname` label of its alerts"),
      kind: text("`monitor` (fires while a monitor is DOWN) or `metric` (an aggregation compared with a threshold)"),
      monitor_id: text("Monitor of a monitor rule; null applies it to every monitor without a rule of its own"),
      expression: json("Metric expression: metric, match, fn, windowSeconds, by, op, threshold, recoveryThreshold"),
      for_seconds: integer("How long the condition holds (pending) before the alert fires"),
      keep_firing_for_seconds: integer("How long a firing alert stays firing after its condition stopped"),
      severity: text("critical, high, medium or low (a monitor rule uses the monitor's own when it has one)"),
      labels: json("Labels added to the rule's alerts"),
      annotations: json("Annotations (summary, description) of the rule's alerts"),
      enabled: boolean("Whether the rule is evaluated"),
      builtin: boolean("Created from the plan's defaults"),
      last_evaluated_at: timestamp("Last evaluation"),
      last_error: text("Why the last evaluation failed; null when it worked"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  alerts: {
    meaning:
      "Alerts by label set (deduplicated by fingerprint), from rules or posted to /api/v2/alerts; their rule state.",
    columns: {
      fingerprint: text("Hash of the sorted label set: the alert's identity"),
      rule_id: text("Rule that raised it; null for alerts posted through the Alertmanager API"),
      source: text("`rule` or `api`"),
      labels: json("Labels (alertname, severity, the series' or monitor's labels)"),
      annotations: json("Annotations (summary, description…)"),
      state: text("Rule state: inactive, pending, firing or resolved (notification state lives in alert_groups)"),
      active_since: timestamp("When the condition started holding"),
      fired_at: timestamp("When the alert last started firing"),
      last_true_at: timestamp("Last evaluation at which the condition held (keep_firing_for)"),
      resolved_at: timestamp("When the alert last resolved"),
      ends_at: timestamp("For API alerts: when the alert resolves unless posted again"),
      value: real("Value of the expression at the last evaluation"),
      generator_url: text("Link to what raised the alert (API alerts)"),
      updated_at: updatedAt,
    },
  },
  alert_history: {
    meaning: "State changes of alerts (pending, firing, resolved, cleared), for the alert's history.",
    columns: {
      id: text("Identifier (UUIDv7)"),
      fingerprint: text("Alert that changed"),
      state: text("State entered (`cleared`: pending that never fired)"),
      value: real("Value of the expression at the change"),
      at: timestamp("When it changed"),
    },
  },
  silences: {
    meaning: "Silences: matchers that mute alerts' notifications between two instants (evaluation continues).",
    columns: {
      id: text("Identifier (UUIDv7)"),
      matchers: json("Matchers: [{name, value, isRegex, isEqual}]"),
      starts_at: timestamp("Start of the silence"),
      ends_at: timestamp("End of the silence (expiring sets it to now)"),
      comment: text("Why"),
      created_by: text("Author (user email or API token name)"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  alert_receivers: {
    meaning: "Receivers: where a route's notifications go, through the notifications outbox.",
    columns: {
      id: text("Identifier (UUIDv7)"),
      name: text("Unique name, referenced by routes"),
      targets: json("Targets: [{type: email, to} | {type: user, userId} | {type: webhook, webhookId}]"),
      send_resolved: boolean("Whether resolutions are notified"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  alert_routing: {
    meaning: "The routing configuration (one row, `default`): route tree, inhibition rules and mute intervals.",
    columns: {
      id: text("`default`"),
      route: json("Route tree: matchers, receiver, group_by, timings, continue, mute intervals, child routes"),
      inhibit_rules: json("Inhibition rules: source and target matchers, equal labels"),
      mute_intervals: json("Named mute intervals: weekdays, times, dates, zone"),
      updated_at: updatedAt,
    },
  },
  alert_groups: {
    meaning: "Notification state of each alert group (route and group_by values): the grouping timer.",
    columns: {
      key: text("Route id and the group_by label values"),
      route_id: text("Route of the group"),
      receiver: text("Receiver name"),
      labels: json("The group_by labels and values"),
      created_at: createdAt,
      last_flush_at: timestamp("Last time the group was looked at"),
      last_notified_at: timestamp("Last notification sent"),
      notified_firing: json("Fingerprints notified as firing by the last notification"),
      next_flush_at: timestamp("When the group is due next; null when empty"),
    },
  },
};

/** The type a column of `kind` has on `engine`, as the migrations create it. */
export function engineType(kind: ColumnKind, engine: Engine): string {
  // dialect.serialId: an autoincrement integer key on SQLite, a bigint identity on PostgreSQL.
  if (kind === "serial") return engine === "postgres" ? "bigint" : "integer";
  if (kind === "timestamp" || kind === "json" || kind === "boolean") return String(dialectFor(engine).types[kind]);
  return kind;
}

/**
 * Where the dictionary and a migrated schema disagree: tables or columns without an entry, entries
 * for ones that do not exist, and kinds that do not match the column's type on that engine.
 */
export function dictionaryMismatches(schema: SchemaTable[], engine: Engine): string[] {
  const problems: string[] = [];
  const tables = new Set(schema.map((t) => t.name));
  for (const name of Object.keys(dataDictionary)) {
    if (!tables.has(name)) problems.push(`${name}: described but no such table`);
  }
  for (const table of schema) {
    const entry = dataDictionary[table.name];
    if (!entry) {
      problems.push(`${table.name}: table has no entry in src/platform/db/dictionary.ts`);
      continue;
    }
    const columns = new Set(table.columns.map((c) => c.name));
    for (const name of Object.keys(entry.columns)) {
      if (!columns.has(name)) problems.push(`${table.name}.${name}: described but no such column`);
    }
    for (const c of table.columns) {
      const described = entry.columns[c.name];
      if (!described) problems.push(`${table.name}.${c.name}: column has no entry in src/platform/db/dictionary.ts`);
      else if (canonicalType(engineType(described.kind, engine)) !== c.type) {
        problems.push(`${table.name}.${c.name}: described as ${described.kind} but is ${c.type} on ${engine}`);
      }
    }
  }
  return problems;
}
