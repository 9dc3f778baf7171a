import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * Knowledge bases indexed before links to articles were left out of the search index (their words can name an
 * article hidden from the reader) keep those words in the published articles' index until they are published
 * again. Indexing needs the app's normalisation (stemmers, stop words, link removal), which a migration must not
 * repeat, since migrations never change with the code: this queues, once and only where something is indexed,
 * the knowledge base's `kb.reindex-linking` job, which indexes again the published articles that link to
 * articles (the job row spelled out as the jobs table stores it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const indexed = await db.selectFrom("kb_search_documents").select("id").limit(1).executeTakeFirst();
  if (!indexed) return;
  const now = new Date().toISOString();
  await db
    .insertInto("jobs")
    .values({
      id: randomUUID(),
      kind: "kb.reindex-linking",
      payload: dialectOf(db).json({}),
      status: "queued",
      run_at: now,
      attempts: 0,
      max_attempts: 5,
      dedupe_key: null,
      schedule_name: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

/** Nothing to undo: the job only indexes again what the articles say. */
export async function down(): Promise<void> {}
