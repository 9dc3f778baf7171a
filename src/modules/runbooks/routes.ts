import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, decodeIntegerCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import * as S from "./schemas.js";
import type { RunbookService } from "./service.js";

const tags = ["disaster recovery"];
// Runbooks and drills belong to the backups area: noc, admin and manager write; auditor and security read.
const AREA = "backups";

export function runbookRoutes(runbooks: RunbookService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/runbooks",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Disaster-recovery runbooks, oldest first (the plan's defaults lead)",
          querystring: S.RunbooksQuery,
          response: { 200: S.RunbookPage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, kind } = request.query;
        const items = await runbooks.list({ limit: limit + 1, after: decodeCursor(cursor), kind });
        return toPage(items, limit, (r) => r.id);
      },
    );

    app.post(
      "/api/v1/runbooks",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Create a runbook (its version 1)",
          body: S.RunbookInput,
          response: { 201: S.Runbook, ...problems(400) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await runbooks.create(actor, request.body, request));
      },
    );

    app.get(
      "/api/v1/runbooks/:id",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "One runbook, current version",
          params: S.RunbookParams,
          response: { 200: S.Runbook, ...problems(400, 404) },
        },
      },
      async (request) => {
        return runbooks.get(request.params.id);
      },
    );

    app.patch(
      "/api/v1/runbooks/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Edit a runbook: saves a new version; `baseVersion` guards against overwriting another edit",
          params: S.RunbookParams,
          body: S.RunbookPatch,
          response: { 200: S.Runbook, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return runbooks.update(actor, request.params.id, request.body, request);
      },
    );

    app.delete(
      "/api/v1/runbooks/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Delete a runbook and its versions; its drills stay, with their copy of the steps",
          params: S.RunbookParams,
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await runbooks.remove(actor, request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/v1/runbooks/:id/versions",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Every saved version of a runbook, newest first",
          params: S.RunbookParams,
          querystring: S.PageQuery,
          response: { 200: S.RunbookVersionPage, ...problems(400, 404) },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        const items = await runbooks.versions(request.params.id, {
          limit: limit + 1,
          before: decodeIntegerCursor(cursor),
        });
        return toPage(items, limit, (v) => v.version);
      },
    );

    app.get(
      "/api/v1/drills",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Drills, newest first, with their timing against the RTO",
          querystring: S.DrillsQuery,
          response: { 200: S.DrillPage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, runbookId, status } = request.query;
        const items = await runbooks.drills({ limit: limit + 1, before: decodeCursor(cursor), runbookId, status });
        return toPage(items, limit, (d) => d.id);
      },
    );

    app.post(
      "/api/v1/drills",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Start a drill of a runbook: copies its current steps and the plan's RTO",
          body: S.DrillInput,
          response: { 201: S.Drill, ...problems(400) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.code(201).send(await runbooks.startDrill(actor, request.body, request));
      },
    );

    app.get(
      "/api/v1/drills/:id",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "One drill with the time of every step",
          params: S.DrillParams,
          response: { 200: S.Drill, ...problems(400, 404) },
        },
      },
      async (request) => {
        return runbooks.drill(request.params.id);
      },
    );

    app.patch(
      "/api/v1/drills/:id/steps/:index",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Mark a step of a running drill started, done or skipped, at the server's time",
          params: S.DrillStepParams,
          body: S.StepMarkInput,
          response: { 200: S.Drill, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return runbooks.markStep(actor, request.params.id, request.params.index, request.body, request);
      },
    );

    app.post(
      "/api/v1/drills/:id/finish",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Finish a drill whose steps are all done or skipped; records its total against the RTO",
          params: S.DrillParams,
          body: S.DrillFinishInput,
          response: { 200: S.Drill, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return runbooks.finish(actor, request.params.id, request.body, request);
      },
    );

    app.post(
      "/api/v1/drills/:id/abort",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Stop a running drill before its end, with the reason",
          params: S.DrillParams,
          body: S.DrillAbortInput,
          response: { 200: S.Drill, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return runbooks.abort(actor, request.params.id, request.body, request);
      },
    );
  };
  return plugin;
}
