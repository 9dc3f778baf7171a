import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import { ticketSearch } from "../../platform/db/migrations/0006_ticket_search.js";
import { ticketInternalTextSearch, ticketPublicTextSearch } from "../../platform/db/migrations/0023_ticket_console.js";
import type { DB } from "../../platform/db/schema.js";
import { openStatuses } from "./model.js";

/** Words of a search: runs of letters and digits; everything else separates them. */
const WORD = /[\p{L}\p{N}]+/gu;
const MAX_WORDS = 16;
/** A ticket number typed as `123` or `#123`. */
export const TICKET_NUMBER = /^\s*#?(\d{1,15})\s*$/;
/** Up to this many tickets matched only by their messages are listed by number in the search condition. */
const FEW_MESSAGE_MATCHES = 1000;
/** A ticket's gathered message text stops growing here; search still covers its first 200,000 characters. */
const MAX_TEXT = 200_000;

export const queueNames = ["open", "mine", "team", "unassigned", "breaching", "breached", "watched", "all"] as const;
export type QueueName = (typeof queueNames)[number];
export const queueSorts = ["urgency", "newest"] as const;
export type QueueSort = (typeof queueSorts)[number];

export interface QueueFilter {
  queue: QueueName;
  /** The reader: whose "mine", "team" and "watched" these are. */
  userId: string;
  teams: string[];
  /** A customer's organization; another tenant's tickets do not exist for it. */
  tenant?: string;
  status?: string[];
  severity?: string[];
  tier?: string[];
  team?: string;
  organization?: string;
  assignee?: string;
  q?: string;
  /** "Breaching soon" means the next breach is before this instant. */
  soonBefore: string;
  now: string;
}

/** Where the previous page ended: its last ticket's next breach (null once past those with one) and id. */
export interface QueueKey {
  due: string | null;
  id: string;
}

export interface QueueRow {
  id: string;
  number: number | string;
  subject: string;
  organization_id: string;
  organization_name: string | null;
  requester_contact: string;
  assignee_user_id: string | null;
  assignee_name: string | null;
  status: string;
  severity: string;
  tier: string;
  team: string | null;
  type: string;
  channel: string;
  sla_due_at: string | null;
  sla_breached: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface WorkloadRow {
  assignee_user_id: string | null;
  assignee_name: string | null;
  team: string | null;
  severity: string;
  state: "breached" | "breaching" | "ok";
  n: number | string;
}

/** The SQL of the agent console: queues, their counts, workload, message search and saved views. */
export class QueueRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  /** Search words of `q`, at most MAX_WORDS; none when it holds only punctuation. */
  static words(q: string): string[] {
    return (q.normalize("NFC").match(WORD) ?? []).slice(0, MAX_WORDS);
  }

  /**
   * Tickets whose subject, description or any message holds every word (the last as a prefix); internal notes
   * count only for staff. A number alone (`3`, `#3`) also matches that ticket.
   */
  async textMatch(q: string, internal: boolean): Promise<Expression<SqlBool> | null> {
    const words = QueueRepository.words(q);
    if (!words.length) return null;
    const db = this.db;
    const parts = [await this.dialect.fullText.matches(db, ticketSearch, words)];
    const inTexts = [await this.dialect.fullText.matches(db, ticketPublicTextSearch, words)];
    if (internal) inTexts.push(await this.dialect.fullText.matches(db, ticketInternalTextSearch, words));
    const inMessages = sql<SqlBool>`(${sql.join(inTexts, sql` OR `)})`;
    // Tickets whose messages match, looked up first: a short list keeps the plan the subject/description search
    // has alone (an index per condition), where a subquery in the OR would make PostgreSQL walk every ticket.
    const found = await db
      .selectFrom("ticket_texts")
      .select("ticket_number")
      .where(inMessages)
      .limit(FEW_MESSAGE_MATCHES + 1)
      .execute();
    if (found.length > FEW_MESSAGE_MATCHES)
      parts.push(
        sql<SqlBool>`tickets.number IN (SELECT ticket_texts.ticket_number FROM ticket_texts WHERE ${inMessages})`,
      );
    else if (found.length)
      parts.push(sql<SqlBool>`tickets.number IN (${sql.join(found.map((r) => Number(r.ticket_number)))})`);
    const number = TICKET_NUMBER.exec(q)?.[1];
    if (number) parts.push(sql<SqlBool>`tickets.number = ${Number(number)}`);
    return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
  }

