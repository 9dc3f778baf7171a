import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { forbidden } from "../identity/actor.js";
import { mayPublish } from "./policy.js";
import type { CategoryRow, KbRepository } from "./repository.js";
import type { RequestInfo } from "./service.js";

export interface CategoryInput {
  name: string;
  nameEn?: string | null;
  description?: string;
  parentId?: string | null;
  position?: number;
}

export function categoryView(row: CategoryRow) {
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    nameEn: row.name_en,
    description: row.description,
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type Category = ReturnType<typeof categoryView>;

/** Categories of the knowledge base: everyone signed in reads them; admins and managers arrange them. */
export class CategoryService {
  private readonly repo: KbRepository;
  private readonly clock: Clock;
  private readonly audit: AuditService;

  constructor(deps: { repo: KbRepository; clock: Clock; audit: AuditService }) {
    this.repo = deps.repo;
    this.clock = deps.clock;
    this.audit = deps.audit;
  }

  async list(): Promise<Category[]> {
    return (await this.repo.categories()).map(categoryView);
  }

  async get(id: string): Promise<Category> {
    const row = await this.repo.category(id);
    if (!row) throw Problem.notFound(`Category ${id}`);
    return categoryView(row);
  }

  /** A parent must exist and must not be the category itself or one of its descendants. */
  async #checkParent(id: string | null, parentId: string | null | undefined) {
    if (!parentId) return;
    const all = new Map((await this.repo.categories()).map((c) => [c.id, c]));
    if (!all.has(parentId))
      throw Problem.invalid({ in: "body", pointer: "/parentId", message: `no category ${parentId}` });
    for (let at: string | null = parentId; at; at = all.get(at)?.parent_id ?? null) {
      if (at === id)
        throw Problem.invalid({ in: "body", pointer: "/parentId", message: "a category cannot sit under itself" });
    }
  }

  async create(actor: Actor, input: CategoryInput, req: RequestInfo): Promise<Category> {
    if (!mayPublish(actor.role)) throw forbidden("Only admins and managers arrange categories");
    await this.#checkParent(null, input.parentId);
    const now = this.clock.now().toISOString();
    const id = uuidv7(this.clock.now().getTime());
    await this.repo.insertCategory({
      id,
      parent_id: input.parentId ?? null,
      name: input.name.trim(),
      name_en: input.nameEn?.trim() || null,
      description: input.description ?? "",
      position: input.position ?? (await this.repo.nextCategoryPosition()),
      created_at: now,
      updated_at: now,
    });
    await this.audit.record({
      action: "kb.category.created",
      actor,
      target: { type: "kb-category", id },
      request: req,
    });
    return this.get(id);
  }

  async update(actor: Actor, id: string, patch: Partial<CategoryInput>, req: RequestInfo): Promise<Category> {
    if (!mayPublish(actor.role)) throw forbidden("Only admins and managers arrange categories");
    const before = await this.get(id);
    if (patch.parentId !== undefined) await this.#checkParent(id, patch.parentId);
    await this.repo.updateCategory(id, {
      ...(patch.name !== undefined && { name: patch.name.trim() }),
      ...(patch.nameEn !== undefined && { name_en: patch.nameEn?.trim() || null }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.parentId !== undefined && { parent_id: patch.parentId }),
      ...(patch.position !== undefined && { position: patch.position }),
      updated_at: this.clock.now().toISOString(),
    });
    const after = await this.get(id);
    await this.audit.record({
      action: "kb.category.updated",
      actor,
      target: { type: "kb-category", id },
      change: { before, after },
      request: req,
    });
    return after;
  }

  /** Its articles become uncategorised and its children move to the top. */
  async remove(actor: Actor, id: string, req: RequestInfo): Promise<void> {
    if (!mayPublish(actor.role)) throw forbidden("Only admins and managers arrange categories");
    await this.get(id);
    await this.repo.deleteCategory(id);
    await this.audit.record({
      action: "kb.category.deleted",
      actor,
      target: { type: "kb-category", id },
      request: req,
    });
  }
}
