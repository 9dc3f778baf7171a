import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import type { DirectoryService } from "../identity/directory.js";
import type { TimerService } from "../timers/service.js";
import type { EscalationService } from "./escalations.js";
import {
  type EscalatePayload,
  escalated,
  type FirstStep,
  newPage,
  nextStep,
  type PageInput,
  stepsOf,
  TIMER,
  triggered,
} from "./page-model.js";
import { PageRecipients, type Recipients } from "./recipients.js";
import type { OncallRepository, PageRow, PolicyRow } from "./repository.js";
import type { RotationService } from "./rotations.js";
import type { Step } from "./schemas.js";

/**
 * A page's first step in its subject's opening transaction: who the step reaches is read before it
 * (`prepareFirstStep`), and the pages of subjects new in that transaction are written already at that step
 * (`pageNew`, a burst of alerts opening incidents), with their events, messages, deliveries and the timers of
 * their next steps; from there the escalations run the page as any other.
 */
export class FirstStepPaging {
  private readonly repo: OncallRepository;
  private readonly recipients: PageRecipients;
  private readonly escalations: EscalationService;
  private readonly timers: TimerService;
  private readonly events: EventBus;
  private readonly clock: Clock;

  constructor(deps: {
    repo: OncallRepository;
    rotations: RotationService;
    directory: DirectoryService;
    escalations: EscalationService;
    timers: TimerService;
    events: EventBus;
    clock: Clock;
  }) {
    this.repo = deps.repo;
    this.recipients = new PageRecipients({ rotations: deps.rotations, directory: deps.directory, clock: deps.clock });
    this.escalations = deps.escalations;
    this.timers = deps.timers;
    this.events = deps.events;
    this.clock = deps.clock;
  }

  /**
   * Before the caller's transaction: the policy `page` will use and who its first step reaches now. Null when no
   * policy applies or no step would run (then `page` decides as it always does).
   */
  async prepareFirstStep(
    input: Pick<PageInput, "policyId" | "severity" | "customers"> & { subjectType: string },
  ): Promise<FirstStep | null> {
    const policy = input.policyId
      ? await this.repo.findPolicy(input.policyId)
      : await this.repo.defaultPolicy(input.severity);
    if (!policy) return null;
    const steps = JSON.parse(policy.steps) as Step[];
    const target = nextStep(steps, policy.repeat, { step: -1, round: 0 }, "triggered");
    if (!target) return null;
    const customers = JSON.stringify(input.customers ?? []);
    const who = await this.recipients.of(
      { customers, subject_type: input.subjectType },
      steps[target.step]!,
      target.round,
    );
    return { policyId: policy.id, steps: policy.steps, recipients: { target, ...who } };
  }

  /**
   * `page` for subjects created in the caller's transaction, which can have no page yet, each with its first step
   * prepared: the pages are written already at that step, with their events, messages, deliveries and the timers
   * of their next steps, in a few statements for them all (a burst of alerts opening incidents). A page whose
   * policy changed since its step was prepared goes through `page`.
   */
  async pageNew(
    trx: Kysely<DB>,
    pages: readonly {
      input: PageInput;
      /** What `prepareFirstStep` gave. */
      first: unknown;
    }[],
  ): Promise<{ pageId: string }[]> {
    const policies = new Map<string, PolicyRow | undefined>();
    const now = this.clock.now();
    const out: { pageId: string }[] = [];
    const ready: { row: PageRow; recipients: Recipients }[] = [];
    for (const [i, page] of pages.entries()) {
      const input = page.input;
      const first = page.first as FirstStep;
      const key = input.policyId ? `id:${input.policyId}` : `default:${input.severity}`;
      if (!policies.has(key)) {
        const policy = input.policyId
          ? await this.repo.findPolicy(input.policyId, trx)
          : await this.repo.defaultPolicy(input.severity, trx);
        policies.set(key, policy);
      }
      const policy = policies.get(key);
      if (!policy || first.policyId !== policy.id || first.steps !== policy.steps) {
        out[i] = await this.escalations.page(input, trx, first);
        continue;
      }
      const { target } = first.recipients;
      const row = {
        ...newPage(input, policy, now),
        step: target.step,
        round: target.round,
        escalated_at: now.toISOString(),
      };
      ready.push({ row, recipients: first.recipients });
      out[i] = { pageId: row.id };
    }
    if (!ready.length) return out;
    const inserted = await this.repo.insertPages(
      ready.map((r) => r.row),
      trx,
    );
    // A new subject has no page; one found means the caller's subject was not new: nothing of it may commit.
    if (inserted !== ready.length) throw new Error("a page of a new subject existed already");
    await this.events.publishMany(
      ready.map((r) => triggered(r.row)),
      trx,
    );
    const told = await this.escalations.tellAll(
      trx,
      ready.map(({ row, recipients }) => ({
        page: row,
        step: stepsOf(row)[recipients.target.step]!,
        at: recipients.target,
        recipients,
      })),
      now,
    );
    await this.events.publishMany(
      ready
        .filter((r) => r.recipients.target.step > 0 || r.recipients.target.round > 0)
        .map(({ row, recipients }) => escalated(row, recipients.target, "start")),
      trx,
    );
    // As the escalations' `runStep`: the next step after the step's wait, or at once when nobody was told.
    await this.timers.startNew(
      trx,
      ready.map(({ row, recipients }, i) => ({
        subject: { type: "page", id: row.id },
        name: TIMER,
        at: new Date(now.getTime() + (told[i]! > 0 ? stepsOf(row)[recipients.target.step]!.waitMinutes * 60_000 : 0)),
        payload: { from: recipients.target, reason: told[i]! > 0 ? "timeout" : "nobody" } satisfies EscalatePayload,
      })),
    );
    return out;
  }
}
