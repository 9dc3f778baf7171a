import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Problem } from "../../platform/http/problems.js";
import { problems } from "../../platform/http/schemas.js";
import type { Role } from "../identity/roles.js";
import type { CsatService } from "../tickets/csat-service.js";
import type { FcrService } from "../tickets/fcr-service.js";
import { CsatReport, CsatReportQuery, FcrReport, FcrReportQuery } from "../tickets/portal-schemas.js";

/** Who reads the support KPIs: the provider's management and auditors. */
const readers: readonly Role[] = ["admin", "manager", "auditor"];
/** A period longer than this is refused: the reports compute each ticket's figures. */
const MAX_PERIOD_MS = 400 * 24 * 3_600_000;

function period(from: string, to: string) {
  const [a, b] = [new Date(from), new Date(to)];
  if (b.getTime() <= a.getTime())
    throw Problem.invalid({ in: "querystring", pointer: "/to", message: "must be after from" });
  if (b.getTime() - a.getTime() > MAX_PERIOD_MS)
    throw Problem.invalid({ in: "querystring", pointer: "/to", message: "the period is at most 400 days" });
  return [a.toISOString(), b.toISOString()] as const;
}

/** Support KPIs: satisfaction (CSAT) and first-contact resolution (FCR) over a period, grouped. */
export function reportRoutes(deps: { csat: CsatService; fcr: FcrService }) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/reports/csat",
      {
        config: { area: "tickets", access: "read", roles: readers },
        schema: {
          tags: ["reports"],
          summary: "Customer satisfaction of the resolutions in [from, to), grouped",
          description:
            "Surveys sent for resolutions in the period (replaced ones left out), answers, response rate, mean rating and CSAT: the share of answers rating 4 or 5.",
          querystring: CsatReportQuery,
          response: { 200: CsatReport, ...problems(400) },
        },
      },
      async (request) => {
        const [from, to] = period(request.query.from, request.query.to);
        return deps.csat.report(from, to, request.query.groupBy);
      },
    );
    app.get(
      "/api/v1/reports/fcr",
      {
        config: { area: "tickets", access: "read", roles: readers },
        schema: {
          tags: ["reports"],
          summary:
            "First-contact resolution of the tickets last resolved in [from, to), grouped, with each ticket's verdict",
          description:
            "A ticket is resolved on first contact when the customer contacted us once, got at most one public answer, it was never reopened nor escalated, and the same organization did not contact us about the same type within N business days (default 7) of the resolution. The plan's target is 70 %.",
          querystring: FcrReportQuery,
          response: { 200: FcrReport, ...problems(400) },
        },
      },
      async (request) => {
        const [from, to] = period(request.query.from, request.query.to);
        return deps.fcr.report(from, to, request.query.groupBy);
      },
    );
  };
  return plugin;
}
