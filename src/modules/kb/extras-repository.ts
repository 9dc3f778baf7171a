import type { Insertable, Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  KbArticleSourceTable,
  KbAttachmentTable,
  KbDeflectionTable,
  KbFeedbackTable,
  KbReviewTable,
  KbTrackItemTable,
  KbTrackProgressTable,
  KbTrackTable,
  KbVideoCaptionTable,
  KbVideoTable,
} from "../../platform/db/schema.js";

export type VideoRow = Selectable<KbVideoTable>;
export type AttachmentRow = Selectable<KbAttachmentTable>;
export type CaptionRow = Selectable<KbVideoCaptionTable>;
export type DeflectionRow = Selectable<KbDeflectionTable>;
export type FeedbackRow = Selectable<KbFeedbackTable>;
export type ReviewRow = Selectable<KbReviewTable>;
export type SourceRow = Selectable<KbArticleSourceTable>;
export type TrackRow = Selectable<KbTrackTable>;
export type TrackItemRow = Selectable<KbTrackItemTable>;
export type ProgressRow = Selectable<KbTrackProgressTable>;

/**
 * The SQL of the knowledge base's parts around its articles: videos, deflections, feedback, reviews, sources
 * and tracks. Article rows themselves belong to the core repository.
 */
export class KbExtrasRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // attachments --------------------------------------------------------------------------------------------

  async insertAttachment(row: Insertable<KbAttachmentTable>, executor: Kysely<DB> = this.db) {
    await executor.insertInto("kb_attachments").values(row).execute();
  }
  attachment(id: string) {
    return this.db.selectFrom("kb_attachments").selectAll().where("id", "=", id).executeTakeFirst();
  }
  attachments(articleId: string) {
    return this.db
      .selectFrom("kb_attachments")
      .selectAll()
      .where("article_id", "=", articleId)
      .orderBy("id")
      .limit(500)
      .execute();
  }
  async deleteAttachment(id: string, executor: Kysely<DB> = this.db) {
    await executor.deleteFrom("kb_attachments").where("id", "=", id).execute();
  }

  // videos -------------------------------------------------------------------------------------------------

  async insertVideo(row: Insertable<KbVideoTable>, executor: Kysely<DB> = this.db) {
    await executor.insertInto("kb_videos").values(row).execute();
  }
  video(id: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("kb_videos").selectAll().where("id", "=", id).executeTakeFirst();
  }
  videos(filter: { articleIds?: readonly string[]; limit: number; after?: string }) {
    let q = this.db.selectFrom("kb_videos").selectAll().orderBy("id").limit(filter.limit);
    if (filter.articleIds) {
      if (!filter.articleIds.length) return Promise.resolve([] as VideoRow[]);
      q = q.where("article_id", "in", [...filter.articleIds]);
    }
    if (filter.after) q = q.where("id", ">", filter.after);
    return q.execute();
  }
  videosByIds(ids: readonly string[]) {
    if (!ids.length) return Promise.resolve([] as VideoRow[]);
    return this.db
      .selectFrom("kb_videos")
      .selectAll()
      .where("id", "in", [...ids])
      .execute();
  }
  async updateVideo(id: string, values: Partial<Insertable<KbVideoTable>>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("kb_videos").set(values).where("id", "=", id).execute();
  }
  async deleteVideo(id: string, executor: Kysely<DB> = this.db) {
    await executor.deleteFrom("kb_video_captions").where("video_id", "=", id).execute();
    await executor.deleteFrom("kb_track_items").where("item_kind", "=", "video").where("item_id", "=", id).execute();
    await executor.deleteFrom("kb_videos").where("id", "=", id).execute();
  }
  captions(videoIds: readonly string[]) {
    if (!videoIds.length) return Promise.resolve([] as CaptionRow[]);
    return this.db
      .selectFrom("kb_video_captions")
      .selectAll()
      .where("video_id", "in", [...videoIds])
      .orderBy("lang")
      .execute();
  }
  caption(videoId: string, lang: string) {
    return this.db
      .selectFrom("kb_video_captions")
      .selectAll()
      .where("video_id", "=", videoId)
      .where("lang", "=", lang)
      .executeTakeFirst();
  }
  async saveCaption(row: CaptionRow) {
    await this.db
      .insertInto("kb_video_captions")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["video_id", "lang"]).doUpdateSet({ label: row.label, vtt: row.vtt, updated_at: row.updated_at }),
      )
      .execute();
  }
  async deleteCaption(videoId: string, lang: string) {
    const r = await this.db
      .deleteFrom("kb_video_captions")
      .where("video_id", "=", videoId)
      .where("lang", "=", lang)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // deflections -----------------------------------------------------------------------------------------

  async insertDeflection(
    row: Omit<DeflectionRow, "shown_article_ids" | "opened_article_ids"> & {
      shown_article_ids: string[];
      opened_article_ids: string[];
    },
  ) {
    await this.db
      .insertInto("kb_deflections")
      .values({
        ...row,
        shown_article_ids: this.dialect.json(row.shown_article_ids),
        opened_article_ids: this.dialect.json(row.opened_article_ids),
      })
      .execute();
  }
  /** Sessions per outcome in [from, to). */
  async deflectionCounts(from: string, to: string, organizationId?: string) {
    let q = this.db
      .selectFrom("kb_deflections")
      .select(["outcome", (eb) => eb.fn.countAll<number>().as("n")])
      .where("created_at", ">=", from)
      .where("created_at", "<", to)
      .groupBy("outcome");
    if (organizationId) q = q.where("organization_id", "=", organizationId);
    return (await q.execute()).map((r) => ({ outcome: r.outcome, n: Number(r.n) }));
  }
  deflections(filter: { from: string; to: string; limit: number; after?: string }) {
    let q = this.db
      .selectFrom("kb_deflections")
      .selectAll()
      .where("created_at", ">=", filter.from)
      .where("created_at", "<", filter.to)
      .orderBy("id", "desc")
      .limit(filter.limit);
    if (filter.after) q = q.where("id", "<", filter.after);
    return q.execute();
  }

  // feedback ----------------------------------------------------------------------------------------------

  feedbackOf(articleId: string, userId: string) {
    return this.db
      .selectFrom("kb_feedback")
      .selectAll()
      .where("article_id", "=", articleId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
  }
  async insertFeedback(row: FeedbackRow) {
    await this.db.insertInto("kb_feedback").values(row).execute();
  }
  async updateFeedback(id: string, values: Pick<FeedbackRow, "helpful" | "comment" | "updated_at">) {
    await this.db.updateTable("kb_feedback").set(values).where("id", "=", id).execute();
  }
  feedbackList(articleId: string, page: { limit: number; after?: string }) {
    let q = this.db
      .selectFrom("kb_feedback")
      .selectAll()
      .where("article_id", "=", articleId)
      .orderBy("id", "desc")
      .limit(page.limit);
    if (page.after) q = q.where("id", "<", page.after);
    return q.execute();
  }
  async feedbackTotals(articleIds: readonly string[]) {
    if (!articleIds.length) return [];
    const rows = await this.db
      .selectFrom("kb_feedback")
      .select(["article_id", "helpful", (eb) => eb.fn.countAll<number>().as("n")])
      .where("article_id", "in", [...articleIds])
      .groupBy(["article_id", "helpful"])
      .execute();
    return rows.map((r) => ({ articleId: r.article_id, helpful: Boolean(r.helpful), n: Number(r.n) }));
  }

  // reviews -----------------------------------------------------------------------------------------------

  review(articleId: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("kb_reviews").selectAll().where("article_id", "=", articleId).executeTakeFirst();
  }
  reviews(articleIds: readonly string[]) {
    if (!articleIds.length) return Promise.resolve([] as ReviewRow[]);
    return this.db
      .selectFrom("kb_reviews")
      .selectAll()
      .where("article_id", "in", [...articleIds])
      .execute();
  }
  async saveReview(row: ReviewRow, executor: Kysely<DB> = this.db) {
    const { article_id, ...rest } = row;
    await executor
      .insertInto("kb_reviews")
      .values(row)
      .onConflict((oc) => oc.column("article_id").doUpdateSet(rest))
      .execute();
  }
  /** Reviews due at `now` or before, oldest first. */
  dueReviews(now: string, page: { limit: number; after?: { at: string; id: string } }) {
    let q = this.db
      .selectFrom("kb_reviews")
      .selectAll()
      .where("review_at", "<=", now)
      .orderBy("review_at")
      .orderBy("article_id")
      .limit(page.limit);
    const after = page.after;
    if (after)
      q = q.where((eb) =>
        eb.or([
          eb("review_at", ">", after.at),
          eb.and([eb("review_at", "=", after.at), eb("article_id", ">", after.id)]),
        ]),
      );
    return q.execute();
  }

  // problem/solution sources ----------------------------------------------------------------------------

  async addSources(rows: SourceRow[], executor: Kysely<DB> = this.db) {
    if (!rows.length) return;
    await executor
      .insertInto("kb_article_sources")
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  sourcesOf(articleId: string) {
    return this.db
      .selectFrom("kb_article_sources")
      .selectAll()
      .where("article_id", "=", articleId)
      .orderBy("created_at")
      .execute();
  }
  articlesFrom(sourceType: "ticket" | "incident", sourceId: string) {
    return this.db
      .selectFrom("kb_article_sources")
      .select("article_id")
      .where("source_type", "=", sourceType)
      .where("source_id", "=", sourceId)
      .execute();
  }

  // tracks ----------------------------------------------------------------------------------------------

  tracks(profiles?: readonly string[]) {
    let q = this.db.selectFrom("kb_tracks").selectAll().orderBy("profile").orderBy("position").orderBy("id");
    if (profiles) {
      if (!profiles.length) return Promise.resolve([] as TrackRow[]);
      q = q.where("profile", "in", [...profiles] as TrackRow["profile"][]);
    }
    return q.execute();
  }
  track(id: string, executor: Kysely<DB> = this.db) {
    return executor.selectFrom("kb_tracks").selectAll().where("id", "=", id).executeTakeFirst();
  }
  async nextTrackPosition(profile: TrackRow["profile"], executor: Kysely<DB> = this.db) {
    const r = await executor
      .selectFrom("kb_tracks")
      .select((eb) => eb.fn.max("position").as("p"))
      .where("profile", "=", profile)
      .executeTakeFirst();
    return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
  }
  async insertTrack(row: TrackRow, executor: Kysely<DB> = this.db) {
    await executor.insertInto("kb_tracks").values(row).execute();
  }
  async updateTrack(id: string, values: Partial<TrackRow>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("kb_tracks").set(values).where("id", "=", id).execute();
  }
  async deleteTrack(id: string, executor: Kysely<DB> = this.db) {
    await executor.deleteFrom("kb_track_progress").where("track_id", "=", id).execute();
    await executor.deleteFrom("kb_track_items").where("track_id", "=", id).execute();
    await executor.deleteFrom("kb_tracks").where("id", "=", id).execute();
  }
  items(trackIds: readonly string[]) {
    if (!trackIds.length) return Promise.resolve([] as TrackItemRow[]);
    return this.db
      .selectFrom("kb_track_items")
      .selectAll()
      .where("track_id", "in", [...trackIds])
      .orderBy("track_id")
      .orderBy("position")
      .execute();
  }
  async replaceItems(trackId: string, items: TrackItemRow[], executor: Kysely<DB> = this.db) {
    await executor.deleteFrom("kb_track_items").where("track_id", "=", trackId).execute();
    if (items.length) await executor.insertInto("kb_track_items").values(items).execute();
  }
  progress(trackIds: readonly string[], userId?: string) {
    if (!trackIds.length) return Promise.resolve([] as ProgressRow[]);
    let q = this.db
      .selectFrom("kb_track_progress")
      .selectAll()
      .where("track_id", "in", [...trackIds]);
    if (userId) q = q.where("user_id", "=", userId);
    return q.execute();
  }
  async complete(row: ProgressRow) {
    await this.db
      .insertInto("kb_track_progress")
      .values(row)
      .onConflict((oc) => oc.columns(["track_id", "user_id", "item_kind", "item_id"]).doNothing())
      .execute();
  }
  async uncomplete(key: Omit<ProgressRow, "completed_at">) {
    await this.db
      .deleteFrom("kb_track_progress")
      .where("track_id", "=", key.track_id)
      .where("user_id", "=", key.user_id)
      .where("item_kind", "=", key.item_kind)
      .where("item_id", "=", key.item_id)
      .execute();
  }
}
