import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * Files attached to knowledge-base articles (images the Markdown shows, documents it links to): metadata only,
 * the bytes on disk named by their SHA-256 like the articles' videos.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("kb_attachments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("size", "bigint", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("uploaded_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kb_attachments_article").on("kb_attachments").columns(["article_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("kb_attachments").execute();
}
