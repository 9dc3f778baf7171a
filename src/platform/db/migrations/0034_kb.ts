import type { Kysely } from "kysely";
import { dialectOf, type RankedTextIndex } from "../dialect.js";

/**
 * Ranked search over the knowledge base's published text, already normalised by the app (accents, case,
 * stemming, stop words), keyed by the document's integer id; the title weighs more than the body.
 */
export const kbSearch: RankedTextIndex = {
  name: "kb_search",
  table: "kb_search_documents",
  key: "id",
  heading: "title_terms",
  body: "body_terms",
};

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const { types } = dialect;
  await db.schema
    .createTable("kb_categories")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("parent_id", "text")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_en", "text")
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("kb_articles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("translation_group_id", "text", (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("audience", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("published_version", "integer")
    .addColumn("category_id", "text")
    .addColumn("organization_id", "text")
    .addColumn("owner_id", "text")
    .addColumn("created_by", "text")
    .addColumn("review_note", "text")
    .addColumn("published_at", types.timestamp)
    .addColumn("archived_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .addUniqueConstraint("kb_articles_translation", ["translation_group_id", "locale"])
    .execute();
  await db.schema.createIndex("kb_articles_status").on("kb_articles").columns(["status", "id"]).execute();
  await db.schema.createIndex("kb_articles_category").on("kb_articles").columns(["category_id"]).execute();
  await db.schema
    .createTable("kb_article_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("author_id", "text")
    .addColumn("note", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addUniqueConstraint("kb_article_versions_number", ["article_id", "version"])
    .execute();
  await db.schema
    .createTable("kb_article_tags")
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("tag", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_article_tags_pk", ["article_id", "tag"])
    .execute();
  await db.schema.createIndex("kb_article_tags_tag").on("kb_article_tags").columns(["tag"]).execute();
  await db.schema
    .createTable("kb_article_links")
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("target_kind", "text", (c) => c.notNull())
    .addColumn("target_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_article_links_pk", ["article_id", "target_kind", "target_id"])
    .execute();
  await db.schema
    .createIndex("kb_article_links_target")
    .on("kb_article_links")
    .columns(["target_kind", "target_id"])
    .execute();
  await dialect
    .serialId(db.schema.createTable("kb_search_documents"))
    .addColumn("article_id", "text", (c) => c.notNull().unique())
    .addColumn("title_terms", "text", (c) => c.notNull())
    .addColumn("body_terms", "text", (c) => c.notNull())
    .addColumn("title_trigrams", "integer", (c) => c.notNull())
    .execute();
  await dialect.rankedText.create(db, kbSearch);
  await db.schema
    .createTable("kb_title_trigrams")
    .addColumn("trigram", "text", (c) => c.notNull())
    .addColumn("article_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("kb_title_trigrams_pk", ["trigram", "article_id"])
    .execute();
  await db.schema.createIndex("kb_title_trigrams_article").on("kb_title_trigrams").columns(["article_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await dialectOf(db).rankedText.drop(db, kbSearch);
  for (const t of [
    "kb_title_trigrams",
    "kb_search_documents",
    "kb_article_links",
    "kb_article_tags",
    "kb_article_versions",
    "kb_articles",
    "kb_categories",
  ])
    await db.schema.dropTable(t).execute();
}
