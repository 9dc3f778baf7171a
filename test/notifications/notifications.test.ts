import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_ATTEMPTS } from "../../src/modules/notifications/service.js";
import { signature } from "../../src/modules/webhooks/signature.js";
import { ManualClock } from "../../src/platform/clock.js";
import { createUser, engines, harnessActor, type TestContext, testApp, tokenFor } from "../harness.js";
import { startInbox } from "./smtp.js";

const T0 = "2026-03-02T12:00:00.000Z";

async function setLocale(t: TestContext, userId: string, locale: string) {
  await t.platform.db.updateTable("users").set({ locale }).where("id", "=", userId).execute();
}

async function row(t: TestContext, id: string) {
  return t.platform.db.selectFrom("notifications").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

describe.each(engines)("notifications on %s", (engine) => {
  describe("mail through a real SMTP server", () => {
    let t: TestContext;
    let smtp: Awaited<ReturnType<typeof startInbox>>;
    let clock: ManualClock;

    beforeEach(async () => {
      smtp = await startInbox();
      clock = new ManualClock(T0);
      t = await testApp(engine, {
        clock,
        config: { smtpUrl: smtp.url, mailFrom: "plantao@suporte.example", publicUrl: "https://plantao.example" },
      });
    }, 60_000);
    afterEach(async () => {
      await t.close();
      await smtp.close();
    });

    it("sends multipart text and HTML in pt-BR and English, threaded, with the automation headers", async () => {
      const pt = await createUser(t, "agent");
      const en = await createUser(t, "agent");
      await setLocale(t, en.id, "en");
      const params = {
        number: 7,
        subject: 'Sem áudio <script>alert("x")</script> & eco',
        severity: "high",
        tier: "L2",
        status: "open",
        clock: "resolution",
        breachAt: "2026-03-02T16:00:00.000Z",
        link: "https://plantao.example/tickets/7",
      };
      const thread = { kind: "ticket", id: "0193a000-0000-7000-8000-000000000007" };
      const ids = await t.services.notifications.enqueue(
        [pt, en].map((u) => ({
          to: { userId: u.id },
          channel: "email" as const,
          template: "ticket.escalation.staff",
          params,
          thread,
        })),
      );
      await t.platform.jobs.drain();
      expect(smtp.inbox).toHaveLength(2);
      const toPt = smtp.inbox.find((m) => m.to === pt.email)!;
      const toEn = smtp.inbox.find((m) => m.to === en.email)!;
      expect(toPt.subject).toBe(`Escalonamento: [Plantão] #7 ${params.subject}`);
      expect(toEn.subject).toBe(`Escalation: [Plantão] #7 ${params.subject}`);
      expect(toPt.text).toContain("O SLA deste chamado pede atenção.");
      expect(toEn.text).toContain("This ticket's SLA needs attention.");
      for (const m of [toPt, toEn]) {
        expect(m.contentType).toMatch(/^multipart\/alternative/);
        // Parameters are text: escaped in HTML, never markup.
        expect(m.html).toContain("Sem áudio &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; eco");
        expect(m.html).not.toContain("<script>");
        expect(m.html).toContain('<a href="https://plantao.example/tickets/7"');
        expect(m.header("auto-submitted")).toBe("auto-generated");
        expect(m.header("list-unsubscribe")).toBe("<https://plantao.example/notifications/preferences>");
        expect(m.inReplyTo).toBe(`<ticket.${thread.id}@suporte.example>`);
        expect(m.references).toBe(`<ticket.${thread.id}@suporte.example>`);
      }
      // The Message-ID was ours, stored before sending.
      const stored = await Promise.all(ids.map((id) => row(t, id)));
      expect(stored.map((r) => r.message_id).sort()).toEqual([toPt.messageId, toEn.messageId].sort());
      expect(
        stored.every((r) => r.status === "sent" && r.attempts === 1 && r.provider_message_id?.startsWith("250")),
      ).toBe(true);
    }, 120_000);

    it("sends the password reset as account mail: no List-Unsubscribe, in the user's language", async () => {
      const user = await createUser(t, "agent");
      await setLocale(t, user.id, "en");
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/password-reset",
        payload: { email: user.email },
      });
      expect(res.statusCode).toBe(202);
      await t.platform.jobs.drain();
      const mail = smtp.inbox.find((m) => m.to === user.email)!;
      expect(mail.subject).toBe("Plantão: password reset");
      expect(mail.html).toContain("Set a new password");
      expect(mail.header("list-unsubscribe")).toBeUndefined();
      expect(mail.header("auto-submitted")).toBe("auto-generated");
      expect(mail.inReplyTo).toBeUndefined();
    }, 120_000);

    it("SMTP down for 2 minutes: the action succeeds, the mail waits, fails visibly, then every message goes", async () => {
      await smtp.close();
      const port = smtp.port;
      await t.close();
      clock = new ManualClock(T0);
      t = await testApp(engine, {
        clock,
        config: { smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: "plantao@suporte.example" },
      });
      const users = await Promise.all(Array.from({ length: 5 }, () => createUser(t, "agent")));
      for (const u of users) {
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/password-reset",
          payload: { email: u.email },
        });
        expect(res.statusCode).toBe(202);
      }
      const extra = Array.from({ length: 15 }, (_, i) => `contato${i}@cliente.example`);
      await t.services.notifications.enqueue(
        extra.map((email) => ({
          to: { email },
          template: "ticket.escalation.customer",
          params: { number: i(email), subject: "Queda", name: "Contato" },
        })),
      );
      const admin = await tokenFor(t, "admin");
      const log = async (query: string) =>
        (await t.app.inject({ method: "GET", url: `/api/v1/notifications?${query}`, headers: admin.headers })).json();

      // Down from T0 to T0 + 2 min: attempts at 0 s, 30 s and 90 s fail.
      for (const wait of [0, 30_000, 60_000]) {
        clock.advance(wait);
        await t.platform.jobs.drain();
        const failed = await log("status=failed&limit=100");
        expect(failed.items).toHaveLength(20);
        expect(failed.items[0].lastError).toMatch(/ECONNREFUSED|connect/i);
      }
      const one = (await log("status=failed&limit=1")).items[0];
      expect(one.attempts).toBe(3);
      expect(one.nextAttemptAt).toBe(new Date(new Date(T0).getTime() + 90_000 + 120_000).toISOString());

      clock.advance(30_000); // T0 + 2 min: the server is back
      smtp = await startInbox(port);
      await t.platform.jobs.drain();
      expect(smtp.inbox).toHaveLength(0); // nothing due before the next retry
      clock.advance(90_000);
      await t.platform.jobs.drain();
      expect(new Set(smtp.inbox.map((m) => m.to))).toEqual(new Set([...users.map((u) => u.email), ...extra]));
      expect(smtp.inbox).toHaveLength(20);
      expect((await log("status=sent&limit=100")).items).toHaveLength(20);
      expect((await log("status=failed")).items).toHaveLength(0);
    }, 120_000);

    it("SMTP refusing: the failure with the server's answer shows in the delivery log; dead after the last attempt", async () => {
      smtp.state.refuse = { code: 451, message: "Greylisted, try later" };
      const [id] = await t.services.notifications.enqueue([
        { to: { email: "x@cliente.example" }, template: "ticket.escalation.customer", params: { number: 1 } },
      ]);
      await t.platform.jobs.drain();
      let r = await row(t, id!);
      expect(r.status).toBe("failed");
      expect(r.last_error).toContain("451");
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
        clock.advance(3_600_000);
        await t.platform.jobs.drain();
      }
      r = await row(t, id!);
      expect(r.status).toBe("dead");
      expect(r.attempts).toBe(MAX_ATTEMPTS);

      // Resend by hand once the server accepts again: same Message-ID, fresh attempts.
      smtp.state.refuse = null;
      const admin = await tokenFor(t, "admin");
      const resend = await t.app.inject({
        method: "POST",
        url: `/api/v1/notifications/${id}/resend`,
        headers: admin.headers,
      });
      expect(resend.statusCode).toBe(200);
      expect(resend.json().status).toBe("pending");
      const again = await t.app.inject({
        method: "POST",
        url: `/api/v1/notifications/${id}/resend`,
        headers: admin.headers,
      });
      expect(again.statusCode).toBe(409);
      await t.platform.jobs.drain();
      expect(smtp.inbox).toHaveLength(1);
      expect(smtp.inbox[0]!.messageId).toBe(r.message_id);
      expect((await row(t, id!)).status).toBe("sent");
    }, 120_000);
  });

  describe("API, in-app centre, preferences and webhooks", () => {
    let t: TestContext;
    let hook: Server;
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

    beforeAll(async () => {
      t = await testApp(engine, { config: { publicUrl: "https://plantao.example" } });
      hook = createServer((req, res) => {
        let body = "";
        req.on("data", (d) => {
          body += d;
        });
        req.on("end", () => {
          received.push({ headers: req.headers, body });
          res.end("ok");
        });
      });
      await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    }, 60_000);
    afterAll(async () => {
      await t.close();
      await new Promise((r) => hook.close(r));
    });

    it("keeps the delivery log for admins and managers only, paged by cursor and filtered", async () => {
      await t.services.notifications.enqueue(
        Array.from({ length: 5 }, (_, n) => ({
          to: { email: `log${n}@cliente.example` },
          template: "ticket.escalation.customer",
          params: { number: n },
        })),
      );
      const admin = await tokenFor(t, "admin");
      const manager = await tokenFor(t, "manager");
      const page1 = await t.app.inject({
        method: "GET",
        url: "/api/v1/notifications?channel=email&limit=3",
        headers: manager.headers,
      });
      expect(page1.statusCode).toBe(200);
      expect(page1.json().items).toHaveLength(3);
      const page2 = await t.app.inject({
        method: "GET",
        url: `/api/v1/notifications?channel=email&limit=3&cursor=${page1.json().nextCursor}`,
        headers: admin.headers,
      });
      const all = [...page1.json().items, ...page2.json().items].map((n: { recipient: string }) => n.recipient);
      expect(all.filter((r: string) => r.startsWith("log"))).toHaveLength(5);
      const to = await t.app.inject({
        method: "GET",
        url: "/api/v1/notifications?to=LOG3@cliente.example",
        headers: admin.headers,
      });
      expect(to.json().items.map((n: { recipient: string }) => n.recipient)).toEqual(["log3@cliente.example"]);
      for (const role of ["agent", "customer", "auditor"] as const) {
        const other = await tokenFor(t, role, role === "customer" ? { organizationId: (await orgOf(t)).id } : {});
        const res = await t.app.inject({ method: "GET", url: "/api/v1/notifications", headers: other.headers });
        expect(res.statusCode).toBe(403);
        const resend = await t.app.inject({
          method: "POST",
          url: `/api/v1/notifications/${page1.json().items[0].id}/resend`,
          headers: other.headers,
        });
        expect(resend.statusCode).toBe(403);
      }
      const bad = await t.app.inject({ method: "GET", url: "/api/v1/notifications?cursor=!!", headers: admin.headers });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers["content-type"]).toContain("application/problem+json");
    });

    it("fills a user's notification centre, counts unread, marks read; another user's is 404", async () => {
      const me = await tokenFor(t, "agent");
      const other = await tokenFor(t, "agent");
      const ids = await t.services.notifications.enqueue(
        [1, 2, 3].map((n) => ({
          to: { userId: me.user.id },
          channel: "in_app" as const,
          template: "ticket.watcher-update",
          params: {
            number: n,
            subject: "Eco",
            author: "Ana",
            change: "open → resolved",
            link: `https://x.example/${n}`,
          },
          thread: { kind: "ticket", id: `t${n}` },
        })),
      );
      const events = await t.platform.db
        .selectFrom("events")
        .selectAll()
        .where("type", "=", "notification.created")
        .where("subject_id", "=", me.user.id)
        .execute();
      expect(events).toHaveLength(3);
      const inbox = await t.app.inject({ method: "GET", url: "/api/v1/me/notifications?limit=2", headers: me.headers });
      expect(inbox.statusCode).toBe(200);
      expect(inbox.json().unread).toBe(3);
      expect(inbox.json().items).toHaveLength(2);
      expect(inbox.json().items[0]).toMatchObject({
        title: "[Plantão] #3 Eco",
        link: "https://x.example/3",
        readAt: null,
      });
      expect(inbox.json().nextCursor).toBeTruthy();
      const theirs = await t.app.inject({
        method: "POST",
        url: `/api/v1/me/notifications/${ids[0]}/read`,
        headers: other.headers,
      });
      expect(theirs.statusCode).toBe(404);
      const one = await t.app.inject({
        method: "POST",
        url: `/api/v1/me/notifications/${ids[0]}/read`,
        headers: me.headers,
      });
      expect(one.json()).toEqual({ unread: 2 });
      const count = await t.app.inject({
        method: "GET",
        url: "/api/v1/me/notifications/unread-count",
        headers: me.headers,
      });
      expect(count.json()).toEqual({ unread: 2 });
      const all = await t.app.inject({ method: "POST", url: "/api/v1/me/notifications/read-all", headers: me.headers });
      expect(all.json()).toEqual({ unread: 0 });
      const unread = await t.app.inject({
        method: "GET",
        url: "/api/v1/me/notifications?unread=true",
        headers: me.headers,
      });
      expect(unread.json().items).toEqual([]);
      const otherInbox = await t.app.inject({ method: "GET", url: "/api/v1/me/notifications", headers: other.headers });
      expect(otherInbox.json()).toMatchObject({ items: [], unread: 0 });
      const anonymous = await t.app.inject({ method: "GET", url: "/api/v1/me/notifications" });
      expect(anonymous.statusCode).toBe(401);
    });

    it("honours per-user preferences per event kind and channel; account mail ignores them", async () => {
      const me = await tokenFor(t, "agent");
      const defaults = await t.app.inject({
        method: "GET",
        url: "/api/v1/me/notification-preferences",
        headers: me.headers,
      });
      expect(defaults.json().items).toContainEqual({ kind: "ticket.watch", channel: "email", enabled: true });
      const put = await t.app.inject({
        method: "PUT",
        url: "/api/v1/me/notification-preferences",
        headers: me.headers,
        payload: { items: [{ kind: "ticket.watch", channel: "email", enabled: false }] },
      });
      expect(put.statusCode).toBe(200);
      expect(put.json().items).toContainEqual({ kind: "ticket.watch", channel: "email", enabled: false });
      expect(put.json().items).toContainEqual({ kind: "ticket.escalation", channel: "email", enabled: true });
      const bad = await t.app.inject({
        method: "PUT",
        url: "/api/v1/me/notification-preferences",
        headers: me.headers,
        payload: { items: [{ kind: "nope", channel: "email", enabled: false }] },
      });
      expect(bad.statusCode).toBe(400);
      const ids = await t.services.notifications.enqueue([
        { to: { userId: me.user.id }, template: "ticket.watcher-update", params: { number: 1 } },
        { to: { userId: me.user.id }, template: "identity.password-reset", params: { name: "x", link: "https://x" } },
      ]);
      const rows = await Promise.all(ids.map((id) => row(t, id)));
      expect(rows.map((r) => `${r.template}/${r.channel}`).sort()).toEqual([
        "identity.password-reset/email",
        "identity.password-reset/in_app",
        "ticket.watcher-update/in_app",
      ]);
    });

    it("posts signed webhook notifications in Plantão's, Slack's, Teams', Telegram's and Discord's shapes", async () => {
      const port = (hook.address() as AddressInfo).port;
      const created = await t.services.webhooks.create(
        harnessActor(t),
        { name: "chat", url: `http://127.0.0.1:${port}/hook?chat_id=42`, eventTypes: ["webhook.test"] },
        { ip: "127.0.0.1", headers: {} },
      );
      received.length = 0;
      const params = {
        number: 9,
        subject: "Tronco <caiu>",
        severity: "critical",
        tier: "L3",
        status: "open",
        clock: "resolution",
        breachAt: T0,
        link: "https://plantao.example/tickets/9",
      };
      await t.services.notifications.enqueue(
        (["plantao", "slack", "teams", "telegram", "discord"] as const).map((flavour) => ({
          to: { webhookId: created.id, flavour },
          template: "ticket.escalation.staff",
          params,
        })),
      );
      await t.platform.jobs.drain();
      expect(received).toHaveLength(5);
      for (const r of received) {
        const ts = String(r.headers["x-plantao-timestamp"]);
        expect(r.headers["x-plantao-signature"]).toBe(signature(created.secret, ts, r.body));
        expect(r.headers["x-plantao-event"]).toBe("notification.ticket.escalation");
      }
      const bodies = received.map((r) => JSON.parse(r.body));
      expect(bodies).toContainEqual(
        expect.objectContaining({ type: "notification", template: "ticket.escalation.staff" }),
      );
      expect(bodies.find((b) => b.blocks)?.blocks[0].text.text).toContain("Escalonamento");
      expect(bodies.find((b) => b.attachments)?.attachments[0].contentType).toBe(
        "application/vnd.microsoft.card.adaptive",
      );
      const telegram = bodies.find((b) => b.parse_mode);
      expect(telegram.text).toContain("Tronco &lt;caiu&gt;");
      expect(bodies.find((b) => b.embeds)?.embeds[0].url).toBe("https://plantao.example/tickets/9");
      const log = await t.services.notifications.deliveryLog({ channel: "webhook", limit: 10 });
      expect(log.every((n) => n.status === "sent" && n.providerMessageId === "HTTP 200")).toBe(true);
    });
  });
});

function i(email: string) {
  return Number(/\d+/.exec(email)?.[0] ?? 0);
}

async function orgOf(t: TestContext) {
  return t.services.identity.createOrganization(
    harnessActor(t),
    { name: `Cliente ${Math.random()}` },
    { ip: "127.0.0.1", headers: {} },
  );
}
