import { Problem } from "../../platform/http/problems.js";
import type { Actor } from "../identity/actor.js";
import { type FigureIncident, type GroupBy, groupFigures, stageFigures } from "./figures.js";
import { kindsFor } from "./model.js";
import type { IncidentRepository } from "./repository.js";

const ms = (t: string | null) => (t === null ? null : new Date(t).getTime());

/** `GET /api/v1/reports/incidents`: the figures of the incidents opened in a period, as the actor may see them. */
export class IncidentReports {
  constructor(private readonly repo: IncidentRepository) {}

  async report(actor: Actor, q: { from: string; to: string; groupBy: GroupBy }) {
    const from = new Date(q.from).getTime();
    const to = new Date(q.to).getTime();
    if (!(to > from)) throw Problem.invalid({ in: "querystring", pointer: "/to", message: "must be after from" });
    const rows = await this.repo.createdBetween(
      new Date(from).toISOString(),
      new Date(to).toISOString(),
      kindsFor(actor),
    );
    const ids = rows.map((r) => r.id);
    const [components, organizations, stages] = await Promise.all([
      this.repo.componentsOf(ids),
      this.repo.organizationsOf(ids),
      this.repo.stagesOf(ids),
    ]);
    const incidents: FigureIncident[] = rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      severity: r.severity,
      createdAt: ms(r.created_at)!,
      acknowledgedAt: ms(r.acknowledged_at),
      resolvedAt: ms(r.resolved_at),
      componentIds: components.filter((c) => c.incident_id === r.id).map((c) => c.component_id),
      organizationIds: organizations.filter((o) => o.incident_id === r.id).map((o) => o.organization_id),
      service: r.service,
      stages: stages
        .filter((s) => s.incident_id === r.id)
        .map((s) => ({ stage: s.stage, enteredAt: ms(s.entered_at)! })),
    }));
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      groupBy: q.groupBy,
      total: incidents.length,
      groups: groupFigures(incidents, { from, to }, q.groupBy),
      stages: stageFigures(incidents),
    };
  }
}
