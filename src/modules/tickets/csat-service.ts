import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { DomainEvent, EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { Actor } from "../identity/actor.js";
import type { NotificationRequest, Notifier } from "../notifications/service.js";
import type { TimerService } from "../timers/service.js";
import type { CsatRepository, SurveyRow } from "./csat-repository.js";
import type { TicketRepository, TicketRow } from "./repository.js";
import { storedNote } from "./system-notes.js";

/** How long a survey link works, and when its one reminder goes out. */
export const SURVEY_VALID_MS = 14 * 24 * 3_600_000;
export const REMINDER_AFTER_MS = 3 * 24 * 3_600_000;
export const SURVEY_TIMER = { type: "csat_survey", name: "reminder" } as const;
const TOKEN_PREFIX = "csat:";

export const csatGroupings = ["agent", "team", "tier", "organization", "type"] as const;
export type CsatGrouping = (typeof csatGroupings)[number];

/** What a survey link shows: who may hold it is anyone with the link, so only the ticket's number and subject. */
export type SurveyState = "open" | "rated" | "expired" | "superseded";

export interface CsatServiceDeps {
  repo: CsatRepository;
  tickets: TicketRepository;
  notifier: Notifier;
  timers: TimerService;
  events: EventBus;
  clock: Clock;
  secrets: SecretBox;
  publicUrl: string;
  userName(id: string): Promise<string>;
  organizationName(id: string): Promise<string>;
}

const linkProblem = () =>
  new Problem(404, "survey-link-invalid", "Survey link not valid", "This link is not one we sent, or it was altered");

export function presentSurvey(s: SurveyRow) {
  return {
    id: s.id,
    resolvedAt: s.resolved_at,
    status: s.status,
    expiresAt: s.expires_at,
    remindedAt: s.reminded_at,
    rating: s.rating === null ? null : Number(s.rating),
    comment: s.comment,
    ratedAt: s.rated_at,
  };
}

/**
 * Customer satisfaction: on every resolution of a ticket (a fan-out handler on `ticket.updated`, so once across
 * nodes) the requester gets the "resolved" mail with a signed link to rate 1–5 without logging in, and one
 * reminder through a timer; the rating lands on the ticket's timeline. An organization may opt out.
 */
export class CsatService {
  private readonly repo: CsatRepository;
  private readonly deps: CsatServiceDeps;

  constructor(deps: CsatServiceDeps) {
    this.repo = deps.repo;
    this.deps = deps;
    deps.timers.handle(SURVEY_TIMER.type, { fire: ({ timer, trx, now }) => this.remind(timer.subject.id, trx, now) });
  }

  /**
   * The survey link of a survey: its id sealed (authenticated encryption), so a changed letter opens nothing;
   * in base64url, so the link has no dot that would read as a file name's extension.
   */
  linkOf(surveyId: string): string {
    const token = Buffer.from(this.deps.secrets.seal(TOKEN_PREFIX + surveyId)).toString("base64url");
    return `${this.deps.publicUrl.replace(/\/$/, "")}/survey/${token}`;
  }

  private surveyIdOf(token: string): string {
    // base64url decoding ignores stray characters and the unused bits of the last one: only the exact text we
    // wrote is accepted, so every altered letter is refused.
    const canonical = (text: string) => Buffer.from(text, "base64url").toString("base64url") === text;
    try {
      const sealed = Buffer.from(token, "base64url").toString("utf8");
      if (!canonical(token) || !sealed.split(".").slice(1).every(canonical)) throw linkProblem();
      const opened = this.deps.secrets.open(sealed);
      if (opened.startsWith(TOKEN_PREFIX)) return opened.slice(TOKEN_PREFIX.length);
    } catch {
      // A tampered or foreign token: the same answer as a well-formed unknown one.
    }
    throw linkProblem();
  }

  private stateOf(s: SurveyRow, now: Date): SurveyState {
    if (s.status === "rated") return "rated";
    if (s.status === "superseded") return "superseded";
    return new Date(s.expires_at).getTime() <= now.getTime() ? "expired" : "open";
  }

  private recipientOf(t: TicketRow): NotificationRequest["to"] | null {
    if (t.requester_user_id) return { userId: t.requester_user_id };
    const email = (JSON.parse(t.requester_contact) as { email?: string }).email;
    return email ? { email } : null;
  }

  private mailParams(t: TicketRow, surveyUrl: string | null) {
    return {
      number: Number(t.number),
      subject: t.subject,
      name: (JSON.parse(t.requester_contact) as { name: string }).name,
      surveyUrl,
      link: `${this.deps.publicUrl.replace(/\/$/, "")}/portal/tickets/${Number(t.number)}`,
    };
  }

  /** Fan-out handler: each change to `resolved` sends the resolved mail, with a new survey unless opted out. */
  async onEvents(events: readonly DomainEvent[], trx: Kysely<DB>): Promise<void> {
    for (const event of events) {
      if (event.type !== "ticket.updated") continue;
      const payload = event.payload as { ticketId: string; changes: { field: string; after: string | null }[] };
      if (!payload.changes.some((c) => c.field === "status" && c.after === "resolved")) continue;
      const t = await this.deps.tickets.find(payload.ticketId, undefined, trx);
      if (t?.status !== "resolved" || !t.resolved_at) continue;
      await this.resolved(t, trx);
    }
  }

  private async resolved(t: TicketRow, trx: Kysely<DB>): Promise<void> {
    const now = this.deps.clock.now();
    for (const id of await this.repo.supersede(t.id, trx)) {
      await this.deps.timers.cancel(trx, { type: SURVEY_TIMER.type, id }, SURVEY_TIMER.name);
    }
    const to = this.recipientOf(t);
    if (!to) return;
    let surveyUrl: string | null = null;
    if (await this.repo.surveysEnabled(t.organization_id, trx)) {
      const survey: SurveyRow = {
        id: uuidv7(),
        ticket_id: t.id,
        organization_id: t.organization_id,
        resolved_at: t.resolved_at!,
        recipient_user_id: "userId" in to ? to.userId : null,
        recipient_email: "email" in to ? to.email : null,
        agent_user_id: t.assignee_user_id,
        team: t.team,
        tier: t.tier,
        type: t.type,
        status: "pending",
        expires_at: new Date(now.getTime() + SURVEY_VALID_MS).toISOString(),
        reminded_at: null,
        rating: null,
        comment: null,
        rated_at: null,
        created_at: now.toISOString(),
      };
      await this.repo.insert(survey, trx);
      await this.deps.timers.start(trx, {
        subject: { type: SURVEY_TIMER.type, id: survey.id },
        name: SURVEY_TIMER.name,
        at: new Date(now.getTime() + REMINDER_AFTER_MS),
      });
      surveyUrl = this.linkOf(survey.id);
    }
    await this.deps.notifier.enqueue(
      [
        {
          to,
          channel: "email",
          template: "ticket.resolved",
          params: this.mailParams(t, surveyUrl),
          thread: { kind: "ticket", id: t.id },
        },
      ],
      trx,
    );
  }

  /** The reminder timer: one more mail while the survey is unanswered and its link still works. */
  private async remind(surveyId: string, trx: Kysely<DB>, now: Date): Promise<void> {
    const s = await this.repo.find(surveyId, trx);
    if (!s || s.reminded_at || this.stateOf(s, now) !== "open") return;
    const t = await this.deps.tickets.find(s.ticket_id, undefined, trx);
    if (!t) return;
    const to: NotificationRequest["to"] | null = s.recipient_user_id
      ? { userId: s.recipient_user_id }
      : s.recipient_email
        ? { email: s.recipient_email }
        : null;
    if (!to) return;
    await this.deps.notifier.enqueue(
      [
        {
          to,
          channel: "email",
          template: "ticket.csat-reminder",
          params: this.mailParams(t, this.linkOf(s.id)),
          thread: { kind: "ticket", id: t.id },
        },
      ],
      trx,
    );
    await this.repo.reminded(s.id, now.toISOString(), trx);
  }

  /** What a survey link shows; a tampered link is a 404 the survey page explains. */
  async view(token: string) {
    const s = await this.repo.find(this.surveyIdOf(token));
    if (!s) throw linkProblem();
    const t = await this.deps.tickets.find(s.ticket_id);
    return {
      state: this.stateOf(s, this.deps.clock.now()),
      number: Number(t?.number ?? 0),
      subject: t?.subject ?? "",
      rating: s.rating === null ? null : Number(s.rating),
      comment: s.comment,
      expiresAt: s.expires_at,
    };
  }

  /** Rates through the link: once; an expired or superseded link, or a second answer, gets its own problem. */
  async rateByLink(token: string, input: { rating: number; comment?: string }) {
    const s = await this.repo.find(this.surveyIdOf(token));
    if (!s) throw linkProblem();
    await this.rate(s, input);
    return this.view(token);
  }

  /** Rates the ticket's open survey from the portal (the customer is signed in and sees the ticket). */
  async rateTicket(ticketId: string, input: { rating: number; comment?: string }) {
    const open = (await this.repo.ofTicket(ticketId)).filter((s) => s.status === "pending").at(-1);
    if (!open) throw new Problem(409, "survey-not-open", "Nothing to rate", "This ticket has no open survey");
    await this.rate(open, input);
    return presentSurvey((await this.repo.find(open.id))!);
  }

  private async rate(s: SurveyRow, input: { rating: number; comment?: string }) {
    const now = this.deps.clock.now();
    const state = this.stateOf(s, now);
    if (state === "rated")
      throw new Problem(409, "survey-answered", "Already rated", "This survey was already answered; thank you");
    if (state === "superseded")
      throw new Problem(
        410,
        "survey-superseded",
        "Survey replaced",
        "The ticket was reopened and resolved again; use the newest link",
      );
    if (state === "expired") throw new Problem(410, "survey-expired", "Survey expired", "This survey link has expired");
    const comment = input.comment?.trim() || null;
    const at = now.toISOString();
    await this.repo.db.transaction().execute(async (trx) => {
      if (!(await this.repo.rate(s.id, { rating: input.rating, comment, rated_at: at }, trx)))
        throw new Problem(409, "survey-answered", "Already rated", "This survey was already answered; thank you");
      const t = (await this.deps.tickets.find(s.ticket_id, undefined, trx))!;
      await this.deps.tickets.insertMessage(
        {
          id: uuidv7(),
          ticket_id: t.id,
          author_user_id: null,
          author_kind: "system",
          visibility: "internal",
          kind: "system",
          ...storedNote({ key: "csat.rated", params: { rating: input.rating, comment } }),
          created_at: at,
        },
        trx,
      );
      await this.deps.timers.cancel(trx, { type: SURVEY_TIMER.type, id: s.id }, SURVEY_TIMER.name);
      await this.deps.events.publish(
        {
          type: "ticket.csat.rated",
          organizationId: t.organization_id,
          payload: { ticketId: t.id, number: Number(t.number), surveyId: s.id, rating: input.rating },
        },
        trx,
      );
    });
  }

  async ofTicket(ticketId: string) {
    return (await this.repo.ofTicket(ticketId)).map(presentSurvey);
  }

  async surveysEnabled(organizationId: string) {
    return this.repo.surveysEnabled(organizationId);
  }

  async setSurveysEnabled(actor: Actor, organizationId: string, enabled: boolean) {
    const at = this.deps.clock.now().toISOString();
    await this.repo.db
      .transaction()
      .execute((trx) => this.repo.setSurveysEnabled(organizationId, enabled, actor.userId, at, trx));
    return enabled;
  }

  /**
   * Satisfaction per group over the resolutions in [from, to): surveys sent, answers, response rate, average and
   * CSAT (the share of answers rating 4 or 5), with the count of each rating.
   */
  async report(from: string, to: string, groupBy: CsatGrouping) {
    const surveys = await this.repo.between(from, to);
    const keyOf = (s: SurveyRow) =>
      groupBy === "agent"
        ? s.agent_user_id
        : groupBy === "organization"
          ? s.organization_id
          : groupBy === "team"
            ? s.team
            : s[groupBy];
    const groups = new Map<string | null, SurveyRow[]>();
    for (const s of surveys) groups.set(keyOf(s), [...(groups.get(keyOf(s)) ?? []), s]);
    const summary = (rows: SurveyRow[]) => {
      const ratings = rows.filter((r) => r.rating !== null).map((r) => Number(r.rating));
      const sum = ratings.reduce((a, b) => a + b, 0);
      return {
        surveys: rows.length,
        responses: ratings.length,
        responseRate: rows.length ? ratings.length / rows.length : null,
        average: ratings.length ? sum / ratings.length : null,
        csat: ratings.length ? ratings.filter((r) => r >= 4).length / ratings.length : null,
        distribution: [1, 2, 3, 4, 5].map((n) => ratings.filter((r) => r === n).length),
      };
    };
    const label = async (key: string | null) => {
      if (key === null) return null;
      if (groupBy === "agent") return this.deps.userName(key);
      if (groupBy === "organization") return this.deps.organizationName(key);
      return key;
    };
    const items = await Promise.all(
      [...groups.entries()].map(async ([key, rows]) => ({ key, label: await label(key), ...summary(rows) })),
    );
    return {
      from,
      to,
      groupBy,
      total: summary(surveys),
      groups: items.sort((a, b) => b.surveys - a.surveys || String(a.key).localeCompare(String(b.key))),
    };
  }
}
