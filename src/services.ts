import { AlertEngine } from "./modules/alerts/engine.js";
import { AlertsRepository } from "./modules/alerts/repository.js";
import { AlertsService } from "./modules/alerts/service.js";
import { AuditRepository } from "./modules/audit/repository.js";
import { AuditService } from "./modules/audit/service.js";
import { BackupRepository } from "./modules/backups/repository.js";
import { BackupService } from "./modules/backups/service.js";
import { IdentityRepository } from "./modules/identity/repository.js";
import { IdentityService } from "./modules/identity/service.js";
import { MetricsRepository } from "./modules/metrics/repository.js";
import { defaultRetention, MetricsService } from "./modules/metrics/service.js";
import { probeTypes } from "./modules/monitoring/checks/index.js";
import { MonitoringRepository } from "./modules/monitoring/repository.js";
import { MonitoringService } from "./modules/monitoring/service.js";
import { NotificationRepository } from "./modules/notifications/repository.js";
import { NotificationService } from "./modules/notifications/service.js";
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
  identity: IdentityService;
  tickets: TicketService;
  plan: PlanService;
  webhooks: WebhookService;
  notifications: NotificationService;
  monitoring: MonitoringService;
  backups: BackupService;
  runbooks: RunbookService;
  metrics: MetricsService;
  alerts: AlertsService;
}

export function createServices(platform: Platform): Services {
  const auditRepo = new AuditRepository(platform.db, platform.dialect);
  const audit = new AuditService(auditRepo, platform.clock);
  const webhooks = new WebhookService(
    new WebhookRepository(platform.db, platform.dialect),
    platform.jobs,
    platform.events,
    platform.clock,
    platform.secrets,
    audit,
    platform.log.child({ part: "webhooks" }),
  );
  const notifications = new NotificationService(
    new NotificationRepository(platform.db, platform.dialect),
    platform.jobs,
    platform.events,
    platform.clock,
    platform.mailer,
    webhooks,
    audit,
    platform.log.child({ part: "notifications" }),
    { publicUrl: platform.config.publicUrl },
  );
  const identity = new IdentityService(
    new IdentityRepository(platform.db, platform.dialect),
    audit,
    platform.clock,
    platform.secrets,
    notifications,
    platform.log.child({ part: "identity" }),
    undefined,
    platform.config.publicUrl,
  );
  const plan = new PlanService(
    new PlanRepository(platform.db, platform.dialect),
    audit,
    platform.events,
    platform.clock,
  );
  const tickets = new TicketService(
    new TicketRepository(platform.db, platform.dialect),
    identity,
    audit,
    platform.events,
    platform.clock,
    plan,
    platform.jobs,
    notifications,
    new TicketLinkRepository(platform.db),
    {
      repo: new AttachmentRepository(platform.db),
      store: new AttachmentStore(platform.config.attachmentsDir),
      maxBytes: platform.config.attachmentMaxBytes,
    },
  );
  const runbooks = new RunbookService(
    new RunbookRepository(platform.db, platform.dialect),
    plan,
    audit,
    platform.events,
    platform.clock,
  );
  const backups = new BackupService(
    new BackupRepository(platform.db, platform.dialect),
    platform.jobs,
    platform.events,
    platform.clock,
    platform.secrets,
    audit,
    plan,
    platform.log.child({ part: "backups" }),
    { dataDir: platform.config.dataDir, databaseUrl: platform.config.databaseUrl, timezone: platform.config.timezone },
  );
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
  const metrics = new MetricsService(
    new MetricsRepository(platform.db, platform.dialect),
    platform.jobs,
    platform.clock,
    audit,
    platform.log.child({ part: "metrics" }),
    { nodeId: platform.config.nodeId, retention: defaultRetention },
  );
  const alertsRepo = new AlertsRepository(platform.db, platform.dialect);
  const alertEngine = new AlertEngine(
    alertsRepo,
    metrics,
    async () =>
      (await monitoring.list({ limit: 100_000 })).map((m) => ({
        id: m.id,
        name: m.name,
        type: m.type,
        status: m.state?.status ?? null,
        severity: typeof m.settings.severity === "string" ? m.settings.severity : undefined,
      })),
    notifications,
    platform.jobs,
    platform.clock,
    platform.log.child({ part: "alerts" }),
    { publicUrl: platform.config.publicUrl },
  );
  const alerts = new AlertsService(alertsRepo, alertEngine, metrics, platform.clock, audit);
  return {
    auditRepo,
    audit,
    identity,
    tickets,
    plan,
    webhooks,
    notifications,
    runbooks,
    backups,
    monitoring,
    metrics,
    alerts,
  };
}
