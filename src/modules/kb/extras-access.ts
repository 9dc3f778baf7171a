import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { RouteAccess } from "../identity/authorization.js";

/** The Fastify instance the knowledge base's route files register on (TypeBox typed). */
export type KbApp = Parameters<FastifyPluginAsyncTypebox>[0];

export const tags = ["knowledge base"];
/** Writing the knowledge base (editors); reading it is any signed-in user's, filtered by audience. */
export const WRITE: RouteAccess = { area: "kb", access: "write" };
export const READ: RouteAccess = { area: "kb", access: "read" };
export const STAFF_ROLES = ["admin", "manager", "agent", "noc", "security", "auditor"] as const;
