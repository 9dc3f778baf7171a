import type { Clock } from "../../platform/clock.js";
import type { DirectoryService } from "../identity/directory.js";
import { type Area, isStaff, type Role, roleAllows } from "../identity/roles.js";
import type { Flavour } from "../notifications/chat.js";
import type { PageRow } from "./repository.js";
import type { RotationService } from "./rotations.js";
import type { Step, Target } from "./schemas.js";

/** Who a step reaches, read before its firing transaction. */
export interface Recipients {
  target: { step: number; round: number };
  users: { id: string; name: string }[];
  addresses: { email: string; locale: "pt-BR" | "en"; label: string; customer: boolean }[];
  webhooks: { webhookId: string; flavour: Flavour }[];
}

const parse = <T>(text: string) => JSON.parse(text) as T;

/**
 * Subjects whose pages only staff of an area may meet: a security incident is seen only by the security role and
 * admins (issue 13), so its page reaches only them (no customers, contacts or chat channels) and nobody else
 * sees it listed, shown or acknowledgeable.
 */
const RESTRICTED_SUBJECTS: Readonly<Record<string, Area>> = { security_incident: "security" };

/** Whether someone of `role` may be told of, and see, a page about a subject of this type. */
export function mayMeetPage(role: Role, subjectType: string): boolean {
  const area = RESTRICTED_SUBJECTS[subjectType];
  return !area || roleAllows(role, area, "read");
}

/** The subject types of pages someone of `role` may not meet. */
export const pageSubjectsHiddenFrom = (role: Role): string[] =>
  Object.keys(RESTRICTED_SUBJECTS).filter((type) => !mayMeetPage(role, type));

/** Resolves a step's targets (rotations' on-call, users, teams, roles, tiers, contacts, customers, webhooks). */
export class PageRecipients {
  private readonly rotations: RotationService;
  private readonly directory: DirectoryService;
  private readonly clock: Clock;

  constructor(deps: { rotations: RotationService; directory: DirectoryService; clock: Clock }) {
    this.rotations = deps.rotations;
    this.directory = deps.directory;
    this.clock = deps.clock;
  }

  /** Who a step's targets are at this instant: staff users, addresses and webhooks, each once. */
  async of(
    page: Pick<PageRow, "customers" | "subject_type">,
    step: Step,
    round: number,
  ): Promise<Omit<Recipients, "target">> {
    const restricted = page.subject_type in RESTRICTED_SUBJECTS;
    const users = new Map<string, { id: string; name: string }>();
    const addresses = new Map<string, Recipients["addresses"][number]>();
    const webhooks = new Map<string, Recipients["webhooks"][number]>();
    const now = this.clock.now().getTime();
    const addUser = async (id: string | null) => {
      if (!id || users.has(id)) return;
      const u = await this.directory.getUser(id).catch(() => null);
      if (u && !u.disabled && isStaff(u.role) && mayMeetPage(u.role, page.subject_type))
        users.set(id, { id, name: u.name });
    };
    for (const t of step.targets) {
      switch (t.kind) {
        case "rotation":
          await addUser(await this.rotations.onCallUser(t.rotationId!, now));
          break;
        case "oncall":
          for (const id of await this.rotations.everyoneOnCall(now)) await addUser(id);
          break;
        case "user":
          await addUser(t.userId!);
          break;
        case "team":
        case "role":
        case "tier":
          for (const u of await this.staffWhere(t)) {
            if (mayMeetPage(u.role, page.subject_type)) users.set(u.id, { id: u.id, name: u.name });
          }
          break;
        case "emergencyContacts":
          if (restricted) break;
          for (const c of await this.directory.escalationRecipients(["emergencyContacts"], null)) {
            addresses.set(c.email, {
              email: c.email,
              locale: "pt-BR",
              label: `${c.name} <${c.email}>`,
              customer: false,
            });
          }
          break;
        case "customers":
          if (round > 0 || restricted) break;
          for (const c of parse<{ email: string; locale?: "pt-BR" | "en" }[]>(page.customers)) {
            addresses.set(c.email, { email: c.email, locale: c.locale ?? "pt-BR", label: c.email, customer: true });
          }
          break;
        case "webhook":
          if (restricted) break;
          webhooks.set(t.webhookId!, { webhookId: t.webhookId!, flavour: t.flavour ?? "plantao" });
          break;
      }
    }
    return { users: [...users.values()], addresses: [...addresses.values()], webhooks: [...webhooks.values()] };
  }

  /** Active staff of a team, a role or a tier, every page of them. */
  private async staffWhere(t: Target) {
    const out: { id: string; name: string; role: Role }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.directory.listUsers(
        { limit: 500, after },
        t.kind === "role" ? { role: t.role } : t.kind === "tier" ? { role: "agent" } : {},
      );
      for (const u of page) {
        if (u.disabled || !isStaff(u.role)) continue;
        if (t.kind === "team" && !u.teams.includes(t.team!)) continue;
        if (t.kind === "tier" && u.tier !== t.tier) continue;
        out.push({ id: u.id, name: u.name, role: u.role });
      }
      if (page.length < 500) return out;
      after = page.at(-1)!.id;
    }
  }
}
