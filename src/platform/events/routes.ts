import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Platform } from "../runtime.js";
import type { DomainEvent } from "./bus.js";

/** Decides, per request, which events the viewer may receive (tenancy lives here once identity exists). */
export type EventFilter = (request: FastifyRequest) => Promise<(event: DomainEvent) => boolean>;

const HEARTBEAT_MS = 15_000;

function frame(e: DomainEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export function eventRoutes(platform: Platform, filter: EventFilter) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/events",
      {
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
        // Live events that arrive while the replay query runs are held, then sent after it without duplicates.
        let replaying = after !== undefined;
        let lastSent = after ?? 0;
        const held: DomainEvent[] = [];
        const send = (e: DomainEvent) => {
          if (e.id <= lastSent && after !== undefined) return;
          if (!visible(e)) return;
          lastSent = Math.max(lastSent, e.id);
          res.write(frame(e));
        };
        const unsubscribe = platform.events.subscribe((e) => (replaying ? held.push(e) : send(e)));
        const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
        request.raw.on("close", () => {
          clearInterval(heartbeat);
          unsubscribe();
        });
        if (after !== undefined) {
          try {
            for (const e of await platform.events.since(after)) send(e);
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
