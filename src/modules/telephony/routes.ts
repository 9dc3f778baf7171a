import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { PbxService } from "./pbx-service.js";
import * as S from "./schemas.js";
import type { CallService } from "./service.js";

const tags = ["telephony"];
/** PBX connections hold the AMI credentials: admins only. */
const admin = { area: "plan", access: "write", roles: ["admin"] } as const;
/** A PBX posting call steps: a staff token with the tickets:write scope (the integration's user). */
const pbx = { area: "tickets", access: "write", roles: ["admin", "manager", "agent", "noc", "security"] } as const;
const staffWrite = pbx;

export function telephonyRoutes(deps: { calls: CallService; pbx: PbxService }) {
  const { calls, pbx: connections } = deps;
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/pbx-connections",
      {
        config: admin,
        schema: {
          tags,
          summary: "PBX connections (AMI), with which node holds each session and its state; secrets never shown",
          querystring: S.ListQuery,
          response: { 200: S.PbxConnectionList, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        return toPage(await connections.list({ limit: limit + 1, after: decodeCursor(cursor) }), limit, (c) => c.id);
      },
    );
    app.post(
      "/api/v1/pbx-connections",
      {
        config: admin,
        schema: {
          tags,
          summary: "Add a PBX connection: an AMI login one node keeps open (the others stand by)",
          body: S.PbxConnectionInput,
          response: { 201: S.PbxConnection, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await connections.create(requireActor(request), request.body, request)),
    );
    app.get(
      "/api/v1/pbx-connections/:id",
      {
        config: admin,
        schema: {
          tags,
          summary: "One PBX connection",
          params: S.IdParams,
          response: { 200: S.PbxConnection, ...problems(400, 404) },
        },
      },
      async (request) => connections.get(request.params.id),
    );
    app.patch(
      "/api/v1/pbx-connections/:id",
      {
        config: admin,
        schema: {
          tags,
          summary: "Change a PBX connection; its session reconnects with the new settings",
          params: S.IdParams,
          body: S.PbxConnectionPatch,
          response: { 200: S.PbxConnection, ...problems(400, 404) },
        },
      },
      async (request) => connections.update(requireActor(request), request.params.id, request.body, request),
    );
    app.delete(
      "/api/v1/pbx-connections/:id",
      {
        config: admin,
        schema: {
          tags,
          summary: "Remove a PBX connection (its calls stay in the log)",
          params: S.IdParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await connections.remove(requireActor(request), request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/call-events",
      {
        config: pbx,
        schema: {
          tags,
          summary:
            "A call step from a PBX (ringing, answered, hangup); once per callId and event: a repeat changes nothing",
          body: S.CallEventInput,
          response: { 202: S.CallEventResult, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await calls.ingest(request.body, { actor: requireActor(request) })),
    );

    app.get(
      "/api/v1/calls",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags,
          summary: "The call log, newest first (customers: their organization's calls only)",
          querystring: S.CallQuery,
          response: { 200: S.CallList, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, ...filter } = request.query;
        const items = await calls.list(requireActor(request), {
          ...filter,
          limit: limit + 1,
          before: decodeCursor(cursor),
        });
        return toPage(items, limit, (c) => c.id);
      },
    );
    app.get(
      "/api/v1/calls/:id",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags,
          summary: "One call with its steps",
          params: S.IdParams,
          response: { 200: S.CallDetail, ...problems(400, 404) },
        },
      },
      async (request) => calls.get(requireActor(request), request.params.id),
    );
    app.post(
      "/api/v1/calls/:id/callback/complete",
      {
        config: staffWrite,
        schema: {
          tags,
          summary: "Mark a missed call's callback made (outside click-to-call); stops its clock",
          params: S.IdParams,
          response: { 200: S.Call, ...problems(400, 404, 409) },
        },
      },
      async (request) => calls.completeCallback(requireActor(request), request.params.id),
    );
    app.post(
      "/api/v1/tickets/:id/calls",
      {
        config: staffWrite,
        schema: {
          tags,
          summary:
            "Click-to-call: ring your extension, then dial the customer (AMI Originate); the call is logged on this ticket",
          params: S.IdParams,
          body: S.ClickToCall,
          response: { 201: S.Call, ...problems(400, 404, 409, 502) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await connections.originate(requireActor(request), request.params.id, request.body ?? {}, request)),
    );
  };
  return plugin;
}
