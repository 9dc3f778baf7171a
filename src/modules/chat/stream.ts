import type { ServerResponse } from "node:http";
import type { DomainEvent, EventBus } from "../../platform/events/bus.js";
import type { ConversationRow } from "./repository.js";
import type { ChatEventPayload, ChatService } from "./service.js";

const HEARTBEAT_MS = 15_000;

type Listener = (e: DomainEvent) => void;

/**
 * The chat's one subscription to the event bus on this node, handing each chat event only to the streams of
 * its conversation: with a thousand open widgets, an event costs one map lookup rather than a thousand calls.
 */
export class ChatHub {
  readonly #listeners = new Map<string, Set<Listener>>();
  #unsubscribe: (() => void) | undefined;

  constructor(private readonly events: EventBus) {}

  listen(conversationId: string, fn: Listener): () => void {
    this.#unsubscribe ??= this.events.subscribe((e) => {
      if (e.type !== "chat.event" && e.type !== "chat.typing") return;
      const id = (e.payload as { conversationId?: string }).conversationId;
      for (const l of (id && this.#listeners.get(id)) || []) l(e);
    });
    const set = this.#listeners.get(conversationId) ?? new Set<Listener>();
    this.#listeners.set(conversationId, set);
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#listeners.delete(conversationId);
    };
  }
}

const frame = (e: ChatEventPayload) => `id: ${e.seq}\nevent: chat\ndata: ${JSON.stringify(e)}\n\n`;

/**
 * One conversation's events as server-sent events, from a cursor: what was committed after it is replayed from
 * the table, then live events follow from the bus (which every node hears, PostgreSQL NOTIFY or SQLite polling).
 * Each event goes out once and in cursor order: a live event right after the last one sent is written as it
 * comes; one that skips ahead (its notification passed a missing one) makes the stream read the gap first.
 */
export function streamConversation(
  res: ServerResponse,
  conversation: ConversationRow,
  after: number,
  deps: { hub: ChatHub; chat: ChatService; typingOf: "visitor" | "agent"; onClose: () => void },
): void {
  let sent = after;
  let pumping: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const write = (e: ChatEventPayload) => {
    if (e.seq !== sent + 1) return false;
    res.write(frame(e));
    sent = e.seq;
    return true;
  };
  const pump = (): Promise<void> => {
    if (pumping) {
      again = true;
      return pumping;
    }
    const run = (async () => {
      do {
        again = false;
        for (;;) {
          if (closed) return;
          const batch = await deps.chat.eventsOf(conversation, sent, 500);
          for (const e of batch) write(e);
          if (batch.length < 500) break;
        }
      } while (again && !closed);
    })()
      .catch(() => {
        res.destroy();
      })
      .finally(() => {
        pumping = undefined;
      });
    pumping = run;
    return run;
  };

  const unsubscribe = deps.hub.listen(conversation.id, (e) => {
    if (closed) return;
    if (e.type === "chat.typing") {
      const t = e.payload as { side: string; typing: boolean; name: string };
      if (t.side === deps.typingOf) res.write(`event: typing\ndata: ${JSON.stringify(t)}\n\n`);
      return;
    }
    if (e.type !== "chat.event") return;
    const payload = e.payload as ChatEventPayload;
    if (payload.seq <= sent) return;
    if (pumping || !write(payload)) void pump();
  });
  const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
  res.on("close", () => {
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    deps.onClose();
  });
  void pump();
}
