import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";

type JsonSchema = { type?: unknown; required?: unknown[]; minProperties?: number };

/** Whether `{}` satisfies an object schema: no required property and no minimum count. */
export function acceptsEmptyObject(schema: unknown): boolean {
  const s = schema as JsonSchema | undefined;
  return s?.type === "object" && !s.required?.length && !s.minProperties;
}

const emptyObjectOk = new WeakMap<object, boolean>();

/**
 * Whether a request may come without a body: the route reads none, or it is an action POST whose body has no
 * required field (`curl -X POST` sends nothing; the body then reads as `{}`).
 */
function mayOmitBody(request: FastifyRequest): boolean {
  const body = request.routeOptions.schema?.body;
  if (!body) return true;
  if (request.method !== "POST") return false;
  let ok = emptyObjectOk.get(body);
  if (ok === undefined) {
    ok = acceptsEmptyObject(body);
    emptyObjectOk.set(body, ok);
  }
  return ok;
}

/**
 * An empty JSON body (`Content-Type: application/json` and nothing else) and a missing body both mean "no
 * body": accepted where the route may be called without one, and read as `{}` where it has a body schema.
 */
export function installBodyHandling(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "" && mayOmitBody(request)) {
      done(null, undefined);
      return;
    }
    json(request, body as string, done);
  });
  // Synchronous, so a callback hook: no promise per request.
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.body === undefined && request.routeOptions.schema?.body && mayOmitBody(request)) request.body = {};
    done();
  });
}

/** How much of a refused body is still read so its sender can read the answer; past this the socket closes. */
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
export const DRAIN_MAX_MS = 10_000;

/**
 * Reads and drops the rest of a request body the server refuses (too large, unsupported type) before it
 * answers and closes the connection: a socket closed while the client still sends is reset, and the client
 * then sees a broken pipe instead of the 413. Bounded in bytes and time, so a sender cannot hold it forever.
 */
export function drainBody(raw: IncomingMessage, maxBytes = DRAIN_MAX_BYTES, maxMs = DRAIN_MAX_MS): Promise<void> {
  if (raw.complete || raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off("data", onData).off("end", finish).off("close", finish).off("error", finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) finish();
    };
    const timer = setTimeout(finish, maxMs);
    raw.on("data", onData).on("end", finish).on("close", finish).on("error", finish);
    raw.resume();
  });
}
