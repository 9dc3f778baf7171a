import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import { callerKey } from "./phone-numbers.js";

export interface CallerMatch {
  organizationId: string;
  organizationName: string;
  /** The organization's contact whose phone matched; null when the number is one of its DIDs. */
  contact: { name: string; email?: string; phone?: string } | null;
  /** A user of the organization with the contact's email: the requester of tickets the call opens. */
  requesterId: string | null;
  /** That user's language (what tickets the call opens are written in); null without one. */
  locale: string | null;
}

/**
 * Who is calling: a caller id matched on its E.164 key (Brazilian formats and the ninth digit folded) against the
 * customer organizations' DIDs and their contacts' phones; a contact's match beats a DID's. Agents by email.
 */
export class CallerDirectory {
  constructor(private readonly directory: DirectoryService) {}

  async match(raw: string | null | undefined): Promise<CallerMatch | null> {
    const key = callerKey(raw);
    if (!key) return null;
    let byDid: CallerMatch | null = null;
    let after: string | undefined;
    for (;;) {
      const page = await this.directory.listOrganizations({ limit: 500, after }, {});
      for (const org of page) {
        if (org.kind !== "customer") continue;
        const contacts = org.contacts as { name: string; email?: string; phone?: string }[];
        const contact = contacts.find((c) => c.phone && callerKey(c.phone) === key);
        if (contact) {
          const user = contact.email ? await this.directory.findUserByEmail(contact.email) : undefined;
          const requester =
            user && user.organizationId === org.id
              ? await this.directory.getUser(user.userId).catch(() => undefined)
              : undefined;
          return {
            organizationId: org.id,
            organizationName: org.name,
            contact,
            requesterId: requester?.id ?? null,
            locale: requester?.locale ?? null,
          };
        }
        if (!byDid && org.phoneNumbers.some((n) => callerKey(n) === key))
          byDid = {
            organizationId: org.id,
            organizationName: org.name,
            contact: null,
            requesterId: null,
            locale: null,
          };
      }
      if (page.length < 500) break;
      after = page.at(-1)!.id;
    }
    return byDid;
  }

  /** An active staff user by id, as an actor. */
  async staffById(id: string): Promise<Actor | undefined> {
    const user = await this.directory.getUser(id).catch(() => undefined);
    return user ? this.staff(user.email) : undefined;
  }

  /** An active staff user by email, as the actor of what they did on the phone. */
  async staff(email: string | undefined): Promise<Actor | undefined> {
    if (!email) return undefined;
    const actor = await this.directory.findUserByEmail(email);
    if (!actor || !isStaff(actor.role)) return undefined;
    const user = await this.directory.getUser(actor.userId).catch(() => undefined);
    return user && !user.disabled ? actor : undefined;
  }
}
