import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { attachmentRoutes } from "./attachment-routes.js";
import type { AttachmentService } from "./attachments.js";
import { draftRoutes } from "./draft-routes.js";
import type { DraftService } from "./drafts.js";
import type { FeedbackService } from "./feedback.js";
import { feedbackRoutes } from "./feedback-routes.js";
import { suggestionRoutes } from "./suggestion-routes.js";
import type { SuggestionService } from "./suggestions.js";
import { trackRoutes } from "./track-routes.js";
import type { TrackService } from "./tracks.js";
import type { UpkeepService } from "./upkeep.js";
import { videoRoutes } from "./video-routes.js";
import type { VideoService } from "./videos.js";

export interface KbExtras {
  videos: VideoService;
  attachments: AttachmentService;
  suggestions: SuggestionService;
  drafts: DraftService;
  feedback: FeedbackService;
  upkeep: UpkeepService;
  tracks: TrackService;
}

/** The routes around articles, one file per resource, in one plugin (so the media body parsers stay in it). */
export function kbExtrasRoutes(m: KbExtras) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    videoRoutes(app, m.videos);
    attachmentRoutes(app, m.attachments);
    suggestionRoutes(app, m.suggestions);
    draftRoutes(app, m.drafts);
    feedbackRoutes(app, m.feedback, m.upkeep);
    trackRoutes(app, m.tracks);
  };
  return plugin;
}
