import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { roleAllows } from "../identity/roles.js";
import type { TimerService } from "../timers/service.js";
import { type EscalationService, LINK_TTL_MS } from "./escalations.js";
import { verifyLink } from "./links.js";
import { stepsOf, TIMER } from "./page-model.js";
import { mayMeetPage, pageSubjectsHiddenFrom } from "./recipients.js";
import type { OncallRepository, PageRow } from "./repository.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

/**
 * Pages as people meet them: listed and shown in the UI and the API, acknowledged there or by the signed link of
 * a mail (once per link, audited). The paging itself (steps, timers, messages) is the EscalationService's; this
 * side only reads pages and asks it to mark one acknowledged.
 */
export class PageDesk {
  private readonly repo: OncallRepository;
  private readonly escalations: EscalationService;
  private readonly timers: TimerService;
  private readonly directory: DirectoryService;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  readonly #key: Buffer;

  constructor(deps: {
    repo: OncallRepository;
    escalations: EscalationService;
    timers: TimerService;
    directory: DirectoryService;
    audit: AuditService;
    clock: Clock;
    signingKey: Buffer;
  }) {
    this.repo = deps.repo;
    this.escalations = deps.escalations;
    this.timers = deps.timers;
    this.directory = deps.directory;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.#key = deps.signingKey;
  }

  async get(actor: Actor, id: string) {
    return this.present(await this.visiblePage(actor, id));
  }

  /** Pages the actor may meet: a security incident's only for the security role and admins. */
  async list(actor: Actor, page: { limit: number; before?: string; status?: string; userId?: string }) {
    const rows = await this.repo.listPages({ ...page, hideSubjectTypes: pageSubjectsHiddenFrom(actor.role) });
    return Promise.all(rows.map((r) => this.present(r)));
  }

  /** A page by id, not found for someone who may not meet its subject (its existence is not told either). */
  private async visiblePage(actor: Actor, id: string): Promise<PageRow> {
    const page = await this.repo.findPage(id);
    if (!page || !mayMeetPage(actor.role, page.subject_type)) throw Problem.notFound("Page");
    return page;
  }

  /** Acknowledges through the API or the UI: by someone the page told, or who may change monitoring. */
  async acknowledgePage(actor: Actor, id: string, req: RequestInfo) {
    await this.visiblePage(actor, id);
    const paged = await this.repo.wasPaged(id, actor.userId);
    if (!paged && !roleAllows(actor.role, "monitoring", "write")) {
      throw new Problem(
        403,
        "forbidden",
        "Forbidden",
        "Only someone this page told, or an operator, may acknowledge it",
      );
    }
    // Names are read after the transaction: on SQLite it holds the only connection.
    const refused = await this.repo.transaction(async (trx) => {
      const current = (await this.repo.findPage(id, trx))!;
      if (!(await this.escalations.markAcknowledged(trx, current, actor.userId))) return current;
      await this.audit.record(
        {
          action: "oncall.page.acknowledged",
          actor,
          target: { type: "page", id },
          request: req,
          details: { via: "api" },
        },
        trx,
      );
      return null;
    });
    if (refused) throw await this.notAcknowledgeable((await this.repo.findPage(id)) ?? refused);
    return { page: await this.present((await this.repo.findPage(id))!), outcome: "acknowledged" as const };
  }

