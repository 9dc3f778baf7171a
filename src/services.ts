import { AlertEngine, EVALUATE_JOB } from "./modules/alerts/engine.js";
import { AlertsRepository } from "./modules/alerts/repository.js";
import { AlertsService } from "./modules/alerts/service.js";
import { AuditRepository } from "./modules/audit/repository.js";
import { AuditService } from "./modules/audit/service.js";
import { BackupJobService } from "./modules/backups/jobs-service.js";
import {
  type Backups,
  LOCK_ATTEMPTS,
  lockBackoffMs,
  RESTORE_TEST_JOB,
  type RestoreTestPayload,
  RPO_JOB,
  RUN_JOB,
  type RunPayload,
  SCHEDULED_JOB,
  type ScheduledPayload,
} from "./modules/backups/model.js";
import { BackupRepository } from "./modules/backups/repository.js";
import { ResticAccess } from "./modules/backups/restic-access.js";
import { RestoreTestService } from "./modules/backups/restore-tests.js";
import { RpoService } from "./modules/backups/rpo.js";
import { BackupRunner } from "./modules/backups/runner.js";
import { createChat } from "./modules/chat/module.js";
import type { ChatModule } from "./modules/chat/routes.js";
import { CHAT_TICKET_JOB } from "./modules/chat/service.js";
import { DirectoryService } from "./modules/identity/directory.js";
import { IdentityRepository } from "./modules/identity/repository.js";
import { AuthenticationService } from "./modules/identity/service.js";
import { type AlertJob, ALERT_JOB as INCIDENT_ALERT_JOB } from "./modules/incidents/alert-intake.js";
import { PAGE_ACK_JOB, RESOLVE_TICKETS_JOB, type ResolveTicketsPayload } from "./modules/incidents/service.js";
import { createIncidents, type Incidents } from "./modules/incidents/wiring.js";
import { articlesPort } from "./modules/kb/articles-adapter.js";
import { createKbExtras } from "./modules/kb/extras-module.js";
import type { KbExtras } from "./modules/kb/extras-routes.js";
import { createKbModule, type KbModule } from "./modules/kb/module.js";
import { REINDEX_LINKING_JOB } from "./modules/kb/service.js";
import { createMailModule, type MailModule } from "./modules/mail/module.js";
import { MetricsRepository } from "./modules/metrics/repository.js";
import {
  defaultRetention,
  ROLLUP_JOB as METRICS_ROLLUP_JOB,
  MetricsService,
  SCRAPE_JOB,
} from "./modules/metrics/service.js";
import { probeTypes } from "./modules/monitoring/checks/index.js";
import { MonitoringRepository } from "./modules/monitoring/repository.js";
import { MonitoringService, RETENTION_JOB, ROLLUP_JOB } from "./modules/monitoring/service.js";
import { Mailer } from "./modules/notifications/mailer.js";
import { NotificationRepository } from "./modules/notifications/repository.js";
import { DELIVER_JOB as NOTIFICATION_JOB, NotificationService } from "./modules/notifications/service.js";
import type { EscalationService } from "./modules/oncall/escalations.js";
import { createOncall } from "./modules/oncall/module.js";
import type { PageDesk } from "./modules/oncall/pages.js";
import type { EscalationPolicyService } from "./modules/oncall/policies.js";
import type { RotationService } from "./modules/oncall/rotations.js";
import { PlanRepository } from "./modules/plan/repository.js";
import { PlanService } from "./modules/plan/service.js";
import { RunbookRepository } from "./modules/runbooks/repository.js";
import { RunbookService } from "./modules/runbooks/service.js";
import { createScheduling } from "./modules/scheduling/module.js";
import type { SchedulingService } from "./modules/scheduling/service.js";
import { createStatusModule, type StatusModule } from "./modules/status/module.js";
import { CallerDirectory } from "./modules/telephony/callers.js";
import { PbxService } from "./modules/telephony/pbx-service.js";
import { TelephonyRepository } from "./modules/telephony/repository.js";
import { CallService } from "./modules/telephony/service.js";
import { AttachmentRepository, AttachmentStore } from "./modules/tickets/attachments.js";
import { TicketAudience } from "./modules/tickets/audience.js";
import { TicketBulkService } from "./modules/tickets/bulk-service.js";
import { CannedResponseRepository, CannedResponseService } from "./modules/tickets/canned-responses.js";
import { CsatRepository } from "./modules/tickets/csat-repository.js";
import { CsatService } from "./modules/tickets/csat-service.js";
import { FcrRepository } from "./modules/tickets/fcr-repository.js";
import { FcrService } from "./modules/tickets/fcr-service.js";
import { TicketLinkRepository } from "./modules/tickets/links-repository.js";
import { PortalRepository } from "./modules/tickets/portal-repository.js";
import { PortalService } from "./modules/tickets/portal-service.js";
import { PresenceRepository, PresenceService } from "./modules/tickets/presence.js";
import { QueueRepository } from "./modules/tickets/queue-repository.js";
import type { TicketConsole } from "./modules/tickets/queue-routes.js";
import { TicketQueueService } from "./modules/tickets/queue-service.js";
import { TicketRepository } from "./modules/tickets/repository.js";
import { DEADLINE_JOB, TicketService } from "./modules/tickets/service.js";
import { TicketNotifications } from "./modules/tickets/ticket-notifications.js";
import { TicketViewService } from "./modules/tickets/views-service.js";
import { TimerRepository } from "./modules/timers/repository.js";
import { FIRE_JOB, type FirePayload, RECALENDAR_JOB, TimerService } from "./modules/timers/service.js";
import { WebhookRepository } from "./modules/webhooks/repository.js";
import {
  DELIVER_JOB,
  type DeliverPayload,
  deliveryBackoffMs,
  MAX_ATTEMPTS,
  WebhookService,
} from "./modules/webhooks/service.js";
import { ManualClock } from "./platform/clock.js";
import type { JobQueue } from "./platform/jobs/queue.js";
import type { Platform } from "./platform/runtime.js";

