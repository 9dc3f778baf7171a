import type { IncidentUpdate, StatusIncident, StatusIncidentSource } from "../status/service.js";
import type { IncidentRepository, IncidentRow, StageRow } from "./repository.js";

/**
 * The public phase of an operational incident in a stage, in the words status pages use: found and being
 * classified is investigating, diagnosed is identified, a fix applied is monitoring, verified is resolved.
 */
export function publicPhase(stage: string): IncidentUpdate["status"] {
  switch (stage) {
    case "diagnosis":
      return "identified";
    case "resolution":
      return "monitoring";
    case "verification":
    case "documentation":
      return "resolved";
    default:
      return "investigating";
  }
}

/** The stage an incident was in at `at`: the last one entered by then (the first, if none yet). */
export function stageAt(stages: readonly Pick<StageRow, "stage" | "entered_at">[], at: string): string {
  let current = stages[0]?.stage ?? "identification";
  for (const s of stages) if (s.entered_at <= at) current = s.stage;
  return current;
}

/**
 * What the status page shows of incidents: operational ones with public updates, each update in the phase its
 * incident was in when it was written. Security incidents never appear.
 */
export class IncidentStatusSource implements StatusIncidentSource {
  constructor(private readonly repo: IncidentRepository) {}

  async active(): Promise<StatusIncident[]> {
    return this.#present(await this.repo.withPublicUpdates({ open: true }));
  }

  async history(from: Date, to: Date): Promise<StatusIncident[]> {
    return this.#present(await this.repo.withPublicUpdates({ from: from.toISOString(), to: to.toISOString() }));
  }

  async #present(rows: IncidentRow[]): Promise<StatusIncident[]> {
    const ids = rows.map((r) => r.id);
    const [components, updates, stages] = await Promise.all([
      this.repo.componentsOf(ids),
      this.repo.publicUpdatesOf(ids),
      this.repo.stagesOf(ids),
    ]);
    return rows.map((r) => {
      const own = stages.filter((s) => s.incident_id === r.id);
      return {
        id: r.id,
        title: r.title,
        severity: r.severity as StatusIncident["severity"],
        componentIds: components.filter((c) => c.incident_id === r.id).map((c) => c.component_id),
        startedAt: r.created_at,
        resolvedAt: r.resolved_at,
        updates: updates
          .filter((u) => u.incident_id === r.id)
          .map((u) => ({ status: publicPhase(stageAt(own, u.created_at)), body: u.body, at: u.created_at })),
      };
    });
  }
}
