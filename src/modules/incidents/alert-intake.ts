import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventPayload } from "../../platform/events/catalogue.js";
import type { EventFanOut } from "../../platform/events/fanout.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue, JobRequest } from "../../platform/jobs/queue.js";
import type { AffectedResolver } from "./model.js";
import type { IncidentRepository } from "./repository.js";
import type { IncidentService, IncidentSettings, Paging, Targets } from "./service.js";
import { type Severity, severities } from "./stages.js";

/** The job that opens (or joins) incidents for a burst of alert events. */
export const ALERT_JOB = "incidents.alert";

/** The alert event payload the incidents module consumes (`alert.firing`, `alert.resolved`). */
export type AlertPayload = EventPayload<"alert.firing">;

/** One alert event for the incidents module, as the fan-out queues it. */
export interface AlertWork {
  type: "alert.firing" | "alert.resolved";
  alert: AlertPayload;
}

/** The `incidents.alert` job's payload: a burst of alert events, or one (a job queued before bursts were). */
export type AlertJob = { alerts: AlertWork[] } | AlertWork;

/**
 * Alert events per `incidents.alert` job, at most: a burst opens its incidents in a few transactions that run
 * side by side in the queue's slots, instead of one job, transaction and commit per alert.
 */
const ALERTS_PER_JOB = 16;

/** The status components and customer organizations an alert affects. */
export interface Affected {
  componentIds: string[];
  organizationIds: string[];
}

/** A firing alert with what its transaction needs, read before it (`prepareFiring`). */
interface Firing {
  alert: AlertPayload;
  severity: Severity;
  title: string;
  service: string | null;
  affected: Affected;
  targets: Targets;
  paging: Paging | null;
}

/** Reads a burst of alerts shares, by severity and affected customers: the targets and the prepared paging. */
type PreparedReads = Map<string, Promise<[Targets, Paging | null]>>;

const rank = (s: string) => {
  const i = severities.indexOf(s as Severity);
  return i < 0 ? severities.length : i;
};

export interface IncidentAlertIntakeDeps {
  incidents: IncidentService;
  fanOut: EventFanOut;
  jobs: JobQueue;
  clock: Clock;
  /** What an alert affects (status components, customers); absent, alerts' incidents affect nothing. */
  affected: () => AffectedResolver | null;
  log: Logger;
}

/**
 * Alerts into incidents: `alert.firing` and `alert.resolved` events reach it through the fan-out (once across
 * nodes), queued as `incidents.alert` jobs of up to 16 events; a firing alert at or above the configured severity
 * opens an incident (through the incidents service) or joins its group's open one, and a resolved alert is noted
 * on its incidents.
 */
export class IncidentAlertIntake {
  private readonly incidents: IncidentService;
  private readonly repo: IncidentRepository;
  private readonly clock: Clock;
  private readonly affected: () => AffectedResolver | null;
  private readonly log: Logger;

  constructor(deps: IncidentAlertIntakeDeps) {
    this.incidents = deps.incidents;
    this.repo = deps.incidents.repo;
    this.clock = deps.clock;
    this.affected = deps.affected;
    this.log = deps.log;
    // Alerts become jobs in the claiming transaction: once across nodes, retried on failure.
    deps.fanOut.register("incidents.alerts", async (batch, trx) => {
      const work: JobRequest[] = [];
      let alerts: { id: number; work: AlertWork }[] = [];
      const flushAlerts = () => {
        if (!alerts.length) return;
        const ids = alerts.map((a) => a.id);
        work.push({
          kind: ALERT_JOB,
          payload: { alerts: alerts.map((a) => a.work) } satisfies AlertJob,
          dedupeKey: `${ALERT_JOB}:${ids[0]}${ids.length > 1 ? `-${ids.at(-1)}` : ""}`,
        });
        alerts = [];
      };
      for (const event of batch) {
        const type = event.type as string;
        if (type !== "alert.firing" && type !== "alert.resolved") continue;
        alerts.push({ id: event.id, work: { type, alert: event.payload as AlertPayload } });
        if (alerts.length === ALERTS_PER_JOB) flushAlerts();
      }
      flushAlerts();
      // One statement for the batch: a burst of alerts is one insert, not one per alert.
      await deps.jobs.enqueueMany(work, trx);
    });
  }

