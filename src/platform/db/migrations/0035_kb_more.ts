import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * The knowledge base around its articles (0034): videos with captions and posters, suggestion sessions
 * (deflection), feedback, review dates, problem/solution sources, training tracks and their completion.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // Metadata only: the bytes live on disk named by their SHA-256, like ticket attachments.
  await db.schema
    .createTable("kb_videos")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("poster_type", "text")
    .addColumn("poster_sha256", "text")
    .addColumn("uploaded_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kb_videos_article").on("kb_videos").columns(["article_id", "id"]).execute();
  await db.schema
    .createTable("kb_video_captions")
    .addColumn("video_id", "text", (c) => c.notNull())
    .addColumn("lang", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("vtt", "text", (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_video_captions_pk", ["video_id", "lang"])
    .execute();
  await db.schema
    .createTable("kb_deflections")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text")
    .addColumn("organization_id", "text")
    .addColumn("query", "text", (c) => c.notNull())
    .addColumn("shown_article_ids", types.json, (c) => c.notNull())
    .addColumn("opened_article_ids", types.json, (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("ticket_number", "bigint")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kb_deflections_created").on("kb_deflections").columns(["created_at"]).execute();
  await db.schema
    .createTable("kb_feedback")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("helpful", types.boolean, (c) => c.notNull())
    .addColumn("comment", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kb_feedback_article").on("kb_feedback").columns(["article_id", "user_id"]).execute();
  await db.schema
    .createTable("kb_reviews")
    .addColumn("article_id", "text", (c) => c.primaryKey())
    .addColumn("review_at", types.timestamp, (c) => c.notNull())
    .addColumn("reviewed_at", types.timestamp)
    .addColumn("reviewed_by", "text")
    .addColumn("reminded_at", types.timestamp)
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kb_reviews_due").on("kb_reviews").columns(["review_at"]).execute();
  await db.schema
    .createTable("kb_article_sources")
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("source_type", "text", (c) => c.notNull())
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_article_sources_pk", ["article_id", "source_type", "source_id"])
    .execute();
  await db.schema
    .createIndex("kb_article_sources_source")
    .on("kb_article_sources")
    .columns(["source_type", "source_id"])
    .execute();
  await db.schema
    .createTable("kb_tracks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("profile", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("category_id", "text")
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("kb_track_items")
    .addColumn("track_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("item_kind", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_track_items_pk", ["track_id", "item_kind", "item_id"])
    .execute();
  await db.schema
    .createTable("kb_track_progress")
    .addColumn("track_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("item_kind", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("completed_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_track_progress_pk", ["track_id", "user_id", "item_kind", "item_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "kb_track_progress",
    "kb_track_items",
    "kb_tracks",
    "kb_article_sources",
    "kb_reviews",
    "kb_feedback",
    "kb_deflections",
    "kb_video_captions",
    "kb_videos",
  ])
    await db.schema.dropTable(t).execute();
}
