/**
 * The incident processes of the plan as pure rules: the stages of each kind, what moving into a stage
 * requires, and what a move does to the incident (acknowledged, resolved, closed, reopened).
 */

export const kinds = ["operational", "security"] as const;
export type Kind = (typeof kinds)[number];

export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];

/** The plan's corrective maintenance: "Processo de Tratamento de Incidentes". */
export const operationalStages = [
  "identification",
  "classification",
  "diagnosis",
  "resolution",
  "verification",
  "documentation",
] as const;
/** The plan's "Resposta a Incidentes de Segurança". */
export const securityStages = [
  "containment",
  "eradication",
  "recovery",
  "analysis",
  "documentation",
  "improvement",
] as const;
export const allStages = [...new Set([...operationalStages, ...securityStages])] as const;
export type Stage = (typeof operationalStages)[number] | (typeof securityStages)[number];

/** Text fields a stage may record; each move stores the ones given, and later moves see them. */
export const detailFields = [
  "impact",
  "diagnosis",
  "fix",
  "evidence",
  "rootCause",
  "containment",
  "eradication",
  "preventiveMeasures",
] as const;
export type DetailField = (typeof detailFields)[number];
export type Details = Partial<Record<DetailField, string>>;

export function stagesOf(kind: Kind): readonly Stage[] {
  return kind === "security" ? securityStages : operationalStages;
}

/**
 * What entering each stage requires, as fields given with the move or already recorded by an earlier one.
 * `severity` is the classification's own field (the incident always has one; classification confirms it).
 */
export const requirements: Record<Kind, Partial<Record<Stage, readonly (DetailField | "severity")[]>>> = {
  operational: {
    classification: ["severity", "impact"],
    resolution: ["diagnosis"],
    verification: ["fix", "evidence"],
    documentation: ["rootCause", "fix"],
  },
  security: {
    eradication: ["containment"],
    recovery: ["eradication"],
    analysis: ["evidence"],
    documentation: ["rootCause", "fix"],
    improvement: ["preventiveMeasures"],
  },
};

/** The stage whose entry means the service is restored: the resolution clock is met there. */
export function resolvedStage(kind: Kind): Stage {
  return kind === "security" ? "analysis" : "verification";
}

export interface StageState {
  kind: Kind;
  stage: Stage;
  details: Details;
  acknowledged: boolean;
}

export interface StageMove {
  stage: string;
  severity?: string;
  reason?: string;
  details: Details;
}

/** Why a move is refused: the field at fault (a JSON pointer into the request body) and the message. */
export interface MoveProblem {
  pointer: string;
  message: string;
}

export type MoveOutcome =
  | { ok: false; status: 400 | 409; problems: MoveProblem[] }
  | {
      ok: true;
      stage: Stage;
      details: Details;
      /** The move acknowledges an unacknowledged incident (a person worked on it). */
      acknowledges: boolean;
      /** Entered the resolved stage (or a later one) from before it. */
      resolves: boolean;
      /** Went back before the resolved stage from it or after it. */
      reopens: boolean;
      /** Entered the last stage. */
      closes: boolean;
      backwards: boolean;
    };

const blank = (v: string | undefined) => v === undefined || v.trim() === "";

/**
 * Decides a stage move. Forward moves go one stage at a time and need the target stage's fields (given now or
 * recorded before); a move back to an earlier stage needs a reason. Moving to the current stage is a conflict.
 */
export function decideMove(state: StageState, move: StageMove): MoveOutcome {
  const order = stagesOf(state.kind);
  const to = order.indexOf(move.stage as Stage);
  if (to < 0) {
    return {
      ok: false,
      status: 400,
      problems: [
        { pointer: "/stage", message: `is not a stage of a ${state.kind} incident: one of ${order.join(", ")}` },
      ],
    };
  }
  const from = order.indexOf(state.stage);
  if (to === from) {
    return {
      ok: false,
      status: 409,
      problems: [{ pointer: "/stage", message: `the incident is already in ${state.stage}` }],
    };
  }
  const details: Details = { ...state.details };
  for (const [k, v] of Object.entries(move.details) as [DetailField, string | undefined][]) {
    if (!blank(v)) details[k] = v!.trim();
  }
  const stage = order[to]!;
  const resolvedAt = order.indexOf(resolvedStage(state.kind));
  if (to < from) {
    if (blank(move.reason)) {
      return {
        ok: false,
        status: 400,
        problems: [{ pointer: "/reason", message: `is required to move back from ${state.stage} to ${stage}` }],
      };
    }
    return {
      ok: true,
      stage,
      details,
      acknowledges: !state.acknowledged,
      resolves: false,
      reopens: from >= resolvedAt && to < resolvedAt,
      closes: false,
      backwards: true,
    };
  }
  if (to > from + 1) {
    const skipped = order.slice(from + 1, to);
    return {
      ok: false,
      status: 409,
      problems: [
        {
          pointer: "/stage",
          message: `cannot skip ${skipped.join(", ")}: from ${state.stage} the next stage is ${order[from + 1]}`,
        },
      ],
    };
  }
  const missing: MoveProblem[] = [];
  for (const field of requirements[state.kind][stage] ?? []) {
    if (field === "severity") {
      if (!move.severity) missing.push({ pointer: "/severity", message: `is required to enter ${stage}` });
    } else if (blank(details[field])) {
      missing.push({ pointer: `/${field}`, message: `is required to enter ${stage}` });
    }
  }
  if (missing.length) return { ok: false, status: 400, problems: missing };
  return {
    ok: true,
    stage,
    details,
    acknowledges: !state.acknowledged,
    resolves: to === resolvedAt,
    reopens: false,
    closes: to === order.length - 1,
    backwards: false,
  };
}
