import type { Kysely } from "kysely";
import { type ParsedMail, simpleParser } from "mailparser";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { NotificationService } from "../notifications/service.js";
import type { PlanService } from "../plan/service.js";
import type { RequestInfo } from "../tickets/activity.js";
import type { AttachmentStore } from "../tickets/attachments.js";
import type { MessageOrigin, NewTicket, TicketService } from "../tickets/service.js";
import {
  type AutomaticReason,
  automaticReason,
  type BurstLimit,
  baseSubject,
  DEFAULT_BURST,
  domainOf,
  legacySubject,
  normalizeAddress,
  ourSubjectNumber,
  splitQuoted,
  threadKeys,
  ticketNumberInSubject,
} from "./core.js";
import type { IntakeLogRow, MailboxRow, MailRepository } from "./repository.js";

/** The actor the intake writes tickets as: no person, so the audit log names it "mail-intake". */
export const MAIL_INTAKE_ACTOR_ID = "00000000-0000-7000-8000-00000000a11e";

export interface Arrival {
  mailbox: MailboxRow;
  via: "smtp" | "imap";
  /** The SMTP envelope sender ("" for a bounce); undefined through IMAP. */
  envelopeFrom?: string;
  /** `UIDVALIDITY:UID` of a polled message. */
  imapUid?: string;
  remoteAddress?: string;
}

export type Outcome = "opened" | "threaded" | "reopened" | "linked" | "dropped" | "duplicate" | "failed";

export interface IntakeResult {
  outcome: Outcome;
  ticketId?: string;
  ticketNumber?: number;
  automatic?: AutomaticReason;
}

export interface MailIntakeDeps {
  repo: MailRepository;
  tickets: TicketService;
  directory: DirectoryService;
  notifications: Pick<NotificationService, "threadOfReply">;
  plan: Pick<PlanService, "current">;
  /** Where raw messages are kept (the attachment store, under its own folder). */
  raw: AttachmentStore;
  clock: Clock;
  /** Our outgoing sender: mail from it is a loop. */
  mailFrom: string;
  providerOrganizationId(): Promise<string>;
  attachmentMaxBytes: number;
  burst?: BurstLimit;
}

interface Sender {
  address: string;
  name: string;
  organizationId: string;
  userId: string | null;
  staff: boolean;
  /** How the organization was found; "unknown" mail goes to the unknown senders' queue. */
  via: "user" | "contact" | "domain" | "mailbox" | "unknown";
}

type Ticket = Awaited<ReturnType<TicketService["get"]>>;

/** Tag of tickets opened by mail from senders no rule places: the "unknown senders" queue. */
export const UNKNOWN_SENDER_TAG = "unknown-sender";
const CONTACTS_TTL_MS = 30_000;
const CACHE_MS = 5_000;

/**
 * Turns one inbound mail into ticket work: parses it, guards against loops and auto-replies, threads it onto
 * its ticket (subject tag, In-Reply-To, References, scoped to the sender) or opens a ticket for the sender's
 * organization, stores attachments and the raw message, and writes what it did to the intake log. It never
 * throws for bad mail: every fault becomes a log entry.
 */
export class MailIntake {
  readonly #actor: Actor;
  readonly #burst: BurstLimit;
  #contacts: { at: number; byEmail: Map<string, string>; ready: Promise<void> } | undefined;