/** The domain services over one platform; the HTTP app and the CLI both build on this. */
export interface Services {
  auditRepo: AuditRepository;
  audit: AuditService;
  authentication: AuthenticationService;
  directory: DirectoryService;
  tickets: TicketService;
  /** The agent console over tickets: queues, workload, saved views, bulk actions. */
  ticketConsole: TicketConsole;
  plan: PlanService;
  webhooks: WebhookService;
  notifications: NotificationService;
  monitoring: MonitoringService;
  backups: Backups;
  runbooks: RunbookService;
  timers: TimerService;
  metrics: MetricsService;
  alerts: AlertsService;
  rotations: RotationService;
  escalationPolicies: EscalationPolicyService;
  escalations: EscalationService;
  pages: PageDesk;
  cannedResponses: CannedResponseService;
  presence: PresenceService;
  incidents: Incidents;
  csat: CsatService;
  fcr: FcrService;
  portal: PortalService;
  /** The staff ticket routes' policy: customers get the portal's shapes or are refused. */
  ticketAudience: TicketAudience;
  status: StatusModule & { start(): void };
  scheduledCalls: SchedulingService;
  /** Inbound email: mailboxes, the SMTP listener and IMAP polling into tickets. */
  mail: MailModule;
  kb: KbModule;
  /** Live chat: sites, conversations, and the tickets finished chats become. */
  chat: ChatModule;
  kbExtras: KbExtras;
  /** The phone channel: calls from the PBX (AMI or the webhook) and the PBX connections. */
  telephony: { calls: CallService; pbx: PbxService };
}