  /** Adds a message's text to its ticket's searchable text, in the caller's transaction. */
  async appendText(
    trx: Kysely<DB>,
    ticketNumber: number,
    visibility: "public" | "internal",
    body: string,
  ): Promise<void> {
    const pub = visibility === "public" ? body.slice(0, MAX_TEXT) : "";
    const int = visibility === "internal" ? body.slice(0, MAX_TEXT) : "";
    const column = visibility === "public" ? "public_text" : "internal_text";
    await trx
      .insertInto("ticket_texts")
      .values({ ticket_number: ticketNumber, public_text: pub, internal_text: int })
      .onConflict((oc) =>
        oc.column("ticket_number").doUpdateSet({
          [column]: sql`CASE WHEN length(ticket_texts.${sql.ref(column)}) >= ${MAX_TEXT} THEN ticket_texts.${sql.ref(column)}
            ELSE ticket_texts.${sql.ref(column)} || ${"\n"} || ${body.slice(0, MAX_TEXT)} END`,
        }),
      )
      .execute();
  }

  private base(f: QueueFilter) {
    let q = this.db
      .selectFrom("tickets")
      .leftJoin("organizations", "organizations.id", "tickets.organization_id")
      .leftJoin("users", "users.id", "tickets.assignee_user_id");
    if (f.queue === "watched") {
      // From the reader's watch list (indexed by user), not a lookup per ticket of the queue.
      q = q.where(
        "tickets.id",
        "in",
        this.db
          .selectFrom("ticket_watchers")
          .select("ticket_watchers.ticket_id")
          .where("ticket_watchers.user_id", "=", f.userId),
      );
    }
    return q;
  }

  private conditions(f: QueueFilter, text: Expression<SqlBool> | null) {
    return <QB extends ReturnType<QueueRepository["base"]>>(q: QB): QB => {
      let r = q as ReturnType<QueueRepository["base"]>;
      if (f.tenant) r = r.where("tickets.organization_id", "=", f.tenant);
      const statuses = f.status?.length ? f.status : f.queue === "all" ? undefined : [...openStatuses];
      if (statuses) r = r.where("tickets.status", "in", statuses);
      if (f.queue === "mine") r = r.where("tickets.assignee_user_id", "=", f.userId);
      if (f.queue === "unassigned") r = r.where("tickets.assignee_user_id", "is", null);
      if (f.queue === "team") r = f.teams.length ? r.where("tickets.team", "in", f.teams) : r.where(sql.lit(false));
      if (f.queue === "breached") r = r.where("tickets.sla_breached", "=", true);
      if (f.queue === "breaching")
        r = r.where("tickets.sla_due_at", ">=", f.now).where("tickets.sla_due_at", "<", f.soonBefore);
      if (f.severity?.length) r = r.where("tickets.severity", "in", f.severity);
      if (f.tier?.length) r = r.where("tickets.tier", "in", f.tier);
      if (f.team) r = r.where("tickets.team", "=", f.team);
      if (f.organization) r = r.where("tickets.organization_id", "=", f.organization);
      if (f.assignee) r = r.where("tickets.assignee_user_id", "=", f.assignee);
      if (text) r = r.where(text);
      return r as QB;
    };
  }

  private columns() {
    return [
      "tickets.id",
      "tickets.number",
      "tickets.subject",
      "tickets.organization_id",
      "organizations.name as organization_name",
      "tickets.requester_contact",
      "tickets.assignee_user_id",
      "users.name as assignee_name",
      "tickets.status",
      "tickets.severity",
      "tickets.tier",
      "tickets.team",
      "tickets.type",
      "tickets.channel",
      "tickets.sla_due_at",
      "tickets.sla_breached",
      "tickets.created_at",
      "tickets.updated_at",
    ] as const;
  }

