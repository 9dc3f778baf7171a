import { canonicalType, dialectFor, type Engine, type SchemaTable } from "./dialect.js";

/**
 * What every table and column means. `npm run docs:data-dictionary` merges it with the migrated schema
 * into docs/data-dictionary.md, and test/db fails while a migrated table or column has no entry here or
 * an entry names one that does not exist: a new migration comes with its entry.
 */

/** How a migration declares the column: a plain type, a `dialect.types` member, or `dialect.serialId`. */
export type ColumnKind = "text" | "integer" | "bigint" | "real" | "timestamp" | "json" | "boolean" | "serial" | "bytes";

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
const bytes = column("bytes");

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
      sla_calendar: text(
        "Calendar its tier clocks run on, set by the routing rule that placed it; null: the tier's own",
      ),
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
  csat_surveys: {
    meaning:
      "Satisfaction surveys: one per resolution of a ticket, mailed with a signed link (no login) and one reminder; the rating and comment once given.",
    columns: {
      id: text("UUIDv7 of the survey; the signed link seals it"),
      ticket_id: text("Ticket resolved"),
      organization_id: text("The ticket's organization"),
      resolved_at: timestamp("When the resolution this survey asks about happened"),
      recipient_user_id: text("User asked (the requester), when the requester is a user"),
      recipient_email: text("Address asked when the requester is only a contact"),
      agent_user_id: text("Assignee at the resolution: the agent the rating counts for"),
      team: text("Team at the resolution"),
      tier: text("Support tier at the resolution"),
      type: text("Ticket type at the resolution"),
      status: text("`pending` (link valid until expires_at), `rated`, or `superseded` by a later resolution's survey"),
      expires_at: timestamp("After this the link shows an expired page"),
      reminded_at: timestamp("When the one reminder was queued"),
      rating: integer("1 (very unsatisfied) to 5 (very satisfied)"),
      comment: text("The customer's comment"),
      rated_at: timestamp("When the rating was given"),
      created_at: createdAt,
    },
  },
  csat_settings: {
    meaning: "Satisfaction surveys per organization: an organization may opt out (no row: surveys on).",
    columns: {
      organization_id: text("Organization"),
      surveys_enabled: boolean("Whether its requesters are asked to rate resolved tickets"),
      updated_by: text("User who changed it last"),
      updated_at: updatedAt,
    },
  },
  ticket_contacts: {
    meaning:
      "First-contact resolution ingredients: each contact session a customer started on a ticket (opening, coming back after an answer, a call), with its channel.",
    columns: {
      id: text("UUIDv7 of the contact"),
      ticket_id: text("Ticket contacted about"),
      organization_id: text("The ticket's organization"),
      type: text("The ticket's type at the contact: repeat contacts match on it"),
      channel: text("Channel of the contact: portal, email, chat, phone, ..."),
      kind: text("`opened` (the ticket), `customer_reply` (back after a public staff reply) or `call` (a logged call)"),
      at: timestamp("When the contact started"),
    },
  },
  ticket_routing_rules: {
    meaning:
      "Triage rules in order: a new ticket's tier, team, assignee and tier-clock calendar each come from the first rule that matches and sets it.",
    columns: {
      id: text("UUIDv7 of the rule"),
      position: integer("Order of the rule, from 0"),
      name: text("Display name"),
      conditions: json("`{types?, severities?, organizationIds?, channels?}`: every condition given must hold"),
      tier: text("Support tier the rule places the ticket in, or null"),
      team: text("Team the rule hands the ticket to, or null"),
      assignee_user_id: text("Staff user the rule assigns the ticket to, or null"),
      calendar: text("Plan calendar the ticket's tier clocks run on, or null"),
      created_at: createdAt,
    },
  },
  ticket_views: {
    meaning: "Saved queue views: filters and sort, personal or shared within the owner's organization.",
    columns: {
      id: text("UUIDv7 of the view"),
      owner_user_id: text("User who saved it"),
      organization_id: text("Organization of the owner; a shared view is seen by its users only"),
      name: text("Display name"),
      shared: boolean("Whether the organization's other users see it"),
      filters: json("Queue filters: `{queue?, status?, severity?, tier?, team?, organization?, assignee?, q?}`"),
      sort: text("`urgency`, `newest` or `updated`"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  ticket_texts: {
    meaning: "Every non-system message of a ticket, gathered per ticket for keyword search.",
    columns: {
      ticket_number: bigint("Number of the ticket"),
      public_text: text("Its public messages, in order"),
      internal_text: text("Its internal notes, in order (searched for staff only)"),
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
  oncall_rotations: {
    meaning:
      "On-call rotations: layers that hand the shift off daily or weekly at a local time in an IANA zone, through their participants; a later layer covers earlier ones where active (its hours, holidays or other days).",
    columns: {
      id: text("UUIDv7 of the rotation"),
      name: text("Display name"),
      team: text("Team (a name in users' `teams`) the rotation serves; null for none"),
      timezone: text("IANA zone of the hand-off times, e.g. America/Sao_Paulo"),
      holiday_calendar: text("Plan calendar whose holidays layers with `days` follow; null: `comercial`"),
      layers: json(
        "Layers lowest first: name, participants (user ids in order), handoff {every day|week, at HH:MM}, startsOn, between {from, to}, days all|holidays|workdays",
      ),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  oncall_overrides: {
    meaning: "Overrides of a rotation: a user on call between two instants, above every layer.",
    columns: {
      id: text("UUIDv7 of the override"),
      rotation_id: text("Rotation overridden"),
      user_id: text("Who is on call instead"),
      starts_at: timestamp("Start of the override"),
      ends_at: timestamp("End of the override (exclusive)"),
      reason: text("Why (a swap, a sick day)"),
      created_by: text("User who created it"),
      created_at: createdAt,
    },
  },
  escalation_policies: {
    meaning:
      "Escalation policies: ordered steps (whom to notify on which channels, then how long to wait), repeated `repeat` times, until acknowledged or resolved. The plan's escalation matrix seeds one policy per severity (`default_for`).",
    columns: {
      id: text("UUIDv7 of the policy"),
      name: text("Display name"),
      description: text("What the policy is for"),
      default_for: text("Severity whose pages use this policy when none is named; null for none"),
      steps: json(
        "Steps in order: targets (rotation on-call, user, team, role, emergency contacts, affected customers, webhook), channels, waitMinutes, condition",
      ),
      repeat: integer("How many more times the steps run after the first pass while the condition holds"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  pages: {
    meaning:
      "Pages: one run of an escalation policy for a subject (an incident). Its wait between steps is a timer; acknowledging stops the steps that wait for it, resolving stops all.",
    columns: {
      id: text("UUIDv7 of the page"),
      subject_type: text("What was paged about (`incident`)"),
      subject_id: text("Id of that subject"),
      open_key: text("`type:id` of the subject while the page is open (unique: one open page per subject); null after"),
      policy_id: text("Escalation policy followed"),
      severity: text("Severity of the subject: critical, high, medium or low"),
      title: text("Title shown in the messages"),
      url: text("Link to the subject"),
      summary: text("Short text for the messages"),
      customers: json("Affected customers' addresses `{email, locale}` for the steps that tell them"),
      steps: json("The policy's steps as they were when the page started"),
      repeat: integer("The policy's repeat count when the page started"),
      status: text("`triggered`, `acknowledged` or `resolved`"),
      step: integer("Index of the step reached"),
      round: integer("Pass through the steps, from 0"),
      escalated_at: timestamp("When the last step was reached"),
      exhausted_at: timestamp("When the last step of the last pass had run with nobody acknowledging"),
      acknowledged_at: timestamp("When someone acknowledged"),
      acknowledged_by: text("User who acknowledged"),
      resolved_at: timestamp("When the subject resolved"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  page_deliveries: {
    meaning:
      "Who a page's step told: one row per person or address, with the notifications sent and the use of its signed acknowledgement link.",
    columns: {
      id: text("UUIDv7; the signed acknowledgement link names it"),
      page_id: text("The page"),
      step: integer("Step index"),
      round: integer("Pass through the steps"),
      user_id: text("User told; null for an address or a webhook"),
      target: text("Who, in words (user id, address, webhook id)"),
      notification_ids: json("Ids of the notifications of this delivery (one per channel)"),
      link_used_at: timestamp("When its acknowledgement link was used; a link works once"),
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
      "The notification outbox and delivery log: one row per recipient and channel, written in the transaction of the change it announces and delivered in claimed batches by `notification.deliver` jobs (email, webhook) or at once (in-app).",
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
      due_at: timestamp(
        "When delivery may claim the row: at once when queued, its retry time when `failed`, the end of the sending node's lease while an attempt is under way; null once `sent`, `dead` or in-app",
      ),
      locked_by: text("Claim of the delivery batch sending it now; only that claim may record the outcome"),
      round_attempts: integer(
        "Attempts since it was queued or last resent: picks the retry wait, and the row is `dead` after the last one",
      ),
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
  canned_responses: {
    meaning:
      "Canned responses agents insert into replies, per team or for everyone, with placeholders such as `{{customer.name}}`, `{{ticket.number}}` and `{{agent.name}}`.",
    columns: {
      id: text("UUIDv7 of the response"),
      team: text("Team it belongs to (listed to that team's members); null for every agent"),
      title: text("Short name agents pick it by"),
      body: text("The text, with `{{…}}` placeholders filled when inserted into a reply"),
      created_by: text("Staff user who wrote it"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  ticket_presence: {
    meaning:
      "Who has a ticket open now (viewing or replying), for the collision warning: a row per ticket and staff user, refreshed by the viewer's heartbeat and ignored once expired, shared by every node.",
    columns: {
      ticket_id: text("Ticket being viewed"),
      user_id: text("Staff user viewing it"),
      activity: text("`viewing` or `replying` (typing a reply or note)"),
      expires_at: timestamp("When the row stops counting unless the heartbeat refreshes it"),
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
      severity: text("critical, high, medium or low: the severity its DOWN alert fires with (default critical)"),
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
    meaning: "Prometheus exporters (and the built-in host collector) scraped into metric_series and metric_frames.",
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
      id: serial("Sequential id, the key of its roll-ups and of its samples in a frame"),
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
  metric_frames: {
    meaning:
      "Raw samples, a scrape per row: a target's samples at one instant, packed (metrics/frames.ts), kept 7 days by default.",
    columns: {
      target_id: text("Scrape target scraped (scrape_targets.id; its series are metric_series of that target)"),
      t: bigint("Instant of the samples in milliseconds since the epoch (UTC)"),
      series: bytes("Series ids (metric_series.id) ascending, as little-endian uint32"),
      samples: bytes("The series' values in the same order, as little-endian doubles"),
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
  metric_hour_blocks: {
    meaning:
      "The 1-hour roll-ups again, a UTC day of one series per row, so long-range queries read 30 rows per series per month instead of 720.",
    columns: {
      series_id: bigint("Series rolled up (metric_series.id)"),
      day: bigint("Start of the UTC day in milliseconds since the epoch"),
      hours: bytes("24 slots of (count, sum, min, max, last) as little-endian doubles; an empty hour has count 0"),
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
  incidents: {
    meaning:
      "Incidents: operational ones through six stages (identification to documentation) and security ones through six security stages (containment to improvement), with severity clocks on 24x7 time.",
    columns: {
      id: text("Identifier (UUIDv7)"),
      kind: text("`operational` or `security` (security incidents are visible to the security role and admins only)"),
      title: text("Short title"),
      description: text("What is known, free text"),
      severity: text("critical, high, medium or low: selects the plan's response and resolution times"),
      stage: text("Current stage of its process"),
      source: text("`manual`, `ticket` (promoted from a ticket) or `alert` (opened by a firing alert)"),
      source_ref: text("The ticket or alert it came from, when not manual"),
      alert_group_key: text(
        "Alert group of the alert that opened it; later alerts of the group join it while it is open",
      ),
      open_alert_group: text("The alert group while unresolved, else null: unique, so one open incident per group"),
      service: text(
        "The service it is about: the `service` label of the alert that opened it, or given when opened by hand; figures group by it; null for none",
      ),
      details: json("Fields the stages recorded: impact, diagnosis, fix, evidence, rootCause, containment, ..."),
      acknowledged_at: timestamp("When someone acknowledged it (the response clock is met then)"),
      acknowledged_by: text("User who acknowledged it"),
      resolved_at: timestamp(
        "When it was resolved (entered verification, or analysis for security); null when reopened",
      ),
      closed_at: timestamp("When it reached its last stage"),
      response_due_at: timestamp("Deadline of the response clock"),
      resolution_due_at: timestamp("Deadline of the resolution clock"),
      response_breached_at: timestamp("When the response clock breached, if it did"),
      resolution_breached_at: timestamp("When the resolution clock breached, if it did"),
      created_by: text("User who opened it; null when an alert did"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  incident_stages: {
    meaning: "Every stage an incident entered: when, who moved it, what the stage required, and why when it went back",
    columns: {
      id: text("Identifier (UUIDv7)"),
      incident_id: text("The incident"),
      stage: text("Stage entered"),
      entered_at: timestamp("When"),
      by_user_id: text("Who moved it; null for the system"),
      fields: json("Fields given with the move"),
      reason: text("Why it went back to an earlier stage; null going forward"),
    },
  },
  incident_components: {
    meaning: "Components an incident affects (ids of status-page components, free references until they exist)",
    columns: { incident_id: text("The incident"), component_id: text("Component id") },
  },
  incident_organizations: {
    meaning: "Customer organizations an incident affects",
    columns: { incident_id: text("The incident"), organization_id: text("Affected organization") },
  },
  incident_tickets: {
    meaning: "Tickets linked to an incident (customers' reports); each gets the public update when it resolves",
    columns: {
      incident_id: text("The incident"),
      ticket_id: text("Linked ticket"),
      linked_by: text("Who linked it"),
      linked_at: timestamp("When it was linked"),
      resolved_at: timestamp("When the incident's resolution was written to the ticket"),
    },
  },
  incident_updates: {
    meaning: "An incident's timeline: internal notes, public updates and system entries",
    columns: {
      id: text("Identifier (UUIDv7)"),
      incident_id: text("The incident"),
      visibility: text("`public` (told to customers) or `internal`"),
      kind: text("`note`, `update` or `system`"),
      body: text("Text"),
      author_user_id: text("Author; null for system entries"),
      created_at: createdAt,
    },
  },
  incident_alerts: {
    meaning: "Alerts that opened or joined an incident",
    columns: {
      incident_id: text("The incident"),
      alert_id: text("Alert id"),
      fingerprint: text("Alert fingerprint"),
      rule_name: text("Rule that fired"),
      severity: text("Alert severity"),
      starts_at: timestamp("When the alert started firing"),
      ends_at: timestamp("When it resolved, if it did"),
    },
  },
  incident_postmortems: {
    meaning: "An incident's postmortem",
    columns: {
      incident_id: text("The incident"),
      summary: text("Summary"),
      impact: text("Impact"),
      timeline: text("Timeline as written by the team"),
      root_cause: text("Root cause"),
      went_well: text("What went well"),
      went_badly: text("What went badly"),
      updated_by: text("Who last changed it"),
      updated_at: updatedAt,
    },
  },
  incident_action_items: {
    meaning: "Postmortem action items, tracked to done; each may become a ticket",
    columns: {
      id: text("Identifier (UUIDv7)"),
      incident_id: text("The incident"),
      title: text("What to do"),
      owner_user_id: text("Who owns it"),
      due_at: timestamp("When it is due"),
      done_at: timestamp("When it was done"),
      ticket_id: text("The ticket it became, if any"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  incident_evidence: {
    meaning: "Evidence files of a security incident, stored content-addressed by their SHA-256",
    columns: {
      id: text("Identifier (UUIDv7)"),
      incident_id: text("The incident"),
      filename: text("File name as uploaded"),
      content_type: text("Detected content type"),
      size: integer("Bytes"),
      sha256: text("SHA-256 of the content, hex"),
      description: text("What it shows"),
      uploaded_by: text("Who uploaded it"),
      created_at: createdAt,
    },
  },
  incident_accounts: {
    meaning: "User accounts and API tokens a security incident affects, and what was done to them from it",
    columns: {
      id: text("Identifier (UUIDv7)"),
      incident_id: text("The incident"),
      kind: text("`user` or `token`"),
      ref_id: text("User or token id"),
      note: text("Why it is linked"),
      action: text("`disabled` (user) or `revoked` (token) once done, else null"),
      action_at: timestamp("When the action was taken"),
      action_by: text("Who took it"),
      linked_at: timestamp("When it was linked"),
    },
  },
  status_components: {
    meaning:
      "What customers care about on the status page (SIP registration, outbound calls, a PBX cluster): its status is derived from its monitors, open incidents and maintenance windows, unless a manual override is in force.",
    columns: {
      id: text("UUIDv7 of the component"),
      name: text("Name shown on the status page"),
      group_name: text("Group the component is shown under; null for none"),
      position: integer("Order on the page, ascending"),
      monitor_ids: json("Ids of the monitors whose states make the component's status"),
      organization_ids: json(
        "Customer organizations that use the component (their private page, their contacts' notices); empty for all",
      ),
      override_status: text(
        "A status set by hand (`operational`, `degraded`, `partial_outage`, `major_outage`, `maintenance`); null for none",
      ),
      override_until: timestamp("When the manual override expires"),
      override_reason: text("Why the status was set by hand"),
      status: text(
        "The last derived status published as `status.component_changed` (moved compare-and-set, so once across nodes); null before the first",
      ),
      status_changed_at: timestamp("When `status` last changed"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  maintenance_windows: {
    meaning:
      "Planned maintenance, one-off or recurring (RFC 5545 RRULE in an IANA zone), on status components: notices at lead times, affected monitors in MAINTENANCE and their alerts silenced while it runs; states moved by timers.",
    columns: {
      id: text("UUIDv7 of the window"),
      title: text("Title shown to customers"),
      description: text("What is done and what customers may notice"),
      starts_at: timestamp("Start of the first occurrence"),
      ends_at: timestamp("End of the first occurrence (its length is every occurrence's)"),
      timezone: text("IANA zone the RRULE recurs in"),
      rrule: text("RFC 5545 recurrence rule (FREQ, INTERVAL, BYDAY, COUNT, UNTIL); null for a one-off window"),
      component_ids: json("Ids of the affected status components"),
      mode: text(
        "`mute` (monitors in MAINTENANCE, their alerts evaluated and silenced), `skip` (monitors in MAINTENANCE, no silence: their monitor alerts do not fire) or `show` (on the status page only)",
      ),
      state: text("`scheduled`, `in_progress`, `completed` or `cancelled`; of the current or next occurrence"),
      occurrence_start: timestamp("Start of the current or next occurrence; null when none is left"),
      warnings: json("Warnings against the plan: too little notice, outside the plan's window"),
      announced_at: timestamp(
        "When customers were first told (the window's creation): the notice time counts from here",
      ),
      created_by: text("Id of the user who scheduled it"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  status_subscriptions: {
    meaning:
      "Email subscriptions to status components, confirmed by double opt-in; a subscriber hears only about the components subscribed to, and leaves with one click.",
    columns: {
      id: text("UUIDv7 of the subscription"),
      email: text("Address, lower-cased"),
      component_ids: json("Ids of the subscribed components"),
      locale: text("Language of the mail: `pt-BR` or `en`"),
      token_hash: text("SHA-256 of the secret token in the confirm and unsubscribe links (how a link finds its row)"),
      token_sealed: text(
        "The token sealed with the installation's secret key, to put unsubscribe links in each notice",
      ),
      confirmed_at: timestamp("When the address confirmed; nothing is sent before"),
      unsubscribed_at: timestamp("When the subscriber left; nothing is sent after"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  change_records: {
    meaning:
      "Updates applied to the platform (the plan's Atualizações): security, fix or improvement, validated in staging, applied in a maintenance window or with a recorded reason; the cadence findings read them.",
    columns: {
      id: text("UUIDv7 of the change"),
      title: text("What changes"),
      kind: text("`security`, `fix` or `improvement`"),
      description: text("Details"),
      validation: text("Staging validation: `pending`, `passed` or `failed`"),
      validated_at: timestamp("When validation passed"),
      window_id: text("Maintenance window it goes into; null outside any window"),
      applied_at: timestamp("When it was applied in production; null while pending"),
      outcome: text("`pending`, `succeeded`, `failed` or `rolled_back`"),
      outside_window_reason: text("Why it is applied outside a maintenance window (required then)"),
      created_by: text("Id of the user who recorded it"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  call_hosts: {
    meaning:
      "Booking settings of an L2/L3 engineer who takes scheduled calls: the plan calendar giving their working hours and the slot length. An engineer without a row uses their tier's calendar and 30-minute slots.",
    columns: {
      user_id: text("The engineer (users.id)"),
      calendar_id: text("Plan calendar id whose open hours (holidays included) are the engineer's working hours"),
      slot_minutes: integer("Length of one call slot in minutes"),
      active: boolean("Whether the engineer offers slots at all"),
      updated_at: updatedAt,
    },
  },
  scheduled_calls: {
    meaning:
      "A call booked with an engineer about a ticket, from the portal or by an agent. Its invitation (ICS) keeps one UID (the id) and a sequence raised by each reschedule and by the cancellation; reminders and the start are timers of subject `scheduled_call`. At most one booked call per engineer and start (partial unique index).",
    columns: {
      id: text("UUIDv7; also the invitation's UID"),
      organization_id: text("Customer organization the call is for (the ticket's)"),
      ticket_id: text("Ticket the call is about; a held call is logged on it"),
      ticket_number: bigint("That ticket's number, as the invitation and lists show it"),
      engineer_user_id: text("Engineer who holds the call (users.id)"),
      booked_by_user_id: text("Who booked it: the customer or an agent"),
      attendee_user_id: text("Customer user invited, when a user; null for a requester known only by address"),
      attendee_email: text("Address the invitation goes to"),
      attendee_name: text("Attendee's display name in the invitation"),
      time_zone: text("IANA zone of the booker, in which mails show the time"),
      topic: text("What the call is about (invitation summary)"),
      starts_at: timestamp("Booked start"),
      ends_at: timestamp("Booked end (start plus the slot length)"),
      status: text("booked, cancelled, held or no_show"),
      sequence: integer("ICS SEQUENCE of the last invitation sent: 0, then +1 per reschedule or cancellation"),
      reminder_minutes: json("Minutes before the start at which reminders go out (array)"),
      outcome_note: text("What the engineer noted when recording held or no_show"),
      outcome_at: timestamp("When the outcome was recorded"),
      outcome_by_user_id: text("Who recorded the outcome"),
      cancelled_at: timestamp("When it was cancelled"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  mailboxes: {
    meaning:
      "Addresses Plantão takes mail for: the SMTP listener accepts mail to them, and those with IMAP settings are polled.",
    columns: {
      id: text("Id (UUIDv7)"),
      address: text("The mailbox's address, lower case; unique"),
      organization_id: text("Organization its mail belongs to when the sender is not known (null: decided per sender)"),
      team: text("Team new tickets from this mailbox go to (null: the routing rules decide)"),
      imap: json(
        "IMAP settings {host, port, tls, user, folder}; null when mail arrives only through the SMTP listener",
      ),
      imap_password: text("The IMAP password, sealed with the secret key (never returned)"),
      enabled: boolean("Whether mail to it is taken in (and its IMAP folder polled)"),
      uid_validity: text(
        "UIDVALIDITY of the polled folder when last_uid was read; a new value restarts from the first UID",
      ),
      last_uid: bigint("Highest IMAP UID taken in: polling resumes after it"),
      poll_owner: text("Node that holds the polling lease"),
      poll_until: timestamp("When the polling lease ends unless renewed"),
      last_polled_at: timestamp("When the folder was last read completely"),
      last_error: text("The last polling failure, cleared by a good poll"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  mail_messages: {
    meaning:
      "Every mail taken in, once per mailbox (by Message-ID and IMAP UID), with the ticket and message it became; the raw message stays in the attachment store.",
    columns: {
      id: text("Id (UUIDv7)"),
      mailbox_id: text("Mailbox it arrived at"),
      message_id: text("Its Message-ID header, with angle brackets; null when it had none"),
      via: text("smtp (the listener) or imap (polling)"),
      imap_uid: text("UIDVALIDITY:UID of the polled message; null through SMTP"),
      sender: text("The From address, lower case"),
      subject: text("Subject as decoded"),
      subject_key: text("The subject without reply prefixes, lower case: the mail-bomb guard groups a burst by it"),
      ticket_id: text("Ticket it was stored on; null when it was refused or dropped"),
      ticket_message_id: text("The ticket message it became"),
      outcome: text(
        "opened (a new ticket), threaded, reopened, linked (new ticket linked to a closed one), dropped or failed",
      ),
      automatic: text(
        "Why it counts as automatic (auto-submitted, x-autoreply, precedence, x-loop, own-sender, bounce); null for a person's mail",
      ),
      quoted: text("Quoted history cut from the message body (folded in the view)"),
      raw_sha256: text("SHA-256 of the raw message in the attachment store"),
      raw_size: integer("Size of the raw message in bytes"),
      received_at: timestamp("When it was taken in"),
    },
  },
  mail_intake_log: {
    meaning:
      "What the mail intake did with each mail and each fault (malformed, too large, rate-limited, IMAP errors), for administrators.",
    columns: {
      id: text("Id (UUIDv7, in order)"),
      mailbox_id: text("Mailbox concerned; null for mail refused before a mailbox was known"),
      at: timestamp("When it happened"),
      level: text("info, warn or error"),
      event: text(
        "What happened: opened, threaded, reopened, linked, automatic, rate_limited, duplicate, attachment_refused, malformed, refused, poll_failed…",
      ),
      sender: text("The mail's sender, when known"),
      subject: text("The mail's subject, when known"),
      ticket_id: text("Ticket concerned, when any"),
      detail: text("Explanation in English for the administrator"),
    },
  },
  mail_domain_rules: {
    meaning: "Mail from senders of a domain who are not known users or contacts opens tickets for this organization.",
    columns: {
      domain: text("The sender's domain, lower case"),
      organization_id: text("Organization their tickets belong to"),
      created_at: createdAt,
    },
  },
  kb_categories: {
    meaning:
      "Knowledge-base categories (a tree: a category may sit under another), shown in the help centre and the console.",
    columns: {
      id: text("UUIDv7 of the category"),
      parent_id: text("Category this one sits under; null at the top"),
      name: text("Name in pt-BR"),
      name_en: text("Name in English; null shows the pt-BR name"),
      description: text("What belongs here (may be empty)"),
      position: integer("Order among its siblings, ascending"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  kb_articles: {
    meaning:
      "Knowledge-base articles (Markdown): one row per language of an article; the pt-BR and English rows of one article share a translation group. `title`/`body` are the latest version (the working copy); readers see `published_version`.",
    columns: {
      id: text("UUIDv7 of the article (`kb:<id>` and /help/articles/<id> link to it)"),
      translation_group_id: text("Shared by the translations of one article (the id of the first one)"),
      locale: text("`pt-BR` or `en`"),
      title: text("Title of the latest version"),
      body: text("Markdown of the latest version"),
      audience: text("Who may read it: `public`, `customers`, `support`, `admins` or `internal`"),
      purpose: text("`procedure`, `faq`, `video`, `manual`, `problem-solution` or `lesson`"),
      status: text(
        "State of the latest version: `draft`, `review` (waiting for an admin or manager), `published` or `archived`",
      ),
      version: integer("Number of the latest version (1, 2…)"),
      published_version: integer("Version readers see; null while never published"),
      category_id: text("Category; null for none"),
      organization_id: text("For `customers` articles: the one customer organization that may read it; null for all"),
      owner_id: text("User who keeps the article up to date"),
      created_by: text("User who created it"),
      review_note: text("Reviewer's note when a submission was sent back to draft"),
      published_at: timestamp("When a version was last published"),
      archived_at: timestamp("When it was archived; null while not"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  kb_article_versions: {
    meaning: "Every saved version of an article (title and Markdown), for history and diffs.",
    columns: {
      id: text("UUIDv7 of the version"),
      article_id: text("The article"),
      version: integer("Version number within the article, from 1"),
      title: text("Title at this version"),
      body: text("Markdown at this version"),
      status: text("State the version was saved in (`draft`, `review`, `published`)"),
      author_id: text("User who saved it"),
      note: text("What changed, as the author put it"),
      created_at: createdAt,
    },
  },
  kb_article_tags: {
    meaning: "Tags of an article (lower case), for filtering and related articles.",
    columns: {
      article_id: text("The article"),
      tag: text("The tag, lower case"),
    },
  },
  kb_article_links: {
    meaning:
      "Links an article's latest version makes to other articles (`kb:<id>`, /help/articles/<id>) and tickets (`ticket:<number>`), for backlinks.",
    columns: {
      article_id: text("The linking article"),
      target_kind: text("`article` or `ticket`"),
      target_id: text("Article id or ticket number linked to"),
    },
  },
  kb_search_documents: {
    meaning:
      "The search text of each readable article's published version, normalised by the app (NFKD, accents removed, lower case, Snowball stems, no stop words); indexed by FTS5 (`kb_search`) on SQLite and a weighted tsvector column on PostgreSQL.",
    columns: {
      id: serial("Integer key (the FTS5 rowid)"),
      article_id: text("The article"),
      title_terms: text("Normalised terms of the title"),
      body_terms: text("Normalised terms of the body (Markdown syntax removed)"),
      title_trigrams: integer("How many distinct trigrams the title has (for the similarity of the typo fallback)"),
    },
  },
  kb_title_trigrams: {
    meaning:
      "Trigrams of each readable article's title (accents removed, lower case, not stemmed): the fallback that finds a title despite typos, the same on both engines.",
    columns: {
      trigram: text("Three characters of a title word, padded with spaces at word start and end"),
      article_id: text("The article"),
    },
  },
  kb_search_postings: {
    meaning:
      "The search index's terms per readable article with their weight, in weight order per term and per first three characters: which words the index knows (titles are looked up by trigrams only for the others), and on PostgreSQL the bounded set of candidates a search ranks.",
    columns: {
      term: text("A normalised term (stem, accents removed, lower case) of the article's published title or body"),
      prefix: text("The term's first three characters, to complete a word being typed"),
      document_id: bigint("The article's search document (`kb_search_documents.id`)"),
      weight: real("Sum over the term's occurrences of 1 in the title and 0.4 in the body"),
    },
  },
  chat_sites: {
    meaning:
      "Sites where the live chat widget is embedded (the provider's sites, the portal): each with its own HMAC key for visitor identities and the plan calendar of its attended hours.",
    columns: {
      id: text("UUIDv7 of the site; the widget's `data-site`"),
      name: text("Display name"),
      organization_id: text("Organization a chat from this site belongs to (unless the visitor is a portal user)"),
      secret: text("HMAC-SHA256 key of visitor identifiers, sealed (AES-256-GCM) with the secret key"),
      visitors: text(
        "`verified` (every visitor signed by the site's backend) or `anonymous` (the server may sign a random identifier)",
      ),
      calendar: text("Plan calendar of attended hours; null: the plan's business calendar"),
      origins: json("Origins allowed to embed the widget (scheme://host[:port]); empty for any"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  chat_conversations: {
    meaning:
      "Live chat conversations between a visitor and agents; a closed one becomes a ticket with its transcript (or joins the visitor's open ticket).",
    columns: {
      id: text("UUIDv7 of the conversation"),
      site_id: text("Site the widget ran on"),
      organization_id: text("Organization the conversation (and its ticket) belongs to"),
      visitor_id: text("The visitor's identifier, as signed with the site's key"),
      visitor_name: text("Name from the pre-chat form"),
      visitor_email: text("Email from the pre-chat form"),
      subject: text("Subject from the pre-chat form"),
      locale: text("Visitor's language: `pt-BR` or `en`"),
      status: text("`waiting` (no agent yet), `active` (an agent accepted) or `closed`"),
      assignee_user_id: text("Agent answering; null while waiting"),
      ticket_id: text("Ticket holding the transcript once closed; null before"),
      last_seq: integer("Cursor of the conversation's last event (events are numbered 1, 2, 3…)"),
      created_at: createdAt,
      updated_at: updatedAt,
      closed_at: timestamp("When the conversation was closed"),
    },
  },
  chat_events: {
    meaning:
      "Every event of a conversation under its monotonic cursor `seq`: messages, files, accepts, transfers, the close. Clients replay from their last cursor after a reconnect.",
    columns: {
      conversation_id: text("Conversation"),
      seq: integer("Cursor: 1, 2, 3… per conversation, in commit order"),
      kind: text("`message`, `attachment`, `accepted`, `transferred`, `closed`"),
      author_kind: text("`visitor`, `agent` or `system`"),
      author_user_id: text("Agent who wrote it; null for the visitor and the system"),
      author_name: text("Name shown for the author"),
      client_id: text("The sender's message id: a repeated post returns the first event (idempotency)"),
      body: text("Text of a message; the agent's name for accepted/transferred"),
      attachment: json("A file sent: {filename, contentType, size, sha256} in the ticket attachment store"),
      created_at: createdAt,
    },
  },
  chat_rate_buckets: {
    meaning:
      "The chat widget's rate-limit token buckets, one per site, visitor and address, shared by every node on the database; a bucket idle long enough to be full again is deleted.",
    columns: {
      key: text("What is limited: the limiter's name with the site, visitor and address"),
      tokens: real("Tokens left after the last request"),
      at: bigint("When the bucket was last refilled, in milliseconds since the epoch"),
      taken: boolean("Whether the last request found a token"),
    },
  },
  pbx_connections: {
    meaning:
      "PBX connections over the Asterisk Manager Interface (AMI): where to log in, the agents' extensions, and which node holds the one live session (a lease; another node takes over when it lapses).",
    columns: {
      id: text("UUIDv7 of the connection"),
      name: text("Display name"),
      host: text("AMI host name or address"),
      port: integer("AMI TCP port (5038 by default)"),
      username: text("AMI user (manager.conf section)"),
      secret: text("The AMI secret, sealed with the secret key (AES-256-GCM); never returned by the API"),
      enabled: boolean("Whether a node keeps a session open"),
      extensions: json('Agents\' PBX interfaces to their staff emails, e.g. {"PJSIP/1001": "ana@provider"}'),
      originate_context: text("Dialplan context click-to-call Originate dials the customer in"),
      lease_owner: text("Node id holding the AMI session; null when none"),
      lease_until: timestamp("Until when the holder's lease runs; a node takes the connection over after it"),
      state: text("The holder's session: connecting, connected, disconnected (standby: nobody holds it)"),
      last_error: text("Why the last session failed (refused login, connection lost); null when fine"),
      connected_at: timestamp("When the current session logged in"),
      created_by: text("User who created the connection; the actor of tickets the AMI opens"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  calls: {
    meaning:
      "The call log: one row per call from the PBX (AMI events or the call-event webhook), matched to an organization and contact by caller id, with the ticket it was logged on and, for a missed call, its callback task (a `call_callback` timer).",
    columns: {
      id: text("UUIDv7 of the call"),
      external_id: text("The PBX's id of the call: the webhook's callId, or ami:<connection>:<Linkedid>; unique"),
      source: text("webhook or ami"),
      pbx_connection_id: text("The AMI connection it came through; null for the webhook"),
      direction: text("inbound (a customer called) or outbound (an agent called out, click-to-call)"),
      from_number: text("Caller id as the PBX sent it"),
      to_number: text("Dialled number or extension as the PBX sent it"),
      caller_key: text("The customer side's number in E.164 with the Brazilian ninth digit: the matching key"),
      queue: text("PBX queue the call went through"),
      organization_id: text("Organization matched by number (DIDs, contacts' phones); null for an unknown number"),
      contact: json("The matched contact {name, email?, phone?}; null when only the organization matched"),
      agent_user_id: text("Staff user who answered (or was rung last, or called out)"),
      status: text("ringing, answered, completed (answered and hung up) or missed (hung up unanswered, or abandoned)"),
      ringing_at: timestamp("When it first rang"),
      answered_at: timestamp("When it was answered"),
      ended_at: timestamp("When it hung up"),
      duration_seconds: integer("Talk time: answer to hangup (or the CDR's billable seconds)"),
      recording_url: text("The PBX's recording of the call"),
      ticket_id: text("Ticket the call was logged on (or that a missed call opened or joined)"),
      message_id: text("The phone_call (or internal note) message that logged it"),
      callback_status: text(
        "A missed call's callback task: pending, overdue (its timer ran out) or done; null for none",
      ),
      callback_due_at: timestamp("When the callback is due (the plan's L1 response target on its calendar)"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  call_events: {
    meaning:
      "Each call step received (ringing, answered, hangup), once per call and key: a step sent again (a webhook retry, an AMI replay after a reconnect) finds its row and changes nothing.",
    columns: {
      id: text("UUIDv7 of the step"),
      call_id: text("The call"),
      event_key: text("The step's identity within the call: the event, and for AMI ringing the agent's interface"),
      event: text("ringing, answered or hangup"),
      at: timestamp("When the PBX says it happened"),
      payload: json("The step as received (normalised fields)"),
      received_at: timestamp("When Plantão received it"),
    },
  },
};

// The knowledge base around its articles (migration 0035), kept apart from the core entries for easier merges.
Object.assign(dataDictionary, {
  kb_attachments: {
    meaning:
      "Files attached to a knowledge-base article (images its Markdown shows, documents it links to; PNG, JPEG, WebP, GIF, PDF or ZIP, checked by their first bytes): metadata only, the bytes live on disk named by their SHA-256; visible to whoever may read the article.",
    columns: {
      id: text("UUIDv7 of the attachment"),
      article_id: text("Article the file belongs to (its audience decides who may download it)"),
      filename: text("File name given at upload, offered when downloading"),
      content_type: text("Media type from the file's magic bytes"),
      size: bigint("Size in bytes"),
      sha256: text("SHA-256 of the bytes: the file's name on disk and its strong ETag"),
      uploaded_by: text("Id of the user who uploaded it"),
      created_at: createdAt,
    },
  },
  kb_videos: {
    meaning:
      "Video tutorials of a knowledge-base article (MP4 or WebM, checked by their first bytes): metadata only, the bytes live on disk named by their SHA-256; visible to whoever may read the article.",
    columns: {
      id: text("UUIDv7 of the video"),
      article_id: text("Article the video belongs to (its audience decides who may watch)"),
      title: text("Title shown with the player"),
      filename: text("File name given at upload"),
      content_type: text("`video/mp4` or `video/webm`, from the file's magic bytes"),
      size: bigint("Size in bytes"),
      sha256: text("SHA-256 of the bytes: the file's name on disk and its strong ETag"),
      poster_type: text("Poster frame image type (`image/png`, `image/jpeg`, `image/webp`); null without a poster"),
      poster_sha256: text("SHA-256 of the poster image on disk; null without a poster"),
      uploaded_by: text("Id of the user who uploaded it"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  kb_video_captions: {
    meaning: "WebVTT captions of a video, one per language.",
    columns: {
      video_id: text("The video"),
      lang: text("BCP 47 language tag of the track (`pt-BR`, `en`)"),
      label: text("Name the player shows for the track"),
      vtt: text("The WebVTT text"),
      updated_at: updatedAt,
    },
  },
  kb_deflections: {
    meaning:
      "Suggestion sessions of the new-ticket form: what a customer typed, the articles suggested and opened, and whether they left without opening the ticket (`deflected`), said an article solved it (`solved`) or opened the ticket anyway (`submitted`).",
    columns: {
      id: text("UUIDv7 of the session record"),
      user_id: text("The customer user; null for an anonymous visitor"),
      organization_id: text("The user's organization"),
      query: text("The ticket subject typed (at most 500 characters)"),
      shown_article_ids: json("Ids of the articles suggested"),
      opened_article_ids: json("Ids of the suggested articles the user opened"),
      outcome: text("`deflected`, `solved` or `submitted`"),
      ticket_number: bigint("Number of the ticket opened anyway (outcome `submitted`)"),
      created_at: createdAt,
    },
  },
  kb_feedback: {
    meaning: '"Did this help?" answers on articles, one per signed-in user and article (anonymous ones each a row).',
    columns: {
      id: text("UUIDv7 of the answer"),
      article_id: text("The article"),
      user_id: text("Who answered; null for an anonymous reader of a public article"),
      helpful: boolean("Whether it helped"),
      comment: text("Optional comment (empty when none)"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  kb_reviews: {
    meaning:
      "When an article is due for review; a timer reminds its owner through the notifications outbox, and past-due articles are listed as stale.",
    columns: {
      article_id: text("The article"),
      review_at: timestamp("When the next review is due"),
      reviewed_at: timestamp("When it was last reviewed"),
      reviewed_by: text("Who last reviewed it"),
      reminded_at: timestamp("When the owner was last reminded of this due date"),
      updated_at: updatedAt,
    },
  },
  kb_article_sources: {
    meaning: "Tickets and incidents a problem/solution article was drafted from.",
    columns: {
      article_id: text("The article"),
      source_type: text("`ticket` or `incident`"),
      source_id: text("Id of the ticket or incident"),
      created_at: createdAt,
    },
  },
  kb_tracks: {
    meaning:
      'Training tracks and manuals per profile: an ordered list of articles and videos (`manual`), or a "what\'s new" track fed by release notes (change records, or the articles of a category).',
    columns: {
      id: text("UUIDv7 of the track"),
      title: text("Title"),
      description: text("What the track teaches"),
      profile: text("`administrator`, `end-user`, `support-l1`, `support-l2` or `support-l3`"),
      kind: text("`manual` (its items) or `whats-new` (release notes)"),
      category_id: text(
        "For a what's-new track: the category whose articles are its release notes; null: change records",
      ),
      locale: text("Language of the track (`pt-BR` or `en`)"),
      position: integer("Order among the tracks of its profile"),
      created_by: text("Id of the user who created it"),
      created_at: createdAt,
      updated_at: updatedAt,
    },
  },
  kb_track_items: {
    meaning: "The ordered articles and videos of a manual track.",
    columns: {
      track_id: text("The track"),
      position: integer("Order in the track, from 0"),
      item_kind: text("`article` or `video`"),
      item_id: text("Id of the article or video"),
    },
  },
  kb_track_progress: {
    meaning: "Which items of a track each user completed, and when.",
    columns: {
      track_id: text("The track"),
      user_id: text("The user"),
      item_kind: text("`article`, `video` or `change` (a release note)"),
      item_id: text("Id of the item"),
      completed_at: timestamp("When the user marked it done"),
    },
  },
} satisfies Record<string, TableMeaning>);

/** The type a column of `kind` has on `engine`, as the migrations create it. */
export function engineType(kind: ColumnKind, engine: Engine): string {
  // dialect.serialId: an autoincrement integer key on SQLite, a bigint identity on PostgreSQL.
  if (kind === "serial") return engine === "postgres" ? "bigint" : "integer";
  if (kind === "timestamp" || kind === "json" || kind === "boolean" || kind === "bytes")
    return String(dialectFor(engine).types[kind]);
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