export function createServices(platform: Platform): Services {
  const { db, dialect, jobs, events, clock, secrets, config } = platform;
  const auditRepo = new AuditRepository(db, dialect);
  const audit = new AuditService({ repo: auditRepo, clock });
  const webhooks = new WebhookService({
    repo: new WebhookRepository(db, dialect),
    jobs,
    events,
    fanOut: platform.fanOut,
    clock,
    secrets,
    audit,
    log: platform.log.child({ part: "webhooks" }),
  });
  const mailer = new Mailer(config.smtpUrl, config.mailFrom, platform.log.child({ part: "mail" }), {
    maxConnections: Math.min(config.jobConcurrency, 5),
  });
  platform.onClose(() => mailer.close());
  const notifications = new NotificationService({
    repo: new NotificationRepository(db, dialect),
    jobs,
    events,
    clock,
    mailer,
    webhooks,
    audit,
    log: platform.log.child({ part: "notifications" }),
    options: {
      publicUrl: config.publicUrl,
      // The plan service is made below; this runs only once deliveries start.
      ticketTag: async () => (await plan.current()).document.email?.ticketTag ?? "#",
      // Sent and not yet recorded, at most: enough to keep the pool (up to 5) busy while a group is recorded.
      delivery: { window: 4 * config.jobConcurrency, batch: 100, leaseMs: config.jobLeaseMs },
    },
  });
  const identityRepo = new IdentityRepository(db, dialect);
  const publicUrl = config.publicUrl;
  const authentication = new AuthenticationService({
    repo: identityRepo,
    audit,
    clock,
    secrets,
    notifier: notifications,
    log: platform.log.child({ part: "identity" }),
    publicUrl,
  });
  const directory = new DirectoryService({ repo: identityRepo, audit, clock, authentication, publicUrl });
  const plan = new PlanService({ repo: new PlanRepository(db, dialect), audit, events, clock });
  const timers = new TimerService({
    repo: new TimerRepository(db, dialect),
    jobs,
    clock,
    plan,
    log: platform.log.child({ part: "timers" }),
  });
  // A new plan version may change calendars: the timers follow it.
  events.subscribe((event) => timers.onEvent(event));
  const tickets = new TicketService({
    repo: new TicketRepository(db, dialect),
    directory,
    audit,
    events,
    clock,
    plan,
    timers,
    notifier: notifications,
    links: new TicketLinkRepository(db),
    attachments: {
      repo: new AttachmentRepository(db),
      store: new AttachmentStore(config.attachmentsDir),
      maxBytes: config.attachmentMaxBytes,
    },
  });
  // The agent console around a ticket: its notifications, canned responses and the collision warning.
  new TicketNotifications({
    repo: new TicketRepository(db, dialect),
    links: new TicketLinkRepository(db),
    directory,
    notifier: notifications,
    timers,
    jobs,
    fanOut: platform.fanOut,
    clock,
    publicUrl,
    slaOf: (t) => tickets.slaOf(t),
  });
  const cannedResponses = new CannedResponseService({
    repo: new CannedResponseRepository(db),
    tickets,
    directory,
    audit,
    clock,
  });
  const presence = new PresenceService({ repo: new PresenceRepository(db), tickets, directory, events, clock });
  const { csat, fcr, portal } = createSupportQuality(platform, { tickets, directory, notifications, timers, plan });
  const ticketConsole: TicketConsole = {
    queue: new TicketQueueService(new QueueRepository(db, dialect), clock, plan),
    views: new TicketViewService(db, clock),
    bulk: new TicketBulkService(db, tickets, platform.log.child({ part: "tickets" })),
  };
  const runbooks = new RunbookService({ repo: new RunbookRepository(db, dialect), plan, audit, events, clock });
  const backups = createBackups(platform, audit, plan);
  const monitoring = new MonitoringService({
    repo: new MonitoringRepository(db, dialect),
    jobs,
    events,
    clock,
    audit,
    secrets,
    log: platform.log.child({ part: "monitoring" }),
    options: {
      nodeId: config.nodeId,
      concurrency: config.monitorConcurrency,
      leaseMs: config.monitorLeaseMs,
      // A test's manual clock is the time itself; any other clock is this machine's, moved onto the database's.
      sharedClock: !(clock instanceof ManualClock),
      retention: config.monitorRetention,
    },
    probes: Object.values(probeTypes),
    listen: platform.database.listen,
  });
  const metrics = new MetricsService({
    repo: new MetricsRepository(db, dialect),
    jobs,
    clock,
    audit,
    log: platform.log.child({ part: "metrics" }),
    options: { nodeId: config.nodeId, retention: defaultRetention },
  });
  const alertsRepo = new AlertsRepository(db, dialect);
  const alertEngine = new AlertEngine({
    repo: alertsRepo,
    metrics,
    monitors: () => monitoring.statuses(),
    notifier: notifications,
    events,
    jobs,
    timers,
    clock,
    log: platform.log.child({ part: "alerts" }),
    options: { publicUrl: config.publicUrl },
  });
  const alerts = new AlertsService({ repo: alertsRepo, engine: alertEngine, metrics, clock, audit });
  // On-call rotations, escalation policies and pages.
  const { rotations, escalationPolicies, escalations, pages, pager } = createOncall(platform, {
    directory,
    plan,
    audit,
    notifications,
    timers,
  });
  const incidents = createIncidents(platform, { audit, plan, timers, tickets, directory, authentication });
  // An incident of a paging severity pages the on-call; acknowledgements go both ways.
  incidents.setPager(pager);
  // Status page, components, maintenance windows and change records; incidents with their public updates.
  const status = createStatusModule(platform, {
    audit,
    monitoring,
    alerts,
    notifications,
    timers,
    plan,
    directory,
    incidents: incidents.statusSource,
  });
  // An alert's incident affects the components of its monitors and service, and their customers (and a
  // monitor's own organization), so those customers are told as the plan's procedure says.
  incidents.setComponentCheck(async (ids) => {
    const known = new Set((await status.components.list()).map((c) => c.id));
    return ids.filter((id) => !known.has(id));
  });
  incidents.setAffectedResolver(async ({ monitorIds, service }) => {
    const components = await status.components.affectedBy({ monitorIds, service });
    const organizationIds = new Set(components.flatMap((c) => c.organizationIds));
    for (const id of monitorIds) {
      const monitor = await monitoring.get(id).catch(() => null);
      if (monitor?.organizationId) organizationIds.add(monitor.organizationId);
    }
    return { componentIds: components.map((c) => c.id), organizationIds: [...organizationIds] };
  });
  // Scheduled calls with L2/L3 engineers: slots from their calendars, ICS invitations, reminders on timers.
  const scheduledCalls = createScheduling(platform, { audit, directory, tickets, notifications, timers, plan });
  const mail = createMailModule(platform, { audit, tickets, directory, notifications, plan });
  // Knowledge base: articles, categories, search and the public help centre.
  const kb = createKbModule(platform, { audit });
  const chat = createChat(platform, { tickets, directory, plan });
  // Around the articles: videos, suggestions, problem/solution drafts, feedback and upkeep, training tracks.
  const kbExtras = createKbExtras(platform, {
    articles: articlesPort({
      repo: kb.repo,
      articles: kb.articles,
      search: (reader, q, limit) => kb.search.suggest(reader, { q, limit }),
    }),
    audit,
    tickets,
    portal,
    incidents,
    status,
    directory,
    timers,
    notifications,
    mediaChanged: () => kb.help.invalidate(),
  });
  // The help centre plays a public article's videos (the core knows no videos: they are built on it).
  kb.help.showVideos((articleId) => kbExtras.videos.list(null, { articleId, limit: 20 }));
  const telephony = createTelephony(platform, { tickets, directory, timers, plan, audit });
  const services = {
    scheduledCalls,
    mail,
    chat,
    telephony,
    incidents,
    status,
    kb,
    kbExtras,
    auditRepo,
    audit,
    authentication,
    directory,
    tickets,
    ticketConsole,
    plan,
    webhooks,
    notifications,
    runbooks,
    backups,
    monitoring,
    timers,
    metrics,
    alerts,
    rotations,
    escalationPolicies,
    escalations,
    pages,
    cannedResponses,
    presence,
    csat,
    fcr,
    portal,
    ticketAudience: new TicketAudience(tickets, portal),
  };
  registerJobHandlers(jobs, services);
  return services;
}

