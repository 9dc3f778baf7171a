import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
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
  FST_ERR_CTP_BODY_TOO_LARGE: { type: ProblemType.bodyTooLarge, title: "Body is larger than 1 MiB" },
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

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
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
      const errors = fieldErrors(error.validationContext ?? "body", error.validation as AjvError[]);
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
        detail: error.message,
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
