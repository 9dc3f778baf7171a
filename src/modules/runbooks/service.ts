import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { PlanService } from "../plan/service.js";
import { defaultRunbooks } from "./defaults.js";
import type { DrillRow, DrillStepRow, RunbookRepository, RunbookRow, RunbookVersionRow } from "./repository.js";
import type { RunbookInput, RunbookKind, RunbookPatch, StepInput } from "./schemas.js";
import { drillTiming, markStep, openSteps, type StepMark, type StepTimes, toMinutes } from "./timing.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export interface Step {
  title: string;
  description: string;
  ownerRole: string | null;
  ownerUserId: string | null;
  expectedMinutes: number;
}

export const SEED_COMMENT = "Roteiro padrão do plano";

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

const sumMinutes = (steps: { expectedMinutes: number }[]) => steps.reduce((sum, s) => sum + s.expectedMinutes, 0);

function runbookFields(row: RunbookRow | RunbookVersionRow) {
  const steps = JSON.parse(row.steps) as Step[];
  return {
    name: row.name,
    purpose: row.purpose,
    kind: row.kind,
    monitorId: row.monitor_id,
    steps,
    version: Number(row.version),
    expectedMinutes: sumMinutes(steps),
  };
}

function versionView(row: RunbookVersionRow) {
  return {
    runbookId: row.runbook_id,
    ...runbookFields(row),
    author: row.author_label === null ? null : { userId: row.author_user_id, name: row.author_label },
    comment: row.comment,
    createdAt: row.created_at,
  };
}

const stepTimes = (s: DrillStepRow): StepTimes => ({
  status: s.status,
  startedAt: s.started_at,
  finishedAt: s.finished_at,
  expectedMinutes: s.expected_minutes,
});

/** Normalised steps: one owner each, an empty description rather than none. */
function normaliseSteps(steps: StepInput[]): Step[] {
  return steps.map((s, i) => {
    if ((s.ownerRole === undefined) === (s.ownerUserId === undefined)) {
      throw invalid(`/steps/${i}`, "must name exactly one owner: ownerRole or ownerUserId");
    }
    return {
      title: s.title,
      description: s.description ?? "",
      ownerRole: s.ownerRole ?? null,
      ownerUserId: s.ownerUserId ?? null,
      expectedMinutes: s.expectedMinutes,
    };
  });
}

/**
 * Disaster-recovery runbooks (versioned checklists) and their drills: a drill copies a runbook version's
 * steps, times each step on the server clock and compares the whole with the plan's RTO.
 */
export class RunbookService {
  private readonly repo: RunbookRepository;
  private readonly plan: PlanService;
  private readonly audit: AuditService;
  private readonly events: EventBus;
  private readonly clock: Clock;

  constructor(deps: {
    repo: RunbookRepository;
    plan: PlanService;
    audit: AuditService;
    events: EventBus;
    clock: Clock;
  }) {
    this.repo = deps.repo;
    this.plan = deps.plan;
    this.audit = deps.audit;
    this.events = deps.events;
    this.clock = deps.clock;
  }

