import type { components } from "../../api/schema";

/** A domain event as the server streams it from GET /api/v1/events: the catalogue's union, told apart by `type`. */
export type DomainEvent = components["schemas"]["DomainEvent"];
/** The event of one type, e.g. `EventOf<"monitor.state_changed">`. */
export type EventOf<T extends DomainEvent["type"]> = Extract<DomainEvent, { type: T }>;

export type StreamState = "connecting" | "connected" | "disconnected" | "unauthenticated";

export interface StreamHandlers {
  onEvent(event: DomainEvent): void;
  onState(state: StreamState): void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

interface Frame {
  id?: string;
  data: string[];
}

/** Splits a text/event-stream body into frames (fields per the SSE spec; comments and `retry` ignored). */
async function readFrames(body: ReadableStream<Uint8Array>, onFrame: (frame: Frame) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let frame: Frame = { data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line === "") {
        if (frame.data.length) onFrame(frame);
        frame = { id: frame.id, data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
      if (field === "data") frame.data.push(text);
      else if (field === "id") frame.id = text;
    }
  }
}

function parseEvent(data: string): DomainEvent | undefined {
  try {
    // The server sends only catalogued events; a frame without these fields is not one.
    const value = JSON.parse(data) as Partial<DomainEvent>;
    if (
      typeof value.id === "number" &&
      typeof value.type === "string" &&
      typeof value.createdAt === "string" &&
      typeof value.payload === "object" &&
      value.payload !== null
    ) {
      return value as DomainEvent;
    }
  } catch {
    // A frame that is not an event (or is truncated) is skipped; the stream goes on.
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Follows the live event stream, reconnecting with backoff and resuming from Last-Event-ID.
 * Read with fetch rather than EventSource: the server names each frame after its event type, and
 * EventSource only delivers named frames to listeners registered for that exact name.
 * Returns a function that closes the stream.
 */
export function followEvents(url: string, handlers: StreamHandlers): () => void {
  // One connection per URL for the whole tab: a browser opens at most six to a host over HTTP/1.1, and every
  // component that listens (the bell, the call pop-up, a live page) holding its own would starve two tabs.
  let shared = streams.get(url);
  if (!shared) {
    const listeners = new Set<StreamHandlers>();
    const entry: SharedStream = { listeners, state: "connecting", close: () => {} };
    entry.close = openStream(url, {
      onEvent: (event) => {
        for (const l of [...listeners]) l.onEvent(event);
      },
      onState: (state) => {
        entry.state = state;
        for (const l of [...listeners]) l.onState(state);
      },
    });
    shared = entry;
    streams.set(url, shared);
  }
  const entry = shared;
  entry.listeners.add(handlers);
  handlers.onState(entry.state);
  return () => {
    entry.listeners.delete(handlers);
    if (entry.listeners.size === 0 && streams.get(url) === entry) {
      streams.delete(url);
      entry.close();
    }
  };
}

interface SharedStream {
  listeners: Set<StreamHandlers>;
  state: Parameters<StreamHandlers["onState"]>[0];
  close: () => void;
}
const streams = new Map<string, SharedStream>();

function openStream(url: string, handlers: StreamHandlers): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  let lastId: string | undefined;

  void (async () => {
    let retryMs = FIRST_RETRY_MS;
    while (!signal.aborted) {
      handlers.onState("connecting");
      try {
        const response = await fetch(url, {
          headers: lastId ? { accept: "text/event-stream", "last-event-id": lastId } : { accept: "text/event-stream" },
          credentials: "same-origin",
          cache: "no-store",
          signal,
        });
        if (response.status === 401) {
          handlers.onState("unauthenticated");
          return;
        }
        if (response.ok && response.body) {
          handlers.onState("connected");
          retryMs = FIRST_RETRY_MS;
          await readFrames(response.body, (frame) => {
            if (frame.id) lastId = frame.id;
            const event = parseEvent(frame.data.join("\n"));
            if (event) handlers.onEvent(event);
          });
        }
      } catch {
        // Network failure or abort: reconnect below unless closed.
      }
      if (signal.aborted) return;
      handlers.onState("disconnected");
      await sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }
  })();

  return () => controller.abort();
}