/** Satisfaction surveys, first-contact resolution and the customer portal; the first two fed by the event fan-out. */
function createSupportQuality(
  platform: Platform,
  s: Pick<Services, "tickets" | "directory" | "notifications" | "timers" | "plan">,
) {
  const { db, dialect, events, clock, secrets, config } = platform;
  const ticketRows = new TicketRepository(db, dialect);
  const organizationName = async (id: string) =>
    (await s.directory.getOrganization(id).catch(() => undefined))?.name ?? id;
  const csat = new CsatService({
    repo: new CsatRepository(db),
    tickets: ticketRows,
    notifier: s.notifications,
    timers: s.timers,
    events,
    clock,
    secrets,
    publicUrl: config.publicUrl,
    userName: async (id) => (await s.directory.getUser(id).catch(() => undefined))?.name ?? id,
    organizationName,
  });
  const fcr = new FcrService({
    repo: new FcrRepository(db),
    tickets: ticketRows,
    plan: s.plan,
    clock,
    organizationName,
  });
  platform.fanOut.register("tickets.csat", (batch, trx) => csat.onEvents(batch, trx));
  platform.fanOut.register("tickets.fcr", (batch, trx) => fcr.record(batch, trx));
  const portal = new PortalService({
    repo: new PortalRepository(db, dialect),
    tickets: s.tickets,
    ticketRows,
    directory: s.directory,
    csat,
    plan: s.plan,
  });
  return { csat, fcr, portal };
}

