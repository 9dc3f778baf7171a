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

/** A row claimed for an attempt: what sending needs, with the counters as the claim left them. */
export type ClaimedRow = Pick<
  NotificationRow,
  | "id"
  | "channel"
  | "template"
  | "kind"
  | "params"
  | "locale"
  | "user_id"
  | "recipient"
  | "flavour"
  | "thread"
  | "message_id"
  | "attempts"
  | "round_attempts"
  | "created_at"
>;

/** How an attempt ended, recorded only while the claim `locked_by` still holds the row. */
export interface Outcome {
  id: string;
  status: NotificationStatus;
  attempts: number;
  round_attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  provider_message_id: string | null;
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

  /** The threads of sent messages by their Message-IDs (a reply to one names it), keyed by Message-ID. */
  async threadsOf(messageIds: readonly string[]): Promise<Map<string, string>> {
    if (!messageIds.length) return new Map();
    const rows = await this.db
      .selectFrom("notifications")
      .select(["message_id", "thread"])
      .where("message_id", "in", messageIds)
      .where("thread", "is not", null)
      .execute();
    return new Map(rows.map((r) => [r.message_id, r.thread!]));
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

  /**
   * Claims up to `limit` due rows (queued, retry time reached, or a lease that ran out because its node died)
   * for the claim `token` until `leaseUntil`, counting the attempt. Each row goes to one claim: SQLite has one
   * writer, and on PostgreSQL a row another node's claim is locking is skipped.
   */
  async claim(token: string, now: string, leaseUntil: string, limit: number): Promise<ClaimedRow[]> {
    // A claim lost in a crash of the database only sends its rows again.
    const { rows } = await sql<ClaimedRow>`
      UPDATE notifications SET due_at = ${leaseUntil}, locked_by = ${token}, attempts = attempts + 1,
        round_attempts = round_attempts + 1, updated_at = ${now}
      WHERE id IN (
        SELECT id FROM notifications WHERE due_at <= ${now} ORDER BY due_at LIMIT ${limit} ${this.dialect.skipLocked}
      ) AND ${this.dialect.relaxedCommit}
      RETURNING id, channel, template, kind, params, locale, user_id, recipient, flavour, thread, message_id,
        attempts, round_attempts, created_at`.execute(this.db);
    return rows;
  }

  /** Moves the lease of every row `token` still holds (its attempt not recorded yet) to `leaseUntil`. */
  async extendLease(token: string, leaseUntil: string): Promise<void> {
    await this.db.updateTable("notifications").set({ due_at: leaseUntil }).where("locked_by", "=", token).execute();
  }

  /**
   * Records a batch of outcomes in one statement. A row whose lease another claim took over meanwhile is left
   * to that claim. A failure keeps the previous success's provider answer and time (a resend's history).
   */
  async recordOutcomes(token: string, now: string, outcomes: readonly Outcome[]): Promise<void> {
    if (!outcomes.length) return;
    const v = this.dialect.jsonRows(
      {
        id: "text",
        status: "text",
        attempts: "integer",
        round_attempts: "integer",
        last_error: "text",
        next_attempt_at: "timestamp",
        provider_message_id: "text",
      },
      outcomes as unknown as Record<string, string | number | null>[],
    );
    // An outcome lost in a crash of the database only sends its row again, after the lease.
    await sql`
      UPDATE notifications SET status = v.status, attempts = v.attempts, round_attempts = v.round_attempts,
        last_error = v.last_error, next_attempt_at = v.next_attempt_at, due_at = v.next_attempt_at, locked_by = NULL,
        provider_message_id = CASE WHEN v.status = 'sent' THEN v.provider_message_id ELSE notifications.provider_message_id END,
        sent_at = CASE WHEN v.status = 'sent' THEN ${now} ELSE notifications.sent_at END,
        updated_at = ${now}
      FROM ${v} AS v
      WHERE notifications.id = v.id AND notifications.locked_by = ${token} AND ${this.dialect.relaxedCommit}`.execute(
      this.db,
    );
  }

  /** Gives claimed rows back unattempted (the node is stopping): due now, the attempt not counted. */
  async release(token: string, ids: readonly string[], now: string): Promise<void> {
    if (!ids.length) return;
    await this.db
      .updateTable("notifications")
      .set({
        due_at: now,
        locked_by: null,
        attempts: sql`attempts - 1`,
        round_attempts: sql`round_attempts - 1`,
        updated_at: now,
      })
      .where("locked_by", "=", token)
      .where("id", "in", ids)
      .execute();
  }

  /** When the next row becomes claimable: a retry, or the end of a lease held by a node that may have died. */
  async nextDueAt(): Promise<string | null> {
    const row = await this.db
      .selectFrom("notifications")
      .select((eb) => eb.fn.min("due_at").as("next"))
      .executeTakeFirst();
    return (row?.next as string | null | undefined) ?? null;
  }

  /** Back to `pending` for a resend, only from `sent` or `dead`: a row still waiting has an attempt scheduled. */
  async requeue(id: string, now: string, executor: Kysely<DB>): Promise<boolean> {
    const result = await executor
      .updateTable("notifications")
      .set({ status: "pending", next_attempt_at: null, due_at: now, round_attempts: 0, updated_at: now })
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
