import type { Insertable, Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  IncidentAccountTable,
  IncidentActionItemTable,
  IncidentAlertTable,
  IncidentEvidenceTable,
  IncidentPostmortemTable,
  IncidentStageTable,
  IncidentTable,
  IncidentTicketTable,
  IncidentUpdateTable,
} from "../../platform/db/schema.js";

export type IncidentRow = Selectable<IncidentTable>;
export type StageRow = Selectable<IncidentStageTable>;
export type UpdateRow = Selectable<IncidentUpdateTable>;
export type TicketLinkRow = Selectable<IncidentTicketTable>;
export type AlertLinkRow = Selectable<IncidentAlertTable>;
export type PostmortemRow = Selectable<IncidentPostmortemTable>;
export type ActionItemRow = Selectable<IncidentActionItemTable>;
export type EvidenceRow = Selectable<IncidentEvidenceTable>;
export type AccountRow = Selectable<IncidentAccountTable>;

export interface IncidentFilter {
  kinds: readonly string[];
  stage?: string[];
  severity?: string[];
  open?: boolean;
  before?: string;
  limit: number;
}

/** The only SQL on the incident tables. */
export class IncidentRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  /** New incidents, in one statement. */
  async insert(rows: readonly IncidentRow[], trx: Kysely<DB>): Promise<void> {
    if (!rows.length) return;
    await trx
      .insertInto("incidents")
      .values(
        rows.map(
          (row) => ({ ...row, details: this.dialect.json(JSON.parse(row.details)) }) as Insertable<IncidentTable>,
        ),
      )
      .execute();
  }

  async update(id: string, patch: Partial<IncidentRow>, trx: Kysely<DB>): Promise<void> {
    const set: Record<string, unknown> = { ...patch };
    if (patch.details !== undefined) set.details = this.dialect.json(JSON.parse(patch.details));
    await trx.updateTable("incidents").set(set).where("id", "=", id).execute();
  }

  /** The incident, locked for the rest of the transaction where the engine can (PostgreSQL). */
  async lock(id: string, kinds: readonly string[], trx: Kysely<DB>): Promise<IncidentRow | undefined> {
    let q = trx.selectFrom("incidents").selectAll().where("id", "=", id).where("kind", "in", kinds);
    if (this.dialect.engine === "postgres") q = q.forUpdate();
    return q.executeTakeFirst();
  }

  find(id: string, kinds: readonly string[], executor: Kysely<DB> = this.db): Promise<IncidentRow | undefined> {
    return executor
      .selectFrom("incidents")
      .selectAll()
      .where("id", "=", id)
      .where("kind", "in", kinds)
      .executeTakeFirst();
  }

  list(f: IncidentFilter): Promise<IncidentRow[]> {
    let q = this.db.selectFrom("incidents").selectAll().where("kind", "in", f.kinds);
    if (f.stage?.length) q = q.where("stage", "in", f.stage);
    if (f.severity?.length) q = q.where("severity", "in", f.severity);
    if (f.open === true) q = q.where("resolved_at", "is", null);
    if (f.open === false) q = q.where("resolved_at", "is not", null);
    if (f.before) q = q.where("id", "<", f.before);
    return q.orderBy("id", "desc").limit(f.limit).execute();
  }

  /**
   * Operational incidents with at least one public update, for the status page: the open ones, or those that
   * started in [from, to); newest first.
   */
  withPublicUpdates(f: { open: true } | { from: string; to: string }, limit = 200): Promise<IncidentRow[]> {
    let q = this.db
      .selectFrom("incidents")
      .selectAll()
      .where("kind", "=", "operational")
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom("incident_updates")
            .select("incident_updates.id")
            .whereRef("incident_updates.incident_id", "=", "incidents.id")
            .where("incident_updates.visibility", "=", "public"),
        ),
      );
    q =
      "open" in f
        ? q.where("resolved_at", "is", null)
        : q.where("created_at", ">=", f.from).where("created_at", "<", f.to);
    return q.orderBy("id", "desc").limit(limit).execute();
  }

  publicUpdatesOf(ids: readonly string[]): Promise<UpdateRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom("incident_updates")
      .selectAll()
      .where("incident_id", "in", ids)
      .where("visibility", "=", "public")
      .orderBy("id")
      .execute();
  }

  openOfAlertGroup(groupKey: string, executor: Kysely<DB> = this.db): Promise<IncidentRow | undefined> {
    return executor.selectFrom("incidents").selectAll().where("open_alert_group", "=", groupKey).executeTakeFirst();
  }

  /** The open incidents of these alert groups, in one read. */
  openOfAlertGroups(groupKeys: readonly string[], executor: Kysely<DB>): Promise<IncidentRow[]> {
    if (!groupKeys.length) return Promise.resolve([]);
    return executor.selectFrom("incidents").selectAll().where("open_alert_group", "in", groupKeys).execute();
  }

  /** Incidents created in [from, to), with what the figures need. */
  createdBetween(from: string, to: string, kinds: readonly string[]): Promise<IncidentRow[]> {
    return this.db
      .selectFrom("incidents")
      .selectAll()
      .where("kind", "in", kinds)
      .where("created_at", ">=", from)
      .where("created_at", "<", to)
      .orderBy("created_at")
      .execute();
  }

  // stages -----------------------------------------------------------------------------------------------

  async insertStage(row: StageRow, trx: Kysely<DB>): Promise<void> {
    await this.insertStages([row], trx);
  }

  /** Stage entries in one statement. */
  async insertStages(rows: readonly StageRow[], trx: Kysely<DB>): Promise<void> {
    if (!rows.length) return;
    await trx
      .insertInto("incident_stages")
      .values(
        rows.map(
          (row) => ({ ...row, fields: this.dialect.json(JSON.parse(row.fields)) }) as Insertable<IncidentStageTable>,
        ),
      )
      .execute();
  }

  stagesOf(ids: readonly string[], executor: Kysely<DB> = this.db): Promise<StageRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return executor.selectFrom("incident_stages").selectAll().where("incident_id", "in", ids).orderBy("id").execute();
  }

  // links ------------------------------------------------------------------------------------------------

  async setComponents(id: string, componentIds: readonly string[], trx: Kysely<DB>): Promise<void> {
    await trx.deleteFrom("incident_components").where("incident_id", "=", id).execute();
    if (componentIds.length) {
      await trx
        .insertInto("incident_components")
        .values(componentIds.map((component_id) => ({ incident_id: id, component_id })))
        .execute();
    }
  }

  async setOrganizations(id: string, organizationIds: readonly string[], trx: Kysely<DB>): Promise<void> {
    await trx.deleteFrom("incident_organizations").where("incident_id", "=", id).execute();
    if (organizationIds.length) {
      await trx
        .insertInto("incident_organizations")
        .values(organizationIds.map((organization_id) => ({ incident_id: id, organization_id })))
        .execute();
    }
  }

  componentsOf(ids: readonly string[], executor: Kysely<DB> = this.db) {
    if (!ids.length) return Promise.resolve([]);
    return executor
      .selectFrom("incident_components")
      .selectAll()
      .where("incident_id", "in", ids)
      .orderBy("component_id")
      .execute();
  }

  organizationsOf(ids: readonly string[], executor: Kysely<DB> = this.db) {
    if (!ids.length) return Promise.resolve([]);
    return executor
      .selectFrom("incident_organizations")
      .selectAll()
      .where("incident_id", "in", ids)
      .orderBy("organization_id")
      .execute();
  }

  async linkTicket(row: TicketLinkRow, trx: Kysely<DB>): Promise<boolean> {
    const done = await trx
      .insertInto("incident_tickets")
      .values(row)
      .onConflict((oc) => oc.columns(["incident_id", "ticket_id"]).doNothing())
      .executeTakeFirst();
    return Number(done.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async unlinkTicket(id: string, ticketId: string, trx: Kysely<DB>): Promise<boolean> {
    const done = await trx
      .deleteFrom("incident_tickets")
      .where("incident_id", "=", id)
      .where("ticket_id", "=", ticketId)
      .executeTakeFirst();
    return Number(done.numDeletedRows) > 0;
  }

  ticketsOf(id: string, executor: Kysely<DB> = this.db): Promise<TicketLinkRow[]> {
    return executor
      .selectFrom("incident_tickets")
      .selectAll()
      .where("incident_id", "=", id)
      .orderBy("linked_at")
      .execute();
  }

  async ticketResolved(id: string, ticketId: string, at: string): Promise<void> {
    await this.db
      .updateTable("incident_tickets")
      .set({ resolved_at: at })
      .where("incident_id", "=", id)
      .where("ticket_id", "=", ticketId)
      .execute();
  }

  async linkAlert(row: AlertLinkRow, trx: Kysely<DB>): Promise<boolean> {
    return (await this.linkAlerts([row], trx)) > 0;
  }

  /** Links alerts to incidents in one statement; how many links are new. */
  async linkAlerts(rows: readonly AlertLinkRow[], trx: Kysely<DB>): Promise<number> {
    if (!rows.length) return 0;
    const done = await trx
      .insertInto("incident_alerts")
      .values([...rows])
      .onConflict((oc) => oc.columns(["incident_id", "alert_id"]).doNothing())
      .executeTakeFirst();
    return Number(done.numInsertedOrUpdatedRows ?? 0);
  }

  async alertEnded(alertId: string, endsAt: string, trx: Kysely<DB>): Promise<string[]> {
    const rows = await trx
      .updateTable("incident_alerts")
      .set({ ends_at: endsAt })
      .where("alert_id", "=", alertId)
      .where("ends_at", "is", null)
      .returning("incident_id")
      .execute();
    return rows.map((r) => r.incident_id);
  }

  alertsOf(id: string, executor: Kysely<DB> = this.db): Promise<AlertLinkRow[]> {
    return executor
      .selectFrom("incident_alerts")
      .selectAll()
      .where("incident_id", "=", id)
      .orderBy("starts_at")
      .execute();
  }

  // timeline ---------------------------------------------------------------------------------------------

  async insertUpdate(row: UpdateRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("incident_updates").values(row).execute();
  }

  updatesOf(id: string, f: { visibility?: string; after?: string; limit: number }): Promise<UpdateRow[]> {
    let q = this.db.selectFrom("incident_updates").selectAll().where("incident_id", "=", id);
    if (f.visibility) q = q.where("visibility", "=", f.visibility);
    if (f.after) q = q.where("id", ">", f.after);
    return q.orderBy("id").limit(f.limit).execute();
  }

  lastPublicUpdate(id: string, executor: Kysely<DB> = this.db): Promise<UpdateRow | undefined> {
    return executor
      .selectFrom("incident_updates")
      .selectAll()
      .where("incident_id", "=", id)
      .where("visibility", "=", "public")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  // postmortem and action items --------------------------------------------------------------------------

  postmortemOf(id: string): Promise<PostmortemRow | undefined> {
    return this.db.selectFrom("incident_postmortems").selectAll().where("incident_id", "=", id).executeTakeFirst();
  }

  async savePostmortem(row: PostmortemRow, trx: Kysely<DB>): Promise<void> {
    const { incident_id, ...rest } = row;
    await trx
      .insertInto("incident_postmortems")
      .values(row)
      .onConflict((oc) => oc.column("incident_id").doUpdateSet(rest))
      .execute();
  }

  actionItemsOf(id: string, executor: Kysely<DB> = this.db): Promise<ActionItemRow[]> {
    return executor
      .selectFrom("incident_action_items")
      .selectAll()
      .where("incident_id", "=", id)
      .orderBy("id")
      .execute();
  }

  findActionItem(id: string, itemId: string, executor: Kysely<DB> = this.db) {
    return executor
      .selectFrom("incident_action_items")
      .selectAll()
      .where("incident_id", "=", id)
      .where("id", "=", itemId)
      .executeTakeFirst();
  }

  async insertActionItem(row: ActionItemRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("incident_action_items").values(row).execute();
  }

  async updateActionItem(itemId: string, patch: Partial<ActionItemRow>, trx: Kysely<DB>): Promise<void> {
    await trx.updateTable("incident_action_items").set(patch).where("id", "=", itemId).execute();
  }

  // security: evidence and accounts ----------------------------------------------------------------------

  async insertEvidence(row: EvidenceRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("incident_evidence").values(row).execute();
  }

  evidenceOf(id: string): Promise<EvidenceRow[]> {
    return this.db.selectFrom("incident_evidence").selectAll().where("incident_id", "=", id).orderBy("id").execute();
  }

  findEvidence(id: string, evidenceId: string) {
    return this.db
      .selectFrom("incident_evidence")
      .selectAll()
      .where("incident_id", "=", id)
      .where("id", "=", evidenceId)
      .executeTakeFirst();
  }

  async linkAccount(row: AccountRow, trx: Kysely<DB>): Promise<boolean> {
    const done = await trx
      .insertInto("incident_accounts")
      .values(row)
      .onConflict((oc) => oc.columns(["incident_id", "kind", "ref_id"]).doNothing())
      .executeTakeFirst();
    return Number(done.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  accountsOf(id: string): Promise<AccountRow[]> {
    return this.db.selectFrom("incident_accounts").selectAll().where("incident_id", "=", id).orderBy("id").execute();
  }

  findAccount(id: string, accountId: string) {
    return this.db
      .selectFrom("incident_accounts")
      .selectAll()
      .where("incident_id", "=", id)
      .where("id", "=", accountId)
      .executeTakeFirst();
  }

  async accountActed(accountId: string, action: string, at: string, by: string, trx: Kysely<DB>): Promise<void> {
    await trx
      .updateTable("incident_accounts")
      .set({ action, action_at: at, action_by: by })
      .where("id", "=", accountId)
      .execute();
  }

  // settings ---------------------------------------------------------------------------------------------

  async setting(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst())?.value;
  }

  async saveSetting(key: string, value: string, at: string, trx: Kysely<DB>): Promise<void> {
    await trx
      .insertInto("settings")
      .values({ key, value, updated_at: at })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: at }))
      .execute();
  }
}
