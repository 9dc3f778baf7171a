import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { isStaff, type Role } from "../identity/roles.js";
import type { ArticlesPort } from "./articles-port.js";
import type { KbExtrasRepository, TrackItemRow, TrackRow } from "./extras-repository.js";
import type { RequestInfo } from "./videos.js";

export const profiles = ["administrator", "end-user", "support-l1", "support-l2", "support-l3"] as const;
export type Profile = (typeof profiles)[number];
export const trackKinds = ["manual", "whats-new"] as const;
export type ItemKind = "article" | "video" | "change";

/**
 * The profiles a role takes tracks of: a customer's users are end users, their administrators also the
 * administrator track; the provider's staff see every track (managers assign them; agents follow theirs).
 */
export function profilesOf(role: Role): Profile[] {
  if (role === "customer") return ["end-user"];
  if (role === "customer-admin") return ["administrator", "end-user"];
  return [...profiles];
}

/** A release note of the "what's new" track: an applied improvement or fix (security changes are not advertised). */
export interface ReleaseNote {
  id: string;
  title: string;
  description: string;
  appliedAt: string;
}

export interface TrackItem {
  kind: ItemKind;
  id: string;
  title: string;
  summary: string;
  /** Where the item is read: the article page, the video's article, or null for a release note (shown inline). */
  articleId: string | null;
  completedAt: string | null;
}

/** Share of a track's items a user completed, and when the last one was (null while unfinished). */
export function completionOf(itemKeys: readonly string[], done: ReadonlyMap<string, string>) {
  const completed = itemKeys.filter((k) => done.has(k)).length;
  const finishedAt =
    itemKeys.length > 0 && completed === itemKeys.length
      ? (itemKeys
          .map((k) => done.get(k)!)
          .sort()
          .at(-1) ?? null)
      : null;
  return { completed, total: itemKeys.length, finishedAt };
}

const keyOf = (kind: string, id: string) => `${kind}:${id}`;

export interface TrackInput {
  title: string;
  description?: string;
  profile: Profile;
  kind?: (typeof trackKinds)[number];
  categoryId?: string | null;
  locale?: "pt-BR" | "en";
  position?: number;
  items?: { kind: "article" | "video"; id: string }[];
}

/**
 * Manuals and training tracks: ordered articles and videos per profile, with each user's completion and a
 * manager's view of who finished what; "what's new" tracks list release notes (applied change records, or
 * the published articles of a category).
 */
export class TrackService {
  constructor(
    private readonly d: {
      repo: KbExtrasRepository;
      articles: ArticlesPort;
      audit: AuditService;
      clock: Clock;
      releaseNotes: (limit: number) => Promise<ReleaseNote[]>;
      users: (ids: readonly string[]) => Promise<Map<string, { name: string; email: string; role: Role }>>;
    },
  ) {}

