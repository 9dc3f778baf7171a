import { Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { audiences, locales, purposes, statuses } from "./policy.js";
import { MAX_QUERY_CHARS } from "./search.js";

export const Audience = literals(audiences, "public, customers, support, admins or internal");
export const Purpose = literals(purposes, "procedure, faq, video, manual, problem-solution or lesson");
export const Status = literals(statuses, "draft, review, published or archived");
export const Locale = literals(locales, "pt-BR or en");
const Title = Type.String({ minLength: 1, maxLength: 300, pattern: "\\S" });
const Body = Type.String({ maxLength: 200_000, description: "Markdown" });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 60, pattern: "\\S" }), { maxItems: 20 });

export const IdParams = Type.Object({ id: Id }, strict);
export const VersionParams = Type.Object({ id: Id, version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, strict);

export const ArticleInput = Type.Object(
  {
    title: Title,
    body: Body,
    audience: Audience,
    purpose: Purpose,
    status: Type.Optional(literals(["draft", "published"] as const, "published: admins and managers only")),
    categoryId: Type.Optional(nullable(Id)),
    locale: Type.Optional(Locale),
    tags: Type.Optional(Tags),
    organizationId: Type.Optional(nullable(Id)),
    translationOf: Type.Optional(Id),
  },
  strict,
);
export const ArticlePatch = Type.Object(
  {
    title: Type.Optional(Title),
    body: Type.Optional(Body),
    audience: Type.Optional(Audience),
    purpose: Type.Optional(Purpose),
    categoryId: Type.Optional(nullable(Id)),
    tags: Type.Optional(Tags),
    organizationId: Type.Optional(nullable(Id)),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  strict,
);
export const TransitionInput = Type.Object(
  {
    status: Status,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  strict,
);
export const Article = Type.Object({
  id: Id,
  translationGroupId: Type.String(),
  locale: Locale,
  title: Type.String(),
  body: Type.String(),
  audience: Audience,
  purpose: Purpose,
  status: Status,
  version: Type.Integer(),
  publishedVersion: nullable(Type.Integer()),
  categoryId: nullable(Type.String()),
  organizationId: nullable(Type.String()),
  ownerId: nullable(Type.String()),
  createdBy: nullable(Type.String()),
  reviewNote: nullable(Type.String()),
  tags: Type.Array(Type.String()),
  publishedAt: nullable(Instant),
  archivedAt: nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
});
export const RenderedArticle = Type.Intersect([
  Article,
  Type.Object({
    html: Type.String({ description: "The Markdown rendered and sanitised, internal links resolved for the reader" }),
    translations: Type.Array(Type.Object({ id: Id, locale: Locale, title: Type.String() })),
  }),
]);
export const ArticleListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Status),
    categoryId: Type.Optional(Id),
    locale: Type.Optional(Locale),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    audience: Type.Optional(Audience),
    purpose: Type.Optional(Purpose),
  },
  strict,
);
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
export const ArticlePage = Type.Object({ items: Type.Array(Article), nextCursor: nullable(Type.String()) });
export const Version = Type.Object({
  version: Type.Integer(),
  title: Type.String(),
  status: Type.String(),
  authorId: nullable(Type.String()),
  note: nullable(Type.String()),
  createdAt: Instant,
});
export const VersionDetail = Type.Intersect([Version, Type.Object({ body: Type.String() })]);
export const DiffQuery = Type.Object(
  {
    from: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    to: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  strict,
);
export const Diff = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  title: Type.Array(Type.Object({ op: literals(["same", "added", "removed"] as const), text: Type.String() })),
  lines: Type.Array(Type.Object({ op: literals(["same", "added", "removed"] as const), text: Type.String() })),
  unified: Type.String({ description: "The body's change as a unified diff" }),
});
export const PreviewInput = Type.Object({ body: Body }, strict);
export const Preview = Type.Object({ html: Type.String() });

export const SearchQuery = Type.Object(
  {
    q: Type.String({
      maxLength: MAX_QUERY_CHARS,
      description: `Words to find (at most ${MAX_QUERY_CHARS} characters)`,
    }),
    audience: Type.Optional(Audience),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
  },
  strict,
);
export const SearchResult = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Id,
      title: Type.String(),
      snippet: Type.String({ description: "HTML-escaped text around the matches, matching words in <mark>" }),
      score: Type.Number(),
      locale: Locale,
      audience: Audience,
      purpose: Purpose,
    }),
  ),
  notice: Type.Optional(
    literals(["no-search-terms"] as const, "the query had only stop words or no words: nothing was searched"),
  ),
});

export const CategoryInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" }),
    nameEn: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    parentId: Type.Optional(nullable(Id)),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  strict,
);
export const CategoryPatch = Type.Partial(CategoryInput, strict);
export const Category = Type.Object({
  id: Id,
  parentId: nullable(Type.String()),
  name: Type.String(),
  nameEn: nullable(Type.String()),
  description: Type.String(),
  position: Type.Integer(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const HelpQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 20_000 })),
    lang: Type.Optional(Type.String({ maxLength: 20 })),
  },
  strict,
);
/** A help-centre address as typed or pasted: anything that is not an article's id is the page's own 404. */
export const HelpArticleParams = Type.Object({ id: Type.String({ maxLength: 100 }) }, strict);
export const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 20 })) }, strict);