  async #rtoMinutes(): Promise<number> {
    return toMinutes((await this.plan.current()).document.disasterRecovery.rto);
  }

  /** Seeds the plan's three checklists once per database, whichever node starts first; safe on every start. */
  async ensureSeeded(): Promise<void> {
    const now = this.clock.now();
    await this.repo.transaction(async (trx) => {
      if (!(await this.repo.claimSeeding(now.toISOString(), trx))) return;
      for (const seed of defaultRunbooks) {
        // Ids are made in order, so the defaults list in the plan's order.
        const at = now.toISOString();
        const id = uuidv7();
        const content = {
          name: seed.name,
          purpose: seed.purpose,
          kind: seed.kind,
          monitor_id: null,
          steps: seed.steps.map((s) => ({ ...s, ownerUserId: null })),
          version: 1,
        };
        await this.repo.insert({ id, ...content, created_at: at, updated_at: at }, trx);
        await this.repo.insertVersion(
          {
            runbook_id: id,
            ...content,
            author_user_id: null,
            author_label: null,
            comment: SEED_COMMENT,
            created_at: at,
          },
          trx,
        );
      }
      await this.audit.record(
        { action: "runbooks.seeded", actorLabel: "system", details: { count: defaultRunbooks.length } },
        trx,
      );
    });
  }

  // runbooks ------------------------------------------------------------------------------------
  async list(page: { limit: number; after?: string; kind?: RunbookKind }) {
    const rto = await this.#rtoMinutes();
    return (await this.repo.list(page)).map((row) => this.#view(row, rto));
  }

  async get(id: string) {
    return this.#view(await this.#find(id), await this.#rtoMinutes());
  }

  #view(row: RunbookRow, rtoMinutes: number) {
    return {
      id: row.id,
      ...runbookFields(row),
      rtoMinutes,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async #find(id: string, executor?: Kysely<DB>): Promise<RunbookRow> {
    const row = await this.repo.find(id, executor);
    if (!row) throw Problem.notFound("Runbook");
    return row;
  }

  async versions(id: string, page: { limit: number; before?: number }) {
    await this.#find(id);
    return (await this.repo.versions(id, page)).map(versionView);
  }

  /** Owners must be enabled staff users; a monitor only belongs on a contingency-activation runbook. */
  async #check(kind: RunbookKind, monitorId: string | null, steps: Step[]): Promise<void> {
    if (monitorId !== null && kind !== "contingency-activation") {
      throw invalid("/monitorId", "only a contingency-activation runbook watches a monitor");
    }
    const ids = [...new Set(steps.flatMap((s) => (s.ownerUserId ? [s.ownerUserId] : [])))];
    const found = new Set((await this.repo.staffUsers(ids)).map((u) => u.id));
    const missing = steps.findIndex((s) => s.ownerUserId !== null && !found.has(s.ownerUserId));
    if (missing >= 0) throw invalid(`/steps/${missing}/ownerUserId`, "is not an enabled staff user");
  }

  async create(actor: Actor, input: RunbookInput, req: RequestInfo) {
    const steps = normaliseSteps(input.steps);
    const monitorId = input.monitorId ?? null;
    await this.#check(input.kind, monitorId, steps);
    const now = this.clock.now().toISOString();
    const id = uuidv7();
    const content = {
      name: input.name,
      purpose: input.purpose ?? "",
      kind: input.kind,
      monitor_id: monitorId,
      steps,
      version: 1,
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.insert({ id, ...content, created_at: now, updated_at: now }, trx);
      await this.repo.insertVersion(
        {
          runbook_id: id,
          ...content,
          author_user_id: actor.userId,
          author_label: actor.name,
          comment: input.comment ?? "",
          created_at: now,
        },
        trx,
      );
      await this.audit.record(
        {
          action: "runbook.created",
          actor,
          target: { type: "runbook", id },
          request: req,
          details: { name: content.name, kind: content.kind, steps: steps.length },
        },
        trx,
      );
    });
    return this.get(id);
  }

  /** Saves a new version; `baseVersion` older than the current one is a conflict, as is a concurrent save. */
  async update(actor: Actor, id: string, patch: RunbookPatch, req: RequestInfo) {
    const before = await this.#find(id);
    const current = runbookFields(before);
    if (patch.baseVersion !== undefined && patch.baseVersion !== current.version) {
      throw Problem.conflict(
        `The runbook is at version ${current.version}, not ${patch.baseVersion}: reload it and apply the change again`,
      );
    }
    const kind = patch.kind ?? current.kind;
    const steps = patch.steps ? normaliseSteps(patch.steps) : current.steps;
    // A runbook that stops being contingency-activation drops its monitor unless the edit names one.
    const monitorId =
      patch.monitorId !== undefined ? patch.monitorId : kind === "contingency-activation" ? current.monitorId : null;
    await this.#check(kind, monitorId, steps);
    const now = this.clock.now().toISOString();
    const content = {
      name: patch.name ?? current.name,
      purpose: patch.purpose ?? current.purpose,
      kind,
      monitor_id: monitorId,
      steps,
      version: current.version + 1,
    };
    await this.repo.transaction(async (trx) => {
      if (!(await this.repo.update(id, current.version, { ...content, updated_at: now }, trx))) {
        throw Problem.conflict("The runbook changed meanwhile: reload it and apply the change again");
      }
      await this.repo.insertVersion(
        {
          runbook_id: id,
          ...content,
          author_user_id: actor.userId,
          author_label: actor.name,
          comment: patch.comment ?? "",
          created_at: now,
        },
        trx,
      );
      const after = await this.#find(id, trx);
      await this.audit.record(
        {
          action: "runbook.updated",
          actor,
          target: { type: "runbook", id },
          request: req,
          change: { before: runbookFields(before), after: runbookFields(after) },
          details: { version: content.version, comment: patch.comment ?? "" },
        },
        trx,
      );
    });
    return this.get(id);
  }

  async remove(actor: Actor, id: string, req: RequestInfo): Promise<void> {
    const row = await this.#find(id);
    await this.repo.transaction(async (trx) => {
      if (await this.repo.hasRunningDrill(id, trx)) {
        throw Problem.conflict("A drill of this runbook is running: finish or abort it first");
      }
      await this.repo.delete(id, trx);
      await this.audit.record(
        {
          action: "runbook.deleted",
          actor,
          target: { type: "runbook", id },
          request: req,
          details: { name: row.name, kind: row.kind, version: Number(row.version) },
        },
        trx,
      );
    });
  }

  // drills --------------------------------------------------------------------------------------
  #drillView(drill: DrillRow, steps: DrillStepRow[]) {
    const now = this.clock.now().toISOString();
    const times = steps.map(stepTimes);
    const timing = drillTiming(
      {
        status: drill.status,
        startedAt: drill.started_at,
        finishedAt: drill.finished_at,
        rtoMinutes: drill.rto_minutes,
      },
      times,
      now,
    );
    return {
      id: drill.id,
      runbookId: drill.runbook_id,
      runbookVersion: Number(drill.runbook_version),
      runbookName: drill.runbook_name,
      kind: drill.kind,
      status: drill.status,
      notes: drill.notes,
      startedBy: { userId: drill.started_by_user_id, name: drill.started_by_label },
      startedAt: drill.started_at,
      finishedAt: drill.finished_at,
      elapsedSeconds: timing.elapsedSeconds,
      expectedMinutes: timing.expectedMinutes,
      rtoMinutes: Number(drill.rto_minutes),
      expectedFitsRto: timing.expectedFitsRto,
      rtoVerdict: timing.verdict,
      steps: steps.map((s, i) => ({
        index: s.position,
        title: s.title,
        description: s.description,
        ownerRole: s.owner_role,
        ownerUserId: s.owner_user_id,
        expectedMinutes: s.expected_minutes,
        status: s.status,
        startedAt: s.started_at,
        finishedAt: s.finished_at,
        durationSeconds: timing.steps[i]!.durationSeconds,
        overran: timing.steps[i]!.overran,
        note: s.note,
        markedBy: s.marked_by_label,
      })),
    };
  }

  async #loadDrill(id: string, executor?: Kysely<DB>) {
    const drill = await this.repo.findDrill(id, executor);
    if (!drill) throw Problem.notFound("Drill");
    return { drill, steps: await this.repo.steps([id], executor) };
  }

  async drill(id: string) {
    const { drill, steps } = await this.#loadDrill(id);
    return this.#drillView(drill, steps);
  }

  async drills(page: { limit: number; before?: string; runbookId?: string; status?: DrillRow["status"] }) {
    const rows = await this.repo.listDrills(page);
    const byDrill = new Map<string, DrillStepRow[]>(rows.map((d) => [d.id, []]));
    for (const s of await this.repo.steps(rows.map((d) => d.id))) byDrill.get(s.drill_id)?.push(s);
    return rows.map((d) => {
      const { steps: _steps, ...summary } = this.#drillView(d, byDrill.get(d.id)!);
      return summary;
    });
  }

  /** Starts a drill of the runbook's current version, against the plan's RTO of this moment. */
  async startDrill(actor: Actor, input: { runbookId: string; notes?: string }, req: RequestInfo) {
    const runbook = await this.repo.find(input.runbookId);
    if (!runbook) throw invalid("/runbookId", "is not a runbook");
    const fields = runbookFields(runbook);
    const rtoMinutes = await this.#rtoMinutes();
    const now = this.clock.now();
    const id = uuidv7();
    const drill: DrillRow = {
      id,
      runbook_id: runbook.id,
      runbook_version: fields.version,
      runbook_name: fields.name,
      kind: fields.kind,
      status: "running",
      rto_minutes: rtoMinutes,
      notes: input.notes ?? "",
      started_by_user_id: actor.userId,
      started_by_label: actor.name,
      started_at: now.toISOString(),
      finished_at: null,
    };
    const steps: DrillStepRow[] = fields.steps.map((s, position) => ({
      drill_id: id,
      position,
      title: s.title,
      description: s.description,
      owner_role: s.ownerRole,
      owner_user_id: s.ownerUserId,
      expected_minutes: s.expectedMinutes,
      status: "pending",
      started_at: null,
      finished_at: null,
      note: "",
      marked_by_label: null,
    }));
    await this.repo.transaction(async (trx) => {
      await this.repo.insertDrill(drill, steps, trx);
      await this.audit.record(
        {
          action: "drill.started",
          actor,
          target: { type: "drill", id },
          request: req,
          details: { runbookId: runbook.id, runbookVersion: fields.version, rtoMinutes },
        },
        trx,
      );
      await this.events.publish(
        {
          type: "drill.started",
          subjectId: id,
          payload: {
            drillId: id,
            runbookId: runbook.id,
            runbookName: fields.name,
            kind: fields.kind,
            rtoMinutes,
            expectedMinutes: fields.expectedMinutes,
          },
        },
        trx,
      );
    });
    return this.drill(id);
  }

  async #running(id: string, trx: Kysely<DB>) {
    const loaded = await this.#loadDrill(id, trx);
    if (loaded.drill.status !== "running") throw Problem.conflict(`The drill is ${loaded.drill.status}`);
    return loaded;
  }

  /** Marks one step started, done or skipped at the server's now. */
  async markStep(
    actor: Actor,
    id: string,
    index: number,
    input: { status: StepMark; note?: string },
    req: RequestInfo,
  ) {
    await this.repo.transaction(async (trx) => {
      const { drill, steps } = await this.#running(id, trx);
      const step = steps[index];
      if (!step) throw Problem.notFound(`Step ${index} of this drill`);
      const now = this.clock.now().toISOString();
      const result = markStep(steps.map(stepTimes), index, input.status, now, drill.started_at);
      if (!result.ok) throw Problem.conflict(result.reason);
      const saved = await this.repo.updateStep(
        id,
        index,
        step.status,
        {
          status: result.step.status,
          started_at: result.step.startedAt,
          finished_at: result.step.finishedAt,
          note: input.note ?? step.note,
          marked_by_label: actor.name,
        },
        trx,
      );
      if (!saved) throw Problem.conflict(`Step ${index} changed meanwhile: reload the drill`);
      await this.audit.record(
        {
          action: "drill.step_marked",
          actor,
          target: { type: "drill", id },
          request: req,
          details: { index, title: step.title, from: step.status, to: result.step.status },
        },
        trx,
      );
    });
    return this.drill(id);
  }

  /** Finishes a drill whose steps are all done or skipped; open steps are a conflict naming them. */
  finish(actor: Actor, id: string, input: { notes?: string }, req: RequestInfo) {
    return this.#end(actor, id, "finished", input.notes, req);
  }

  /** Stops a drill before its end; open steps stay as they were, the reason goes to the notes. */
  abort(actor: Actor, id: string, input: { reason: string }, req: RequestInfo) {
    return this.#end(actor, id, "aborted", input.reason, req);
  }

  async #end(actor: Actor, id: string, status: "finished" | "aborted", notes: string | undefined, req: RequestInfo) {
    await this.repo.transaction(async (trx) => {
      const { drill, steps } = await this.#running(id, trx);
      if (status === "finished") {
        const open = openSteps(steps.map(stepTimes));
        if (open.length) {
          throw Problem.conflict(`Steps ${open.join(", ")} are not done or skipped: mark them, or abort the drill`);
        }
      }
      const now = this.clock.now().toISOString();
      const allNotes = notes ? (drill.notes ? `${drill.notes}\n\n${notes}` : notes) : drill.notes;
      if (!(await this.repo.endDrill(id, { status, finished_at: now, notes: allNotes }, trx))) {
        throw Problem.conflict("The drill ended meanwhile");
      }
      const view = this.#drillView({ ...drill, status, finished_at: now, notes: allNotes }, steps);
      await this.audit.record(
        {
          action: `drill.${status}`,
          actor,
          target: { type: "drill", id },
          request: req,
          details: { elapsedSeconds: view.elapsedSeconds, rtoMinutes: view.rtoMinutes, rtoVerdict: view.rtoVerdict },
        },
        trx,
      );
      await this.events.publish(
        {
          type: "drill.finished",
          subjectId: id,
          payload: {
            drillId: id,
            runbookId: drill.runbook_id,
            runbookName: drill.runbook_name,
            outcome: status,
            elapsedSeconds: view.elapsedSeconds,
            rtoMinutes: view.rtoMinutes,
            rtoVerdict: view.rtoVerdict,
            stepsDone: steps.filter((s) => s.status === "done").length,
            stepsSkipped: steps.filter((s) => s.status === "skipped").length,
          },
        },
        trx,
      );
    });
    return this.drill(id);
  }
}
