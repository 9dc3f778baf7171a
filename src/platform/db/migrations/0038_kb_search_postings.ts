import type { Kysely } from "kysely";

/** A posting's weight for a term in a title, and in a body (ts_rank_cd's default A and B weights). */
const TITLE_WEIGHT = 1;
const BODY_WEIGHT = 0.4;

/**
 * The postings of one indexed document (pure): each distinct term with its weight, the sum over its
 * occurrences of the title's and the body's weight. For a query of ORed terms a document's score is close to
 * the sum of its postings' weights for those terms (exactly ts_rank_cd's, without normalisation), so the
 * heaviest postings of each query term name the candidates worth ranking.
 */
export function searchPostings(titleTerms: string, bodyTerms: string): { term: string; weight: number }[] {
  const weights = new Map<string, number>();
  for (const [text, weight] of [
    [titleTerms, TITLE_WEIGHT],
    [bodyTerms, BODY_WEIGHT],
  ] as const)
    for (const term of text.split(" ")) if (term) weights.set(term, (weights.get(term) ?? 0) + weight);
  return [...weights].map(([term, weight]) => ({ term, weight: Math.round(weight * 10) / 10 }));
}

/** The first characters of a term, the key that finds the terms a typed prefix may complete. */
export const termPrefix = (term: string) => term.slice(0, 3);

/**
 * Search postings of the knowledge base: each search document's terms with their weight (keyed by the document's
 * integer id: a posting is small, there are some sixty per article), indexed by term and by its first three
 * characters in weight order. They tell which words the index knows (a title is looked up by trigrams only for
 * the others, the typos) and, on PostgreSQL, name the articles worth ranking, so ts_rank_cd reads a bounded set
 * of tsvectors instead of every article holding a common word. Filled from the existing index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("kb_search_postings")
    .addColumn("term", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("document_id", "bigint", (c) => c.notNull())
    .addColumn("weight", "double precision", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("kb_search_postings_weight")
    .on("kb_search_postings")
    .columns(["term", "weight", "document_id"])
    .execute();
  await db.schema
    .createIndex("kb_search_postings_prefix")
    .on("kb_search_postings")
    .columns(["prefix", "weight", "term", "document_id"])
    .execute();
  await db.schema
    .createIndex("kb_search_postings_document")
    .on("kb_search_postings")
    .columns(["document_id"])
    .execute();
  let after = 0;
  for (;;) {
    const docs: { id: number; title_terms: string; body_terms: string }[] = await db
      .selectFrom("kb_search_documents")
      .select(["id", "title_terms", "body_terms"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(200)
      .execute();
    if (!docs.length) break;
    for (const d of docs) {
      const rows = searchPostings(d.title_terms, d.body_terms).map((p) => ({
        ...p,
        prefix: termPrefix(p.term),
        document_id: d.id,
      }));
      for (let i = 0; i < rows.length; i += 200)
        await db
          .insertInto("kb_search_postings")
          .values(rows.slice(i, i + 200))
          .execute();
    }
    after = Number(docs.at(-1)!.id);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("kb_search_postings").execute();
}