  constructor(private readonly deps: MailIntakeDeps) {
    this.#burst = deps.burst ?? DEFAULT_BURST;
    this.#actor = {
      userId: MAIL_INTAKE_ACTOR_ID,
      email: "mail-intake",
      name: "E-mail",
      role: "admin",
      organizationId: "",
      tier: null,
      teams: [],
      via: "token",
    };
  }

  async take(raw: Buffer, arrival: Arrival): Promise<IntakeResult> {
    const { mailbox } = arrival;
    const now = this.deps.clock.now().toISOString();
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw, { skipImageLinks: true, maxHtmlLengthToParse: 5_000_000 });
    } catch (err) {
      await this.log(mailbox.id, "error", "malformed", `Could not parse the message: ${(err as Error).message}`);
      return { outcome: "failed" };
    }
    const from = mail.from?.value.find((a) => a.address)?.address;
    // An 8-bit Latin-1 header reads as U+FFFD to a UTF-8 parser: decoded again from its bytes.
    const parsedSubject = mail.subject ?? "";
    const subject = (parsedSubject.includes("\uFFFD") ? (legacySubject(raw) ?? parsedSubject) : parsedSubject).slice(
      0,
      500,
    );
    if (!from || !/^[^@\s]+@[^@\s]+$/.test(from)) {
      await this.log(mailbox.id, "error", "malformed", "The message has no usable From address", { subject });
      return { outcome: "failed" };
    }
    const sender = normalizeAddress(from);
    const messageId = mail.messageId ? `<${mail.messageId.replace(/^<|>$/g, "")}>` : null;
    const row = {
      id: uuidv7(),
      mailbox_id: mailbox.id,
      message_id: messageId,
      via: arrival.via,
      imap_uid: arrival.imapUid ?? null,
      sender,
      subject,
      subject_key: baseSubject(subject).slice(0, 200),
      ticket_id: null,
      ticket_message_id: null,
      outcome: "pending",
      automatic: null,
      quoted: null,
      raw_sha256: await this.deps.raw.put(raw),
      raw_size: raw.length,
      received_at: now,
    };
    if (!(await this.deps.repo.insertMessage(row))) {
      await this.log(mailbox.id, "info", "duplicate", `Already taken in (${messageId ?? arrival.imapUid})`, {
        sender,
        subject,
      });
      return { outcome: "duplicate" };
    }
    // Recorded inside the sender's turn: the next mail's burst guard and threading read this row's ticket.
    return this.#oneAtATime(sender, async () => {
      try {
        const result = await this.#file(row.id, mail, sender, subject, arrival);
        await this.deps.repo.updateMessage(row.id, {
          outcome: result.outcome,
          ticket_id: result.ticketId ?? null,
          ticket_message_id: result.messageId ?? null,
          automatic: result.automatic ?? null,
          quoted: result.quoted || null,
        });
        return result;
      } catch (err) {
        // Taken in but not filed: kept with its raw message, and told to the administrators.
        await this.deps.repo.updateMessage(row.id, { outcome: "failed" });
        const detail = err instanceof Problem ? `${err.title}: ${err.detail}` : (err as Error).message;
        await this.log(mailbox.id, "error", "failed", `Could not file the message: ${detail}`, { sender, subject });
        return { outcome: "failed" as const };
      }
    });
  }

  /**
   * One sender's mails are filed one after another on a node, so a burst's first mail has its ticket before the
   * second asks for it (the mail-bomb guard and threading read what the previous one filed). Across nodes the
   * sender's lock in `#burstTicket` decides; this queue keeps a node's share of a burst from holding a pooled
   * connection per mail while they all wait for that lock, and orders the rest of the filing as well.
   */
  #oneAtATime<T>(sender: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#senders.get(sender) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#senders.set(sender, tail);
    void tail.then(() => {
      if (this.#senders.get(sender) === tail) this.#senders.delete(sender);
    });
    return run;
  }
  readonly #senders = new Map<string, Promise<void>>();

  async #file(
    mailId: string,
    mail: ParsedMail,
    address: string,
    subject: string,
    arrival: Arrival,
  ): Promise<IntakeResult & { messageId?: string; quoted?: string }> {
    const { mailbox } = arrival;
    const headers = new Map<string, string>();
    for (const h of mail.headerLines) if (!headers.has(h.key)) headers.set(h.key, h.line.replace(/^[^:]*:\s*/, ""));
    const own = await this.#ownAddresses();
    const automatic =
      automaticReason({
        headers,
        from: address,
        envelopeFrom: arrival.envelopeFrom,
        contentType: headers.get("content-type"),
        ownAddresses: own,
      }) ?? undefined;
    const settings = (await this.deps.plan.current()).document.email ?? {
      ticketTag: "#",
      closedTicket: "reopen" as const,
    };
    // mailparser writes an HTML-only mail's text from its HTML.
    const text = mail.text ?? "";
    const { body, quoted } = splitQuoted(text);
    const sender = await this.#sender(address, mail.from?.value[0]?.name ?? "", mailbox);
    const ctx = { sender: address, subject };
    let ticket = await this.#thread(mail, subject, sender, settings.ticketTag);
    if (!ticket && automatic) {
      await this.log(
        mailbox.id,
        "warn",
        "automatic",
        `Automatic mail (${automatic}) on no ticket: nothing opened`,
        ctx,
      );
      return { outcome: "dropped", automatic, quoted };
    }
    const req: RequestInfo = { ip: arrival.remoteAddress ?? "127.0.0.1", headers: {} };
    const refused: string[] = [];
    const attachments = mail.attachments.filter((a) => {
      if (a.size <= this.deps.attachmentMaxBytes) return true;
      refused.push(`${a.filename ?? "attachment"} (${a.size} bytes)`);
      return false;
    });
    const note = refused.length
      ? `\n\n[${refused.length} attachment(s) over the ${this.deps.attachmentMaxBytes}-byte limit not stored: ${refused.join(", ")}; the raw message keeps them]`
      : "";
    const content = `${body || "(no text)"}${note}`;
    const newTicket: NewTicket = {
      subject: subject.trim() || "(no subject)",
      description: content,
      organizationId: sender.organizationId,
      ...(sender.userId && !sender.staff
        ? { requesterId: sender.userId }
        : { requester: { name: sender.name || sender.address, email: sender.address } }),
      channel: "email",
      type: "usage_question",
      severity: "medium",
      ...(mailbox.team ? { team: mailbox.team } : {}),
      ...(sender.via === "unknown" ? { tags: [UNKNOWN_SENDER_TAG] } : {}),
    };
    let outcome: Outcome = "threaded";
    if (ticket?.mergedIntoId) ticket = await this.deps.tickets.get(this.#actor, ticket.mergedIntoId);
    let linkTo: Ticket | undefined;
    if (ticket?.status === "closed" && !automatic) {
      if (settings.closedTicket === "reopen") {
        ticket = await this.deps.tickets.update(this.#actor, ticket.id, { status: "open" }, req);
        outcome = "reopened";
      } else {
        linkTo = ticket;
        ticket = undefined;
      }
    }
    // A mail that opens a ticket, a reply to a closed one under `new_linked` included, passes the burst guard.
    let opened: Ticket | undefined;
    if (!ticket) {
      const open = await this.deps.tickets.prepareCreate(this.#actor, newTicket, req);
      ({ joined: ticket, opened } = await this.#burstTicket(mailId, address, subject, open));
      if (ticket) {
        linkTo = undefined;
        await this.log(
          mailbox.id,
          "warn",
          "rate_limited",
          `More than ${this.#burst.newTickets} new tickets in ${this.#burst.windowMs / 1000} s from this sender (or the same subject again): added to #${ticket.number}`,
          { ...ctx, ticketId: ticket.id },
        );
        if (ticket.mergedIntoId) ticket = await this.deps.tickets.get(this.#actor, ticket.mergedIntoId);
      }
    }
    let messageId: string | undefined;
    if (ticket) {
      if (ticket.status === "closed") {
        await this.log(
          mailbox.id,
          "info",
          "automatic",
          `Automatic mail (${automatic}) on closed #${ticket.number}`,
          ctx,
        );
        return { outcome: "dropped", automatic, ticketId: ticket.id, ticketNumber: ticket.number, quoted };
      }
      const origin: MessageOrigin = {
        channel: "email",
        authorUserId: sender.userId,
        authorKind: sender.staff ? "agent" : "customer",
        automatic: Boolean(automatic),
      };
      const m = await this.deps.tickets.addMessage(
        this.#actor,
        ticket.id,
        { body: content, visibility: automatic ? "internal" : "public" },
        req,
        origin,
      );
      messageId = m.id;
    } else {
      ticket = opened as Ticket;
      outcome = linkTo ? "linked" : "opened";
      if (linkTo) await this.deps.tickets.link(this.#actor, ticket.id, { ticketId: linkTo.id, kind: "related" }, req);
    }
    for (const a of attachments) {
      if (!a.content.length) continue;
      await this.deps.tickets.attach(
        this.#actor,
        ticket.id,
        { filename: a.filename ?? "attachment", data: a.content.toString("base64"), messageId },
        req,
      );
    }
    if (refused.length)
      await this.log(mailbox.id, "warn", "attachment_refused", `Not stored (over the limit): ${refused.join(", ")}`, {
        ...ctx,
        ticketId: ticket.id,
      });
    const what = {
      opened: `Opened #${ticket.number} for ${sender.via === "unknown" ? "an unknown sender" : `the sender's organization (by ${sender.via})`}`,
      linked: `Opened #${ticket.number}, linked to closed #${linkTo?.number}`,
      reopened: `Reopened #${ticket.number} and added the mail`,
      threaded: `Added to #${ticket.number}`,
    }[outcome as "opened" | "linked" | "reopened" | "threaded"];
    await this.log(
      mailbox.id,
      automatic ? "warn" : "info",
      automatic ? "automatic" : outcome,
      automatic ? `Automatic mail (${automatic}) kept as an internal note on #${ticket.number}; no answer sent` : what,
      { ...ctx, ticketId: ticket.id },
    );
    return { outcome, ticketId: ticket.id, ticketNumber: ticket.number, automatic, messageId, quoted };
  }

  /** The ticket the mail names, in order: number in the subject, In-Reply-To, References; only the sender's own. */
  async #thread(mail: ParsedMail, subject: string, sender: Sender, tag: string): Promise<Ticket | undefined> {
    const number = ticketNumberInSubject(subject, tag) ?? ourSubjectNumber(subject, tag) ?? Number.NaN;
    if (Number.isFinite(number)) {
      // By number, not by search: another ticket's subject may quote this number ("[#12] …" opened as new_linked).
      const found = await this.deps.tickets.getByNumber(this.#actor, number);
      if (found && this.#mayJoin(found, sender)) return found;
    }
    const keys = threadKeys(mail.inReplyTo, mail.references);
    if (!keys.length) return undefined;
    const ours = await this.deps.repo.ticketsOfMessageIds(keys);
    for (const key of keys) {
      const thread = ours.has(key) ? undefined : await this.deps.notifications.threadOfReply([key]);
      const id = ours.get(key) ?? (thread?.kind === "ticket" ? thread.id : undefined);
      if (!id) continue;
      const t = await this.deps.tickets.get(this.#actor, id).catch(() => undefined);
      if (t && this.#mayJoin(t, sender)) return t;
    }
    return undefined;
  }

  /** A mail joins only a ticket of its sender's organization, or one it requested itself. */
  #mayJoin(t: Ticket, sender: Sender): boolean {
    if (sender.staff) return true;
    if (t.requester.email && normalizeAddress(t.requester.email) === sender.address) return true;
    if (sender.userId && t.requesterId === sender.userId) return true;
    return sender.via !== "unknown" && sender.via !== "mailbox" && t.organizationId === sender.organizationId;
  }

  /**
   * The mail-bomb guard for a mail that names no ticket: the same subject again, or too many new tickets in the
   * window, joins the latest; otherwise `open` opens the mail's ticket. Decided, opened and recorded on the mail in
   * one transaction under the sender's lock, so nodes taking parts of one burst see each other's tickets.
   */
  async #burstTicket(
    mailId: string,
    sender: string,
    subject: string,
    open: (trx: Kysely<DB>) => Promise<Ticket>,
  ): Promise<{ joined?: Ticket; opened?: Ticket }> {
    const since = new Date(this.deps.clock.now().getTime() - this.#burst.windowMs).toISOString();
    return this.deps.repo.transaction(async (trx) => {
      await this.deps.repo.lockSender(sender, trx);
      const recent = await this.deps.repo.recentFrom(sender, baseSubject(subject).slice(0, 200), since, trx);
      const target = recent.sameSubject ?? (recent.opened >= this.#burst.newTickets ? recent.latest : null);
      const t = target ? await this.deps.tickets.get(this.#actor, target, trx).catch(() => undefined) : undefined;
      if (t && t.status !== "closed") return { joined: t };
      const opened = await open(trx);
      await this.deps.repo.updateMessage(mailId, { outcome: "opened", ticket_id: opened.id }, trx);
      return { opened };
    });
  }

  /** Whose mail this is: a user, an organization's contact, a domain rule, the mailbox's organization, or nobody known. */
  async #sender(address: string, name: string, mailbox: MailboxRow): Promise<Sender> {
    const base = { address, name };
    const user = await this.deps.directory.findUserByEmail(address);
    if (user) {
      const full = await this.deps.directory.getUser(user.userId).catch(() => undefined);
      if (full && !full.disabled)
        return {
          ...base,
          name: full.name,
          organizationId: full.organizationId,
          userId: full.id,
          staff: isStaff(full.role),
          via: "user",
        };
    }
    const contact = (await this.#contactIndex()).get(address);
    if (contact) return { ...base, organizationId: contact, userId: null, staff: false, via: "contact" };
    const rule = (await this.#domainRules()).get(domainOf(address));
    if (rule) return { ...base, organizationId: rule, userId: null, staff: false, via: "domain" };
    if (mailbox.organization_id)
      return { ...base, organizationId: mailbox.organization_id, userId: null, staff: false, via: "mailbox" };
    return {
      ...base,
      organizationId: await this.deps.providerOrganizationId(),
      userId: null,
      staff: false,
      via: "unknown",
    };
  }

  /** Our own addresses (the outgoing sender and every mailbox), read again every few seconds. */
  #ownAddresses = this.#cached(
    async () => new Set([normalizeAddress(this.deps.mailFrom), ...(await this.deps.repo.addresses())]),
  );
  /** Domain → organization, read again every few seconds. */
  #domainRules = this.#cached(
    async () => new Map((await this.deps.repo.domainRules()).map((r) => [r.domain, r.organization_id])),
  );

  /** Mailboxes, domain rules or contacts changed on this node: read them again now (other nodes within seconds). */
  forget(): void {
    this.#generation++;
    this.#contacts = undefined;
  }
  #generation = 0;

  /** A value read at most every 5 s (rules change rarely; a mailbox added shows within seconds on every node). */
  #cached<T>(read: () => Promise<T>): () => Promise<T> {
    let value: { at: number; generation: number; promise: Promise<T> } | undefined;
    return () => {
      const at = Date.now();
      if (!value || at - value.at > CACHE_MS || value.generation !== this.#generation) {
        value = { at, generation: this.#generation, promise: read() };
        value.promise.catch(() => {
          value = undefined;
        });
      }
      return value.promise;
    };
  }

  /** Contact addresses of every organization, read again every 30 s. */
  async #contactIndex(): Promise<Map<string, string>> {
    const at = Date.now();
    if (!this.#contacts || at - this.#contacts.at > CONTACTS_TTL_MS) {
      const byEmail = new Map<string, string>();
      const ready = (async () => {
        let after: string | undefined;
        for (;;) {
          const page = await this.deps.directory.listOrganizations({ limit: 500, after }, {});
          for (const o of page)
            for (const c of o.contacts as { email?: string }[])
              if (c.email && o.kind === "customer") byEmail.set(normalizeAddress(c.email), o.id);
          if (page.length < 500) return;
          after = page.at(-1)!.id;
        }
      })();
      this.#contacts = { at, byEmail, ready };
    }
    await this.#contacts.ready;
    return this.#contacts.byEmail;
  }

  async log(
    mailboxId: string | null,
    level: IntakeLogRow["level"],
    event: string,
    detail: string,
    ctx: { sender?: string; subject?: string; ticketId?: string } = {},
  ): Promise<void> {
    await this.deps.repo.log({
      id: uuidv7(),
      mailbox_id: mailboxId,
      at: this.deps.clock.now().toISOString(),
      level,
      event,
      sender: ctx.sender ?? null,
      subject: ctx.subject ?? null,
      ticket_id: ctx.ticketId ?? null,
      detail: detail.slice(0, 2000),
    });
  }
}
