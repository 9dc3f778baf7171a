import { randomBytes } from "node:crypto";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { DirectoryService } from "../identity/directory.js";
import type { PlanDocument } from "../plan/document.js";
import { isOpen, nextOpening } from "../sla/business-time.js";
import { type CompiledCalendar, compileCalendar } from "../sla/calendar.js";
import { businessCalendarOf } from "../tickets/fcr-service.js";
import { portalUserOf, portalVisitorId, signVisitor, verifyVisitor } from "./model.js";
import type { ChatRepository, SiteRow } from "./repository.js";

export interface SiteInput {
  name: string;
  organizationId: string;
  visitors?: "verified" | "anonymous";
  calendar?: string | null;
  origins?: string[];
}

/** A visitor as the widget names itself on every call: the site, the identifier and the site's signature of it. */
export interface VisitorCredentials {
  siteId: string;
  visitorId: string;
  signature: string;
}

/** A visitor whose signature checked out, with the site it belongs to. */
export interface Visitor {
  site: SiteRow;
  visitorId: string;
  /** Set when the visitor is a portal user chatting as themselves. */
  userId?: string;
}

export const forgedIdentity = () =>
  new Problem(
    403,
    "chat-identity-refused",
    "Visitor identity refused",
    "The signature does not match the visitor identifier for this site",
  );

export interface ChatSiteDeps {
  repo: ChatRepository;
  secrets: SecretBox;
  clock: Clock;
  directory: DirectoryService;
  plan: { current(): Promise<{ version: number; document: PlanDocument }> };
  /** This installation's own address: the portal chats on a site that lists its origin. */
  publicUrl: string;
}

/**
 * Chat sites: where the widget runs, the key that signs its visitors (sealed at rest) and the hours it is
 * attended, read from the plan's calendars through the SLA module's business-time code.
 */
export class ChatSites {
  #calendars = new Map<string, CompiledCalendar>();
  #calendarsOf = -1;

  constructor(private readonly deps: ChatSiteDeps) {}

  async create(input: SiteInput) {
    await this.#checkOrganization(input.organizationId);
    await this.#checkCalendar(input.calendar ?? null);
    const now = this.deps.clock.now().toISOString();
    const secret = randomBytes(32).toString("hex");
    const row: SiteRow = {
      id: uuidv7(),
      name: input.name,
      organization_id: input.organizationId,
      secret: this.deps.secrets.seal(secret),
      visitors: input.visitors ?? "verified",
      calendar: input.calendar ?? null,
      origins: JSON.stringify(input.origins ?? []),
      created_at: now,
      updated_at: now,
    };
    await this.deps.repo.insertSite(row);
    return this.present(row);
  }