  /** What a mailed link shows before it is used: the page, and whether the link still works. */
  async previewLink(token: string) {
    const { delivery, page, expiresAt } = await this.openLink(token);
    return {
      page: {
        title: page.title,
        severity: page.severity,
        status: page.status,
        acknowledgedAt: page.acknowledged_at,
        acknowledgedBy: page.acknowledged_by ? await this.nameOf(page.acknowledged_by) : null,
      },
      recipient: delivery.user_id ? await this.nameOf(delivery.user_id) : null,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** Acknowledges by a mailed link, without logging in: once per link, before it expires. */
  async acknowledgeByLink(token: string, req: RequestInfo) {
    const { delivery, page } = await this.openLink(token);
    const refused = await this.repo.transaction(async (trx) => {
      const current = (await this.repo.findPage(page.id, trx))!;
      if (current.status !== "triggered") return current;
      if (!(await this.repo.consumeLink(delivery.id, this.clock.now().toISOString(), trx))) throw linkUsed();
      if (!(await this.escalations.markAcknowledged(trx, current, delivery.user_id!))) return current;
      await this.audit.record(
        {
          action: "oncall.page.acknowledged",
          actorLabel: `link:${delivery.user_id}`,
          target: { type: "page", id: page.id },
          request: req,
          details: { via: "link", deliveryId: delivery.id, userId: delivery.user_id },
        },
        trx,
      );
      return null;
    });
    if (refused) throw await this.notAcknowledgeable(refused);
    const after = (await this.repo.findPage(page.id))!;
    return { outcome: "acknowledged" as const, title: after.title, acknowledgedAt: after.acknowledged_at! };
  }

  private async openLink(token: string) {
    const parsed = verifyLink(this.#key, token);
    if (!parsed) {
      throw new Problem(
        400,
        "page-link-invalid",
        "This acknowledgement link is not valid",
        "The link was changed or cut; open the page in Plantão instead",
      );
    }
    if (parsed.expiresAt <= this.clock.now().getTime()) {
      throw new Problem(
        410,
        "page-link-expired",
        "This acknowledgement link has expired",
        `Links work for ${LINK_TTL_MS / 3_600_000} hours; open the page in Plantão instead`,
      );
    }
    const delivery = await this.repo.findDelivery(parsed.deliveryId);
    const page = delivery ? await this.repo.findPage(delivery.page_id) : undefined;
    if (!delivery || !page || !delivery.user_id) throw Problem.notFound("Page");
    if (delivery.link_used_at) throw linkUsed(delivery.link_used_at);
    return { delivery, page, expiresAt: parsed.expiresAt };
  }

  private async notAcknowledgeable(page: PageRow): Promise<Problem> {
    if (page.status === "resolved") {
      return new Problem(409, "page-resolved", "The page is over", `It was resolved at ${page.resolved_at}`);
    }
    const who = page.acknowledged_by ? await this.nameOf(page.acknowledged_by) : null;
    return new Problem(
      409,
      "page-already-acknowledged",
      "The page was already acknowledged",
      `Acknowledged${who ? ` by ${who}` : ""} at ${page.acknowledged_at}`,
    );
  }

  private async nameOf(userId: string): Promise<string | null> {
    return (await this.directory.getUser(userId).catch(() => null))?.name ?? null;
  }

  private async present(page: PageRow) {
    const timer = page.status === "resolved" ? null : await this.timers.get({ type: "page", id: page.id }, TIMER);
    return {
      id: page.id,
      subject: { type: page.subject_type, id: page.subject_id },
      policyId: page.policy_id,
      severity: page.severity,
      title: page.title,
      url: page.url,
      summary: page.summary,
      status: page.status,
      step: page.step,
      round: page.round,
      steps: stepsOf(page).length,
      nextEscalationAt: timer?.status === "running" ? timer.dueAt : null,
      escalatedAt: page.escalated_at,
      exhaustedAt: page.exhausted_at,
      acknowledgedAt: page.acknowledged_at,
      acknowledgedBy: page.acknowledged_by
        ? { id: page.acknowledged_by, name: await this.nameOf(page.acknowledged_by) }
        : null,
      resolvedAt: page.resolved_at,
      createdAt: page.created_at,
    };
  }
}

const linkUsed = (at?: string | null) =>
  new Problem(
    409,
    "page-link-used",
    "This acknowledgement link was already used",
    at ? `It was used at ${at}; each link works once` : "Each link works once",
  );
