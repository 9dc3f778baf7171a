import { join } from "node:path";
import type { Platform } from "../../platform/runtime.js";
import type { AuditService } from "../audit/service.js";
import type { DirectoryService } from "../identity/directory.js";
import type { NotificationService } from "../notifications/service.js";
import type { PlanService } from "../plan/service.js";
import { AttachmentStore } from "../tickets/attachments.js";
import type { TicketService } from "../tickets/service.js";
import { ImapPoller, POLL_MAILBOX_JOB, POLL_TICK_JOB } from "./imap.js";
import { MailIntake } from "./intake.js";
import { MailRepository } from "./repository.js";
import { MailboxService } from "./service.js";
import { SmtpIntake } from "./smtp.js";

export interface MailModule {
  mailboxes: MailboxService;
  intake: MailIntake;
  poller: ImapPoller;
  /** The SMTP listener; started only when PLANTAO_MAIL_INTAKE_PORT is set. */
  smtp: SmtpIntake;
  /** Starts the listener (when configured) and the polling schedule; returns the listener's port. */
  start(timezone: string): Promise<number | undefined>;
}

/** Inbound email: mailboxes, the SMTP listener, IMAP polling, and the intake that files mail onto tickets. */
export function createMailModule(
  platform: Platform,
  deps: {
    audit: AuditService;
    tickets: TicketService;
    directory: DirectoryService;
    notifications: NotificationService;
    plan: PlanService;
  },
): MailModule {
  const { db, dialect, clock, secrets, config, jobs } = platform;
  const repo = new MailRepository(db, dialect);
  const log = platform.log.child({ part: "mail-intake" });
  let provider: string | undefined;
  const intake: MailIntake = new MailIntake({
    repo,
    tickets: deps.tickets,
    directory: deps.directory,
    notifications: deps.notifications,
    plan: deps.plan,
    raw: new AttachmentStore(join(config.attachmentsDir, "mail")),
    clock,
    mailFrom: config.mailFrom,
    attachmentMaxBytes: config.attachmentMaxBytes,
    providerOrganizationId: async () => {
      provider ??= (await deps.directory.listOrganizations({ limit: 1 }, {})).find((o) => o.kind === "provider")?.id;
      if (!provider) throw new Error("no provider organization yet");
      return provider;
    },
  });
  const mailboxes = new MailboxService({
    repo,
    directory: deps.directory,
    audit: deps.audit,
    secrets,
    clock,
    onChange: () => intake.forget(),
  });
  const poller = new ImapPoller({ repo, intake, secrets, jobs, clock, log, nodeId: config.nodeId });
  const smtp = new SmtpIntake({ intake, repo, config: config.mailIntake, log });
  jobs.register(POLL_TICK_JOB, () => poller.tick());
  jobs.register<{ mailboxId: string }>(
    POLL_MAILBOX_JOB,
    async (job) => {
      await poller.poll(job.payload.mailboxId, job.signal);
    },
    { maxAttempts: 1 },
  );
  platform.onClose(() => smtp.stop());
  return {
    mailboxes,
    intake,
    poller,
    smtp,
    async start(timezone) {
      await jobs.schedule(POLL_TICK_JOB, POLL_TICK_JOB, "* * * * *", timezone);
      return config.mailIntake.port === undefined ? undefined : smtp.start();
    },
  };
}
