import type { Kysely, Selectable } from "kysely";
import type { CsatSurveyTable, DB } from "../../platform/db/schema.js";

export type SurveyRow = Selectable<CsatSurveyTable>;

/** The only SQL of satisfaction surveys and the organizations' opt-outs. */
export class CsatRepository {
  constructor(readonly db: Kysely<DB>) {}

  async insert(row: SurveyRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("csat_surveys").values(row).execute();
  }

  async find(id: string, executor: Kysely<DB> = this.db): Promise<SurveyRow | undefined> {
    return executor.selectFrom("csat_surveys").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async ofTicket(ticketId: string, executor: Kysely<DB> = this.db): Promise<SurveyRow[]> {
    return executor.selectFrom("csat_surveys").selectAll().where("ticket_id", "=", ticketId).orderBy("id").execute();
  }

  /** Marks the ticket's pending surveys superseded by a newer resolution's; returns their ids. */
  async supersede(ticketId: string, trx: Kysely<DB>): Promise<string[]> {
    const rows = await trx
      .updateTable("csat_surveys")
      .set({ status: "superseded" })
      .where("ticket_id", "=", ticketId)
      .where("status", "=", "pending")
      .returning("id")
      .execute();
    return rows.map((r) => r.id);
  }

  /** Records a rating once: false when the survey was no longer pending (answered meanwhile). */
  async rate(id: string, values: { rating: number; comment: string | null; rated_at: string }, trx: Kysely<DB>) {
    const r = await trx
      .updateTable("csat_surveys")
      .set({ ...values, status: "rated" })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async reminded(id: string, at: string, trx: Kysely<DB>): Promise<void> {
    await trx.updateTable("csat_surveys").set({ reminded_at: at }).where("id", "=", id).execute();
  }

  async surveysEnabled(organizationId: string, executor: Kysely<DB> = this.db): Promise<boolean> {
    const row = await executor
      .selectFrom("csat_settings")
      .select("surveys_enabled")
      .where("organization_id", "=", organizationId)
      .executeTakeFirst();
    return row ? Boolean(row.surveys_enabled) : true;
  }

  async setSurveysEnabled(organizationId: string, enabled: boolean, by: string, at: string, trx: Kysely<DB>) {
    await trx
      .insertInto("csat_settings")
      .values({ organization_id: organizationId, surveys_enabled: enabled, updated_by: by, updated_at: at })
      .onConflict((oc) =>
        oc.column("organization_id").doUpdateSet({ surveys_enabled: enabled, updated_by: by, updated_at: at }),
      )
      .execute();
  }

  /** Surveys about resolutions in [from, to). */
  async between(from: string, to: string): Promise<SurveyRow[]> {
    return this.db
      .selectFrom("csat_surveys")
      .selectAll()
      .where("resolved_at", ">=", from)
      .where("resolved_at", "<", to)
      .where("status", "!=", "superseded")
      .orderBy("id")
      .execute();
  }
}
