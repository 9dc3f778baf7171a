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
import { DirectoryService } from "./modules/identity/directory.js";
import { IdentityRepository } from "./modules/identity/repository.js";
import { AuthenticationService } from "./modules/identity/service.js";
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
import {
  deliveryRetryMs,
  MAX_ATTEMPTS as NOTIFICATION_ATTEMPTS,
  DELIVER_JOB as NOTIFICATION_JOB,
  NotificationService,
} from "./modules/notifications/service.js";
import { PlanRepository } from "./modules/plan/repository.js";
import { PlanService } from "./modules/plan/service.js";
import { RunbookRepository } from "./modules/runbooks/repository.js";
import { RunbookService } from "./modules/runbooks/service.js";
import { AttachmentRepository, AttachmentStore } from "./modules/tickets/attachments.js";
import { TicketLinkRepository } from "./modules/tickets/links-repository.js";
import { TicketRepository } from "./modules/tickets/repository.js";
import { DEADLINE_JOB, TicketService } from "./modules/tickets/service.js";
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
  plan: PlanService;
  webhooks: WebhookService;
  notifications: NotificationService;
  monitoring: MonitoringService;
  backups: Backups;
  runbooks: RunbookService;
  timers: TimerService;
  metrics: MetricsService;
  alerts: AlertsService;
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
    options: { publicUrl: config.publicUrl },
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
    monitors: async () =>
      (await monitoring.list({ limit: 100_000 })).map((m) => ({
        id: m.id,
        name: m.name,
        type: m.type,
        status: m.state?.status ?? null,
        severity: typeof m.settings.severity === "string" ? m.settings.severity : undefined,
      })),
    notifier: notifications,
    jobs,
    clock,
    log: platform.log.child({ part: "alerts" }),
    options: { publicUrl: config.publicUrl },
  });
  const alerts = new AlertsService({ repo: alertsRepo, engine: alertEngine, metrics, clock, audit });
  const services = {
    auditRepo,
    audit,
    authentication,
    directory,
    tickets,
    plan,
    webhooks,
    notifications,
    runbooks,
    backups,
    monitoring,
    timers,
    metrics,
    alerts,
  };
  registerJobHandlers(jobs, services);
  return services;
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

  // One notification outbox row to its channel, retried from 30 s doubling to hourly.
  jobs.register<{ id: string }>(NOTIFICATION_JOB, (job) => s.notifications.deliver(job), {
    maxAttempts: NOTIFICATION_ATTEMPTS,
    backoffMs: deliveryRetryMs,
  });

  // Metrics: one scrape per target and time slot; roll-ups to 5 minutes and 1 hour. Alerts: every rule each 15 s.
  jobs.register<{ targetId: string }>(SCRAPE_JOB, (job) => s.metrics.scrapeJob(job), { maxAttempts: 1 });
  jobs.register(METRICS_ROLLUP_JOB, () => s.metrics.rollUp(), { maxAttempts: 1 });
  jobs.register(EVALUATE_JOB, () => s.alerts.engine.tick().then(() => undefined), { maxAttempts: 1 });

  // Monitoring aggregates: hourly roll-up; nightly daily roll-up and retention.
  jobs.register(ROLLUP_JOB, () => s.monitoring.rollUpHours());
  jobs.register(RETENTION_JOB, () => s.monitoring.rollUpDaysAndPrune());

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
}
