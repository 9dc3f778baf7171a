import type { Platform } from "../../platform/runtime.js";
import type { AuditService } from "../audit/service.js";
import { CategoryService } from "./categories.js";
import { HelpCentre } from "./help.js";
import { KbRepository } from "./repository.js";
import { SearchService } from "./search.js";
import { ArticleService } from "./service.js";

/** The knowledge base: articles and their workflow, categories; the search and the help centre build on them. */
export interface KbModule {
  repo: KbRepository;
  articles: ArticleService;
  categories: CategoryService;
  search: SearchService;
  help: HelpCentre;
}

export function createKbModule(platform: Platform, deps: { audit: AuditService }): KbModule {
  const { db, dialect, clock } = platform;
  const repo = new KbRepository(db, dialect);
  const search = new SearchService(repo);
  const help = new HelpCentre(repo, search);
  const articles = new ArticleService({ repo, clock, audit: deps.audit, changed: () => help.invalidate() });
  const categories = new CategoryService({ repo, clock, audit: deps.audit });
  return { repo, articles, categories, search, help };
}
