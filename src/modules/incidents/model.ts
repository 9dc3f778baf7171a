import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema.js";
import type { Actor } from "../identity/actor.js";
import { roleAllows, scopesAllow } from "../identity/roles.js";
import type {
  AccountRow,
  ActionItemRow,
  EvidenceRow,
  IncidentRow,
  PostmortemRow,
  StageRow,
  UpdateRow,
} from "./repository.js";
import type { Details, Kind } from "./stages.js";

/** What a page is about: a security incident's page is a subject only its audience meets (oncall/recipients.ts). */
export type Subject = { type: "incident" | "security_incident"; id: string };

/** The page subject of an incident. */
export const pageSubject = (row: { id: string; kind: string }): Subject => ({
  type: row.kind === "security" ? "security_incident" : "incident",
  id: row.id,
});

/**
 * The on-call paging the incidents module calls (the on-call module's pager: its escalations, and its first-step
 * paging for `prepareFirstStep` and `pageNew`): page the policy when an incident opens, stop it when the incident
 * is acknowledged or resolved.
 */
export interface Pager {
  page(
    input: {
      subject: Subject;
      policyId?: string | null;
      severity: string;
      title: string;
      url: string;
      summary: string;
      /** The affected customers' contacts: steps that tell customers (the plan's procedure) reach them. */
      customers?: { email: string; locale?: "pt-BR" | "en" }[];
    },
    trx?: Kysely<DB>,
    first?: unknown,
  ): Promise<{ pageId: string }>;
  /**
   * `page` for subjects created in the caller's transaction (they have no page yet), each with the first step
   * `prepareFirstStep` gave, in a few statements for them all.
   */
  pageNew(
    trx: Kysely<DB>,
    pages: readonly { input: Parameters<Pager["page"]>[0]; first: unknown }[],
  ): Promise<{ pageId: string }[]>;
  /**
   * Read before the caller's transaction: the policy's first step and who it reaches now, given back to `page`
   * so that step runs in the opening transaction rather than one timer job later.
   */
  prepareFirstStep(input: {
    subjectType: Subject["type"];
    policyId?: string | null;
    severity: string;
    customers?: { email: string; locale?: "pt-BR" | "en" }[];
  }): Promise<unknown>;
  acknowledge(input: { subject: Subject; by: Actor | { userId: string } }, trx?: Kysely<DB>): Promise<unknown>;
  resolve(input: { subject: Subject }, trx?: Kysely<DB>): Promise<unknown>;
}

/** Which of these ids are not status components (the status module answers; the incidents module reads no table of it). */
export type ComponentCheck = (ids: string[]) => Promise<string[]>;

/**
 * What an alert affects, given its monitors and its `service` label: provided by the composition root from the
 * status page's components (linked to monitors and organizations) and the monitors' own organization.
 */
export type AffectedResolver = (alert: {
  monitorIds: string[];
  service: string | null;
}) => Promise<{ componentIds: string[]; organizationIds: string[] }>;

/** Which kinds of incident an actor sees: security incidents only with read access to the security area. */
export function kindsFor(actor: Actor): Kind[] {
  const security =
    roleAllows(actor.role, "security", "read") && (!actor.scopes || scopesAllow(actor.scopes, "security", "read"));
  return security ? ["operational", "security"] : ["operational"];
}

export function maySecurityWrite(actor: Actor): boolean {
  return (
    roleAllows(actor.role, "security", "write") && (!actor.scopes || scopesAllow(actor.scopes, "security", "write"))
  );
}

export interface Clock24x7 {
  kind: "response" | "resolution";
  calendar: string;
  status: "running" | "fulfilled" | "breached";
  startedAt: string;
  targetAt: string | null;
  breachAt: string | null;
  fulfilledAt: string | null;
  breachedAt: string | null;
  targetMinutes: number | null;
  elapsedMinutes: number;
  remainingMinutes: number | null;
}

const minutesBetween = (a: string, b: number) => Math.round((b - new Date(a).getTime()) / 60_000);

