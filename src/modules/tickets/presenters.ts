import type { MessageRow, TicketRow } from "./repository.js";
import { DEFAULT_NOTE_LOCALE, type NoteLocale, renderStored } from "./system-notes.js";

export function presentTicket(t: TicketRow) {
  return {
    id: t.id,
    number: Number(t.number),
    organizationId: t.organization_id,
    requesterId: t.requester_user_id,
    requester: JSON.parse(t.requester_contact) as { name: string; email?: string; phone?: string },
    subject: t.subject,
    description: t.description,
    channel: t.channel,
    type: t.type,
    severity: t.severity,
    tier: t.tier,
    status: t.status,
    assigneeId: t.assignee_user_id,
    team: t.team,
    tags: JSON.parse(t.tags) as string[],
    mergedIntoId: t.merged_into_id,
    firstResponseAt: t.first_response_at,
    resolvedAt: t.resolved_at,
    closedAt: t.closed_at,
    slaDueAt: t.sla_due_at,
    slaBreached: Boolean(t.sla_breached),
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

/** A message as read in `locale`: system notes with a phrase key are written in it. */
export function presentMessage(m: MessageRow, locale: NoteLocale = DEFAULT_NOTE_LOCALE) {
  return {
    id: m.id,
    ticketId: m.ticket_id,
    authorId: m.author_user_id,
    authorKind: m.author_kind,
    visibility: m.visibility,
    kind: m.kind,
    body: renderStored(m, locale),
    bodyKey: m.body_key,
    bodyParams: m.body_params === null ? null : (JSON.parse(m.body_params) as Record<string, unknown>),
    createdAt: m.created_at,
  };
}