  async update(id: string, patch: Partial<SiteInput>) {
    const site = await this.find(id);
    if (patch.organizationId) await this.#checkOrganization(patch.organizationId);
    if (patch.calendar !== undefined) await this.#checkCalendar(patch.calendar);
    const changes: Partial<SiteRow> = { updated_at: this.deps.clock.now().toISOString() };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.organizationId !== undefined) changes.organization_id = patch.organizationId;
    if (patch.visitors !== undefined) changes.visitors = patch.visitors;
    if (patch.calendar !== undefined) changes.calendar = patch.calendar;
    if (patch.origins !== undefined) changes.origins = JSON.stringify(patch.origins);
    await this.deps.repo.updateSite(id, changes);
    return this.present({ ...site, ...changes });
  }

  /** A new key: every signature made with the old one stops working at once. */
  async rotateSecret(id: string) {
    await this.find(id);
    const secret = randomBytes(32).toString("hex");
    await this.deps.repo.updateSite(id, {
      secret: this.deps.secrets.seal(secret),
      updated_at: this.deps.clock.now().toISOString(),
    });
    return this.present((await this.deps.repo.findSite(id))!);
  }

  async list() {
    return (await this.deps.repo.sites()).map((s) => this.present(s));
  }

  async get(id: string) {
    return this.present(await this.find(id));
  }

  async find(id: string): Promise<SiteRow> {
    const site = await this.deps.repo.findSite(id);
    if (!site) throw Problem.notFound("Chat site");
    return site;
  }

  /** Staff view: the key is shown to those who configure sites, since the provider's backend signs with it. */
  present(s: SiteRow) {
    return {
      id: s.id,
      name: s.name,
      organizationId: s.organization_id,
      visitors: s.visitors,
      calendar: s.calendar,
      origins: JSON.parse(s.origins) as string[],
      secret: this.deps.secrets.open(s.secret),
      createdAt: s.created_at,
      updatedAt: s.updated_at,
    };
  }

  /** Checks a visitor's signature (constant time) on every write and read; a forged one is refused. */
  async verify(c: VisitorCredentials): Promise<Visitor> {
    const site = await this.deps.repo.findSite(c.siteId);
    // An unknown site refuses the same way as a wrong signature: the widget's callers learn nothing more.
    if (!site || !verifyVisitor(this.deps.secrets.open(site.secret), c.visitorId, c.signature)) throw forgedIdentity();
    return { site, visitorId: c.visitorId, userId: portalUserOf(c.visitorId) };
  }

  /** An anonymous visitor on a site that allows them: a random identifier the server signs. */
  async anonymousVisitor(siteId: string) {
    const site = await this.find(siteId);
    if (site.visitors !== "anonymous")
      throw new Problem(403, "chat-identity-refused", "Visitor identity required", "This site signs its visitors");
    const visitorId = `anon:${randomBytes(16).toString("hex")}`;
    return { visitorId, signature: signVisitor(this.deps.secrets.open(site.secret), visitorId) };
  }

  /** A portal user chats as themselves: the server signs their identity for the site. */
  async portalIdentity(siteId: string, user: { userId: string; name: string; email: string }) {
    const site = await this.find(siteId);
    const visitorId = portalVisitorId(user.userId);
    return {
      siteId,
      visitorId,
      signature: signVisitor(this.deps.secrets.open(site.secret), visitorId),
      name: user.name,
      email: user.email,
    };
  }

  /**
   * The site the portal's chat launcher uses: the oldest site whose origins name the portal's own (the page
   * that may embed it); null while no site does, and the portal shows no launcher.
   */
  async portalSite(): Promise<string | null> {
    const own = new URL(this.deps.publicUrl).origin;
    const sites = (await this.deps.repo.sites()).sort((a, b) => (a.id < b.id ? -1 : 1));
    return sites.find((s) => (JSON.parse(s.origins) as string[]).includes(own))?.id ?? null;
  }

  /** Whether the site is attended now, on its plan calendar; when not, the next opening. */
  async hours(site: SiteRow): Promise<{ open: boolean; nextOpening: string | null }> {
    const calendar = await this.#calendar(site.calendar);
    const now = this.deps.clock.now();
    if (isOpen(calendar, now)) return { open: true, nextOpening: null };
    const next = nextOpening(calendar, now);
    return { open: false, nextOpening: Number.isFinite(next) ? new Date(next).toISOString() : null };
  }

  /** Whether `origin` may embed the site's widget (no list: any). */
  originAllowed(site: SiteRow, origin: string | undefined): boolean {
    const origins = JSON.parse(site.origins) as string[];
    return origins.length === 0 || (origin !== undefined && origins.includes(origin));
  }

  async #calendar(id: string | null): Promise<CompiledCalendar> {
    const plan = await this.deps.plan.current();
    if (plan.version !== this.#calendarsOf) {
      this.#calendars = new Map();
      this.#calendarsOf = plan.version;
    }
    const key = id ?? "";
    let cal = this.#calendars.get(key);
    if (!cal) {
      const own = id ? plan.document.calendars[id] : undefined;
      cal = own ? compileCalendar(own) : businessCalendarOf(plan.document);
      this.#calendars.set(key, cal);
    }
    return cal;
  }

  async #checkOrganization(id: string) {
    const org = await this.deps.directory.getOrganization(id).catch(() => undefined);
    if (!org) throw Problem.invalid({ in: "body", pointer: "/organizationId", message: "is not an organization" });
  }

  async #checkCalendar(id: string | null) {
    if (id === null) return;
    const plan = await this.deps.plan.current();
    if (!Object.hasOwn(plan.document.calendars, id))
      throw Problem.invalid({ in: "body", pointer: "/calendar", message: "is not a calendar of the plan" });
  }
}
