import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { ArticlesPort } from "./articles-port.js";
import type { KbExtrasRepository } from "./extras-repository.js";
import type { RequestInfo } from "./videos.js";

/** What a resolved ticket or incident says of a problem, as read through its own module's service. */
export interface ProblemSource {
  type: "ticket" | "incident";
  id: string;
  /** `#123` for a ticket, the incident's title otherwise. */
  reference: string;
  title: string;
  resolved: boolean;
  symptom: string;
  cause: string;
  fix: string;
  components: string[];
  tags: string[];
}

export interface ProblemSources {
  ticket(actor: Actor, id: string): Promise<ProblemSource>;
  incident(actor: Actor, id: string): Promise<ProblemSource>;
}

export type DraftLocale = "pt-BR" | "en";

const headings = {
  "pt-BR": {
    symptom: "Sintoma",
    cause: "Causa",
    fix: "Solução",
    components: "Componentes afetados",
    sources: "Origem",
    unknown: "_A preencher na revisão._",
    ticket: "Chamado",
    incident: "Incidente",
  },
  en: {
    symptom: "Symptom",
    cause: "Cause",
    fix: "Fix",
    components: "Affected components",
    sources: "Source",
    unknown: "_To be filled in during review._",
    ticket: "Ticket",
    incident: "Incident",
  },
} as const;

/**
 * The prefilled body of a problem/solution article (pure): symptom, cause, fix and affected components, each a
 * section the reviewer completes; the sources are listed as internal links (`ticket:<id>`, `incident:<id>`),
 * which the article's readers only follow when they may see them.
 */
export function problemSolutionDraft(sources: readonly ProblemSource[], locale: DraftLocale) {
  const h = headings[locale];
  const first = sources[0]!;
  const joined = (pick: (s: ProblemSource) => string) =>
    [
      ...new Set(
        sources
          .map(pick)
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ].join("\n\n") || h.unknown;
  const components = [...new Set(sources.flatMap((s) => s.components))];
  const body = [
    `## ${h.symptom}`,
    "",
    joined((s) => s.symptom),
    "",
    `## ${h.cause}`,
    "",
    joined((s) => s.cause),
    "",
    `## ${h.fix}`,
    "",
    joined((s) => s.fix),
    "",
    `## ${h.components}`,
    "",
    components.length ? components.map((c) => `- ${c}`).join("\n") : h.unknown,
    "",
    `## ${h.sources}`,
    "",
    sources.map((s) => `- [${h[s.type]} ${s.reference}](${s.type}:${s.id})`).join("\n"),
    "",
  ].join("\n");
  return {
    title: first.title.trim().slice(0, 200) || h.symptom,
    body,
    tags: [...new Set(sources.flatMap((s) => s.tags))].slice(0, 20),
    components,
  };
}

/**
 * Problem/solution history: a resolved ticket or incident becomes a draft problem/solution article, prefilled
 * and kept linked to its sources; it then goes through the core's review like any other article.
 */
export class DraftService {
  constructor(
    private readonly d: {
      repo: KbExtrasRepository;
      articles: ArticlesPort;
      sources: ProblemSources;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  async #read(actor: Actor, sources: { type: "ticket" | "incident"; id: string }[]) {
    const out: ProblemSource[] = [];
    for (const [i, s] of sources.entries()) {
      const read = await (s.type === "ticket"
        ? this.d.sources.ticket(actor, s.id)
        : this.d.sources.incident(actor, s.id));
      if (!read.resolved)
        throw Problem.invalid({
          in: "body",
          pointer: `/sources/${i}`,
          message: `${s.type} ${s.id} is not resolved yet: draft from what fixed it`,
        });
      out.push(read);
    }
    return out;
  }

  /** The prefilled text without creating anything (the editor's preview). */
  async prefill(actor: Actor, sources: { type: "ticket" | "incident"; id: string }[], locale: DraftLocale) {
    return problemSolutionDraft(await this.#read(actor, sources), locale);
  }

  async create(
    actor: Actor,
    input: {
      sources: { type: "ticket" | "incident"; id: string }[];
      locale?: DraftLocale;
      audience?: string;
      title?: string;
    },
    req: RequestInfo,
  ) {
    const locale = input.locale ?? "pt-BR";
    const read = await this.#read(actor, input.sources);
    const draft = problemSolutionDraft(read, locale);
    const article = await this.d.articles.createDraft(
      actor,
      {
        title: input.title?.trim() || draft.title,
        body: draft.body,
        audience: input.audience ?? "customers",
        purpose: "problem-solution",
        locale,
        tags: draft.tags,
      },
      req,
    );
    const now = this.d.clock.now().toISOString();
    await this.d.repo.transaction(async (trx) => {
      await this.d.repo.addSources(
        read.map((s) => ({ article_id: article.id, source_type: s.type, source_id: s.id, created_at: now })),
        trx,
      );
      await this.d.audit.record(
        {
          action: "kb.article.drafted-from-source",
          actor,
          target: { type: "kb-article", id: article.id },
          details: { sources: read.map((s) => `${s.type}:${s.id}`) },
          request: req,
        },
        trx,
      );
    });
    return { article, sources: read.map((s) => ({ type: s.type, id: s.id, reference: s.reference })) };
  }

  /** The sources of an article the caller may read; only those the caller may also see are named. */
  async sourcesOf(actor: Actor, articleId: string) {
    if (!(await this.d.articles.readable(actor, [articleId])).has(articleId)) throw Problem.notFound("Article");
    const rows = await this.d.repo.sourcesOf(articleId);
    const out: { type: "ticket" | "incident"; id: string; reference: string; title: string }[] = [];
    for (const r of rows) {
      const read = await (r.source_type === "ticket"
        ? this.d.sources.ticket(actor, r.source_id)
        : this.d.sources.incident(actor, r.source_id)
      ).catch(() => null);
      if (read) out.push({ type: r.source_type, id: r.source_id, reference: read.reference, title: read.title });
    }
    return out;
  }

  /** Articles drafted from a ticket or incident, for its page. */
  async articlesFrom(actor: Actor, type: "ticket" | "incident", id: string) {
    await (type === "ticket" ? this.d.sources.ticket(actor, id) : this.d.sources.incident(actor, id));
    const ids = (await this.d.repo.articlesFrom(type, id)).map((r) => r.article_id);
    const visible = await this.d.articles.readable(actor, ids);
    return ids.filter((a) => visible.has(a)).map((a) => visible.get(a)!);
  }
}
