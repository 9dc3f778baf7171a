import type { Clock } from "../../platform/clock.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { Cadence, PlanDocument } from "../plan/document.js";
import type { Finding, FindingLocale } from "../plan/findings.js";
import type { MaintenanceService } from "./maintenance.js";
import type { ChangeRow, StatusRepository } from "./repository.js";
import type { RequestInfo } from "./service.js";

export const changeKinds = ["security", "fix", "improvement"] as const;
export type ChangeKind = (typeof changeKinds)[number];
export const validations = ["pending", "passed", "failed"] as const;
export const outcomes = ["pending", "succeeded", "failed", "rolled_back"] as const;

export interface ChangeInput {
  title: string;
  kind: ChangeKind;
  description?: string;
  validation?: (typeof validations)[number];
  validatedAt?: string | null;
  windowId?: string | null;
  appliedAt?: string | null;
  outcome?: (typeof outcomes)[number];
  outsideWindowReason?: string | null;
}

export function changeView(row: ChangeRow) {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    description: row.description,
    validation: row.validation,
    validatedAt: row.validated_at,
    windowId: row.window_id,
    appliedAt: row.applied_at,
    outcome: row.outcome,
    outsideWindowReason: row.outside_window_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type ChangeRecord = ReturnType<typeof changeView>;

const DAY = 86_400_000;
/** How long each cadence allows between two releases; `immediate` is "right after validation": 3 days. */
export const cadenceDays: Record<Cadence, number> = {
  immediate: 3,
  daily: 1,
  weekly: 7,
  biweekly: 14,
  monthly: 31,
  quarterly: 92,
  semiannual: 183,
  yearly: 366,
};

const track = { security: "security", fix: "fixes", improvement: "improvements" } as const;

/**
 * Cadence findings against the plan's update tracks (pure): a validated security update not applied within
 * its allowed time; no fix release within the fixes cadence, no improvement release within the improvements
 * cadence (counted from the last one applied, or from the first record while none was). No records, no
 * findings: the register is not in use yet.
 */
export function cadenceFindings(
  changes: readonly ChangeRecord[],
  doc: PlanDocument,
  now: Date,
  locale: FindingLocale,
): Finding[] {
  if (!changes.length) return [];
  const pt = locale === "pt-BR";
  const out: Finding[] = [];
  const securityDays = cadenceDays[doc.updates.security.cadence];
  for (const c of changes) {
    if (c.kind !== "security" || c.validation !== "passed" || c.appliedAt || !c.validatedAt) continue;
    const late = now.getTime() - Date.parse(c.validatedAt) - securityDays * DAY;
    if (late <= 0) continue;
    out.push({
      id: `update-security-overdue:${c.id}`,
      severity: "critical",
      title: pt
        ? `Atualização de segurança validada e não aplicada: ${c.title}`
        : `Validated security update not applied: ${c.title}`,
      detail: pt
        ? `Validada em ${c.validatedAt}; o plano pede aplicação em até ${securityDays} dia(s) (${doc.updates.security.cadence}).`
        : `Validated at ${c.validatedAt}; the plan asks for it within ${securityDays} day(s) (${doc.updates.security.cadence}).`,
      fields: ["/updates/security/cadence"],
      suggestion: pt
        ? "Aplique-a na próxima janela ou registre o motivo."
        : "Apply it in the next window or record why not.",
      key: "updateSecurityOverdue",
      params: {
        title: { type: "text", value: c.title },
        validatedAt: { type: "instant", value: c.validatedAt },
        allowed: { type: "duration", value: securityDays, unit: "days" },
        cadence: { type: "cadence", value: doc.updates.security.cadence },
      },
    });
  }
  const first = Math.min(...changes.map((c) => Date.parse(c.createdAt)));
  for (const kind of ["fix", "improvement"] as const) {
    const t = track[kind];
    const days = cadenceDays[doc.updates[t].cadence];
    const applied = changes
      .filter((c) => c.kind === kind && c.appliedAt && c.outcome !== "failed")
      .map((c) => Date.parse(c.appliedAt!));
    const since = applied.length ? Math.max(...applied) : first;
    const gap = Math.floor((now.getTime() - since) / DAY);
    if (gap <= days) continue;
    const what = pt ? (kind === "fix" ? "correções" : "melhorias") : kind === "fix" ? "fix" : "improvement";
    out.push({
      id: `update-${kind}-cadence`,
      severity: "warning",
      title: pt
        ? `${gap} dias sem versão de ${what}`
        : `${gap} days without a${kind === "improvement" ? "n" : ""} ${what} release`,
      detail: pt
        ? `O plano pede uma versão de ${what} a cada ${days} dias (${doc.updates[t].cadence}); a última foi em ${new Date(since).toISOString()}.`
        : `The plan asks for a${kind === "improvement" ? "n" : ""} ${what} release every ${days} days (${doc.updates[t].cadence}); the last was at ${new Date(since).toISOString()}.`,
      fields: [`/updates/${t}/cadence`],
      suggestion: pt ? "Programe uma janela para a próxima versão." : "Schedule a window for the next release.",
      key: kind === "fix" ? "updateFixCadence" : "updateImprovementCadence",
      params: {
        gap: { type: "duration", value: gap, unit: "days" },
        allowed: { type: "duration", value: days, unit: "days" },
        cadence: { type: "cadence", value: doc.updates[t].cadence },
        since: { type: "instant", value: new Date(since).toISOString() },
      },
    });
  }
  return out;
}

/** Change records (the plan's Atualizações): what was updated, validated, in which window, and how it went. */
export class ChangeService {
  private readonly repo: StatusRepository;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly maintenance: MaintenanceService;
  private readonly plan: () => Promise<PlanDocument>;
  private readonly events: EventBus;

  constructor(deps: {
    repo: StatusRepository;
    clock: Clock;
    audit: AuditService;
    events: EventBus;
    maintenance: MaintenanceService;
    plan: () => Promise<PlanDocument>;
  }) {
    this.events = deps.events;
    this.repo = deps.repo;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.maintenance = deps.maintenance;
    this.plan = deps.plan;
  }

  async list(page: { limit: number; after?: string }) {
    return (await this.repo.changes(page)).map(changeView);
  }

  async get(id: string) {
    const row = await this.repo.change(id);
    if (!row) throw Problem.notFound(`Change ${id}`);
    return changeView(row);
  }

  /**
   * A change applied outside a maintenance window (none given, or applied outside its occurrences) needs a
   * reason, unless the plan applies that kind outside windows (security updates by default).
   */
  async #check(c: ChangeInput & { validation: string }) {
    if (c.windowId) {
      const row = await this.maintenance.get(c.windowId).catch(() => null);
      if (!row)
        throw Problem.invalid({ in: "body", pointer: "/windowId", message: `no maintenance window ${c.windowId}` });
    }
    if (c.appliedAt && c.validation !== "passed" && !c.outsideWindowReason?.trim())
      throw Problem.invalid({
        in: "body",
        pointer: "/validation",
        message: "a change is applied after its validation passed (or give outsideWindowReason for an emergency)",
      });
    if (!c.appliedAt) return;
    const doc = await this.plan();
    if (!doc.updates[track[c.kind]].inMaintenanceWindow) return;
    const at = new Date(c.appliedAt);
    const inWindow =
      !!c.windowId &&
      (await this.maintenance.occurrences(at, new Date(at.getTime() + 1))).some(
        (o) => o.window.id === c.windowId && o.start <= at && at < o.end,
      );
    if (!inWindow && !c.outsideWindowReason?.trim())
      throw Problem.invalid({
        in: "body",
        pointer: "/outsideWindowReason",
        message: "the change is applied outside a maintenance window: record the reason",
      });
  }

  async create(actor: Actor, input: ChangeInput, req: RequestInfo) {
    const validation = input.validation ?? "pending";
    await this.#check({ ...input, validation });
    const now = this.clock.now().toISOString();
    const id = uuidv7();
    const row = {
      id,
      title: input.title,
      kind: input.kind,
      description: input.description ?? "",
      validation,
      validated_at: validation === "passed" ? (input.validatedAt ?? now) : null,
      window_id: input.windowId ?? null,
      applied_at: input.appliedAt ? new Date(input.appliedAt).toISOString() : null,
      outcome: input.outcome ?? "pending",
      outside_window_reason: input.outsideWindowReason?.trim() || null,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.insertChange(row, trx);
      await this.audit.record({ action: "change.created", actor, target: { type: "change", id }, request: req }, trx);
      await this.events.publish(
        {
          type: "change.recorded",
          subjectId: id,
          payload: {
            changeId: id,
            title: row.title,
            kind: row.kind,
            validation: row.validation,
            windowId: row.window_id,
            appliedAt: row.applied_at,
          },
        },
        trx,
      );
    });
    return this.get(id);
  }

  async update(actor: Actor, id: string, patch: Partial<ChangeInput>, req: RequestInfo) {
    const before = await this.get(id);
    const merged = { ...before, ...patch, kind: patch.kind ?? before.kind } as ChangeInput & { validation: string };
    await this.#check(merged);
    const now = this.clock.now().toISOString();
    await this.repo.updateChange(id, {
      title: merged.title,
      kind: merged.kind,
      description: merged.description ?? "",
      validation: merged.validation,
      validated_at: merged.validation === "passed" ? (patch.validatedAt ?? before.validatedAt ?? now) : null,
      window_id: merged.windowId ?? null,
      applied_at: merged.appliedAt ? new Date(merged.appliedAt).toISOString() : null,
      outcome: merged.outcome ?? "pending",
      outside_window_reason: merged.outsideWindowReason?.trim() || null,
      updated_at: now,
    });
    const after = await this.get(id);
    await this.audit.record({
      action: "change.updated",
      actor,
      target: { type: "change", id },
      change: { before, after },
      request: req,
    });
    return after;
  }

  /** The plan module's finding source: cadence findings over the last year of records. */
  findings = async (doc: PlanDocument, now: Date, locale: FindingLocale): Promise<Finding[]> => {
    const rows = await this.repo.changesSince(new Date(now.getTime() - 366 * DAY).toISOString());
    return cadenceFindings(rows.map(changeView), doc, now, locale);
  };
}
