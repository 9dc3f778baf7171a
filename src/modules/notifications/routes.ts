import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import * as S from "./schemas.js";
import type { NotificationService } from "./service.js";

export function notificationRoutes(notifications: NotificationService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/notifications",
      {
        config: { area: "notifications", access: "read" },
        schema: {
          tags: ["notifications"],
          summary: "The delivery log: every notification, newest first, by status, channel or recipient",
          querystring: S.LogQuery,
          response: { 200: S.NotificationPage, ...problems(400) },
        },
      },
      async (request) => {
        const { status, channel, to, limit = 50, cursor } = request.query;
        const rows = await notifications.deliveryLog({
          status,
          channel,
          to: to?.includes("@") ? to.trim().toLowerCase() : to,
          limit,
          before: decodeCursor(cursor),
        });
        return toPage(rows, limit, (n) => n.id);
      },
    );

    app.post(
      "/api/v1/notifications/:id/resend",
      {
        config: { area: "notifications", access: "write" },
        schema: {
          tags: ["notifications"],
          summary: "Send a sent or dead email or webhook notification again (same Message-ID, fresh attempts)",
          params: S.NotificationParams,
          response: { 200: S.Notification, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return notifications.resend(actor, request.params.id, request);
      },
    );

    app.get(
      "/api/v1/me/notifications",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Own notification centre (in-app notifications), newest first, with the unread count",
          querystring: S.InboxQuery,
          response: { 200: S.InboxPage },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { unread, limit = 50, cursor } = request.query;
        const rows = await notifications.inbox(actor, { unread, limit, before: decodeCursor(cursor) });
        return { ...toPage(rows, limit, (n) => n.id), unread: await notifications.unreadCount(actor) };
      },
    );

    app.get(
      "/api/v1/me/notifications/unread-count",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "How many of own in-app notifications are unread (live: `notification.*` events)",
          response: { 200: S.UnreadCount },
        },
      },
      async (request) => ({ unread: await notifications.unreadCount(requireActor(request)) }),
    );

    app.post(
      "/api/v1/me/notifications/:id/read",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Mark one of own notifications read; answers the unread count",
          params: S.NotificationParams,
          response: { 200: S.UnreadCount },
        },
      },
      async (request) => ({ unread: await notifications.markRead(requireActor(request), request.params.id) }),
    );

    app.post(
      "/api/v1/me/notifications/read-all",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Mark all own notifications read; answers the unread count (0)",
          response: { 200: S.UnreadCount },
        },
      },
      async (request) => ({ unread: await notifications.markRead(requireActor(request)) }),
    );

    app.get(
      "/api/v1/me/notification-preferences",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Own notification preferences: each event kind × channel, on unless switched off",
          response: { 200: S.Preferences },
        },
      },
      async (request) => ({ items: await notifications.preferences(requireActor(request)) }),
    );

    app.put(
      "/api/v1/me/notification-preferences",
      {
        config: { signedIn: true },
        schema: {
          tags: ["me"],
          summary: "Change own notification preferences; pairs not listed keep their value",
          body: S.PreferencesInput,
          response: { 200: S.Preferences },
        },
      },
      async (request) => ({
        items: await notifications.savePreferences(requireActor(request), request.body.items),
      }),
    );
  };
  return plugin;
}