/** The phone channel: the call service (fed by the webhook and the AMI sessions) and the PBX connections. */
function createTelephony(
  platform: Platform,
  s: Pick<Services, "tickets" | "directory" | "timers" | "plan" | "audit">,
): Services["telephony"] {
  const { db, dialect, events, clock, secrets, config } = platform;
  const repo = new TelephonyRepository(db, dialect);
  const log = platform.log.child({ part: "telephony" });
  const calls = new CallService({
    repo,
    callers: new CallerDirectory(s.directory),
    tickets: s.tickets,
    timers: s.timers,
    plan: s.plan,
    events,
    clock,
    log,
  });
  const pbx = new PbxService({
    repo,
    calls,
    tickets: s.tickets,
    directory: s.directory,
    audit: s.audit,
    secrets,
    clock,
    log,
    nodeId: config.nodeId,
  });
  platform.onClose(() => pbx.stop());
  return { calls, pbx };
}

function createBackups(platform: Platform, audit: AuditService, plan: PlanService): Backups {
  const { db, dialect, jobs, events, clock, secrets, config } = platform;
  const repo = new BackupRepository(db, dialect);
  const log = platform.log.child({ part: "backups" });
  const access = new ResticAccess({ repo, clock, secrets, log, dataDir: config.dataDir });
  const backupJobs = new BackupJobService({ repo, access, jobs, clock, audit, plan });
  const where = { dataDir: config.dataDir, databaseUrl: config.databaseUrl };
  const runner = new BackupRunner({
    repo,
    access,
    backupJobs,
    jobs,
    events,
    clock,
    secrets,
    audit,
    plan,
    log,
    ...where,
  });
  const restoreTests = new RestoreTestService({ repo, access, backupJobs, jobs, events, clock, audit, ...where });
  const rpo = new RpoService({ repo, jobs, events, clock, timezone: config.timezone });
  return { jobs: backupJobs, runner, restoreTests, rpo };
}

/**
 * Every background job of the domain, in one place: its kind, handler and retry policy. Cron schedules that
 * enqueue them are set by the services' `start()` or when what they schedule is saved (a backup job's
 * schedules); the queue's own housekeeping (`jobs.prune`) belongs to the platform.
 */
