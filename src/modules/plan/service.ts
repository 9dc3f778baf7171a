import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { type Change, jsonDiff } from "../audit/diff.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { defaultPlan, type PlanDocument } from "./document.js";
import { type Finding, type FindingLocale, findPlanProblems } from "./findings.js";
import { type HolidayRegion, holidayRegions } from "./holiday-data.js";
import type { PlanRepository, PlanVersionRow } from "./repository.js";
import { checkPlan } from "./validation.js";

export interface PlanAuthor {
  userId: string | null;
  name: string;
}

export interface PlanVersion {
  version: number;
  document: PlanDocument;
  /** Null for the seeded default. */
  author: PlanAuthor | null;
  comment: string;
  createdAt: string;
}

export interface PlanVersionSummary extends Omit<PlanVersion, "document"> {
  /** What this version changed from the one before (empty for version 1). */
  changes: Change[];
}

/** Who saves a version: a logged-in user through the API, or the command line. */
export type PlanWriter = { actor: Actor; request: Pick<FastifyRequest, "ip" | "headers"> } | { cli: true };

export interface PlanUpdate {
  document: unknown;
  comment: string;
  /** The version the change was made on; a newer current version is a conflict. */
  baseVersion?: number;
}

export const SEED_COMMENT = "Plano padrão";

function present(row: PlanVersionRow): PlanVersion {
  return {
    version: Number(row.version),
    document: JSON.parse(row.document) as PlanDocument,
    author: row.author_label === null ? null : { userId: row.author_user_id, name: row.author_label },
    comment: row.comment,
    createdAt: row.created_at,
  };
}

/** Findings a module derives from its own records against the plan (the status module's update cadence). */
export type FindingSource = (doc: PlanDocument, now: Date, locale: FindingLocale) => Promise<Finding[]>;

/** The plan as versioned configuration: every save is a new version, audited in the same transaction. */
export class PlanService {
  private readonly repo: PlanRepository;
  private readonly audit: AuditService;
  private readonly events: EventBus;
  private readonly clock: Clock;
  readonly #findingSources: FindingSource[] = [];

  constructor(deps: { repo: PlanRepository; audit: AuditService; events: EventBus; clock: Clock }) {
    this.repo = deps.repo;
    this.audit = deps.audit;
    this.events = deps.events;
    this.clock = deps.clock;
  }

  /** Creates version 1 from the plan's defaults when there is no version yet; safe to call on every start. */
  async ensureSeeded(): Promise<void> {
    if (await this.repo.latest()) return;
    const now = this.clock.now();
    await this.repo.writing(async (trx) => {
      const seeded = await this.repo.insert(
        {
          version: 1,
          document: JSON.stringify(defaultPlan(now)),
          author_user_id: null,
          author_label: null,
          comment: SEED_COMMENT,
          created_at: now.toISOString(),
        },
        trx,
      );
      if (seeded)
        await this.audit.record(
          { action: "plan.seeded", actorLabel: "system", target: { type: "plan", id: "1" } },
          trx,
        );
    });
  }

  async current(): Promise<PlanVersion> {
    let row = await this.repo.latest();
    if (!row) {
      await this.ensureSeeded();
      row = await this.repo.latest();
    }
    return present(row!);
  }

  #timeline: PlanVersion[] = [];

  /**
   * Every version oldest first, ending with the current one. Versions never change once saved, so the list is
   * read again only when a newer version exists.
   */
  async timeline(): Promise<PlanVersion[]> {
    let latest = await this.repo.latestVersion();
    if (latest === undefined) latest = (await this.current()).version;
    if (this.#timeline.at(-1)?.version !== latest) this.#timeline = (await this.repo.all()).map(present);
    return this.#timeline;
  }

  async version(version: number): Promise<PlanVersion> {
    const row = await this.repo.find(version);
    if (!row) throw Problem.notFound(`Plan version ${version}`);
    return present(row);
  }

  /**
   * Versions newest first, each with its diff against the previous one. Returns up to `limit` items; the
   * caller asks for one more than it shows to learn whether there is a next page.
   */
  async history(page: { limit: number; before?: number }): Promise<PlanVersionSummary[]> {
    // One row past the page gives the last item its predecessor to diff against.
    const rows = (await this.repo.list({ limit: page.limit + 1, before: page.before })).map(present);
    return rows.slice(0, page.limit).map(({ document, ...version }, i) => {
      const previous = rows[i + 1];
      return { ...version, changes: previous ? jsonDiff(previous.document, document) : [] };
    });
  }

  /** Saves a new version; an invalid document is a 400 naming each field and changes nothing. */
  async update(input: PlanUpdate, by: PlanWriter): Promise<PlanVersion> {
    const checked = checkPlan(input.document);
    if (!checked.ok) {
      throw new Problem(
        400,
        ProblemType.validation,
        "The plan is not valid",
        checked.errors.map((e) => `/document${e.pointer}: ${e.message}`).join("; "),
        checked.errors.map((e) => ({
          in: "body",
          pointer: `/document${e.pointer}`,
          message: e.message,
          ...(e.key ? { key: e.key, params: e.params } : {}),
        })),
      );
    }
    await this.ensureSeeded();
    const saved = await this.repo.writing(async (trx) => {
      const previous = present((await this.repo.latest(trx))!);
      if (input.baseVersion !== undefined && input.baseVersion !== previous.version) {
        throw Problem.conflict(
          `The plan is at version ${previous.version}, not ${input.baseVersion}: reload it and apply the change again`,
        );
      }
      const row: PlanVersionRow = {
        version: previous.version + 1,
        document: JSON.stringify(checked.document),
        author_user_id: "actor" in by ? by.actor.userId : null,
        author_label: "actor" in by ? by.actor.name : "cli",
        comment: input.comment,
        created_at: this.clock.now().toISOString(),
      };
      await this.repo.insert(row, trx);
      await this.audit.record(
        {
          action: "plan.updated",
          ...("actor" in by ? { actor: by.actor, request: by.request } : { actorLabel: "cli" }),
          target: { type: "plan", id: String(row.version) },
          change: { before: previous.document, after: checked.document },
          details: { comment: input.comment },
        },
        trx,
      );
      await this.events.publish(
        { type: "plan.updated", subjectId: String(row.version), payload: { version: row.version } },
        trx,
      );
      return row;
    });
    return present(saved);
  }

  /** Another module's findings against the plan (how its records keep to it), listed with the plan's own. */
  addFindingSource(source: FindingSource): void {
    this.#findingSources.push(source);
  }

  /** Problems of the current plan at this moment, and of the records other modules check against it, in `locale`. */
  async findings(locale: FindingLocale = "en"): Promise<Finding[]> {
    const doc = (await this.current()).document;
    const now = this.clock.now();
    const more = await Promise.all(this.#findingSources.map((source) => source(doc, now, locale)));
    return [...findPlanProblems(doc, now, locale), ...more.flat()];
  }

  /** The regions a calendar may take its holidays from, named in `locale` where the holiday data can. */
  holidayRegions(locale: FindingLocale = "en"): HolidayRegion[] {
    return holidayRegions(locale === "pt-BR" ? "pt" : "en");
  }
}