  /**
   * One page of a queue. `urgency`: next breach first (tickets without a running clock after, newest first
   * among equals by id); `newest`: by id, newest first. Keyset over (sla_due_at, id), so any page costs the same.
   */
  async page(f: QueueFilter, sort: QueueSort, after: QueueKey | undefined, limit: number): Promise<QueueRow[]> {
    let text: Expression<SqlBool> | null = null;
    if (f.q) {
      text = await this.textMatch(f.q, !f.tenant);
      if (!text) return [];
    }
    const where = this.conditions(f, text);
    const select = () => where(this.base(f)).select(this.columns());
    if (sort === "newest") {
      let q = select();
      if (after) q = q.where("tickets.id", "<", after.id);
      return (await q.orderBy("tickets.id", "desc").limit(limit).execute()) as QueueRow[];
    }
    const rows: QueueRow[] = [];
    if (!after || after.due !== null) {
      let q = select().where("tickets.sla_due_at", "is not", null);
      if (after?.due)
        q = q.where((eb) =>
          eb.or([
            eb("tickets.sla_due_at", ">", after.due!),
            eb.and([eb("tickets.sla_due_at", "=", after.due!), eb("tickets.id", ">", after.id)]),
          ]),
        );
      rows.push(
        ...((await q.orderBy("tickets.sla_due_at").orderBy("tickets.id").limit(limit).execute()) as QueueRow[]),
      );
    }
    if (rows.length < limit) {
      let q = select().where("tickets.sla_due_at", "is", null);
      if (after && after.due === null) q = q.where("tickets.id", "<", after.id);
      rows.push(
        ...((await q
          .orderBy("tickets.id", "desc")
          .limit(limit - rows.length)
          .execute()) as QueueRow[]),
      );
    }
    return rows;
  }

