import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  EscalationPolicyTable,
  OncallOverrideTable,
  OncallRotationTable,
  PageDeliveryTable,
  PageTable,
} from "../../platform/db/schema.js";

export type RotationRow = Selectable<OncallRotationTable>;
export type OverrideRow = Selectable<OncallOverrideTable>;
export type PolicyRow = Selectable<EscalationPolicyTable>;
export type PageRow = Selectable<PageTable>;
export type DeliveryRow = Selectable<PageDeliveryTable>;

/** The only SQL over rotations, overrides, escalation policies, pages and their deliveries. */
export class OncallRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // rotations -----------------------------------------------------------------------------------
  async insertRotation(row: RotationRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .insertInto("oncall_rotations")
      .values({ ...row, layers: this.dialect.json(JSON.parse(row.layers)) })
      .execute();
  }

  async updateRotation(id: string, row: RotationRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .updateTable("oncall_rotations")
      .set({ ...row, layers: this.dialect.json(JSON.parse(row.layers)) })
      .where("id", "=", id)
      .execute();
  }

  findRotation(id: string, executor: Kysely<DB> = this.db): Promise<RotationRow | undefined> {
    return executor.selectFrom("oncall_rotations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  listRotations(page: { limit: number; after?: string; team?: string }): Promise<RotationRow[]> {
    let q = this.db.selectFrom("oncall_rotations").selectAll();
    if (page.after !== undefined) q = q.where("id", ">", page.after);
    if (page.team !== undefined) q = q.where("team", "=", page.team);
    return q.orderBy("id").limit(page.limit).execute();
  }

  async deleteRotation(id: string, executor: Kysely<DB>): Promise<void> {
    await executor.deleteFrom("oncall_overrides").where("rotation_id", "=", id).execute();
    await executor.deleteFrom("oncall_rotations").where("id", "=", id).execute();
  }

  // overrides -----------------------------------------------------------------------------------
  async insertOverride(row: OverrideRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.insertInto("oncall_overrides").values(row).execute();
  }

  /** Overrides of a rotation that end after `from` and start before `to`, oldest created first. */
  overrides(rotationId: string, from: string, to: string, executor: Kysely<DB> = this.db): Promise<OverrideRow[]> {
    return executor
      .selectFrom("oncall_overrides")
      .selectAll()
      .where("rotation_id", "=", rotationId)
      .where("ends_at", ">", from)
      .where("starts_at", "<", to)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  }

  findOverride(rotationId: string, id: string): Promise<OverrideRow | undefined> {
    return this.db
      .selectFrom("oncall_overrides")
      .selectAll()
      .where("rotation_id", "=", rotationId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  async deleteOverride(id: string, executor: Kysely<DB>): Promise<void> {
    await executor.deleteFrom("oncall_overrides").where("id", "=", id).execute();
  }

  // policies ------------------------------------------------------------------------------------
  async insertPolicy(row: PolicyRow, executor: Kysely<DB> = this.db): Promise<boolean> {
    const r = await executor
      .insertInto("escalation_policies")
      .values({ ...row, steps: this.dialect.json(JSON.parse(row.steps)) })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updatePolicy(id: string, row: PolicyRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .updateTable("escalation_policies")
      .set({ ...row, steps: this.dialect.json(JSON.parse(row.steps)) })
      .where("id", "=", id)
      .execute();
  }

  /** Frees the severity a policy is the default for (another policy takes it). */
  async clearDefault(severity: string, executor: Kysely<DB>): Promise<void> {
    await executor
      .updateTable("escalation_policies")
      .set({ default_for: null })
      .where("default_for", "=", severity)
      .execute();
  }

  findPolicy(id: string, executor: Kysely<DB> = this.db): Promise<PolicyRow | undefined> {
    return executor.selectFrom("escalation_policies").selectAll().where("id", "=", id).executeTakeFirst();
  }

  defaultPolicy(severity: string, executor: Kysely<DB> = this.db): Promise<PolicyRow | undefined> {
    return executor
      .selectFrom("escalation_policies")
      .selectAll()
      .where("default_for", "=", severity)
      .executeTakeFirst();
  }

  async anyPolicy(): Promise<boolean> {
    return (await this.db.selectFrom("escalation_policies").select("id").limit(1).executeTakeFirst()) !== undefined;
  }

  listPolicies(page: { limit: number; after?: string }): Promise<PolicyRow[]> {
    let q = this.db.selectFrom("escalation_policies").selectAll();
    if (page.after !== undefined) q = q.where("id", ">", page.after);
    return q.orderBy("id").limit(page.limit).execute();
  }

  async deletePolicy(id: string, executor: Kysely<DB>): Promise<void> {
    await executor.deleteFrom("escalation_policies").where("id", "=", id).execute();
  }

  // pages ---------------------------------------------------------------------------------------
  async insertPage(row: PageRow, executor: Kysely<DB>): Promise<boolean> {
    return (await this.insertPages([row], executor)) > 0;
  }

  /** New pages in one statement; how many were inserted (a subject with an open page keeps it). */
  async insertPages(rows: readonly PageRow[], executor: Kysely<DB>): Promise<number> {
    if (!rows.length) return 0;
    const r = await executor
      .insertInto("pages")
      .values(
        rows.map((row) => ({
          ...row,
          steps: this.dialect.json(JSON.parse(row.steps)),
          customers: this.dialect.json(JSON.parse(row.customers)),
        })),
      )
      .onConflict((oc) => oc.column("open_key").doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  }

  findPage(id: string, executor: Kysely<DB> = this.db): Promise<PageRow | undefined> {
    return executor.selectFrom("pages").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The open page of a subject, or else its latest. */
  async pageOf(subjectType: string, subjectId: string, executor: Kysely<DB> = this.db): Promise<PageRow | undefined> {
    return executor
      .selectFrom("pages")
      .selectAll()
      .where("subject_type", "=", subjectType)
      .where("subject_id", "=", subjectId)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  openPage(key: string, executor: Kysely<DB> = this.db): Promise<PageRow | undefined> {
    return executor.selectFrom("pages").selectAll().where("open_key", "=", key).executeTakeFirst();
  }

  /**
   * Compare-and-set: applies `patch` only while the page is still at `at` (status, step and round), so of two
   * nodes moving the same page (a timer and a failed channel) one wins and the other finds nothing to do.
   */
  async movePage(
    id: string,
    at: Pick<PageRow, "status" | "step" | "round">,
    patch: Partial<PageRow>,
    executor: Kysely<DB>,
  ): Promise<boolean> {
    const r = await executor
      .updateTable("pages")
      .set(patch)
      .where("id", "=", id)
      .where("status", "=", at.status)
      .where("step", "=", at.step)
      .where("round", "=", at.round)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  listPages(page: {
    limit: number;
    before?: string;
    status?: string;
    userId?: string;
    hideSubjectTypes?: string[];
  }): Promise<PageRow[]> {
    let q = this.db.selectFrom("pages").selectAll();
    if (page.hideSubjectTypes?.length) q = q.where("subject_type", "not in", page.hideSubjectTypes);
    if (page.userId !== undefined) {
      const userId = page.userId;
      q = q.where("id", "in", (eb) => eb.selectFrom("page_deliveries").select("page_id").where("user_id", "=", userId));
    }
    if (page.before !== undefined) q = q.where("id", "<", page.before);
    if (page.status !== undefined) q = q.where("status", "=", page.status as PageRow["status"]);
    return q.orderBy("id", "desc").limit(page.limit).execute();
  }

  // deliveries ----------------------------------------------------------------------------------
  async insertDeliveries(rows: DeliveryRow[], executor: Kysely<DB>): Promise<void> {
    if (!rows.length) return;
    await executor
      .insertInto("page_deliveries")
      .values(rows.map((r) => ({ ...r, notification_ids: this.dialect.json(JSON.parse(r.notification_ids)) })))
      .execute();
  }

  deliveriesAt(pageId: string, round: number, step: number, executor: Kysely<DB> = this.db): Promise<DeliveryRow[]> {
    return executor
      .selectFrom("page_deliveries")
      .selectAll()
      .where("page_id", "=", pageId)
      .where("round", "=", round)
      .where("step", "=", step)
      .execute();
  }

  findDelivery(id: string, executor: Kysely<DB> = this.db): Promise<DeliveryRow | undefined> {
    return executor.selectFrom("page_deliveries").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async wasPaged(pageId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("page_deliveries")
      .select("id")
      .where("page_id", "=", pageId)
      .where("user_id", "=", userId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Marks a link used; false when it already was. */
  async consumeLink(id: string, at: string, executor: Kysely<DB>): Promise<boolean> {
    const r = await executor
      .updateTable("page_deliveries")
      .set({ link_used_at: at })
      .where("id", "=", id)
      .where("link_used_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
