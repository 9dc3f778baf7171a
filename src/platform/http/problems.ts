import { Type } from "typebox";
import { type MessageParams, MessageParamsSchema } from "./messages.js";

/** One field at fault in a request, as reported in a problem's `errors` list. */
export interface FieldError {
  /** Where the field is: body, querystring, params or headers. */
  in: string;
  /** JSON Pointer to the field inside that part ("" for the part itself). */
  pointer: string;
  message: string;
  /** The message's key in a client's translations (`plan.errors.<key>`), when it has one. */
  key?: string;
  /** The values the message names, for a client to word in its reader's language. */
  params?: MessageParams;
}

/** Stable problem type ids. Clients may switch on them; their text may change, the ids may not. */
export const ProblemType = {
  validation: "validation-failed",
  malformedBody: "malformed-body",
  bodyTooLarge: "body-too-large",
  unsupportedMediaType: "unsupported-media-type",
  notFound: "not-found",
  methodNotAllowed: "method-not-allowed",
  unauthenticated: "unauthenticated",
  forbidden: "forbidden",
  conflict: "conflict",
  rateLimited: "rate-limited",
  notReady: "not-ready",
  badRequest: "bad-request",
  internal: "internal-error",
} as const;
export type ProblemTypeId = (typeof ProblemType)[keyof typeof ProblemType];

export const problemTypeUri = (id: string) => `urn:plantao:problem:${id}`;

/** An RFC 9457 problem raised by domain or platform code; the error handler renders it. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly typeId: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
  }

  static notFound(what: string): Problem {
    return new Problem(404, ProblemType.notFound, "Not found", `${what} was not found`);
  }

  static conflict(detail: string): Problem {
    return new Problem(409, ProblemType.conflict, "Conflict", detail);
  }

  static invalid(field: FieldError): Problem {
    return new Problem(400, ProblemType.validation, "Request is not valid", field.message, [field]);
  }
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "Stable id of the problem kind, `urn:plantao:problem:<id>`" }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.String(),
          pointer: Type.String(),
          message: Type.String(),
          key: Type.Optional(
            Type.String({ description: "The message's key in a client's translations, for messages that have one" }),
          ),
          params: Type.Optional(MessageParamsSchema),
        }),
      ),
    ),
  },
  { $id: "Problem", description: "RFC 9457 problem details" },
);