  /** The `incidents.alert` job. */
  async onJob(payload: AlertJob): Promise<void> {
    await this.onAlerts("alerts" in payload ? payload.alerts : [payload]);
  }

  /** A firing alert at or above the configured severity opens an incident, or joins its group's open one. */
  async onAlertFiring(a: AlertPayload): Promise<string | null> {
    const firing = await this.prepareFiring(a, await this.incidents.settings(), new Map());
    if (!firing) return null;
    const attempt = () => this.repo.db.transaction().execute(async (trx) => (await this.fireAll(trx, [firing]))[0]!);
    // Two nodes may open the same group's incident at once: the unique open group refuses the second, which joins it.
    return attempt().catch(async (err) => {
      if (!(await this.repo.openOfAlertGroup(a.groupKey))) throw err;
      return attempt();
    });
  }

  async onAlertResolved(a: AlertPayload): Promise<void> {
    await this.repo.db.transaction().execute((trx) => this.alertEnded(trx, a));
  }

  /**
   * A burst of alert events, in the order they were published, in one transaction: what each firing alert
   * needs is read once for the burst (settings, targets, the page's first step), and a burst of alerts costs one
   * commit instead of one each. When the transaction fails (another node opened one of the groups meanwhile,
   * refused by the unique open group), nothing of it committed and each event goes again in its own.
   */
  async onAlerts(work: readonly AlertWork[]): Promise<void> {
    if (work.length === 1) {
      const [{ type, alert }] = work as [AlertWork];
      if (type === "alert.firing") await this.onAlertFiring(alert);
      else await this.onAlertResolved(alert);
      return;
    }
    const settings = await this.incidents.settings();
    const shared: PreparedReads = new Map();
    const steps: (Firing | AlertPayload | null)[] = [];
    for (const { type, alert } of work) {
      steps.push(type === "alert.firing" ? await this.prepareFiring(alert, settings, shared) : alert);
    }
    try {
      await this.repo.db.transaction().execute(async (trx) => {
        // Firing alerts open their incidents together, up to a resolved one, which must find what came before it.
        let firing: Firing[] = [];
        for (const step of [...steps, undefined]) {
          if (step === null) continue;
          if (step && "alert" in step) {
            firing.push(step);
            continue;
          }
          await this.fireAll(trx, firing);
          firing = [];
          if (step) await this.alertEnded(trx, step);
        }
      });
    } catch (err) {
      this.log.warn({ err, alerts: work.length }, "a burst of alerts failed together; each one alone");
      for (const { type, alert } of work) {
        if (type === "alert.firing") await this.onAlertFiring(alert);
        else await this.onAlertResolved(alert);
      }
    }
  }

  /**
   * The components and customers an alert affects: its monitors (the `monitorId`, or a `monitor_id` label) and
   * its `service` label, through the status page's components and the monitors' own organization.
   */
  private async affectedBy(a: AlertPayload, service: string | null): Promise<Affected> {
    const resolver = this.affected();
    const monitorIds = [...new Set([a.monitorId, a.labels.monitor_id].filter((id): id is string => !!id))];
    if (!resolver || (!monitorIds.length && !service)) return { componentIds: [], organizationIds: [] };
    return resolver({ monitorIds, service });
  }

  /** An alert joining an open incident adds what it affects to the incident's components and customers. */
  private async addAffected(trx: Kysely<DB>, id: string, affected: Affected): Promise<void> {
    if (affected.componentIds.length) {
      const have = (await this.repo.componentsOf([id], trx)).map((c) => c.component_id);
      const all = [...new Set([...have, ...affected.componentIds])];
      if (all.length > have.length) await this.repo.setComponents(id, all, trx);
    }
    if (affected.organizationIds.length) {
      const have = (await this.repo.organizationsOf([id], trx)).map((o) => o.organization_id);
      const all = [...new Set([...have, ...affected.organizationIds])];
      if (all.length > have.length) await this.repo.setOrganizations(id, all, trx);
    }
  }

