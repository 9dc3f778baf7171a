import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { drainBody } from "./bodies.js";
import { type FieldError, Problem, ProblemType, problemTypeUri } from "./problems.js";

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

function fieldErrors(context: string, validation: AjvError[]): FieldError[] {
  return validation.map((v) => {
    let pointer = v.instancePath;
    if (v.keyword === "required") pointer += `/${String(v.params.missingProperty)}`;
    if (v.keyword === "additionalProperties") pointer += `/${String(v.params.additionalProperty)}`;
    const message =
      v.keyword === "additionalProperties"
        ? `unknown property "${String(v.params.additionalProperty)}"`
        : v.keyword === "required"
          ? `"${String(v.params.missingProperty)}" is required`
          : (v.message ?? "is not valid");
    return { in: context, pointer, message };
  });
}

/** Maps Fastify's own client errors (by code) to our stable problem types. */
const fastifyCodes: Record<string, { type: string; title: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { type: ProblemType.malformedBody, title: "Body is not valid JSON" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { type: ProblemType.malformedBody, title: "Body is empty" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    type: ProblemType.malformedBody,
    title: "Content-Length does not match the body",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { type: ProblemType.bodyTooLarge, title: "Body is too large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { type: ProblemType.unsupportedMediaType, title: "Unsupported content type" },
  FST_ERR_CTP_INVALID_TYPE: { type: ProblemType.unsupportedMediaType, title: "Unsupported content type" },
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  p: { status: number; type: string; title: string; detail?: string; errors?: FieldError[] },
) {
  return reply
    .code(p.status)
    .type("application/problem+json")
    .send({
      type: problemTypeUri(p.type),
      title: p.title,
      status: p.status,
      ...(p.detail ? { detail: p.detail } : {}),
      instance: request.url.split("?")[0],
      requestId: String(request.id),
      ...(p.errors ? { errors: p.errors } : {}),
    });
}

/** Errors Fastify's router raises before any hook runs (a malformed percent-encoding, an over-long parameter). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 400;
  return sendProblem(request, reply, {
    status,
    type: status === 414 ? "uri-too-long" : ProblemType.badRequest,
    title: status === 414 ? "URI too long" : "Bad request",
    detail: error.message.length > 300 ? `${error.message.slice(0, 300)}…` : error.message,
  });
}

/** Errors of the HTTP parser itself (oversized headers, garbage): answered on the socket, still as problem+json. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const body = JSON.stringify({
    type: problemTypeUri(status === 431 ? "headers-too-large" : ProblemType.badRequest),
    title: STATUS_CODES[status] ?? "Bad request",
    status,
    detail:
      status === 431 ? "Request headers are larger than the server accepts" : "The request could not be parsed as HTTP",
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The first value no handler should see, with its JSON Pointer: a number that is not finite ("1e400" in a
 * query string or a JSON body becomes Infinity, which Ajv's coercion lets past `maximum`) or a string
 * holding a NUL character (PostgreSQL refuses it in text).
 */
function unacceptable(value: unknown, pointer = ""): { pointer: string; message: string } | null {
  if (typeof value === "number" && !Number.isFinite(value)) return { pointer, message: "must be a finite number" };
  if (typeof value === "string" && value.includes("\u0000"))
    return { pointer, message: "must not contain NUL characters" };
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const found = unacceptable(v, `${pointer}/${k}`);
      if (found) return found;
    }
  }
  return null;
}

const MAX_FIELD_ERRORS = 50;

export function installErrorHandling(app: FastifyInstance): void {
  // Synchronous, so a callback hook: no promise per request.
  app.addHook("preHandler", (request, _reply, done) => {
    for (const part of ["query", "params", "body"] as const) {
      const found = unacceptable(request[part]);
      if (found) return done(Problem.invalid({ in: part === "query" ? "querystring" : part, ...found }));
    }
    done();
  });
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // Fastify closes the connection after refusing a body it did not read whole; the client must still read why.
    if (reply.getHeader("connection") === "close") await drainBody(request.raw);
    if (error instanceof Problem) {
      return sendProblem(request, reply, {
        status: error.status,
        type: error.typeId,
        title: error.title,
        detail: error.detail,
        errors: error.errors,
      });
    }
    if (error.validation) {
      // A body with thousands of unknown keys must not get a reply many times its own size.
      const errors = fieldErrors(
        error.validationContext ?? "body",
        (error.validation as AjvError[]).slice(0, MAX_FIELD_ERRORS),
      );
      return sendProblem(request, reply, {
        status: 400,
        type: ProblemType.validation,
        title: "Request is not valid",
        detail: errors.map((e) => `${e.in}${e.pointer}: ${e.message}`).join("; "),
        errors,
      });
    }
    const known = error.code ? fastifyCodes[error.code] : undefined;
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(request, reply, {
        status,
        type: known?.type ?? (status === 429 ? ProblemType.rateLimited : ProblemType.badRequest),
        title: known?.title ?? "Bad request",
        // Limits differ by route (attachments take more than 1 MiB), so the answer names this route's.
        detail:
          error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
            ? `This operation accepts a body of at most ${request.routeOptions.bodyLimit} bytes`
            : error.message,
      });
    }
    request.log.error({ err: error }, "request failed");
    return sendProblem(request, reply, {
      status: 500,
      type: ProblemType.internal,
      title: "Internal error",
      detail: "The server could not complete the request; the request id is in the logs.",
    });
  });
}
