import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { PostmortemService } from "./postmortems.js";
import type { IncidentProcess } from "./process.js";
import type { IncidentReports } from "./reports.js";
import * as S from "./schemas.js";
import type { SecurityIncidentService } from "./security.js";
import type { IncidentService } from "./service.js";

export interface IncidentModule {
  incidents: IncidentService;
  process: IncidentProcess;
  postmortems: PostmortemService;
  security: SecurityIncidentService;
  reports: IncidentReports;
}

const read = { area: "incidents", access: "read" } as const;
const write = { area: "incidents", access: "write" } as const;
const tags = ["incidents"];

export function incidentRoutes(m: IncidentModule, opts: { evidenceMaxBytes: number }) {
  const { incidents, process, postmortems, security, reports } = m;
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.post(
      "/api/v1/incidents",
      {
        config: write,
        schema: {
          tags,
          summary: "Open an incident (security incidents: the security role and admins only)",
          body: S.IncidentInput,
          response: { 201: S.Incident, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await incidents.create(requireActor(request), request.body, request)),
    );
    app.get(
      "/api/v1/incidents",
      {
        config: read,
        schema: {
          tags,
          summary: "Incidents, newest first, with keyset pagination (security ones only for security and admins)",
          querystring: S.IncidentsQuery,
          response: { 200: S.IncidentPage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, ...rest } = request.query;
        const rows = await incidents.list(requireActor(request), {
          ...rest,
          before: decodeCursor(cursor),
          limit: limit + 1,
        });
        return toPage(rows, limit, (i) => i.id);
      },
    );
    app.get(
      "/api/v1/incidents/:id",
      {
        config: read,
        schema: {
          tags,
          summary: "One incident with its stage history, linked tickets and alerts",
          params: S.IdParams,
          response: { 200: S.IncidentDetail, ...problems(400, 404) },
        },
      },
      async (request) => incidents.get(requireActor(request), request.params.id),
    );
    app.patch(
      "/api/v1/incidents/:id",
      {
        config: write,
        schema: {
          tags,
          summary: "Change the title, description, affected components or customers",
          params: S.IdParams,
          body: S.IncidentPatch,
          response: { 200: S.Incident, ...problems(400, 404, 409) },
        },
      },
      async (request) => process.update(requireActor(request), request.params.id, request.body, request),
    );
    app.post(
      "/api/v1/incidents/:id/stage",
      {
        config: write,
        schema: {
          tags,
          summary: "Move to the next stage with its required fields, or back to an earlier one with a reason",
          description:
            "Operational: classification needs severity and impact; resolution needs diagnosis; verification needs fix and evidence (the incident is resolved there); documentation needs rootCause and fix. Security: eradication needs containment; recovery needs eradication; analysis needs evidence (resolved there); documentation needs rootCause and fix; improvement needs preventiveMeasures. Skipping a stage is a 409 naming the stage skipped; a missing field is a 400 naming it.",
          params: S.IdParams,
          body: S.StageInput,
          response: { 200: S.Incident, ...problems(400, 404, 409) },
        },
      },
      async (request) => process.move(requireActor(request), request.params.id, request.body, request),
    );
    app.post(
      "/api/v1/incidents/:id/acknowledge",
      {
        config: write,
        schema: {
          tags,
          summary: "Acknowledge: meets the response clock and stops the on-call page; twice changes nothing",
          params: S.IdParams,
          response: { 200: S.Incident, ...problems(400, 404) },
        },
      },
      async (request) => process.acknowledge(requireActor(request), request.params.id, { req: request }),
    );
    app.post(
      "/api/v1/tickets/:id/incident",
      {
        config: write,
        schema: {
          tags,
          summary: "Promote a ticket to an incident; the ticket is linked to it",
          params: S.IdParams,
          body: S.PromoteInput,
          response: { 201: S.Incident, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await incidents.promote(requireActor(request), request.params.id, request.body ?? {}, request)),
    );

    app.get(
      "/api/v1/incidents/:id/updates",
      {
        config: read,
        schema: {
          tags,
          summary: "The timeline: internal notes, public updates and system entries, oldest first",
          params: S.IdParams,
          querystring: S.UpdatesQuery,
          response: { 200: S.UpdatePage, ...problems(400, 404) },
        },
      },
      async (request) => {
        const { limit = 100, cursor, visibility } = request.query;
        const rows = await process.updates(requireActor(request), request.params.id, {
          visibility,
          after: decodeCursor(cursor),
          limit: limit + 1,
        });
        return toPage(rows, limit, (u) => u.id);
      },
    );
    app.post(
      "/api/v1/incidents/:id/updates",
      {
        config: write,
        schema: {
          tags,
          summary: "Add an internal note or a public update",
          params: S.IdParams,
          body: S.UpdateInput,
          response: { 201: S.Update, ...problems(400, 404) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await process.addUpdate(requireActor(request), request.params.id, request.body, request)),
    );

    app.get(
      "/api/v1/incidents/:id/tickets",
      {
        config: read,
        schema: {
          tags,
          summary: "Tickets linked to the incident",
          params: S.IdParams,
          response: { 200: S.TicketLinks, ...problems(400, 404) },
        },
      },
      async (request) => ({ items: (await incidents.get(requireActor(request), request.params.id)).tickets }),
    );
    app.post(
      "/api/v1/incidents/:id/tickets",
      {
        config: write,
        schema: {
          tags,
          summary: "Link a customer's ticket; it gets the public update and is resolved when the incident resolves",
          params: S.IdParams,
          body: S.TicketLinkInput,
          response: { 201: S.TicketLinks, ...problems(400, 404) },
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          items: await process.linkTicket(requireActor(request), request.params.id, request.body.ticketId, request),
        }),
    );
    app.delete(
      "/api/v1/incidents/:id/tickets/:ticketId",
      {
        config: write,
        schema: {
          tags,
          summary: "Unlink a ticket",
          params: S.TicketParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await process.unlinkTicket(requireActor(request), request.params.id, request.params.ticketId, request);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/v1/incidents/:id/postmortem",
      {
        config: read,
        schema: {
          tags,
          summary: "The postmortem and its action items",
          params: S.IdParams,
          response: { 200: S.Postmortem, ...problems(400, 404) },
        },
      },
      async (request) => postmortems.get(requireActor(request), request.params.id),
    );
    app.put(
      "/api/v1/incidents/:id/postmortem",
      {
        config: write,
        schema: {
          tags,
          summary: "Write the postmortem: summary, impact, timeline, root cause, what went well and badly",
          params: S.IdParams,
          body: S.PostmortemInput,
          response: { 200: S.Postmortem, ...problems(400, 404) },
        },
      },
      async (request) => postmortems.save(requireActor(request), request.params.id, request.body, request),
    );
    app.post(
      "/api/v1/incidents/:id/action-items",
      {
        config: write,
        schema: {
          tags,
          summary: "Add a postmortem action item",
          params: S.IdParams,
          body: S.ActionItemInput,
          response: { 201: S.ActionItem, ...problems(400, 404) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await postmortems.addItem(requireActor(request), request.params.id, request.body, request)),
    );
    app.patch(
      "/api/v1/incidents/:id/action-items/:itemId",
      {
        config: write,
        schema: {
          tags,
          summary: "Change an action item or mark it done",
          params: S.ItemParams,
          body: S.ActionItemPatch,
          response: { 200: S.ActionItem, ...problems(400, 404) },
        },
      },
      async (request) =>
        postmortems.updateItem(requireActor(request), request.params.id, request.params.itemId, request.body, request),
    );
    app.post(
      "/api/v1/incidents/:id/action-items/:itemId/ticket",
      {
        config: write,
        schema: {
          tags,
          summary: "Turn an action item into a ticket of the provider's own queue",
          params: S.ItemParams,
          response: { 201: S.ActionItem, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await postmortems.toTicket(requireActor(request), request.params.id, request.params.itemId, request)),
    );

    // Security incidents: reading them already needs the security area; these refuse operational incidents.
    app.get(
      "/api/v1/incidents/:id/evidence",
      {
        config: read,
        schema: {
          tags,
          summary: "Evidence files of a security incident with their SHA-256",
          params: S.IdParams,
          response: { 200: Type.Object({ items: Type.Array(S.Evidence) }), ...problems(400, 404, 409) },
        },
      },
      async (request) => ({ items: await security.evidence(requireActor(request), request.params.id) }),
    );
    app.post(
      "/api/v1/incidents/:id/evidence",
      {
        bodyLimit: Math.ceil((opts.evidenceMaxBytes * 4) / 3) + 64 * 1024,
        config: write,
        schema: {
          tags,
          summary: "Attach evidence (base64 in JSON); its SHA-256 is computed and kept",
          params: S.IdParams,
          body: S.EvidenceInput(opts.evidenceMaxBytes),
          response: { 201: S.Evidence, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await security.addEvidence(requireActor(request), request.params.id, request.body, request)),
    );
    app.get(
      "/api/v1/incidents/:id/evidence/:evidenceId",
      {
        config: read,
        schema: {
          tags,
          summary: "Download an evidence file (always as a download)",
          params: S.EvidenceParams,
          produces: ["application/octet-stream"],
          response: { 200: Type.String({ format: "binary" }), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const { evidence, stream } = await security.download(
          requireActor(request),
          request.params.id,
          request.params.evidenceId,
        );
        const ascii = evidence.filename.replace(/[^\x20-\x7e]/g, "_").replace(/[\\"]/g, "_");
        return reply
          .type(evidence.contentType)
          .header("content-length", evidence.size)
          .header(
            "content-disposition",
            `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(evidence.filename)}`,
          )
          .header("x-content-sha256", evidence.sha256)
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'; sandbox")
          .header("cache-control", "private, no-store")
          .send(stream);
      },
    );
    app.get(
      "/api/v1/incidents/:id/accounts",
      {
        config: read,
        schema: {
          tags,
          summary: "Accounts and tokens a security incident affects",
          params: S.IdParams,
          response: { 200: Type.Object({ items: Type.Array(S.Account) }), ...problems(400, 404, 409) },
        },
      },
      async (request) => ({ items: await security.accounts(requireActor(request), request.params.id) }),
    );
    app.post(
      "/api/v1/incidents/:id/accounts",
      {
        config: write,
        schema: {
          tags,
          summary: "Link an affected user account or API token",
          params: S.IdParams,
          body: S.AccountInput,
          response: { 201: S.Account, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await security.linkAccount(requireActor(request), request.params.id, request.body, request)),
    );
    app.post(
      "/api/v1/incidents/:id/accounts/:accountId/contain",
      {
        config: write,
        schema: {
          tags,
          summary: "Disable the linked user or revoke the linked token (audited); twice changes nothing",
          params: S.AccountParams,
          response: { 200: S.Account, ...problems(400, 404, 409) },
        },
      },
      async (request) => security.contain(requireActor(request), request.params.id, request.params.accountId, request),
    );

    app.get(
      "/api/v1/incident-settings",
      {
        config: read,
        schema: {
          tags,
          summary: "Which alerts open incidents and which severities page the on-call",
          response: { 200: S.Settings },
        },
      },
      async () => incidents.settings(),
    );
    app.put(
      "/api/v1/incident-settings",
      {
        config: { area: "incidents", access: "write", roles: ["admin", "manager"] },
        schema: {
          tags,
          summary: "Change which alerts open incidents and which severities page the on-call",
          body: S.Settings,
          response: { 200: S.Settings, ...problems(400) },
        },
      },
      async (request) => incidents.saveSettings(requireActor(request), request.body, request),
    );

    app.get(
      "/api/v1/reports/incidents",
      {
        config: read,
        schema: {
          tags: ["incidents", "reports"],
          summary: "MTTA, MTTR and MTBF, counts by severity and stage durations of the incidents opened in [from, to)",
          querystring: S.ReportQuery,
          response: { 200: S.Report, ...problems(400) },
        },
      },
      async (request) => {
        const { from, to, groupBy = "none" } = request.query;
        return reports.report(requireActor(request), { from, to, groupBy });
      },
    );
  };
  return plugin;
}
