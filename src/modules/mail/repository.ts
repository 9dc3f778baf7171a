import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type {
  DB,
  MailboxTable,
  MailDomainRuleTable,
  MailIntakeLogTable,
  MailMessageTable,
} from "../../platform/db/schema.js";

export type MailboxRow = Selectable<MailboxTable>;
export type MailMessageRow = Selectable<MailMessageTable>;
export type IntakeLogRow = Selectable<MailIntakeLogTable>;
export type DomainRuleRow = Selectable<MailDomainRuleTable>;

/** The only SQL of the mail intake: mailboxes, the mails taken in, the intake log and the domain rules. */
export class MailRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Holds the sender's lock until the transaction ends: one node at a time decides whether their mail opens a ticket. */
  lockSender(sender: string, trx: Kysely<DB>): Promise<void> {
    return this.dialect.lockForAppend(trx, `mail-sender:${sender}`);
  }

  async insertMailbox(row: MailboxRow): Promise<void> {
    await this.db.insertInto("mailboxes").values(row).execute();
  }

  async updateMailbox(id: string, patch: Partial<MailboxRow>, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.updateTable("mailboxes").set(patch).where("id", "=", id).execute();
  }

  async deleteMailbox(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("mail_intake_log").where("mailbox_id", "=", id).execute();
      await trx.deleteFrom("mail_messages").where("mailbox_id", "=", id).execute();
      await trx.deleteFrom("mailboxes").where("id", "=", id).execute();
    });
  }

  findMailbox(id: string): Promise<MailboxRow | undefined> {
    return this.db.selectFrom("mailboxes").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findMailboxByAddress(address: string): Promise<MailboxRow | undefined> {
    return this.db.selectFrom("mailboxes").selectAll().where("address", "=", address).executeTakeFirst();
  }

  listMailboxes(limit: number, after?: string): Promise<MailboxRow[]> {
    let q = this.db.selectFrom("mailboxes").selectAll().orderBy("id").limit(limit);
    if (after) q = q.where("id", ">", after);
    return q.execute();
  }

  async addresses(): Promise<string[]> {
    return (await this.db.selectFrom("mailboxes").select("address").execute()).map((r) => r.address);
  }

  /** Enabled mailboxes with IMAP settings: the ones to poll. */
  pollable(): Promise<MailboxRow[]> {
    return this.db
      .selectFrom("mailboxes")
      .selectAll()
      .where("imap", "is not", null)
      .where("enabled", "=", true)
      .orderBy("id")
      .execute();
  }

  /** Takes the polling lease of a mailbox; false while a poll (on any node) holds it. */
  async lease(id: string, owner: string, now: string, until: string): Promise<boolean> {
    const r = await this.db
      .updateTable("mailboxes")
      .set({ poll_owner: owner, poll_until: until })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("poll_until", "is", null), eb("poll_until", "<", now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable("mailboxes")
      .set({ poll_owner: null, poll_until: null })
      .where("id", "=", id)
      .where("poll_owner", "=", owner)
      .execute();
  }

  /** Inserts the mail unless this mailbox already has it (same Message-ID or IMAP UID); false when it did. */
  async insertMessage(row: MailMessageRow): Promise<boolean> {
    const r = await this.db
      .insertInto("mail_messages")
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateMessage(id: string, patch: Partial<MailMessageRow>, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.updateTable("mail_messages").set(patch).where("id", "=", id).execute();
  }

  /** Tickets that earlier mails with these Message-IDs went to. */
  async ticketsOfMessageIds(ids: readonly string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .selectFrom("mail_messages")
      .select(["message_id", "ticket_id"])
      .where("message_id", "in", ids.slice(0, 200))
      .where("ticket_id", "is not", null)
      .execute();
    return new Map(rows.map((r) => [r.message_id!, r.ticket_id!]));
  }

  /**
   * The mail-bomb guard's view of a sender since `since`: the latest ticket their mail of this subject reached, the
   * latest ticket any of their mail reached, and how many tickets their mail opened.
   */
  async recentFrom(sender: string, subjectKey: string, since: string, executor: Kysely<DB> = this.db) {
    const recent = executor
      .selectFrom("mail_messages")
      .select("ticket_id")
      .where("sender", "=", sender)
      .where("received_at", ">=", since)
      .where("ticket_id", "is not", null)
      .orderBy("received_at", "desc")
      .orderBy("id", "desc")
      .limit(1);
    const [same, latest, opened] = await Promise.all([
      recent.where("subject_key", "=", subjectKey).executeTakeFirst(),
      recent.executeTakeFirst(),
      executor
        .selectFrom("mail_messages")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("sender", "=", sender)
        .where("received_at", ">=", since)
        .where("outcome", "in", ["opened", "linked"])
        .executeTakeFirstOrThrow(),
    ]);
    return { sameSubject: same?.ticket_id ?? null, latest: latest?.ticket_id ?? null, opened: Number(opened.n) };
  }

  messagesOfTicket(ticketId: string): Promise<MailMessageRow[]> {
    return this.db.selectFrom("mail_messages").selectAll().where("ticket_id", "=", ticketId).orderBy("id").execute();
  }

  async log(row: IntakeLogRow): Promise<void> {
    await this.db.insertInto("mail_intake_log").values(row).execute();
  }

  logOf(mailboxId: string | null, limit: number, before?: string): Promise<IntakeLogRow[]> {
    let q = this.db.selectFrom("mail_intake_log").selectAll().orderBy("id", "desc").limit(limit);
    q = mailboxId ? q.where("mailbox_id", "=", mailboxId) : q.where("mailbox_id", "is", null);
    if (before) q = q.where("id", "<", before);
    return q.execute();
  }

  domainRules(): Promise<DomainRuleRow[]> {
    return this.db.selectFrom("mail_domain_rules").selectAll().orderBy("domain").execute();
  }

  async replaceDomainRules(rows: DomainRuleRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("mail_domain_rules").execute();
      if (rows.length) await trx.insertInto("mail_domain_rules").values(rows).execute();
    });
  }
}
