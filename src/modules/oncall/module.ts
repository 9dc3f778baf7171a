import type { Platform } from "../../platform/runtime.js";
import type { AuditService } from "../audit/service.js";
import type { DirectoryService } from "../identity/directory.js";
import type { NotificationService } from "../notifications/service.js";
import type { PlanService } from "../plan/service.js";
import type { TimerService } from "../timers/service.js";
import { EscalationService } from "./escalations.js";
import { FirstStepPaging } from "./first-steps.js";
import { PageDesk } from "./pages.js";
import { EscalationPolicyService } from "./policies.js";
import { OncallRepository } from "./repository.js";
import { RotationService } from "./rotations.js";

/** The on-call module's services, and the paging other modules call (the incidents' pager). */
export interface Oncall {
  rotations: RotationService;
  escalationPolicies: EscalationPolicyService;
  escalations: EscalationService;
  pages: PageDesk;
  /** Pages of subjects: started and stopped by the escalations, a new subject's first step by the first-step paging. */
  pager: Pick<EscalationService, "page" | "acknowledge" | "resolve"> &
    Pick<FirstStepPaging, "prepareFirstStep" | "pageNew">;
}

export function createOncall(
  platform: Platform,
  deps: {
    directory: DirectoryService;
    plan: PlanService;
    audit: AuditService;
    notifications: NotificationService;
    timers: TimerService;
  },
): Oncall {
  const { db, dialect, events, clock, secrets, config } = platform;
  const { directory, plan, audit, timers } = deps;
  const repo = new OncallRepository(db, dialect);
  const rotations = new RotationService({ repo, directory, plan, audit, clock });
  const escalationPolicies = new EscalationPolicyService({ repo, plan, audit, clock });
  // One key signs the acknowledgement links the page mails carry and checks them when they are opened.
  const pageLinks = secrets.derive("page-links");
  // Pages: each wait is a `page` timer, each message goes through the outbox, a failed one moves the page on.
  const escalations = new EscalationService({
    repo,
    rotations,
    policies: escalationPolicies,
    directory,
    notifications: deps.notifications,
    timers,
    plan,
    events,
    audit,
    clock,
    log: platform.log.child({ part: "oncall" }),
    publicUrl: config.publicUrl,
    signingKey: pageLinks,
  });
  // A new subject's page at its first step, in the subject's opening transaction (a burst of incidents at once).
  const firstSteps = new FirstStepPaging({ repo, rotations, directory, escalations, timers, events, clock });
  // Pages in the UI and API, and their acknowledgement links.
  const pages = new PageDesk({
    repo,
    escalations,
    timers,
    directory,
    audit,
    clock,
    signingKey: pageLinks,
  });
  return {
    rotations,
    escalationPolicies,
    escalations,
    pages,
    pager: {
      page: (input, trx, first) => escalations.page(input, trx, first),
      acknowledge: (input, trx) => escalations.acknowledge(input, trx),
      resolve: (input, trx) => escalations.resolve(input, trx),
      prepareFirstStep: (input) => firstSteps.prepareFirstStep(input),
      pageNew: (trx, pages) => firstSteps.pageNew(trx, pages),
    },
  };
}
