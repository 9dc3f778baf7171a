import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { CallHostTable, DB, ScheduledCallTable } from "../../platform/db/schema.js";

export type CallHostRow = Selectable<CallHostTable>;
export type ScheduledCallRow = Selectable<ScheduledCallTable>;

export interface CallFilter {
  tenant?: string;
  engineerId?: string;
  ticketId?: string;
  status?: ScheduledCallTable["status"];
  from?: string;
  to?: string;
  /** Keyset: the (starts_at, id) of the last row of the previous page. */
  after?: { startsAt: string; id: string };
  limit: number;
}

/** A 31-bit key per engineer for the transaction-scoped lock that serialises their bookings. */
export function engineerLockKey(engineerId: string): number {
  let h = 0x5ca11ed;
  for (const c of engineerId) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h & 0x7fffffff;
}

/** Every SQL of scheduled calls: engineers' booking settings and the bookings. */
export class SchedulingRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Holds the engineer's booking lock until the transaction ends (PostgreSQL; SQLite's writer is single already). */
  lockEngineer(engineerId: string, trx: Kysely<DB>): Promise<void> {
    return this.dialect.lockForAppend(trx, engineerLockKey(engineerId));
  }

  hosts(userIds: readonly string[], executor: Kysely<DB> = this.db): Promise<CallHostRow[]> {
    if (!userIds.length) return Promise.resolve([]);
    return executor.selectFrom("call_hosts").selectAll().where("user_id", "in", userIds).execute();
  }

  async saveHost(row: CallHostRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .insertInto("call_hosts")
      .values(row)
      .onConflict((oc) =>
        oc.column("user_id").doUpdateSet({
          calendar_id: row.calendar_id,
          slot_minutes: row.slot_minutes,
          active: row.active,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** Booked calls of these engineers overlapping [from, to), except `exceptId` (the call being moved). */
  busy(
    engineerIds: readonly string[],
    from: string,
    to: string,
    exceptId?: string,
    executor: Kysely<DB> = this.db,
  ): Promise<Pick<ScheduledCallRow, "id" | "engineer_user_id" | "starts_at" | "ends_at">[]> {
    if (!engineerIds.length) return Promise.resolve([]);
    let q = executor
      .selectFrom("scheduled_calls")
      .select(["id", "engineer_user_id", "starts_at", "ends_at"])
      .where("engineer_user_id", "in", engineerIds)
      .where("status", "=", "booked")
      .where("starts_at", "<", to)
      .where("ends_at", ">", from);
    if (exceptId) q = q.where("id", "<>", exceptId);
    return q.orderBy("starts_at").execute();
  }

  async insert(row: ScheduledCallRow, executor: Kysely<DB>): Promise<void> {
    await executor
      .insertInto("scheduled_calls")
      .values({ ...row, reminder_minutes: this.dialect.json(JSON.parse(row.reminder_minutes)) as any })
      .execute();
  }

  find(id: string, tenant?: string, executor: Kysely<DB> = this.db): Promise<ScheduledCallRow | undefined> {
    let q = executor.selectFrom("scheduled_calls").selectAll().where("id", "=", id);
    if (tenant) q = q.where("organization_id", "=", tenant);
    return q.executeTakeFirst();
  }

  /**
   * Changes a call that is still booked at the sequence the caller read: false when another change came first
   * (a concurrent reschedule, cancellation or outcome), so a call never moves twice on one read.
   */
  async update(
    id: string,
    sequence: number,
    patch: Partial<Omit<ScheduledCallRow, "id" | "reminder_minutes">>,
    executor: Kysely<DB>,
  ): Promise<boolean> {
    const r = await executor
      .updateTable("scheduled_calls")
      .set(patch)
      .where("id", "=", id)
      .where("status", "=", "booked")
      .where("sequence", "=", sequence)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  list(f: CallFilter): Promise<ScheduledCallRow[]> {
    let q = this.db.selectFrom("scheduled_calls").selectAll();
    if (f.tenant) q = q.where("organization_id", "=", f.tenant);
    if (f.engineerId) q = q.where("engineer_user_id", "=", f.engineerId);
    if (f.ticketId) q = q.where("ticket_id", "=", f.ticketId);
    if (f.status) q = q.where("status", "=", f.status);
    if (f.from) q = q.where("ends_at", ">", f.from);
    if (f.to) q = q.where("starts_at", "<", f.to);
    if (f.after) {
      const { startsAt, id } = f.after;
      q = q.where((eb) =>
        eb.or([eb("starts_at", ">", startsAt), eb.and([eb("starts_at", "=", startsAt), eb("id", ">", id)])]),
      );
    }
    return q
      .orderBy("starts_at")
      .orderBy("id")
      .limit(f.limit + 1)
      .execute();
  }
}
