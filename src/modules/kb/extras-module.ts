import { join } from "node:path";
import { Problem } from "../../platform/http/problems.js";
import type { Platform } from "../../platform/runtime.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { type Role, roleAllows, scopesAllow } from "../identity/roles.js";
import type { Incidents } from "../incidents/wiring.js";
import type { NotificationService } from "../notifications/service.js";
import type { StatusModule } from "../status/module.js";
import type { PortalService } from "../tickets/portal-service.js";
import type { TicketService } from "../tickets/service.js";
import type { TimerService } from "../timers/service.js";
import type { ArticlesPort } from "./articles-port.js";
import { AttachmentService } from "./attachments.js";
import { DraftService, type ProblemSource } from "./drafts.js";
import { KbExtrasRepository } from "./extras-repository.js";
import type { KbExtras } from "./extras-routes.js";
import { FeedbackService } from "./feedback.js";
import { MediaStore } from "./media-store.js";
import { SuggestionService } from "./suggestions.js";
import { TrackService } from "./tracks.js";
import { UpkeepService } from "./upkeep.js";
import { VideoService } from "./videos.js";

const RESOLVED = new Set(["resolved", "closed"]);

/**
 * The knowledge base's parts around its articles (videos, suggestions, problem/solution drafts, feedback,
 * upkeep, tracks) over the article core and the services they read through: tickets and incidents (sources
 * and suggestions), status (change records as release notes, component names), the directory, timers and the
 * notifications outbox.
 */
export function createKbExtras(
  platform: Platform,
  deps: {
    articles: ArticlesPort;
    audit: AuditService;
    tickets: TicketService;
    portal: PortalService;
    incidents: Incidents;
    status: StatusModule;
    directory: DirectoryService;
    timers: TimerService;
    notifications: NotificationService;
    /** Told when a video, its poster or captions change (the help centre's pages show them). */
    mediaChanged?: () => void;
  },
): KbExtras {
  const { db, dialect, clock, config } = platform;
  const repo = new KbExtrasRepository(db, dialect);
  const articles = deps.articles;
  const store = new MediaStore(join(config.attachmentsDir, "kb-media"));
  const videos = new VideoService({
    repo,
    store,
    articles,
    audit: deps.audit,
    clock,
    maxBytes: config.kbVideoMaxBytes,
    changed: deps.mediaChanged,
  });

  const attachments = new AttachmentService({ repo, store, articles, audit: deps.audit, clock });

  const ticketText = async (actor: Actor, id: string) => {
    const t = await deps.tickets.get(actor, id);
    return {
      id: t.id,
      number: t.number,
      subject: t.subject,
      description: t.description,
      organizationId: t.organizationId,
      requesterId: t.requesterId,
    };
  };
  const suggestions = new SuggestionService({
    repo,
    articles,
    clock,
    ticket: ticketText,
    ticketExists: (actor, number) =>
      deps.portal.get(actor, number).then(
        () => true,
        () => false,
      ),
    requester: async (userId) => {
      const u = await deps.directory.getUser(userId).catch(() => null);
      return u && !u.disabled ? { role: u.role as Role, organizationId: u.organizationId, locale: u.locale } : null;
    },
    publicUrl: config.publicUrl,
  });

  const componentNames = async (ids: readonly string[]) => {
    const names: string[] = [];
    for (const id of ids) {
      const c = await deps.status.components.get(id).catch(() => null);
      if (c) names.push(c.name);
    }
    return names;
  };
  const drafts = new DraftService({
    repo,
    articles,
    audit: deps.audit,
    clock,
    sources: {
      // A ticket: its description is the symptom; the last public staff reply before resolution is the fix;
      // internal notes are where agents record the cause.
      async ticket(actor, id): Promise<ProblemSource> {
        const t = await deps.tickets.get(actor, id);
        const { messages } = await deps.tickets.timeline(actor, id);
        const staff = messages.filter((m) => m.authorKind === "agent" && m.kind !== "system");
        const lastPublic = staff.filter((m) => m.visibility === "public").at(-1);
        const notes = staff.filter((m) => m.visibility === "internal");
        return {
          type: "ticket",
          id,
          reference: `#${t.number}`,
          title: t.subject,
          resolved: RESOLVED.has(t.status),
          symptom: t.description || t.subject,
          cause: notes.at(-1)?.body ?? "",
          fix: lastPublic?.body ?? "",
          components: [],
          tags: t.tags,
        };
      },
      // An incident: its diagnosis and impact describe the symptom, root cause and fix are its own fields.
      async incident(actor, id): Promise<ProblemSource> {
        // The incidents service leaves the area check to its routes: a customer never reads an incident here either.
        const mayRead =
          roleAllows(actor.role, "incidents", "read") &&
          (!actor.scopes || scopesAllow(actor.scopes, "incidents", "read"));
        if (!mayRead) throw Problem.notFound("Incident");
        const i = await deps.incidents.incidents.get(actor, id);
        return {
          type: "incident",
          id,
          reference: i.title,
          title: i.title,
          resolved: i.status !== "open",
          symptom: [i.description, i.details.impact, i.details.diagnosis].filter(Boolean).join("\n\n"),
          cause: i.details.rootCause ?? "",
          fix: i.details.fix ?? "",
          components: await componentNames(i.componentIds),
          tags: [],
        };
      },
    },
  });
  const feedback = new FeedbackService({ repo, articles, clock });
  const upkeep = new UpkeepService({
    repo,
    articles,
    feedback,
    timers: deps.timers,
    notifier: deps.notifications,
    audit: deps.audit,
    clock,
    publicUrl: config.publicUrl,
  });
  const tracks = new TrackService({
    repo,
    articles,
    audit: deps.audit,
    clock,
    // Release notes: applied improvements and fixes that went well, newest first.
    releaseNotes: async (limit) =>
      (await deps.status.changes.list({ limit: 200 }))
        .filter((c) => c.kind !== "security" && c.appliedAt && c.outcome === "succeeded")
        .sort((a, b) => (a.appliedAt! < b.appliedAt! ? 1 : -1))
        .slice(0, limit)
        .map((c) => ({ id: c.id, title: c.title, description: c.description, appliedAt: c.appliedAt! })),
    users: async (ids) => {
      const out = new Map<string, { name: string; email: string; role: Role }>();
      for (const id of ids) {
        const u = await deps.directory.getUser(id).catch(() => null);
        if (u) out.set(id, { name: u.name, email: u.email, role: u.role as Role });
      }
      return out;
    },
  });
  return { videos, attachments, suggestions, drafts, feedback, upkeep, tracks };
}
