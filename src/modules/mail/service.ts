import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import type { RequestInfo } from "../tickets/activity.js";
import { normalizeAddress } from "./core.js";
import type { IntakeLogRow, MailboxRow, MailRepository } from "./repository.js";

export interface ImapInput {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password?: string;
  folder?: string;
}

export interface MailboxInput {
  address: string;
  organizationId?: string | null;
  team?: string | null;
  enabled?: boolean;
  imap?: ImapInput | null;
}

export interface ImapSettings {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  folder: string;
}

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export function presentMailbox(m: MailboxRow) {
  const imap = m.imap ? (JSON.parse(m.imap) as ImapSettings) : null;
  return {
    id: m.id,
    address: m.address,
    organizationId: m.organization_id,
    team: m.team,
    enabled: Boolean(m.enabled),
    // The password never leaves: only whether one is set.
    imap: imap ? { ...imap, passwordSet: Boolean(m.imap_password) } : null,
    lastPolledAt: m.last_polled_at,
    lastUid: Number(m.last_uid),
    lastError: m.last_error,
    createdAt: m.created_at,
    updatedAt: m.updated_at,
  };
}

export function presentLogEntry(r: IntakeLogRow) {
  return {
    id: r.id,
    mailboxId: r.mailbox_id,
    at: r.at,
    level: r.level,
    event: r.event,
    sender: r.sender,
    subject: r.subject,
    ticketId: r.ticket_id,
    detail: r.detail,
  };
}

export interface MailboxServiceDeps {
  repo: MailRepository;
  directory: DirectoryService;
  audit: AuditService;
  secrets: SecretBox;
  clock: Clock;
  /** Told when mailboxes change, so the SMTP listener and the pollers see it at once. */
  onChange?: () => void;
}

/** Mailboxes (addresses taken in, IMAP settings with the password sealed), the domain rules and the intake log. */
export class MailboxService {
  constructor(private readonly deps: MailboxServiceDeps) {}

  async list(page: { limit: number; after?: string }) {
    return (await this.deps.repo.listMailboxes(page.limit, page.after)).map(presentMailbox);
  }

  async get(id: string) {
    return presentMailbox(await this.#row(id));
  }

  async #row(id: string): Promise<MailboxRow> {
    const m = await this.deps.repo.findMailbox(id);
    if (!m) throw Problem.notFound("Mailbox");
    return m;
  }

