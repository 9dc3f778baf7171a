import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  NotificationChannel,
  NotificationPreferenceTable,
  NotificationStatus,
  NotificationTable,
} from "../../platform/db/schema.js";

export type NotificationRow = Selectable<NotificationTable>;
export type PreferenceRow = Selectable<NotificationPreferenceTable>;
/** A row as written: parameters as an object, stored as JSON. */
export type NotificationValues = Omit<NotificationRow, "params"> & { params: Record<string, unknown> };

export interface RecipientUser {
  id: string;
  email: string;
  name: string;
  locale: string;
  organization_id: string;
  disabled: boolean | number;
}

export interface LogFilter {
  status?: NotificationStatus;
  channel?: NotificationChannel;
  to?: string;
  /** Id of the last row of the previous page (newest first). */
  before?: string;
  limit: number;
}

/** The only SQL over the notification outbox, the in-app centre and the preferences. */
export class NotificationRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async insert(rows: NotificationValues[], executor: Kysely<DB>): Promise<void> {
    if (!rows.length) return;
    await executor
      .insertInto("notifications")
      .values(rows.map((r) => ({ ...r, params: this.dialect.json(r.params) })))
      .execute();
  }

  find(id: string, executor: Kysely<DB> = this.db): Promise<NotificationRow | undefined> {
    return executor.selectFrom("notifications").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Users a batch of notifications is addressed to, read through the caller's transaction. */
  users(ids: string[], executor: Kysely<DB>): Promise<RecipientUser[]> {
    if (!ids.length) return Promise.resolve([]);
    return executor
      .selectFrom("users")
      .select(["id", "email", "name", "locale", "organization_id", "disabled"])
      .where("id", "in", ids)
      .execute();
  }

  preferences(userIds: string[], executor: Kysely<DB> = this.db): Promise<PreferenceRow[]> {
    if (!userIds.length) return Promise.resolve([]);
    return executor.selectFrom("notification_preferences").selectAll().where("user_id", "in", userIds).execute();
  }

  async savePreferences(rows: PreferenceRow[], executor: Kysely<DB>): Promise<void> {
    for (const row of rows) {
      await executor
        .insertInto("notification_preferences")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["user_id", "kind", "channel"]).doUpdateSet({ enabled: row.enabled, updated_at: row.updated_at }),
        )
        .execute();
    }
  }

  /** Records an attempt's outcome and counts it. */
  async recordOutcome(
    id: string,
    patch: Pick<NotificationRow, "status" | "last_error" | "next_attempt_at" | "updated_at"> &
      Partial<Pick<NotificationRow, "provider_message_id" | "sent_at">>,
  ): Promise<void> {
    await this.db
      .updateTable("notifications")
      .set({ ...patch, attempts: sql`attempts + 1` })
      .where("id", "=", id)
      .execute();
  }

  /** Back to `pending` for a resend, only from `sent` or `dead`: a row still waiting has an attempt scheduled. */
  async requeue(id: string, now: string, executor: Kysely<DB>): Promise<boolean> {
    const result = await executor
      .updateTable("notifications")
      .set({ status: "pending", next_attempt_at: null, updated_at: now })
      .where("id", "=", id)
      .where("channel", "!=", "in_app")
      .where("status", "in", ["sent", "dead"])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The delivery log, newest first; `limit + 1` rows so the caller knows whether a next page exists. */
  log(filter: LogFilter): Promise<NotificationRow[]> {
    let q = this.db.selectFrom("notifications").selectAll();
    if (filter.status) q = q.where("status", "=", filter.status);
    if (filter.channel) q = q.where("channel", "=", filter.channel);
    if (filter.to) q = q.where("recipient", "=", filter.to);
    if (filter.before) q = q.where("id", "<", filter.before);
    return q
      .orderBy("id", "desc")
      .limit(filter.limit + 1)
      .execute();
  }

  /** A user's in-app notifications, newest first, `limit + 1` rows. */
  inbox(userId: string, page: { before?: string; limit: number; unread?: boolean }): Promise<NotificationRow[]> {
    let q = this.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", userId)
      .where("channel", "=", "in_app");
    if (page.unread) q = q.where("read_at", "is", null);
    if (page.before) q = q.where("id", "<", page.before);
    return q
      .orderBy("id", "desc")
      .limit(page.limit + 1)
      .execute();
  }

  async unreadCount(userId: string, executor: Kysely<DB> = this.db): Promise<number> {
    const row = await executor
      .selectFrom("notifications")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("user_id", "=", userId)
      .where("channel", "=", "in_app")
      .where("read_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Marks one in-app notification (or, without `id`, all of them) read; returns how many changed. */
  async markRead(userId: string, id: string | undefined, now: string, executor: Kysely<DB>): Promise<number> {
    let q = executor
      .updateTable("notifications")
      .set({ read_at: now, updated_at: now })
      .where("user_id", "=", userId)
      .where("channel", "=", "in_app")
      .where("read_at", "is", null);
    if (id) q = q.where("id", "=", id);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async exists(userId: string, id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("notifications")
      .select("id")
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .where("channel", "=", "in_app")
      .executeTakeFirst();
    return row !== undefined;
  }
}
