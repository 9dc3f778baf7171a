import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { CannedResponseTable, DB } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import type { RequestInfo } from "./activity.js";
import type { TicketService } from "./service.js";

type CannedRow = Selectable<CannedResponseTable>;

/** The placeholders a canned response may use, each with what fills it. */
export const placeholders = [
  "customer.name",
  "customer.email",
  "organization.name",
  "ticket.number",
  "ticket.subject",
  "agent.name",
  "agent.email",
] as const;
export type Placeholder = (typeof placeholders)[number];

const placeholderPattern = /\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g;

/** Placeholders in `body` that are not known, in order of appearance (a typo would otherwise reach a customer). */
export function unknownPlaceholders(body: string): string[] {
  const names = [...body.matchAll(placeholderPattern)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !(placeholders as readonly string[]).includes(n)))];
}

/** The body with each `{{name}}` replaced by its value; a value that is unknown here becomes empty. */
export function fillPlaceholders(body: string, values: Partial<Record<Placeholder, string | number>>): string {
  return body.replace(placeholderPattern, (_, name: string) => String(values[name as Placeholder] ?? ""));
}

/** Roles that manage every team's responses and the shared ones (team null); others manage their teams' only. */
const curators = new Set(["admin", "manager"]);

export function presentCanned(r: CannedRow) {
  return {
    id: r.id,
    team: r.team,
    title: r.title,
    body: r.body,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class CannedResponseRepository {
  constructor(readonly db: Kysely<DB>) {}

  async list(f: { teams?: string[]; team?: string; q?: string; after?: string; limit: number }): Promise<CannedRow[]> {
    let q = this.db.selectFrom("canned_responses").selectAll().orderBy("id").limit(f.limit);
    if (f.after) q = q.where("id", ">", f.after);
    if (f.team !== undefined) q = q.where("team", "=", f.team);
    if (f.teams) {
      const teams = f.teams;
      q = q.where((eb) => eb.or([eb("team", "is", null), ...(teams.length ? [eb("team", "in", teams)] : [])]));
    }
    if (f.q) {
      const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([eb(eb.fn("lower", ["title"]), "like", like), eb(eb.fn("lower", ["body"]), "like", like)]),
      );
    }
    return q.execute();
  }

  find(id: string): Promise<CannedRow | undefined> {
    return this.db.selectFrom("canned_responses").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async insert(row: CannedRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("canned_responses").values(row).execute();
  }

  async update(id: string, patch: Partial<CannedRow>, trx: Kysely<DB>): Promise<void> {
    await trx.updateTable("canned_responses").set(patch).where("id", "=", id).execute();
  }

  async delete(id: string, trx: Kysely<DB>): Promise<void> {
    await trx.deleteFrom("canned_responses").where("id", "=", id).execute();
  }
}

export interface CannedInput {
  team?: string | null;
  title: string;
  body: string;
}

/**
 * Canned responses: staff read the shared ones and their teams' (admins and managers every team's), write
 * their teams' (admins and managers also the shared ones), and insert one into a reply with its placeholders
 * filled from the ticket and the agent.
 */
export class CannedResponseService {
  constructor(
    private readonly deps: {
      repo: CannedResponseRepository;
      tickets: Pick<TicketService, "get">;
      directory: Pick<DirectoryService, "getOrganization">;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  #mayRead(actor: Actor, team: string | null) {
    return curators.has(actor.role) || team === null || actor.teams.includes(team);
  }

  #checkWrite(actor: Actor, team: string | null) {
    if (curators.has(actor.role)) return;
    if (team === null || !actor.teams.includes(team))
      throw Problem.invalid({ in: "body", pointer: "/team", message: "must be one of your teams" });
  }

  #checkBody(body: string) {
    const unknown = unknownPlaceholders(body);
    if (unknown.length)
      throw Problem.invalid({
        in: "body",
        pointer: "/body",
        message: `unknown placeholder {{${unknown[0]}}}; use ${placeholders.map((p) => `{{${p}}}`).join(", ")}`,
      });
  }

  async #get(actor: Actor, id: string): Promise<CannedRow> {
    const row = await this.deps.repo.find(id);
    if (!row || !this.#mayRead(actor, row.team)) throw Problem.notFound("Canned response");
    return row;
  }

  async list(actor: Actor, f: { team?: string; q?: string; after?: string; limit: number }) {
    const rows = await this.deps.repo.list({ ...f, teams: curators.has(actor.role) ? undefined : actor.teams });
    return rows.map(presentCanned);
  }

  async get(actor: Actor, id: string) {
    return presentCanned(await this.#get(actor, id));
  }

  async create(actor: Actor, input: CannedInput, req: RequestInfo) {
    const team = input.team ?? null;
    this.#checkWrite(actor, team);
    this.#checkBody(input.body);
    const now = this.deps.clock.now().toISOString();
    const row: CannedRow = {
      id: uuidv7(),
      team,
      title: input.title,
      body: input.body,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    await this.deps.repo.db.transaction().execute(async (trx) => {
      await this.deps.repo.insert(row, trx);
      await this.#audit(trx, actor, req, "canned_response.created", row);
    });
    return presentCanned(row);
  }

  async update(actor: Actor, id: string, patch: Partial<CannedInput>, req: RequestInfo) {
    const before = await this.#get(actor, id);
    this.#checkWrite(actor, before.team);
    if (patch.team !== undefined) this.#checkWrite(actor, patch.team);
    if (patch.body !== undefined) this.#checkBody(patch.body);
    const after: CannedRow = {
      ...before,
      ...(patch.team !== undefined ? { team: patch.team } : {}),
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.body !== undefined ? { body: patch.body } : {}),
      updated_at: this.deps.clock.now().toISOString(),
    };
    await this.deps.repo.db.transaction().execute(async (trx) => {
      await this.deps.repo.update(id, after, trx);
      await this.#audit(trx, actor, req, "canned_response.updated", after);
    });
    return presentCanned(after);
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    const row = await this.#get(actor, id);
    this.#checkWrite(actor, row.team);
    await this.deps.repo.db.transaction().execute(async (trx) => {
      await this.deps.repo.delete(id, trx);
      await this.#audit(trx, actor, req, "canned_response.deleted", row);
    });
  }

  /** The response as it would be inserted into a reply on `ticketId`, its placeholders filled. */
  async render(actor: Actor, id: string, ticketId: string) {
    const row = await this.#get(actor, id);
    const ticket = await this.deps.tickets.get(actor, ticketId).catch(() => {
      throw Problem.invalid({ in: "body", pointer: "/ticketId", message: "no such ticket" });
    });
    const org = await this.deps.directory.getOrganization(ticket.organizationId).catch(() => undefined);
    const body = fillPlaceholders(row.body, {
      "customer.name": ticket.requester.name,
      "customer.email": ticket.requester.email ?? "",
      "organization.name": org?.name ?? "",
      "ticket.number": ticket.number,
      "ticket.subject": ticket.subject,
      "agent.name": actor.name,
      "agent.email": actor.email,
    });
    return { id: row.id, title: row.title, body };
  }

  #audit(trx: Kysely<DB>, actor: Actor, req: RequestInfo, action: string, row: CannedRow) {
    return this.deps.audit.record(
      {
        action,
        actor,
        target: { type: "canned_response", id: row.id },
        request: req,
        details: { title: row.title, team: row.team },
      },
      trx,
    );
  }
}
