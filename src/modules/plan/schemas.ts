import { Type } from "typebox";
import { MessageParamsSchema } from "../../platform/http/messages.js";
import { strict } from "../../platform/http/schemas.js";
import { PlanDocument } from "./document.js";
import { findingLocales } from "./findings.js";

const Author = Type.Union(
  [
    Type.Object({
      userId: Type.Union([Type.String(), Type.Null()], {
        description: "The user's id; null when saved from the command line",
      }),
      name: Type.String({ description: 'The user\'s name, or "cli"' }),
    }),
    Type.Null(),
  ],
  { description: "Who saved the version; null for the seeded default" },
);

const versionFields = {
  version: Type.Integer({ minimum: 1, description: "Version number, 1 for the seeded default" }),
  author: Author,
  comment: Type.String({ description: "Why the version was saved" }),
  createdAt: Type.String({ format: "date-time" }),
};

export const PlanVersion = Type.Object({ ...versionFields, document: PlanDocument });

export const PlanUpdate = Type.Object(
  {
    document: PlanDocument,
    comment: Type.String({ minLength: 1, maxLength: 500, description: "Why the plan changes (shown in the history)" }),
    baseVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "The version this change was made on; 409 if the plan has moved on since",
      }),
    ),
  },
  strict,
);

const Change = Type.Object({
  path: Type.String({ description: "JSON Pointer of the changed value" }),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
});

export const VersionsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: "nextCursor of the previous page" })),
  },
  strict,
);

export const VersionsPage = Type.Object({
  items: Type.Array(
    Type.Object({
      ...versionFields,
      changes: Type.Array(Change, { description: "Changes from the previous version" }),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1, maximum: 2147483647 }) }, strict);

const locale = (description: string) =>
  Type.Optional(
    Type.Unsafe<(typeof findingLocales)[number]>({
      type: "string",
      enum: [...findingLocales],
      description: `${description}; else the Accept-Language header's first tag, else en`,
    }),
  );

export const FindingsQuery = Type.Object(
  { locale: locale("Language of title, detail and suggestion (clients that translate use key and params)") },
  strict,
);

export const HolidayRegionsQuery = Type.Object(
  { locale: locale("Language of the names, where the holiday data has them (else the region's own language)") },
  strict,
);

export const HolidayRegions = Type.Object({
  items: Type.Array(
    Type.Object({
      code: Type.String({ description: "ISO 3166-1 alpha-2 country code: a calendar's holidays.country" }),
      name: Type.String(),
      states: Type.Array(
        Type.Object({
          code: Type.String({ description: "A calendar's holidays.state" }),
          name: Type.String(),
          cities: Type.Array(Type.Object({ code: Type.String(), name: Type.String() }), {
            description: "Each code a calendar's holidays.city",
          }),
        }),
      ),
    }),
  ),
});

export const Findings = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String({ description: "Stable id: the rule, and its subject after a colon" }),
      severity: Type.Enum(["critical", "warning", "info"]),
      title: Type.String(),
      detail: Type.String(),
      fields: Type.Array(Type.String(), { description: "JSON Pointers of the plan fields involved" }),
      suggestion: Type.String(),
      key: Type.String({
        description: "The texts' key in a client's translations; title, detail and suggestion are worded under it",
      }),
      params: MessageParamsSchema,
    }),
  ),
});
