import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeAmi } from "../fixtures/ami-server.js";
import { ADMIN, type BrowserSession, networkQuiet, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

/**
 * The phone channel in a real Chromium, fed by AMI replay: a recorded queue call rings the agent (the pop-up shows
 * the caller's organization and open ticket, with a link), its answer logs the call on the ticket and stops the
 * first-response clock, and an abandoned call from a known number opens a phone ticket with a callback task.
 */
describe.skipIf(skipBrowser)("phone channel in the browser", () => {
  let session: BrowserSession;
  let page: Page;
  let ami: FakeAmi;
  let headers: Record<string, string>;
  let ticket: { id: string; number: number };
  let connectionId: string;
  const vars = (id: string, from: string) => ({ id, from, t0: "1796648400", t1: "1796648404", t2: "1796648596" });

  const api = async (method: "POST" | "GET" | "PATCH", url: string, payload?: object) => {
    const res = await session.server.app.inject({ method, url, payload, headers });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>) => {
    for (let i = 0; i < 200; i++) {
      const v = await probe();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    ami = await FakeAmi.start();
    session = await openBrowserSession({ name: "phone", viewport: { width: 1440, height: 900 } });
    page = session.page;
    const login = await session.server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    headers = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": login.json().csrfToken as string,
    };
    const org = await api("POST", "/api/v1/organizations", {
      name: "Voz Rápida Ltda",
      phoneNumbers: ["+551133334444"],
      contacts: [{ name: "Carla Dias", phone: "+55 11 98765-4321" }],
    });
    ticket = await api("POST", "/api/v1/tickets", {
      subject: "URA não toca a mensagem",
      description: "Desde ontem",
      organizationId: org.id,
      requester: { name: "Carla Dias", phone: "+5511987654321" },
      type: "feature_failure",
      severity: "high",
    });
    const connection = await api("POST", "/api/v1/pbx-connections", {
      name: "Asterisk",
      host: "127.0.0.1",
      port: ami.port,
      username: "plantao",
      secret: "s3cr3t",
      extensions: { "PJSIP/1001": ADMIN.email },
    });
    connectionId = connection.id;
    await session.server.services.telephony.pbx.tick();
    await ami.loggedIn(1);
    await session.signIn(page, ADMIN);
    await page.getByRole("navigation").waitFor();
  });
  afterAll(async () => {
    await session?.close();
    await ami?.close();
  });

  it("ringing pops the caller's ticket; answering logs the call and stops the first-response clock", async () => {
    await page.goto(`${session.base}/tickets`);
    await page.getByRole("navigation").waitFor();
    // Let the event stream connect before the phone rings.
    await networkQuiet(page);
    ami.send(FakeAmi.fixture("queue-answered", vars("1796648400.18", "011987654321")));
    const popup = page.getByTestId("call-popup");
    await popup.waitFor();
    expect(await page.getByTestId("call-popup-caller").textContent()).toBe("Carla Dias");
    expect(await page.getByTestId("call-popup-organization").textContent()).toBe("Voz Rápida Ltda");
    const link = page.getByTestId("call-popup-ticket");
    expect(await link.textContent()).toContain("URA não toca a mensagem");
    await link.click();
    await page.waitForURL(`**/tickets/${ticket.id}`);

    ami.send(FakeAmi.fixture("queue-answered-2", vars("1796648400.18", "011987654321")));
    // Answered: the pop-up closes, the call is on the timeline and the first-response clock stopped.
    await popup.waitFor({ state: "detached" });
    await until("the phone_call message", async () => {
      const timeline = await api("GET", `/api/v1/tickets/${ticket.id}/timeline`);
      return timeline.messages.find((m: { kind: string }) => m.kind === "phone_call");
    });
    const sla = await api("GET", `/api/v1/tickets/${ticket.id}/sla`);
    expect(sla.clocks.find((c: { kind: string }) => c.kind === "first_response").status).toBe("fulfilled");
    await page.reload();
    await page.getByTestId("ticket-call").first().waitFor();
    expect(await page.getByTestId("calls-panel").textContent()).toContain("Atendida");
    ami.send(FakeAmi.fixture("queue-answered-3", vars("1796648400.18", "011987654321")));
  });

  it("a missed call from a known number opens a phone ticket with a callback task", async () => {
    ami.send(FakeAmi.fixture("queue-abandoned", vars("1796649000.44", "(11) 8765-4321")));
    const missed = await until("the missed call's callback", async () => {
      const calls = await api("GET", "/api/v1/calls?status=missed");
      return calls.items.find(
        (c: { callback: unknown; externalId: string }) => c.callback && c.externalId.endsWith("1796649000.44"),
      );
    });
    expect(missed.callback.status).toBe("pending");
    expect(missed.ticketId).not.toBe(ticket.id);
    const opened = await api("GET", `/api/v1/tickets/${missed.ticketId}`);
    expect(opened.channel).toBe("phone");
    await page.goto(`${session.base}/tickets/${missed.ticketId}`);
    const task = page.getByTestId("callback-task");
    await task.waitFor();
    expect(await task.textContent()).toContain("Retorno pendente");
    await task.getByRole("button", { name: "Marcar retorno feito" }).click();
    await until("the callback done", async () =>
      (await api("GET", `/api/v1/calls/${missed.id}`)).callback.status === "done" ? true : undefined,
    );
    expect(session.errors).toEqual([]);
    expect(connectionId).toBeTruthy();
  });
});
