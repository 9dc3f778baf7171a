import type { ServerResponse } from "node:http";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Platform } from "../runtime.js";
import type { DomainEvent } from "./bus.js";

/**
 * Decides, per request, which events the viewer may receive and how each reads to them (a customer's payloads
 * leave out staff fields), null for one it may not; the app passes its tenancy and role rule.
 */
export type EventFilter = (request: FastifyRequest) => Promise<(event: DomainEvent) => DomainEvent | null>;

const HEARTBEAT_MS = 15_000;
const REPLAY_BATCH = 500;

function frame(e: DomainEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export function eventRoutes(platform: Platform, filter: EventFilter) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    // Open streams never end by themselves; without this the server's close would wait for every browser.
    const streams = new Set<ServerResponse>();
    app.addHook("preClose", async () => {
      for (const res of streams) res.end();
    });
    app.get(
      "/api/v1/events",
      {
        config: { area: "events", access: "read" },
        schema: {
          tags: ["events"],
          summary: "Live domain events as server-sent events",
          description:
            "Each event is `id`, `event` (its type) and `data` (JSON). Reconnect with `Last-Event-ID` (or `?after=`) to replay what was missed.",
          querystring: Type.Object(
            { after: Type.Optional(Type.Integer({ minimum: 0, description: "Replay events after this id" })) },
            { additionalProperties: false },
          ),
          headers: Type.Object({ "last-event-id": Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })) }),
          produces: ["text/event-stream"],
          response: { 200: Type.String({ description: "text/event-stream" }) },
        },
      },
      async (request, reply) => {
        const visible = await filter(request);
        const lastId = request.headers["last-event-id"];
        const after = request.query.after ?? (typeof lastId === "string" ? Number(lastId) : undefined);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          connection: "keep-alive",
          "x-accel-buffering": "no",
          "x-request-id": String(request.id),
        });
        res.write(": connected\n\n");
        streams.add(res);
        // Live events that arrive while the replay runs are held, then sent after it. Ids are remembered
        // rather than compared with the last one sent: on PostgreSQL ids can commit out of order.
        let replaying = after !== undefined;
        const replayed = new Set<number>();
        const held: DomainEvent[] = [];
        // Without Last-Event-ID the stream starts now: an event written earlier whose notification arrives
        // late (PostgreSQL delivers NOTIFY asynchronously) is not news to this client.
        const connectedAt = platform.clock.now().toISOString();
        const send = (e: DomainEvent) => {
          if (replayed.has(e.id) || e.id <= (after ?? 0)) return;
          if (after === undefined && e.createdAt < connectedAt) return;
          if (replaying) replayed.add(e.id);
          const shown = visible(e);
          if (shown) res.write(frame(shown));
        };
        const unsubscribe = platform.events.subscribe((e) => (replaying ? held.push(e) : send(e)));
        const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
        request.raw.on("close", () => {
          streams.delete(res);
          clearInterval(heartbeat);
          unsubscribe();
        });
        if (after !== undefined) {
          try {
            let cursor = after;
            for (;;) {
              const batch = await platform.events.since(cursor, REPLAY_BATCH);
              for (const e of batch) send(e);
              if (batch.length < REPLAY_BATCH || res.destroyed) break;
              cursor = batch.at(-1)?.id ?? cursor;
            }
          } finally {
            replaying = false;
            for (const e of held.splice(0)) send(e);
          }
        }
      },
    );
  };
  return plugin;
}
