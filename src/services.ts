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
import { probeTypes } from "./modules/monitoring/checks/index.js";
import { MonitoringRepository } from "./modules/monitoring/repository.js";
import { MonitoringService } from "./modules/monitoring/service.js";
import { PlanRepository } from "./modules/plan/repository.js";
import { PlanService } from "./modules/plan/service.js";
import { RunbookRepository } from "./modules/runbooks/repository.js";
import { RunbookService } from "./modules/runbooks/service.js";
import { AttachmentRepository, AttachmentStore } from "./modules/tickets/attachments.js";
import { TicketLinkRepository } from "./modules/tickets/links-repository.js";
import { TicketRepository } from "./modules/tickets/repository.js";
import { TicketService } from "./modules/tickets/service.js";
import { WebhookRepository } from "./modules/webhooks/repository.js";
import { WebhookService } from "./modules/webhooks/service.js";
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
  monitoring: MonitoringService;
  backups: Backups;
  runbooks: RunbookService;
}

export function createServices(platform: Platform): Services {
  const auditRepo = new AuditRepository(platform.db, platform.dialect);
  const audit = new AuditService(auditRepo, platform.clock);
  const identityRepo = new IdentityRepository(platform.db, platform.dialect);
  const publicUrl = platform.config.publicUrl;
  const authentication = new AuthenticationService({
    repo: identityRepo,
    audit,
    clock: platform.clock,
    secrets: platform.secrets,
    mailer: platform.mailer,
    log: platform.log.child({ part: "identity" }),
    publicUrl,
  });
  const directory = new DirectoryService({
    repo: identityRepo,
    audit,
    clock: platform.clock,
    authentication,
    publicUrl,
  });
  const plan = new PlanService(
    new PlanRepository(platform.db, platform.dialect),
    audit,
    platform.events,
    platform.clock,
  );
  const tickets = new TicketService(
    new TicketRepository(platform.db, platform.dialect),
    directory,
    audit,
    platform.events,
    platform.clock,
    plan,
    platform.jobs,
    (mail) =>
      platform.mailer.send(mail).catch((err) => platform.log.warn({ err, to: mail.to }, "notification mail failed")),
    new TicketLinkRepository(platform.db),
    {
      repo: new AttachmentRepository(platform.db),
      store: new AttachmentStore(platform.config.attachmentsDir),
      maxBytes: platform.config.attachmentMaxBytes,
    },
  );
  const webhooks = new WebhookService(
    new WebhookRepository(platform.db, platform.dialect),
    platform.jobs,
    platform.events,
    platform.clock,
    platform.secrets,
    audit,
    platform.log.child({ part: "webhooks" }),
  );
  const runbooks = new RunbookService(
    new RunbookRepository(platform.db, platform.dialect),
    plan,
    audit,
    platform.events,
    platform.clock,
  );
  const backups = createBackups(platform, audit, plan);
  const monitoring = new MonitoringService(
    new MonitoringRepository(platform.db, platform.dialect),
    platform.jobs,
    platform.events,
    platform.clock,
    audit,
    platform.secrets,
    platform.log.child({ part: "monitoring" }),
    {
      nodeId: platform.config.nodeId,
      concurrency: platform.config.monitorConcurrency,
      leaseMs: platform.config.monitorLeaseMs,
      retention: platform.config.monitorRetention,
    },
    Object.values(probeTypes),
    platform.database.listen,
  );
  return { auditRepo, audit, authentication, directory, tickets, plan, webhooks, runbooks, backups, monitoring };
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
  // restic 0.14 has no lock retry: a locked repository is retried by the queue.
  const retry = { maxAttempts: LOCK_ATTEMPTS, backoffMs: lockBackoffMs };
  jobs.register<RunPayload>(RUN_JOB, (job) => runner.runQueued(job), retry);
  jobs.register<ScheduledPayload>(
    SCHEDULED_JOB,
    ({ payload, ...job }) =>
      payload.operation === "restore-test"
        ? restoreTests.runScheduled({ ...job, payload })
        : runner.runScheduled({ ...job, payload }),
    retry,
  );
  jobs.register<RestoreTestPayload>(RESTORE_TEST_JOB, (job) => restoreTests.runQueued(job), retry);
  jobs.register(RPO_JOB, () => rpo.evaluate(), { maxAttempts: 1 });
  return { jobs: backupJobs, runner, restoreTests, rpo };
}