function registerJobHandlers(jobs: JobQueue, s: Services): void {
  // A timer's instant (warning or due) is reached; the plan's calendars changed under running timers.
  jobs.register<FirePayload>(FIRE_JOB, (job) => s.timers.fire(job.payload));
  jobs.register<{ version: number }>(RECALENDAR_JOB, async (job) => {
    await s.timers.followPlan(job.payload.version);
  });

  // Deadline jobs queued before tickets moved onto timers: a ticket's next SLA instant (warning, breach, escalation step) is due.
  jobs.register<{ ticketId: string }>(DEADLINE_JOB, (job) => s.tickets.onDeadline(job.payload.ticketId));

  // One signed POST of an event to a webhook, retried on the webhook backoff.
  jobs.register<DeliverPayload>(DELIVER_JOB, (job) => s.webhooks.deliver(job), {
    maxAttempts: MAX_ATTEMPTS,
    backoffMs: deliveryBackoffMs,
  });

  // The notification outbox: sends every due row in batches (each row keeps its own retries); the job itself
  // fails only when the database does, and is then retried on the default backoff.
  jobs.register(NOTIFICATION_JOB, (job) => s.notifications.deliver(job), { maxAttempts: 20 });

  // Metrics: one scrape per target and time slot; roll-ups to 5 minutes and 1 hour. Alerts: every rule each 15 s.
  jobs.register<{ targetId: string }>(SCRAPE_JOB, (job) => s.metrics.scrapeJob(job), { maxAttempts: 1 });
  jobs.register(METRICS_ROLLUP_JOB, () => s.metrics.rollUp(), { maxAttempts: 1 });
  jobs.register(EVALUATE_JOB, () => s.alerts.engine.tick().then(() => undefined), { maxAttempts: 1 });

  // Incidents: an alert opens or joins one; a page acknowledged on-call acknowledges it; a resolution reaches linked tickets.
  jobs.register<AlertJob>(INCIDENT_ALERT_JOB, (job) => s.incidents.alertIntake.onJob(job.payload));
  jobs.register<{ incidentId: string; userId: string }>(PAGE_ACK_JOB, (job) =>
    s.incidents.process
      .acknowledge({ userId: job.payload.userId }, job.payload.incidentId, { fromPage: true })
      .then(() => undefined),
  );
  jobs.register<ResolveTicketsPayload>(RESOLVE_TICKETS_JOB, (job) =>
    s.incidents.process.resolveLinkedTickets(job.payload),
  );

  // Monitoring aggregates: hourly roll-up; nightly daily roll-up and retention.
  jobs.register(ROLLUP_JOB, () => s.monitoring.measurements.rollUpHours());
  jobs.register(RETENTION_JOB, () => s.monitoring.measurements.rollUpDaysAndPrune());

  // Backups: restic 0.14 has no lock retry, so a locked repository is retried by the queue.
  const { runner, restoreTests, rpo } = s.backups;
  const retry = { maxAttempts: LOCK_ATTEMPTS, backoffMs: lockBackoffMs };
  jobs.register<RunPayload>(RUN_JOB, (job) => runner.runQueued(job), retry);
  // A schedule's tick: an operation for the runner, or a restore test (which is not a run).
  jobs.register<ScheduledPayload>(
    SCHEDULED_JOB,
    ({ payload, ...job }) =>
      payload.operation === "restore-test"
        ? restoreTests.runScheduled({ ...job, payload })
        : runner.runScheduled({ ...job, payload }),
    retry,
  );
  jobs.register<RestoreTestPayload>(RESTORE_TEST_JOB, (job) => restoreTests.runQueued(job), retry);
  // Every 5 minutes: alert once when a job's RPO is exceeded, and when it recovers.
  jobs.register(RPO_JOB, () => rpo.evaluate(), { maxAttempts: 1 });

  // Knowledge base: once, after migration 0049, the published articles linking to articles are indexed again.
  jobs.register(REINDEX_LINKING_JOB, () => s.kb.articles.reindexLinking().then(() => undefined));

  // Live chat: a closed conversation's transcript becomes a ticket (or joins the visitor's open one).
  jobs.register<{ conversationId: string }>(CHAT_TICKET_JOB, (job) =>
    s.chat.ticketing.toTicket(job.payload.conversationId),
  );
}
