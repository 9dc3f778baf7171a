import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { Actor } from "../identity/actor.js";
import type { ArticlesPort } from "./articles-port.js";
import type { FeedbackRow, KbExtrasRepository } from "./extras-repository.js";

export const presentFeedback = (f: FeedbackRow) => ({
  id: f.id,
  articleId: f.article_id,
  userId: f.user_id,
  helpful: Boolean(f.helpful),
  comment: f.comment,
  createdAt: f.created_at,
  updatedAt: f.updated_at,
});

/**
 * "Did this help?" on articles: a signed-in reader has one answer per article (answering again replaces it); an
 * anonymous reader of a public article adds one. Staff who may edit the article read the answers.
 */
export class FeedbackService {
  constructor(private readonly d: { repo: KbExtrasRepository; articles: ArticlesPort; clock: Clock }) {}

  async give(reader: Actor | null, articleId: string, input: { helpful: boolean; comment?: string }) {
    if (!(await this.d.articles.readable(reader, [articleId])).has(articleId)) throw Problem.notFound("Article");
    const now = this.d.clock.now().toISOString();
    const comment = input.comment?.trim() ?? "";
    const had = reader ? await this.d.repo.feedbackOf(articleId, reader.userId) : undefined;
    if (had) {
      await this.d.repo.updateFeedback(had.id, { helpful: input.helpful, comment, updated_at: now });
      return presentFeedback({ ...had, helpful: input.helpful, comment, updated_at: now });
    }
    const row: FeedbackRow = {
      id: uuidv7(),
      article_id: articleId,
      user_id: reader?.userId ?? null,
      helpful: input.helpful,
      comment,
      created_at: now,
      updated_at: now,
    };
    await this.d.repo.insertFeedback(row);
    return presentFeedback(row);
  }

  async list(actor: Actor, articleId: string, page: { limit: number; after?: string }) {
    await this.d.articles.editable(actor, articleId);
    const [items, totals] = await Promise.all([
      this.d.repo.feedbackList(articleId, page),
      this.d.repo.feedbackTotals([articleId]),
    ]);
    return {
      helpful: totals.find((t) => t.helpful)?.n ?? 0,
      notHelpful: totals.find((t) => !t.helpful)?.n ?? 0,
      items: items.map(presentFeedback),
    };
  }

  /** Helpful and not-helpful counts per article (the stale list and the editor show them). */
  async totals(articleIds: readonly string[]) {
    const rows = await this.d.repo.feedbackTotals(articleIds);
    const out = new Map<string, { helpful: number; notHelpful: number }>();
    for (const id of articleIds) out.set(id, { helpful: 0, notHelpful: 0 });
    for (const r of rows) {
      const t = out.get(r.articleId)!;
      if (r.helpful) t.helpful = r.n;
      else t.notHelpful = r.n;
    }
    return out;
  }
}
