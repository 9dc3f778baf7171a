import { Type } from "typebox";
import { Id, Instant, literals, nullable, strict } from "../../platform/http/schemas.js";
import { outcomes } from "./suggestions.js";
import { profiles, trackKinds } from "./tracks.js";

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
  },
  strict,
);
export const IdParams = Type.Object({ id: Id }, strict);
const Lang = Type.String({ pattern: "^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$", maxLength: 12, description: "BCP 47 tag" });
export const CaptionParams = Type.Object({ id: Id, lang: Lang }, strict);

// videos -----------------------------------------------------------------------------------------------------

export const Video = Type.Object({
  id: Id,
  articleId: Id,
  title: Type.String(),
  filename: Type.String(),
  contentType: literals(["video/mp4", "video/webm"] as const),
  size: Type.Integer(),
  sha256: Type.String(),
  streamUrl: Type.String(),
  posterUrl: nullable(Type.String()),
  captions: Type.Array(Type.Object({ lang: Type.String(), label: Type.String(), url: Type.String() })),
  uploadedBy: nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});
export const Attachment = Type.Object({
  id: Id,
  articleId: Id,
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  url: Type.String(),
  markdown: Type.String({ description: "What to paste in the article: an image, or a link to download the file" }),
  uploadedBy: nullable(Type.String()),
  createdAt: Instant,
});
export const AttachmentUploadQuery = Type.Object(
  { filename: Type.String({ minLength: 1, maxLength: 255, pattern: "\\S" }) },
  strict,
);
export const VideoUploadQuery = Type.Object(
  {
    articleId: Id,
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  strict,
);
export const VideoListQuery = Type.Object(
  {
    articleId: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
  },
  strict,
);
export const VideoPatch = Type.Object({ title: Type.String({ minLength: 1, maxLength: 200 }) }, strict);
export const CaptionQuery = Type.Object({ label: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })) }, strict);
/** A binary body: the bytes themselves, typed by their content (the declared type only routes the request). */
export const Binary = Type.String({ description: "The file's bytes" });

// suggestions and deflections -----------------------------------------------------------------------------

export const SuggestionQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 10_000, description: "What the customer is typing (ticket subject)" })),
    ticketId: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5 })),
  },
  strict,
);
export const Suggestion = Type.Object({
  id: Id,
  title: Type.String(),
  snippet: Type.String(),
  summary: Type.String(),
  purpose: Type.String(),
  score: Type.Number(),
});
export const DeflectionInput = Type.Object(
  {
    query: Type.String({ minLength: 1, maxLength: 500 }),
    shownArticleIds: Type.Array(Id, { minItems: 1, maxItems: 20, uniqueItems: true }),
    openedArticleIds: Type.Optional(Type.Array(Id, { maxItems: 20, uniqueItems: true })),
    outcome: Type.Optional(
      literals(
        outcomes,
        "deflected (left without a ticket, the default), solved (said an article solved it), submitted",
      ),
    ),
    ticketNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 })),
  },
  strict,
);
export const PeriodQuery = Type.Object({ from: Type.Optional(Instant), to: Type.Optional(Instant) }, strict);
export const DeflectionSummary = Type.Object({
  from: Instant,
  to: Instant,
  sessions: Type.Integer(),
  deflected: Type.Integer(),
  solved: Type.Integer(),
  submitted: Type.Integer(),
  deflectionRate: nullable(Type.Number()),
});
export const ReplyInsertInput = Type.Object({ ticketId: Id }, strict);
export const ReplyInsert = Type.Object({ articleId: Id, ticketId: Id, markdown: Type.String() });

// problem/solution drafts ----------------------------------------------------------------------------------