/** The incident's two severity clocks, shaped like a ticket's SLA clocks; 24x7, so minutes are wall minutes. */
export function clocksOf(row: IncidentRow, now: Date): Clock24x7[] {
  const clock = (
    kind: Clock24x7["kind"],
    dueAt: string | null,
    fulfilledAt: string | null,
    breachedAt: string | null,
  ): Clock24x7 => {
    const end = fulfilledAt ? new Date(fulfilledAt).getTime() : now.getTime();
    return {
      kind,
      calendar: "24x7",
      status: breachedAt ? "breached" : fulfilledAt ? "fulfilled" : "running",
      startedAt: row.created_at,
      targetAt: dueAt,
      breachAt: dueAt,
      fulfilledAt,
      breachedAt,
      targetMinutes: dueAt ? minutesBetween(row.created_at, new Date(dueAt).getTime()) : null,
      elapsedMinutes: Math.max(0, minutesBetween(row.created_at, end)),
      remainingMinutes: dueAt ? minutesBetween(new Date(end).toISOString(), new Date(dueAt).getTime()) : null,
    };
  };
  return [
    clock("response", row.response_due_at, row.acknowledged_at, row.response_breached_at),
    clock("resolution", row.resolution_due_at, row.resolved_at, row.resolution_breached_at),
  ];
}

export function presentIncident(
  row: IncidentRow,
  now: Date,
  links: { componentIds: string[]; organizationIds: string[] } = { componentIds: [], organizationIds: [] },
) {
  return {
    id: row.id,
    kind: row.kind as Kind,
    title: row.title,
    description: row.description,
    severity: row.severity,
    stage: row.stage,
    status: (row.closed_at ? "closed" : row.resolved_at ? "resolved" : "open") as "open" | "resolved" | "closed",
    source: row.source,
    sourceRef: row.source_ref,
    alertGroupKey: row.alert_group_key,
    service: row.service,
    details: JSON.parse(row.details) as Details,
    componentIds: links.componentIds,
    organizationIds: links.organizationIds,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    clocks: clocksOf(row, now),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type Incident = ReturnType<typeof presentIncident>;

export const presentStage = (s: StageRow) => ({
  stage: s.stage,
  enteredAt: s.entered_at,
  byUserId: s.by_user_id,
  fields: JSON.parse(s.fields) as Record<string, string>,
  reason: s.reason,
});

export const presentUpdate = (u: UpdateRow) => ({
  id: u.id,
  incidentId: u.incident_id,
  visibility: u.visibility,
  kind: u.kind,
  body: u.body,
  authorId: u.author_user_id,
  createdAt: u.created_at,
});

export const presentPostmortem = (p: PostmortemRow | undefined, items: ActionItemRow[]) => ({
  summary: p?.summary ?? "",
  impact: p?.impact ?? "",
  timeline: p?.timeline ?? "",
  rootCause: p?.root_cause ?? "",
  wentWell: p?.went_well ?? "",
  wentBadly: p?.went_badly ?? "",
  updatedBy: p?.updated_by ?? null,
  updatedAt: p?.updated_at ?? null,
  actionItems: items.map(presentActionItem),
});

export const presentActionItem = (a: ActionItemRow) => ({
  id: a.id,
  title: a.title,
  ownerId: a.owner_user_id,
  dueAt: a.due_at,
  doneAt: a.done_at,
  ticketId: a.ticket_id,
  createdAt: a.created_at,
  updatedAt: a.updated_at,
});

export const presentEvidence = (e: EvidenceRow) => ({
  id: e.id,
  filename: e.filename,
  contentType: e.content_type,
  size: Number(e.size),
  sha256: e.sha256,
  description: e.description,
  uploadedBy: e.uploaded_by,
  createdAt: e.created_at,
});

export const presentAccount = (a: AccountRow) => ({
  id: a.id,
  kind: a.kind,
  refId: a.ref_id,
  note: a.note,
  action: a.action,
  actionAt: a.action_at,
  actionBy: a.action_by,
  linkedAt: a.linked_at,
});
