import type { Platform } from "../../platform/runtime.js";
import type { AuditService } from "../audit/service.js";
import type { DirectoryService } from "../identity/directory.js";
import type { NotificationService } from "../notifications/service.js";
import type { PlanService } from "../plan/service.js";
import { TicketRepository } from "../tickets/repository.js";
import type { TicketService } from "../tickets/service.js";
import type { TimerService } from "../timers/service.js";
import { SchedulingRepository } from "./repository.js";
import { SchedulingService } from "./service.js";

/** Scheduled calls over the directory (engineers, attendees), tickets, the plan's calendars, timers and the outbox. */
export function createScheduling(
  platform: Platform,
  deps: {
    audit: AuditService;
    directory: DirectoryService;
    tickets: TicketService;
    notifications: NotificationService;
    timers: TimerService;
    plan: PlanService;
  },
): SchedulingService {
  const { db, dialect, events, clock, config } = platform;
  const { directory } = deps;
  return new SchedulingService({
    repo: new SchedulingRepository(db, dialect),
    tickets: new TicketRepository(db, dialect),
    prepareTicketMessage: (actor, message, req) => deps.tickets.prepareMessage(actor, message, req),
    users: {
      get: (id) => directory.getUser(id).catch(() => undefined),
      agents: async () => {
        const out = [];
        for (let after: string | undefined; ; ) {
          const page = await directory.listUsers({ limit: 500, after }, { role: "agent" });
          out.push(...page);
          if (page.length < 500) return out;
          after = page.at(-1)!.id;
        }
      },
    },
    plan: async () => (await deps.plan.current()).document,
    timers: deps.timers,
    notifier: deps.notifications,
    events,
    audit: deps.audit,
    clock,
    publicUrl: config.publicUrl,
  });
}