  /**
   * What a firing alert needs, read before its transaction (on SQLite it holds the only connection): its
   * incident's targets, what it affects and the paging its incident would need if it opens one. Null: the alert
   * is below the configured severity. `shared` keeps the reads that depend only on the severity and customers
   * for the rest of a burst.
   */
  private async prepareFiring(
    a: AlertPayload,
    settings: IncidentSettings,
    shared: PreparedReads,
  ): Promise<Firing | null> {
    if (settings.alertSeverity === "off" || rank(a.severity) > rank(settings.alertSeverity)) return null;
    const severity: Severity = severities.includes(a.severity as Severity) ? (a.severity as Severity) : "high";
    const title =
      a.annotations.summary || [a.ruleName, a.labels.instance ?? a.labels.monitor].filter(Boolean).join(": ");
    const service = a.labels.service?.trim() || null;
    const affected = await this.affectedBy(a, service);
    const key = `${severity}|${[...affected.organizationIds].sort().join(",")}`;
    let reads = shared.get(key);
    if (!reads) {
      reads = Promise.all([
        this.incidents.targets(severity),
        this.incidents.pagingFor("operational", severity, affected.organizationIds, settings.pageSeverities),
      ]);
      shared.set(key, reads);
    }
    const [targets, paging] = await reads;
    return { alert: a, severity, title, service, affected, targets, paging };
  }

  /**
   * Opens the alerts' incidents in `trx`, or joins their groups' open ones, in the alerts' order: the groups'
   * open incidents read at once, the first alert of each group without one opening it (together, `openAll`),
   * and every other alert joining its group's incident. Returns each alert's incident id.
   */
  private async fireAll(trx: Kysely<DB>, firings: readonly Firing[]): Promise<string[]> {
    if (!firings.length) return [];
    const now = this.clock.now().toISOString();
    const groups = [...new Set(firings.map((f) => f.alert.groupKey))];
    const open = new Map((await this.repo.openOfAlertGroups(groups, trx)).map((row) => [row.open_alert_group, row]));
    const openers: Firing[] = [];
    for (const f of firings) {
      if (open.has(f.alert.groupKey) || openers.some((o) => o.alert.groupKey === f.alert.groupKey)) continue;
      openers.push(f);
    }
    const opened = await this.incidents.openAll(
      trx,
      openers.map((f) => ({
        o: {
          kind: "operational",
          title: f.title.slice(0, 200),
          description: f.alert.annotations.description ?? "",
          severity: f.severity,
          source: "alert",
          sourceRef: f.alert.alertId,
          alertGroupKey: f.alert.groupKey,
          service: f.service,
          createdBy: null,
          componentIds: f.affected.componentIds,
          organizationIds: f.affected.organizationIds,
          ticketIds: [],
        },
        targets: f.targets,
        paging: f.paging,
      })),
    );
    for (const [i, f] of openers.entries()) open.set(f.alert.groupKey, opened[i]!);
    const link = (incidentId: string, a: AlertPayload) => ({
      incident_id: incidentId,
      alert_id: a.alertId,
      fingerprint: a.fingerprint,
      rule_name: a.ruleName,
      severity: a.severity,
      starts_at: a.startsAt,
      ends_at: null,
    });
    // The alert that opened an incident is its first link, and its source: no note.
    await this.repo.linkAlerts(
      openers.map((f, i) => link(opened[i]!.id, f.alert)),
      trx,
    );
    const ids: string[] = [];
    for (const f of firings) {
      const row = open.get(f.alert.groupKey)!;
      ids.push(row.id);
      if (openers.includes(f)) continue;
      await this.addAffected(trx, row.id, f.affected);
      const joined = await this.repo.linkAlert(link(row.id, f.alert), trx);
      if (joined && row.source_ref !== f.alert.alertId) {
        await this.systemNote(trx, row.id, `Alert ${f.title} (${f.alert.severity}) joined this incident`, now);
      }
    }
    return ids;
  }

  /** The alert ended: its incidents note it. */
  private async alertEnded(trx: Kysely<DB>, a: AlertPayload): Promise<void> {
    const now = this.clock.now().toISOString();
    for (const id of await this.repo.alertEnded(a.alertId, a.endsAt ?? now, trx)) {
      await this.systemNote(trx, id, `Alert ${a.ruleName} resolved`, now);
    }
  }

  private async systemNote(trx: Kysely<DB>, incidentId: string, body: string, at: string): Promise<void> {
    await this.repo.insertUpdate(
      {
        id: uuidv7(),
        incident_id: incidentId,
        visibility: "internal",
        kind: "system",
        body,
        author_user_id: null,
        created_at: at,
      },
      trx,
    );
  }
}