  #present(t: TrackRow, items: TrackItem[]) {
    const keys = items.map((i) => keyOf(i.kind, i.id));
    const done = new Map(items.filter((i) => i.completedAt).map((i) => [keyOf(i.kind, i.id), i.completedAt!]));
    return {
      id: t.id,
      title: t.title,
      description: t.description,
      profile: t.profile,
      kind: t.kind,
      categoryId: t.category_id,
      locale: t.locale,
      position: t.position,
      items,
      completion: completionOf(keys, done),
      createdAt: t.created_at,
      updatedAt: t.updated_at,
    };
  }

  /** A track's items the reader may see, in order, with the reader's completion. */
  async #items(reader: Actor, t: TrackRow, stored: TrackItemRow[], done: Map<string, string>): Promise<TrackItem[]> {
    const at = (kind: ItemKind, id: string) => done.get(keyOf(kind, id)) ?? null;
    if (t.kind === "whats-new") {
      if (t.category_id) {
        const articles = await this.d.articles.publishedInCategory(reader, t.category_id, 50);
        return articles.map((a) => ({
          kind: "article",
          id: a.id,
          title: a.title,
          summary: a.summary,
          articleId: a.id,
          completedAt: at("article", a.id),
        }));
      }
      return (await this.d.releaseNotes(50)).map((n) => ({
        kind: "change",
        id: n.id,
        title: n.title,
        summary: n.description,
        articleId: null,
        completedAt: at("change", n.id),
      }));
    }
    const videoIds = stored.filter((i) => i.item_kind === "video").map((i) => i.item_id);
    const videos = new Map((await this.d.repo.videosByIds(videoIds)).map((v) => [v.id, v]));
    const articleIds = [
      ...new Set(stored.map((i) => (i.item_kind === "video" ? (videos.get(i.item_id)?.article_id ?? "") : i.item_id))),
    ].filter(Boolean);
    const visible = await this.d.articles.readable(reader, articleIds);
    const out: TrackItem[] = [];
    for (const i of stored) {
      if (i.item_kind === "video") {
        const v = videos.get(i.item_id);
        const a = v && visible.get(v.article_id);
        if (v && a)
          out.push({
            kind: "video",
            id: v.id,
            title: v.title,
            summary: a.title,
            articleId: a.id,
            completedAt: at("video", v.id),
          });
      } else {
        const a = visible.get(i.item_id);
        if (a?.published && a.status !== "archived")
          out.push({
            kind: "article",
            id: a.id,
            title: a.title,
            summary: a.summary,
            articleId: a.id,
            completedAt: at("article", a.id),
          });
      }
    }
    return out;
  }

  #mayRead(reader: Actor, t: TrackRow) {
    return profilesOf(reader.role).includes(t.profile);
  }

  async list(reader: Actor, filter: { profile?: Profile } = {}) {
    const allowed = profilesOf(reader.role).filter((p) => !filter.profile || p === filter.profile);
    const tracks = await this.d.repo.tracks(allowed);
    const ids = tracks.map((t) => t.id);
    const [items, progress] = await Promise.all([this.d.repo.items(ids), this.d.repo.progress(ids, reader.userId)]);
    const out = [];
    for (const t of tracks) {
      const done = new Map(
        progress.filter((p) => p.track_id === t.id).map((p) => [keyOf(p.item_kind, p.item_id), p.completed_at]),
      );
      out.push(
        this.#present(
          t,
          await this.#items(
            reader,
            t,
            items.filter((i) => i.track_id === t.id),
            done,
          ),
        ),
      );
    }
    return out;
  }

  async #row(reader: Actor, id: string) {
    const t = await this.d.repo.track(id);
    if (!t || !this.#mayRead(reader, t)) throw Problem.notFound("Track");
    return t;
  }

  async get(reader: Actor, id: string) {
    const t = await this.#row(reader, id);
    const [items, progress] = await Promise.all([this.d.repo.items([id]), this.d.repo.progress([id], reader.userId)]);
    const done = new Map(progress.map((p) => [keyOf(p.item_kind, p.item_id), p.completed_at]));
    return this.#present(t, await this.#items(reader, t, items, done));
  }

  /** Items must exist and be visible to the editor; a what's-new track has no items of its own. */
  async #checkItems(actor: Actor, input: TrackInput) {
    const items = input.items ?? [];
    if ((input.kind ?? "manual") === "whats-new" && items.length)
      throw Problem.invalid({
        in: "body",
        pointer: "/items",
        message: "a what's-new track lists release notes, not items",
      });
    if ((input.kind ?? "manual") === "manual" && input.categoryId)
      throw Problem.invalid({
        in: "body",
        pointer: "/categoryId",
        message: "only a what's-new track reads a category",
      });
    const seen = new Set<string>();
    const videos = new Map(
      (await this.d.repo.videosByIds(items.filter((i) => i.kind === "video").map((i) => i.id))).map((v) => [v.id, v]),
    );
    const articleIds = items.map((i) => (i.kind === "video" ? (videos.get(i.id)?.article_id ?? "") : i.id));
    const visible = await this.d.articles.readable(actor, articleIds.filter(Boolean));
    for (const [n, item] of items.entries()) {
      const key = keyOf(item.kind, item.id);
      if (seen.has(key))
        throw Problem.invalid({ in: "body", pointer: `/items/${n}`, message: "appears twice in the track" });
      seen.add(key);
      if (!visible.has(articleIds[n]!))
        throw Problem.invalid({ in: "body", pointer: `/items/${n}/id`, message: `no ${item.kind} ${item.id}` });
    }
    return items;
  }

  async create(actor: Actor, input: TrackInput, req: RequestInfo) {
    const items = await this.#checkItems(actor, input);
    const now = this.d.clock.now().toISOString();
    const id = uuidv7();
    await this.d.repo.transaction(async (trx) => {
      await this.d.repo.insertTrack(
        {
          id,
          title: input.title.trim(),
          description: input.description?.trim() ?? "",
          profile: input.profile,
          kind: input.kind ?? "manual",
          category_id: input.categoryId ?? null,
          locale: input.locale ?? "pt-BR",
          position: input.position ?? (await this.d.repo.nextTrackPosition(input.profile, trx)),
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        },
        trx,
      );
      await this.d.repo.replaceItems(
        id,
        items.map((i, position) => ({ track_id: id, position, item_kind: i.kind, item_id: i.id })),
        trx,
      );
      await this.d.audit.record(
        { action: "kb.track.created", actor, target: { type: "kb_track", id }, request: req },
        trx,
      );
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: string, patch: Partial<TrackInput>, req: RequestInfo) {
    const t = await this.#row(actor, id);
    const merged: TrackInput = {
      title: patch.title ?? t.title,
      description: patch.description ?? t.description,
      profile: patch.profile ?? t.profile,
      kind: patch.kind ?? t.kind,
      categoryId: patch.categoryId === undefined ? t.category_id : patch.categoryId,
      locale: patch.locale ?? (t.locale as "pt-BR" | "en"),
      position: patch.position ?? t.position,
      items: patch.items,
    };
    const items = patch.items ? await this.#checkItems(actor, merged) : undefined;
    if (!patch.items && merged.kind === "whats-new" && t.kind === "manual" && (await this.d.repo.items([id])).length)
      throw Problem.invalid({
        in: "body",
        pointer: "/kind",
        message: "clear the items before making it a what's-new track",
      });
    await this.d.repo.transaction(async (trx) => {
      await this.d.repo.updateTrack(
        id,
        {
          title: merged.title.trim(),
          description: merged.description?.trim() ?? "",
          profile: merged.profile,
          kind: merged.kind,
          category_id: merged.categoryId ?? null,
          locale: merged.locale,
          position: merged.position,
          updated_at: this.d.clock.now().toISOString(),
        },
        trx,
      );
      if (items)
        await this.d.repo.replaceItems(
          id,
          items.map((i, position) => ({ track_id: id, position, item_kind: i.kind, item_id: i.id })),
          trx,
        );
      await this.d.audit.record(
        { action: "kb.track.updated", actor, target: { type: "kb_track", id }, request: req },
        trx,
      );
    });
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    await this.#row(actor, id);
    await this.d.repo.transaction(async (trx) => {
      await this.d.repo.deleteTrack(id, trx);
      await this.d.audit.record(
        { action: "kb.track.deleted", actor, target: { type: "kb_track", id }, request: req },
        trx,
      );
    });
  }

  /** The reader marks an item of the track done (or not done); only items the reader sees in it count. */
  async mark(reader: Actor, id: string, item: { kind: ItemKind; id: string }, done: boolean) {
    const track = await this.get(reader, id);
    if (!track.items.some((i) => i.kind === item.kind && i.id === item.id)) throw Problem.notFound("Track item");
    const key = { track_id: id, user_id: reader.userId, item_kind: item.kind, item_id: item.id };
    if (done) await this.d.repo.complete({ ...key, completed_at: this.d.clock.now().toISOString() });
    else await this.d.repo.uncomplete(key);
    return this.get(reader, id);
  }

  /**
   * The manager's view: every user who started the track, how much they completed and when they finished.
   * Items are counted as the manager sees them (every item of a manual track).
   */
  async completion(manager: Actor, id: string) {
    if (!isStaff(manager.role)) throw Problem.notFound("Track");
    const track = await this.get(manager, id);
    const keys = track.items.map((i) => keyOf(i.kind, i.id));
    const rows = await this.d.repo.progress([id]);
    const byUser = new Map<string, Map<string, string>>();
    for (const r of rows) {
      if (!byUser.has(r.user_id)) byUser.set(r.user_id, new Map());
      byUser.get(r.user_id)!.set(keyOf(r.item_kind, r.item_id), r.completed_at);
    }
    const users = await this.d.users([...byUser.keys()]);
    const people = [...byUser.entries()]
      .map(([userId, done]) => ({
        userId,
        name: users.get(userId)?.name ?? null,
        email: users.get(userId)?.email ?? null,
        role: users.get(userId)?.role ?? null,
        ...completionOf(keys, done),
      }))
      .filter((p) => p.completed > 0)
      .sort((a, b) => b.completed - a.completed || (a.name ?? "").localeCompare(b.name ?? ""));
    return {
      trackId: id,
      title: track.title,
      total: keys.length,
      finished: people.filter((p) => p.finishedAt).length,
      users: people,
    };
  }
}
