import type { Platform } from "../../platform/runtime.js";
import type { DirectoryService } from "../identity/directory.js";
import type { PlanService } from "../plan/service.js";
import { AttachmentStore } from "../tickets/attachments.js";
import type { TicketService } from "../tickets/service.js";
import { RateLimiter } from "./model.js";
import { ChatRepository } from "./repository.js";
import type { ChatModule } from "./routes.js";
import { ChatService } from "./service.js";
import { ChatSites } from "./sites.js";
import { ChatTicketing } from "./ticketing.js";

/** Live chat over one platform: sites and their keys, conversations, and where finished chats go. */
export function createChat(
  platform: Platform,
  s: { tickets: TicketService; directory: DirectoryService; plan: PlanService },
): ChatModule {
  const { db, dialect, events, jobs, clock, secrets, config } = platform;
  const repo = new ChatRepository(db, dialect);
  const sites = new ChatSites({
    repo,
    secrets,
    clock,
    directory: s.directory,
    plan: s.plan,
    publicUrl: config.publicUrl,
  });
  const chat = new ChatService({
    repo,
    sites,
    events,
    jobs,
    clock,
    directory: s.directory,
    // The ticket attachments' store and limit: a file sent in a chat is kept where its ticket's would be.
    attachments: { store: new AttachmentStore(config.attachmentsDir), maxBytes: config.attachmentMaxBytes },
  });
  const ticketing = new ChatTicketing({
    repo,
    sites,
    tickets: s.tickets,
    directory: s.directory,
    log: platform.log.child({ part: "chat" }),
  });
  // Shared by every node on the database: a visitor's writes, and identities handed to anonymous visitors.
  const limits = {
    writes: new RateLimiter(repo, "writes", 40, 8),
    identities: new RateLimiter(repo, "identities", 20, 0.5),
  };
  return { chat, sites, ticketing, limits };
}