const SourceRef = Type.Object({ type: literals(["ticket", "incident"] as const), id: Id }, strict);
export const DraftInput = Type.Object(
  {
    sources: Type.Array(SourceRef, { minItems: 1, maxItems: 20 }),
    locale: Type.Optional(literals(["pt-BR", "en"] as const)),
    audience: Type.Optional(literals(["public", "customers", "support", "admins", "internal"] as const)),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  strict,
);
export const PrefillInput = Type.Object(
  {
    sources: Type.Array(SourceRef, { minItems: 1, maxItems: 20 }),
    locale: Type.Optional(literals(["pt-BR", "en"] as const)),
  },
  strict,
);
export const Prefill = Type.Object({
  title: Type.String(),
  body: Type.String(),
  tags: Type.Array(Type.String()),
  components: Type.Array(Type.String()),
});
const SourceView = Type.Object({
  type: literals(["ticket", "incident"] as const),
  id: Id,
  reference: Type.String(),
  title: Type.Optional(Type.String()),
});
export const ArticleBrief = Type.Object({
  id: Id,
  title: Type.String(),
  summary: Type.String(),
  audience: Type.String(),
  purpose: Type.String(),
  status: Type.String(),
  categoryId: nullable(Type.String()),
  locale: Type.String(),
  ownerId: nullable(Type.String()),
  createdBy: nullable(Type.String()),
  publishedAt: nullable(Type.String()),
  updatedAt: Type.String(),
});
export const Draft = Type.Object({ article: ArticleBrief, sources: Type.Array(SourceView) });
export const Sources = Type.Object({ items: Type.Array(SourceView) });
export const SourceParams = Type.Object({ type: literals(["ticket", "incident"] as const), id: Id }, strict);

// feedback and upkeep ----------------------------------------------------------------------------------------

export const FeedbackInput = Type.Object(
  { helpful: Type.Boolean(), comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  strict,
);
export const Feedback = Type.Object({
  id: Id,
  articleId: Id,
  userId: nullable(Type.String()),
  helpful: Type.Boolean(),
  comment: Type.String(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const FeedbackList = Type.Object({
  helpful: Type.Integer(),
  notHelpful: Type.Integer(),
  items: Type.Array(Feedback),
  nextCursor: nullable(Type.String()),
});
const ReviewView = {
  reviewAt: nullable(Instant),
  reviewedAt: nullable(Instant),
  reviewedBy: nullable(Type.String()),
  remindedAt: nullable(Instant),
  due: Type.Boolean(),
};
export const Upkeep = Type.Object({ articleId: Id, ownerId: nullable(Type.String()), ...ReviewView });
export const UpkeepInput = Type.Object(
  {
    reviewAt: Type.Optional(Instant),
    reviewed: Type.Optional(
      Type.Boolean({ description: "Record a review done now (next one in 180 days unless reviewAt)" }),
    ),
  },
  strict,
);
export const StaleArticle = Type.Object({
  ...ArticleBrief.properties,
  review: Type.Object(ReviewView),
  feedback: Type.Object({ helpful: Type.Integer(), notHelpful: Type.Integer() }),
});

// tracks ----------------------------------------------------------------------------------------------------

const Profile = literals(profiles, "administrator, end-user, support-l1, support-l2 or support-l3");
const ItemRef = Type.Object({ kind: literals(["article", "video"] as const), id: Id }, strict);
const TrackFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  profile: Profile,
  kind: Type.Optional(literals(trackKinds, "manual (its items) or whats-new (release notes)")),
  categoryId: Type.Optional(nullable(Id)),
  locale: Type.Optional(literals(["pt-BR", "en"] as const)),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  items: Type.Optional(Type.Array(ItemRef, { maxItems: 500 })),
};
export const TrackInput = Type.Object(TrackFields, strict);
export const TrackPatch = Type.Partial(Type.Object(TrackFields), strict);
export const TrackQuery = Type.Object({ profile: Type.Optional(Profile) }, strict);
const Completion = { completed: Type.Integer(), total: Type.Integer(), finishedAt: nullable(Instant) };
export const Track = Type.Object({
  id: Id,
  title: Type.String(),
  description: Type.String(),
  profile: Type.String(),
  kind: Type.String(),
  categoryId: nullable(Type.String()),
  locale: Type.String(),
  position: Type.Integer(),
  items: Type.Array(
    Type.Object({
      kind: literals(["article", "video", "change"] as const),
      id: Type.String(),
      title: Type.String(),
      summary: Type.String(),
      articleId: nullable(Type.String()),
      completedAt: nullable(Instant),
    }),
  ),
  completion: Type.Object(Completion),
  createdAt: Instant,
  updatedAt: Instant,
});
export const ProgressParams = Type.Object(
  { id: Id, kind: literals(["article", "video", "change"] as const), itemId: Id },
  strict,
);
export const TrackCompletion = Type.Object({
  trackId: Id,
  title: Type.String(),
  total: Type.Integer(),
  finished: Type.Integer(),
  users: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: nullable(Type.String()),
      email: nullable(Type.String()),
      role: nullable(Type.String()),
      ...Completion,
    }),
  ),
});
