import { Problem } from "../../platform/http/problems.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";

/** Most people one message may @mention. */
export const MAX_MENTIONS = 20;

/**
 * The staff users a message @mentions (the ids the composer attached to the names it inserted), each checked:
 * only staff mention, and only active staff users can be mentioned. Deduplicated, in the order given.
 */
export async function checkMentions(
  directory: Pick<DirectoryService, "getUser">,
  actor: Actor,
  ids: readonly string[] | undefined,
): Promise<string[]> {
  if (!ids?.length) return [];
  const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });
  if (!isStaff(actor.role)) throw invalid("/mentions", "only staff mention people");
  for (const [i, id] of ids.entries()) {
    const user = await directory.getUser(id).catch(() => undefined);
    if (!user || !isStaff(user.role) || user.disabled) throw invalid(`/mentions/${i}`, "must be an active staff user");
  }
  return [...new Set(ids)];
}
