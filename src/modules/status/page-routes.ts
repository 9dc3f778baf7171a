import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { Problem } from "../../platform/http/problems.js";
import { NotModified, problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { type PageLocale, renderNote } from "./render.js";
import { AREA, CACHED_READ_LOG_LEVEL, type StatusModule, tags } from "./route-kit.js";
import * as S from "./schemas.js";

/** ?lang= first, then the first Accept-Language tag; pt-BR by default. */
export function pageLocale(request: FastifyRequest): PageLocale {
  const q = (request.query as { lang?: unknown } | undefined)?.lang;
  const tag = (typeof q === "string" && q ? q : ((request.headers["accept-language"] ?? "").split(",")[0] ?? ""))
    .split(";")[0]!
    .trim()
    .toLowerCase();
  return tag === "en" || tag.startsWith("en-") ? "en" : "pt-BR";
}

const notes = {
  "pt-BR": {
    pending: ["Confira seu e-mail", "Enviamos um link de confirmação. Nada será enviado antes de você confirmar."],
    confirm: ["Confirmar inscrição", "Confirme para receber avisos dos componentes escolhidos.", "Confirmar"],
    confirmed: ["Inscrição confirmada", "Você receberá avisos dos componentes escolhidos."],
    unsubscribe: ["Cancelar inscrição", "Deixar de receber avisos da página de status?", "Cancelar inscrição"],
    unsubscribed: ["Inscrição cancelada", "Você não receberá mais avisos."],
    invalid: ["Link inválido", "O link pode ter sido usado ou substituído."],
    bad: ["Pedido inválido", "Informe um e-mail válido e ao menos um componente."],
  },
  en: {
    pending: ["Check your email", "We sent a confirmation link. Nothing is sent before you confirm."],
    confirm: ["Confirm subscription", "Confirm to receive notices about the components you chose.", "Confirm"],
    confirmed: ["Subscription confirmed", "You will receive notices about the components you chose."],
    unsubscribe: ["Unsubscribe", "Stop receiving status page notices?", "Unsubscribe"],
    unsubscribed: ["Unsubscribed", "You will not receive notices any more."],
    invalid: ["Invalid link", "The link may have been used or replaced."],
    bad: ["Invalid request", "Give a valid email address and at least one component."],
  },
} as const;

/** A browser (the page's forms, a mail's link) gets its answer as a page; any other client problem+json. */
const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? "").includes("text/html");

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The public page (HTML, Atom, its forms and mail links) and the status API: public, private and preview. */
export function statusPageRoutes(m: StatusModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    // public page ---------------------------------------------------------------------------------------
    const html = { produces: ["text/html"], response: { 200: Type.String() } };
    app.get(
      "/status",
      {
        config: { public: true },
        logLevel: CACHED_READ_LOG_LEVEL,
        schema: {
          tags,
          summary:
            "The public status page: server-rendered HTML without JavaScript, pt-BR or English (?lang=, Accept-Language)",
          querystring: S.LangQuery,
          headers: Type.Object({ "if-none-match": Type.Optional(Type.String({ maxLength: 2000 })) }),
          produces: ["text/html"],
          response: {
            200: Type.String(),
            304: NotModified,
          },
        },
      },
      async (request, reply) => {
        const page = await m.page.rendered(
          pageLocale(request),
          /\bgzip\b/.test(request.headers["accept-encoding"] ?? ""),
        );
        reply
          .type("text/html; charset=utf-8")
          .header("cache-control", "public, max-age=5")
          .header("vary", "accept-encoding, accept-language")
          .header("etag", page.etag);
        // The page did not change since the copy the client holds: only the headers go (RFC 9110 §13.1.2).
        const held = request.headers["if-none-match"];
        if (held?.split(",").some((t) => t.trim() === page.etag || t.trim() === "*")) return reply.code(304).send(null);
        if (Buffer.isBuffer(page.body)) reply.header("content-encoding", "gzip");
        return reply.send(page.body as never);
      },
    );
    app.get(
      "/status/feed.atom",
      {
        config: { public: true },
        logLevel: CACHED_READ_LOG_LEVEL,
        schema: {
          tags,
          summary: "Atom feed of incidents and maintenance",
          querystring: S.LangQuery,
          produces: ["application/atom+xml"],
          response: { 200: Type.String() },
        },
      },
      async (request, reply) => {
        reply.type("application/atom+xml; charset=utf-8");
        return m.page.atom(pageLocale(request));
      },
    );
    app.post(
      "/status/subscribe",
      {
        config: { public: true },
        schema: {
          tags,
          summary: "The page's subscription form (urlencoded): email and componentIds; answers with a page",
          consumes: ["application/x-www-form-urlencoded"],
          body: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
          ...html,
          response: { 200: Type.String(), ...problems(400) },
        },
      },
      async (request, reply) => {
        const form = request.body as Record<string, string | string[]>;
        const lang: PageLocale = form.lang === "en" ? "en" : "pt-BR";
        const t = notes[lang];
        const email = typeof form.email === "string" ? form.email.trim() : "";
        const ids = ([] as string[]).concat(form.componentIds ?? []);
        try {
          if (!EMAIL.test(email) || email.length > 254)
            throw Problem.invalid({ in: "body", pointer: "/email", message: "is not an email address" });
          if (!ids.length || ids.length > 200)
            throw Problem.invalid({ in: "body", pointer: "/componentIds", message: "choose 1 to 200 components" });
          await m.subscriptions.subscribe({ email, componentIds: ids, locale: lang });
        } catch (err) {
          if (err instanceof Problem && err.status === 400 && wantsHtml(request))
            return reply
              .code(400)
              .type("text/html; charset=utf-8")
              .send(renderNote(lang, t.bad[0], t.bad[1]));
          throw err;
        }
        reply.type("text/html; charset=utf-8");
        return renderNote(lang, t.pending[0], t.pending[1]);
      },
    );
    for (const [path, action] of [
      ["/status/confirm", "confirm"],
      ["/status/unsubscribe", "unsubscribe"],
    ] as const) {
      app.get(
        path,
        {
          config: { public: true },
          schema: {
            tags,
            summary: `The ${action} link of a mail: a page with one button (a link scanner's GET changes nothing)`,
            querystring: S.TokenQuery,
            ...html,
          },
        },
        async (request, reply) => {
          const lang = pageLocale(request);
          const t = notes[lang][action];
          const token = request.query.token ?? "";
          reply.type("text/html; charset=utf-8");
          return renderNote(lang, t[0], t[1], {
            action: `${path}?token=${encodeURIComponent(token)}&lang=${lang}`,
            button: t[2],
          });
        },
      );
      app.post(
        path,
        {
          config: { public: true },
          schema: {
            tags,
            summary:
              action === "unsubscribe"
                ? "One-click unsubscribe (RFC 8058: List-Unsubscribe-Post), or the page's button"
                : "Confirms a subscription (double opt-in)",
            querystring: S.TokenQuery,
            consumes: ["application/x-www-form-urlencoded", "multipart/form-data"],
            ...html,
            response: { 200: Type.String(), ...problems(404) },
          },
        },
        async (request, reply) => {
          const lang = pageLocale(request);
          const t = notes[lang];
          try {
            if (action === "confirm") await m.subscriptions.confirm(request.query.token ?? "");
            else await m.subscriptions.unsubscribe(request.query.token ?? "");
          } catch (err) {
            if (err instanceof Problem && err.status === 404 && wantsHtml(request))
              return reply
                .code(404)
                .type("text/html; charset=utf-8")
                .send(renderNote(lang, t.invalid[0], t.invalid[1]));
            throw err;
          }
          reply.type("text/html; charset=utf-8");
          const done = action === "confirm" ? t.confirmed : t.unsubscribed;
          return renderNote(lang, done[0], done[1]);
        },
      );
    }

    // status API ----------------------------------------------------------------------------------------
    app.get(
      "/api/v1/status",
      {
        config: { public: true },
        logLevel: CACHED_READ_LOG_LEVEL,
        schema: { tags, summary: "The public status page as JSON", response: { 200: S.StatusView } },
      },
      async (_request, reply) => {
        // Serialized once per refresh; Fastify sends a string with a JSON type as it is.
        reply.type("application/json; charset=utf-8");
        return reply.send((await m.page.json()) as never);
      },
    );
    app.get(
      "/api/v1/status/mine",
      {
        config: { signedIn: true },
        schema: {
          tags,
          summary: "The private status page of the signed-in user: a customer's own components and the public ones",
          response: { 200: S.StatusView },
        },
      },
      async (request) => m.page.viewFor(requireActor(request)),
    );
    app.get(
      "/api/v1/status/preview",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "The status page as a signed-in staff member sees it (every component), rendered as HTML",
          querystring: S.LangQuery,
          ...html,
        },
      },
      async (request, reply) => {
        reply.type("text/html; charset=utf-8");
        return m.page.previewHtml(requireActor(request), pageLocale(request));
      },
    );
  };
  return plugin;
}