  async #checkOrganization(id: string | null | undefined) {
    if (!id) return;
    const org = await this.deps.directory.getOrganization(id).catch(() => undefined);
    if (!org) throw invalid("/organizationId", "no such organization");
    if (org.kind !== "customer") throw invalid("/organizationId", "must be a customer organization");
  }

  #imap(input: ImapInput, before: MailboxRow | undefined) {
    const password = input.password ?? undefined;
    if (!password && !before?.imap_password) throw invalid("/imap/password", "is required for a new IMAP setting");
    const settings: ImapSettings = {
      host: input.host,
      port: input.port,
      tls: input.tls,
      user: input.user,
      folder: input.folder ?? "INBOX",
    };
    return {
      imap: JSON.stringify(settings),
      imap_password: password ? this.deps.secrets.seal(password) : before!.imap_password,
    };
  }

  async create(actor: Actor, input: MailboxInput, req: RequestInfo) {
    const address = normalizeAddress(input.address);
    await this.#checkOrganization(input.organizationId);
    if (await this.deps.repo.findMailboxByAddress(address)) throw invalid("/address", "another mailbox has it");
    const now = this.deps.clock.now().toISOString();
    const row: MailboxRow = {
      id: uuidv7(),
      address,
      organization_id: input.organizationId ?? null,
      team: input.team ?? null,
      imap: null,
      imap_password: null,
      ...(input.imap ? this.#imap(input.imap, undefined) : {}),
      enabled: input.enabled ?? true,
      uid_validity: null,
      last_uid: 0,
      poll_owner: null,
      poll_until: null,
      last_polled_at: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
    await this.deps.repo.insertMailbox(row);
    await this.#audit(actor, req, "mailbox.created", row);
    this.deps.onChange?.();
    return presentMailbox(row);
  }

  async update(actor: Actor, id: string, patch: Partial<MailboxInput>, req: RequestInfo) {
    const before = await this.#row(id);
    const after: MailboxRow = { ...before, updated_at: this.deps.clock.now().toISOString() };
    if (patch.address !== undefined) {
      after.address = normalizeAddress(patch.address);
      const other = await this.deps.repo.findMailboxByAddress(after.address);
      if (other && other.id !== id) throw invalid("/address", "another mailbox has it");
    }
    if (patch.organizationId !== undefined) {
      await this.#checkOrganization(patch.organizationId);
      after.organization_id = patch.organizationId;
    }
    if (patch.team !== undefined) after.team = patch.team;
    if (patch.enabled !== undefined) after.enabled = patch.enabled;
    if (patch.imap === null) Object.assign(after, { imap: null, imap_password: null, uid_validity: null, last_uid: 0 });
    else if (patch.imap) {
      const old = before.imap ? (JSON.parse(before.imap) as ImapSettings) : undefined;
      Object.assign(after, this.#imap(patch.imap, before));
      // Another server or folder has its own UIDs: start from its first message (Message-IDs still prevent doubles).
      if (
        !old ||
        old.host !== patch.imap.host ||
        old.user !== patch.imap.user ||
        old.folder !== (patch.imap.folder ?? "INBOX")
      )
        Object.assign(after, { uid_validity: null, last_uid: 0 });
    }
    const { id: _, ...changes } = after;
    await this.deps.repo.updateMailbox(id, changes);
    await this.#audit(actor, req, "mailbox.updated", after);
    this.deps.onChange?.();
    return presentMailbox(after);
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    const before = await this.#row(id);
    await this.deps.repo.deleteMailbox(id);
    await this.#audit(actor, req, "mailbox.deleted", before);
    this.deps.onChange?.();
  }

  /** The intake log of a mailbox, newest first (mailboxId null: mail refused before any mailbox was known). */
  async log(mailboxId: string | null, page: { limit: number; before?: string }) {
    if (mailboxId) await this.#row(mailboxId);
    return (await this.deps.repo.logOf(mailboxId, page.limit, page.before)).map(presentLogEntry);
  }

  async domainRules() {
    return (await this.deps.repo.domainRules()).map((r) => ({ domain: r.domain, organizationId: r.organization_id }));
  }

  async replaceDomainRules(actor: Actor, items: { domain: string; organizationId: string }[], req: RequestInfo) {
    const seen = new Set<string>();
    for (const [i, r] of items.entries()) {
      const domain = r.domain.toLowerCase();
      if (seen.has(domain)) throw invalid(`/items/${i}/domain`, "appears twice");
      seen.add(domain);
      const org = await this.deps.directory.getOrganization(r.organizationId).catch(() => undefined);
      if (org?.kind !== "customer") throw invalid(`/items/${i}/organizationId`, "must be a customer organization");
    }
    const now = this.deps.clock.now().toISOString();
    await this.deps.repo.replaceDomainRules(
      items.map((r) => ({ domain: r.domain.toLowerCase(), organization_id: r.organizationId, created_at: now })),
    );
    await this.deps.audit.record({
      action: "mailbox.domain_rules.replaced",
      actor,
      target: { type: "mail_domain_rules", id: "all" },
      request: req,
      details: { domains: [...seen] },
    });
    return this.domainRules();
  }

  #audit(actor: Actor, req: RequestInfo, action: string, m: MailboxRow) {
    return this.deps.audit.record({
      action,
      actor,
      target: { type: "mailbox", id: m.id },
      request: req,
      details: { address: m.address, imap: Boolean(m.imap) },
    });
  }
}
