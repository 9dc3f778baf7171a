import type { DirectoryService } from "../identity/directory.js";

/** History fields whose values are user ids: the timeline shows the person's name instead. */
const personFields = new Set(["assigneeId"]);

interface Named {
  messages: { authorId: string | null }[];
  history: { actorId: string | null; field: string; before: string | null; after: string | null }[];
}

/**
 * The timeline with people's names: each message's author, each change's actor, and the before/after of fields
 * that hold a person (the assignee), so nobody reads a raw id. A user who is gone reads as null.
 */
export async function withNames<T extends Named>(directory: Pick<DirectoryService, "getUser">, timeline: T) {
  const ids = new Set<string>();
  for (const m of timeline.messages) if (m.authorId) ids.add(m.authorId);
  for (const h of timeline.history) {
    if (h.actorId) ids.add(h.actorId);
    if (personFields.has(h.field)) for (const v of [h.before, h.after]) if (v) ids.add(v);
  }
  const names = new Map<string, string>();
  await Promise.all(
    [...ids].map(async (id) => {
      const user = await directory.getUser(id).catch(() => undefined);
      if (user) names.set(id, user.name);
    }),
  );
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    ...timeline,
    messages: timeline.messages.map((m) => ({ ...m, authorName: name(m.authorId) })),
    history: timeline.history.map((h) => ({
      ...h,
      actorName: name(h.actorId),
      ...(personFields.has(h.field) ? { beforeLabel: name(h.before), afterLabel: name(h.after) } : {}),
    })),
  };
}
