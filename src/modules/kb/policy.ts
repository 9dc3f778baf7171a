import type { KbAudience, KbPurpose, KbStatus } from "../../platform/db/schema.js";
import type { Role } from "../identity/roles.js";

export const audiences = ["public", "customers", "support", "admins", "internal"] as const satisfies KbAudience[];
export const purposes = [
  "procedure",
  "faq",
  "video",
  "manual",
  "problem-solution",
  "lesson",
] as const satisfies KbPurpose[];
export const statuses = ["draft", "review", "published", "archived"] as const satisfies KbStatus[];
export const locales = ["pt-BR", "en"] as const;

/** Who reads: a signed-in user's role and organization, or nobody signed in (the public help centre). */
export interface Reader {
  role: Role | null;
  organizationId: string | null;
  userId: string | null;
}

export const anonymousReader: Reader = { role: null, organizationId: null, userId: null };

/**
 * The audiences a reader may read (pure). Anonymous: public. Customers: public and customers (a customers
 * article tied to an organization only for that organization's people). Support agents: everything but the
 * administrators' manuals. NOC, security and auditors: public, customers and internal. Admins and managers:
 * all (managers review and publish every article).
 */
export function readableAudiences(role: Role | null): KbAudience[] {
  switch (role) {
    case null:
      return ["public"];
    case "customer":
    case "customer-admin":
      return ["public", "customers"];
    case "agent":
      return ["public", "customers", "support", "internal"];
    case "noc":
    case "security":
    case "auditor":
      return ["public", "customers", "internal"];
    case "admin":
    case "manager":
      return [...audiences];
  }
}

export const isCustomer = (role: Role | null) => role === "customer" || role === "customer-admin";

/** Whether the reader may read an article of this audience and organization (published or not aside). */
export function mayRead(reader: Reader, article: { audience: KbAudience; organizationId: string | null }): boolean {
  if (!readableAudiences(reader.role).includes(article.audience)) return false;
  if (isCustomer(reader.role) && article.organizationId && article.organizationId !== reader.organizationId)
    return false;
  return true;
}

/** Staff who write articles (drafts, submissions); auditors only read. */
export const mayEdit = (role: Role | null) =>
  role === "admin" || role === "manager" || role === "agent" || role === "noc" || role === "security";

/** Admins and managers publish directly and decide the review queue; other editors submit for review. */
export const mayPublish = (role: Role | null) => role === "admin" || role === "manager";

/** The workflow moves an editor may ask for from a state (pure); publishing needs `mayPublish` besides. */
export const transitions: Record<KbStatus, readonly KbStatus[]> = {
  draft: ["review", "published", "archived"],
  review: ["draft", "published", "archived"],
  published: ["draft", "review", "published", "archived"],
  archived: ["draft"],
};