  /**
   * How many open tickets each queue holds for the reader: one count per queue, each over its own partial index
   * of the open tickets (assignee, team, due time, breached; migrations 0013, 0023, 0044), so a count reads index
   * entries of its range and never a ticket's row; "watched" starts from the reader's watch list.
   */
  async counts(f: Omit<QueueFilter, "queue">): Promise<Record<QueueName, number>> {
    const open = [...openStatuses];
    const count = async (narrow: (q: ReturnType<QueueRepository["openTickets"]>) => typeof q) =>
      Number(
        (
          await narrow(this.openTickets(f.tenant))
            .select((eb) => eb.fn.countAll<number | string>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    let w = this.db
      .selectFrom("ticket_watchers")
      .innerJoin("tickets", "tickets.id", "ticket_watchers.ticket_id")
      .where("ticket_watchers.user_id", "=", f.userId)
      .where("tickets.status", "in", open)
      .select((eb) => eb.fn.countAll<number | string>().as("n"));
    if (f.tenant) w = w.where("tickets.organization_id", "=", f.tenant);
    const [all, mine, team, unassigned, breaching, breached, watched] = await Promise.all([
      count((q) => q),
      count((q) => q.where("tickets.assignee_user_id", "=", f.userId)),
      f.teams.length ? count((q) => q.where("tickets.team", "in", f.teams)) : 0,
      count((q) => q.where("tickets.assignee_user_id", "is", null)),
      count((q) => q.where("tickets.sla_due_at", ">=", f.now).where("tickets.sla_due_at", "<", f.soonBefore)),
      count((q) => q.where("tickets.sla_breached", "=", true)),
      w.executeTakeFirstOrThrow().then((r) => Number(r.n)),
    ]);
    return { open: all, mine, team, unassigned, breaching, breached, watched, all };
  }

  /**
   * The open tickets (of one organization for a customer): every count and group starts here. The statuses are
   * literals: SQLite matches a partial index's WHERE against the query's text when it prepares it, so with bound
   * parameters it never picks the open-ticket indexes and reads every open ticket's row instead.
   */
  private openTickets(tenant: string | undefined) {
    let q = this.db
      .selectFrom("tickets")
      .where(sql.ref("tickets.status"), "in", sql`(${sql.join(openStatuses.map((s) => sql.lit(s)))})`);
    if (tenant) q = q.where("tickets.organization_id", "=", tenant);
    return q;
  }

  /**
   * Open tickets by tier and by organization (the 50 busiest), for the queue's side list: each an index-only scan
   * of its partial index of the open tickets (migration 0048; the status column in it is what lets SQLite read
   * the index alone).
   */
  async groups(f: Omit<QueueFilter, "queue">) {
    const open = () => this.openTickets(f.tenant);
    const [tiers, orgs] = await Promise.all([
      open()
        .select(["tickets.tier as key", (eb) => eb.fn.countAll<number | string>().as("n")])
        .groupBy("tickets.tier")
        .execute(),
      open()
        .select(["tickets.organization_id as key", (eb) => eb.fn.countAll<number | string>().as("n")])
        .groupBy("tickets.organization_id")
        .orderBy((eb) => eb.fn.countAll(), "desc")
        .limit(50)
        .execute(),
    ]);
    // Names of the 50 only, after the grouping.
    const names = orgs.length
      ? await this.db
          .selectFrom("organizations")
          .select(["id", "name"])
          .where(
            "id",
            "in",
            orgs.map((o) => String(o.key)),
          )
          .execute()
      : [];
    const nameOf = new Map(names.map((n) => [n.id, n.name]));
    return {
      tiers: tiers.map((r) => ({ tier: String(r.key), count: Number(r.n) })),
      organizations: orgs.map((r) => ({
        organizationId: String(r.key),
        name: nameOf.get(String(r.key)) ?? "",
        count: Number(r.n),
      })),
    };
  }

  /** Open tickets per assignee and team, by severity and SLA state. */
  async workload(now: string, soonBefore: string): Promise<WorkloadRow[]> {
    const state = sql<WorkloadRow["state"]>`CASE WHEN tickets.sla_breached = ${sql.lit(true)} THEN 'breached'
      WHEN tickets.sla_due_at < ${soonBefore} AND tickets.sla_due_at >= ${now} THEN 'breaching' ELSE 'ok' END`;
    const rows = await this.db
      .selectFrom("tickets")
      .where("tickets.status", "in", [...openStatuses])
      .select([
        "tickets.assignee_user_id",
        "tickets.team",
        "tickets.severity",
        state.as("state"),
        (eb) => eb.fn.countAll<number | string>().as("n"),
      ])
      // By the output name: PostgreSQL does not see two bindings of the same CASE as one expression.
      .groupBy(["tickets.assignee_user_id", "tickets.team", "tickets.severity", sql.ref("state")])
      .execute();
    // Names of the assignees after the grouping: one lookup per agent, not per ticket.
    const ids = [...new Set(rows.map((r) => r.assignee_user_id).filter((id): id is string => id !== null))];
    const names = ids.length
      ? await this.db.selectFrom("users").select(["id", "name"]).where("id", "in", ids).execute()
      : [];
    const nameOf = new Map(names.map((n) => [n.id, n.name]));
    return rows.map((r) => ({
      ...r,
      assignee_name: r.assignee_user_id ? (nameOf.get(r.assignee_user_id) ?? null) : null,
    }));
  }

  /** The id of the ticket of that number, if the reader (a customer: its organization's) can see it. */
  async idOfNumber(number: number, tenant?: string): Promise<string | null> {
    let q = this.db.selectFrom("tickets").select("id").where("number", "=", number);
    if (tenant) q = q.where("organization_id", "=", tenant);
    return (await q.executeTakeFirst())?.id ?? null;
  }

  /** SLA clocks met and missed since `since`. */
  async slaOutcomesSince(since: string): Promise<{ fulfilled: number; breached: number }> {
    const rows = await this.db
      .selectFrom("sla_events")
      .where("at", ">=", since)
      .where("kind", "in", ["fulfilled", "breached"])
      .select(["kind", (eb) => eb.fn.countAll<number | string>().as("n")])
      .groupBy("kind")
      .execute();
    const n = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
    return { fulfilled: n("fulfilled"), breached: n("breached") };
  }
}
