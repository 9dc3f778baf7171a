import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { Notifier } from "../notifications/service.js";
import type { TimerService } from "../timers/service.js";
import type { ArticleBrief, ArticlesPort } from "./articles-port.js";
import type { KbExtrasRepository, ReviewRow } from "./extras-repository.js";
import type { FeedbackService } from "./feedback.js";
import type { RequestInfo } from "./videos.js";

/** The review reminder: one absolute timer per article, at its review date. */
export const REVIEW_TIMER = { type: "kb-article", name: "review" } as const;
/** A reviewed article is due again after this many days unless the reviewer says otherwise. */
export const DEFAULT_REVIEW_DAYS = 180;
const DAY = 86_400_000;

export const presentReview = (r: ReviewRow | undefined, now: Date) => ({
  reviewAt: r?.review_at ?? null,
  reviewedAt: r?.reviewed_at ?? null,
  reviewedBy: r?.reviewed_by ?? null,
  remindedAt: r?.reminded_at ?? null,
  due: !!r && Date.parse(r.review_at) <= now.getTime(),
});

/**
 * Upkeep of articles: each has an owner (the core's) and a review date; when the date comes, its owner is
 * reminded through the notifications outbox by a timer, and past-due published articles are listed as stale.
 */
export class UpkeepService {
  constructor(
    private readonly d: {
      repo: KbExtrasRepository;
      articles: ArticlesPort;
      feedback: FeedbackService;
      timers: TimerService;
      notifier: Notifier;
      audit: AuditService;
      clock: Clock;
      publicUrl: string;
    },
  ) {
    d.timers.handle<ArticleBrief | null>(REVIEW_TIMER.type, {
      // The article as its owner sees it, read before the firing transaction.
      prepare: async (timer) => (await this.d.articles.any([timer.subject.id])).get(timer.subject.id) ?? null,
      fire: ({ timer, trx, now }, prepared) => this.remind(timer.subject.id, prepared, trx, now),
    });
  }

  async get(actor: Actor, articleId: string) {
    const article = await this.d.articles.editable(actor, articleId);
    return {
      articleId,
      ownerId: article.ownerId,
      ...presentReview(await this.d.repo.review(articleId), this.d.clock.now()),
    };
  }

  /** Sets the review date (and arms its reminder); `reviewed` also records a review done now. */
  async schedule(actor: Actor, articleId: string, input: { reviewAt?: string; reviewed?: boolean }, req: RequestInfo) {
    await this.d.articles.editable(actor, articleId);
    const now = this.d.clock.now();
    const reviewAt = input.reviewAt
      ? new Date(input.reviewAt)
      : input.reviewed
        ? new Date(now.getTime() + DEFAULT_REVIEW_DAYS * DAY)
        : null;
    if (!reviewAt) throw Problem.invalid({ in: "body", pointer: "/reviewAt", message: "give reviewAt or reviewed" });
    if (reviewAt.getTime() <= now.getTime() && input.reviewed)
      throw Problem.invalid({ in: "body", pointer: "/reviewAt", message: "the next review must be in the future" });
    const before = await this.d.repo.review(articleId);
    await this.d.repo.transaction(async (trx) => {
      await this.d.repo.saveReview(
        {
          article_id: articleId,
          review_at: reviewAt.toISOString(),
          reviewed_at: input.reviewed ? now.toISOString() : (before?.reviewed_at ?? null),
          reviewed_by: input.reviewed ? actor.userId : (before?.reviewed_by ?? null),
          reminded_at: null,
          updated_at: now.toISOString(),
        },
        trx,
      );
      await this.d.timers.start(trx, {
        subject: { type: REVIEW_TIMER.type, id: articleId },
        name: REVIEW_TIMER.name,
        at: reviewAt,
      });
      await this.d.audit.record(
        {
          action: input.reviewed ? "kb.article.reviewed" : "kb.article.review-scheduled",
          actor,
          target: { type: "kb-article", id: articleId },
          details: { reviewAt: reviewAt.toISOString() },
          request: req,
        },
        trx,
      );
    });
    return this.get(actor, articleId);
  }

  /** The timer's firing: the owner (or the author when none) gets one reminder per due date. */
  private async remind(articleId: string, article: ArticleBrief | null, trx: Kysely<DB>, now: Date) {
    const review = await this.d.repo.review(articleId, trx);
    if (!review || review.reminded_at || Date.parse(review.review_at) > now.getTime()) return;
    const to = article?.ownerId ?? article?.createdBy;
    if (article && to && article.status !== "archived")
      await this.d.notifier.enqueue(
        [
          {
            to: { userId: to },
            template: "kb.review-due",
            params: {
              title: article.title,
              reviewAt: review.review_at,
              link: `${this.d.publicUrl}/kb/articles/${articleId}`,
            },
            thread: { kind: "kb_article", id: articleId },
          },
        ],
        trx,
      );
    await this.d.repo.saveReview({ ...review, reminded_at: now.toISOString(), updated_at: now.toISOString() }, trx);
  }

  /**
   * Stale articles: past their review date, oldest due first, with their owner and feedback counts; only the
   * articles the caller may edit are listed.
   */
  async stale(actor: Actor, page: { limit: number; after?: { at: string; id: string } }) {
    const now = this.d.clock.now();
    const out: Array<
      ArticleBrief & { review: ReturnType<typeof presentReview>; feedback: { helpful: number; notHelpful: number } }
    > = [];
    let after = page.after;
    for (;;) {
      const rows = await this.d.repo.dueReviews(now.toISOString(), { limit: 200, after });
      if (!rows.length) break;
      const visible = await this.d.articles.readable(
        actor,
        rows.map((r) => r.article_id),
      );
      const ids = rows
        .map((r) => r.article_id)
        .filter((id) => visible.get(id) && visible.get(id)!.status !== "archived");
      const totals = await this.d.feedback.totals(ids);
      for (const r of rows) {
        const a = visible.get(r.article_id);
        if (!a || a.status === "archived" || out.length >= page.limit) continue;
        out.push({ ...a, review: presentReview(r, now), feedback: totals.get(a.id)! });
      }
      if (out.length >= page.limit || rows.length < 200) break;
      after = { at: rows.at(-1)!.review_at, id: rows.at(-1)!.article_id };
    }
    return out;
  }
}
