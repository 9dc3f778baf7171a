import type { Clock } from "../../platform/clock.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
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
  async of(page: Pick<PageRow, "customers">, step: Step, round: number): Promise<Omit<Recipients, "target">> {
    const users = new Map<string, { id: string; name: string }>();
    const addresses = new Map<string, Recipients["addresses"][number]>();
    const webhooks = new Map<string, Recipients["webhooks"][number]>();
    const now = this.clock.now().getTime();
    const addUser = async (id: string | null) => {
      if (!id || users.has(id)) return;
      const u = await this.directory.getUser(id).catch(() => null);
      if (u && !u.disabled && isStaff(u.role)) users.set(id, { id, name: u.name });
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
          for (const u of await this.staffWhere(t)) users.set(u.id, { id: u.id, name: u.name });
          break;
        case "emergencyContacts":
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
          if (round > 0) break;
          for (const c of parse<{ email: string; locale?: "pt-BR" | "en" }[]>(page.customers)) {
            addresses.set(c.email, { email: c.email, locale: c.locale ?? "pt-BR", label: c.email, customer: true });
          }
          break;
        case "webhook":
          webhooks.set(t.webhookId!, { webhookId: t.webhookId!, flavour: t.flavour ?? "plantao" });
          break;
      }
    }
    return { users: [...users.values()], addresses: [...addresses.values()], webhooks: [...webhooks.values()] };
  }

  /** Active staff of a team, a role or a tier, every page of them. */
  private async staffWhere(t: Target) {
    const out: { id: string; name: string }[] = [];
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
        out.push({ id: u.id, name: u.name });
      }
      if (page.length < 500) return out;
      after = page.at(-1)!.id;
    }
  }
}
