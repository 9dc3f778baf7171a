import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { ImapPoller } from "./imap.js";
import * as S from "./schemas.js";
import type { MailboxService } from "./service.js";

const tags = ["mailboxes"];
/** Mailboxes hold credentials and decide where customers' mail goes: administrators only. */
const admin = { area: "organizations", access: "write", roles: ["admin"] } as const;
const adminRead = { area: "organizations", access: "read", roles: ["admin"] } as const;

export function mailRoutes(mailboxes: MailboxService, poller: ImapPoller) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/mailboxes",
      {
        config: adminRead,
        schema: {
          tags,
          summary: "Mailboxes mail is taken in for",
          querystring: S.ListQuery,
          response: { 200: S.MailboxList, ...problems(400) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 50;
        const rows = await mailboxes.list({ limit: limit + 1, after: decodeCursor(request.query.cursor) });
        return toPage(rows, limit, (m) => m.id);
      },
    );

    app.post(
      "/api/v1/mailboxes",
      {
        config: admin,
        schema: {
          tags,
          summary: "Add a mailbox: the SMTP listener accepts mail to its address; with IMAP settings it is polled",
          body: S.MailboxInput,
          response: { 201: S.Mailbox, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await mailboxes.create(requireActor(request), request.body, request)),
    );

    app.get(
      "/api/v1/mailboxes/:id",
      {
        config: adminRead,
        schema: {
          tags,
          summary: "One mailbox",
          params: S.MailboxParams,
          response: { 200: S.Mailbox, ...problems(400, 404) },
        },
      },
      async (request) => mailboxes.get(request.params.id),
    );

    app.patch(
      "/api/v1/mailboxes/:id",
      {
        config: admin,
        schema: {
          tags,
          summary: "Change a mailbox (imap null stops polling; a password left out is kept)",
          params: S.MailboxParams,
          body: S.MailboxPatch,
          response: { 200: S.Mailbox, ...problems(400, 404) },
        },
      },
      async (request) => mailboxes.update(requireActor(request), request.params.id, request.body, request),
    );

    app.delete(
      "/api/v1/mailboxes/:id",
      {
        config: admin,
        schema: {
          tags,
          summary: "Remove a mailbox with its intake log; tickets it opened stay",
          params: S.MailboxParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await mailboxes.remove(requireActor(request), request.params.id, request);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/v1/mailboxes/:id/log",
      {
        config: adminRead,
        schema: {
          tags,
          summary: "What the intake did with this mailbox's mail and every fault, newest first",
          params: S.MailboxParams,
          querystring: S.ListQuery,
          response: { 200: S.LogPage, ...problems(400, 404) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 50;
        const rows = await mailboxes.log(request.params.id, {
          limit: limit + 1,
          before: decodeCursor(request.query.cursor),
        });
        return toPage(rows, limit, (r) => r.id);
      },
    );

    app.get(
      "/api/v1/mail-intake/log",
      {
        config: adminRead,
        schema: {
          tags,
          summary: "Mail the SMTP listener refused before it reached a mailbox (too large), newest first",
          querystring: S.ListQuery,
          response: { 200: S.LogPage, ...problems(400) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 50;
        const rows = await mailboxes.log(null, { limit: limit + 1, before: decodeCursor(request.query.cursor) });
        return toPage(rows, limit, (r) => r.id);
      },
    );

    app.post(
      "/api/v1/mailboxes/:id/poll",
      {
        config: admin,
        schema: {
          tags,
          summary: "Read the mailbox's IMAP folder now (what is new since the last UID)",
          params: S.MailboxParams,
          response: { 200: S.PollResult, ...problems(400, 404) },
        },
      },
      async (request) => {
        await mailboxes.get(request.params.id);
        return poller.poll(request.params.id, undefined, 0);
      },
    );

    app.get(
      "/api/v1/mail-domain-rules",
      {
        config: adminRead,
        schema: {
          tags,
          summary: "Sender domains whose unknown senders open tickets for an organization",
          response: { 200: S.DomainRules },
        },
      },
      async () => ({ items: await mailboxes.domainRules() }),
    );

    app.put(
      "/api/v1/mail-domain-rules",
      {
        config: admin,
        schema: {
          tags,
          summary: "Replace the domain rules",
          body: S.DomainRules,
          response: { 200: S.DomainRules, ...problems(400) },
        },
      },
      async (request) => ({
        items: await mailboxes.replaceDomainRules(requireActor(request), request.body.items, request),
      }),
    );
  };
  return plugin;
}
