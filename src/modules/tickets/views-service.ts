import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import { storableJson } from "../../platform/db/dialect.js";
import type { DB, TicketViewTable } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import { type Actor, forbidden } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import { customersUsePortal } from "./audience.js";
import type { Severity, Status } from "./model.js";
import type { QueueName, QueueSort } from "./queue-repository.js";

export interface ViewFilters {
  queue?: QueueName;
  status?: Status[];
  severity?: Severity[];
  tier?: ("L1" | "L2" | "L3")[];
  team?: string;
  organization?: string;
  assignee?: string;
  q?: string;
}

export interface ViewInput {
  name: string;
  shared: boolean;
  filters: ViewFilters;
  sort: QueueSort;
}

function present(r: TicketViewTable) {
  return {
    id: r.id,
    name: r.name,
    ownerId: r.owner_user_id,
    shared: Boolean(r.shared),
    filters: JSON.parse(r.filters) as ViewFilters,
    sort: r.sort as QueueSort,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Saved queue views: personal (the owner's) or shared with the owner's organization (the provider's staff, or
 * one customer's users). A view the reader may not see does not exist for them; only the owner changes it.
 */
export class TicketViewService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
  ) {}

  private visible(actor: Actor) {
    return this.db
      .selectFrom("ticket_views")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb("owner_user_id", "=", actor.userId),
          eb.and([eb("shared", "=", true), eb("organization_id", "=", actor.organizationId)]),
        ]),
      );
  }

  async list(actor: Actor) {
    return (await this.visible(actor).orderBy("name").orderBy("id").limit(500).execute()).map(present);
  }

  async get(actor: Actor, id: string) {
    const row = await this.visible(actor).where("id", "=", id).executeTakeFirst();
    if (!row) throw Problem.notFound("View");
    return present(row);
  }

  async create(actor: Actor, input: ViewInput) {
    // Views filter the agents' queue, which is staff only: customers have none, so any id is a 404 to them.
    if (!isStaff(actor.role)) throw customersUsePortal("Saved queue views");
    const now = this.clock.now().toISOString();
    const row: TicketViewTable = {
      id: uuidv7(),
      owner_user_id: actor.userId,
      organization_id: actor.organizationId,
      name: input.name,
      shared: input.shared,
      filters: storableJson(input.filters),
      sort: input.sort,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto("ticket_views").values(row).execute();
    return present(row);
  }

  async update(actor: Actor, id: string, input: Partial<ViewInput>) {
    const view = await this.get(actor, id);
    if (view.ownerId !== actor.userId) throw forbidden("Only its owner changes a view");
    const patch: Partial<TicketViewTable> = { updated_at: this.clock.now().toISOString() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.shared !== undefined) patch.shared = input.shared;
    if (input.filters !== undefined) patch.filters = storableJson(input.filters);
    if (input.sort !== undefined) patch.sort = input.sort;
    await this.db.updateTable("ticket_views").set(patch).where("id", "=", id).execute();
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: string) {
    const view = await this.get(actor, id);
    if (view.ownerId !== actor.userId) throw forbidden("Only its owner deletes a view");
    await this.db.deleteFrom("ticket_views").where("id", "=", id).execute();
  }
}
