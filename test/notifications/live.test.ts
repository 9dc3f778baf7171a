import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../fixtures/nodes.js";
import { openSse, type SseClient } from "../fixtures/sse.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("notification events over SSE on %s", (engine) => {
  let t: TestContext;
  let url: string;
  const clients: SseClient[] = [];

  beforeEach(async () => {
    t = await testApp(engine, { start: true });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1/events`;
  }, 60_000);
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.close();
  });

  it("reach only the user they are addressed to", async () => {
    const me = await tokenFor(t, "agent");
    const other = await tokenFor(t, "admin");
    const mine = await openSse(url, me.headers);
    const theirs = await openSse(url, other.headers);
    clients.push(mine, theirs);
    const [id] = await t.services.notifications.enqueue([
      { to: { userId: me.user.id }, channel: "in_app", template: "ticket.watcher-update", params: { number: 1 } },
    ]);
    await t.app.inject({ method: "POST", url: `/api/v1/me/notifications/${id}/read`, headers: me.headers });
    // A later event every staff member may see, so the other stream has certainly caught up.
    const marker = await t.platform.events.publish({
      type: "ticket.updated",
      payload: { ticketId: me.user.id, number: 1, changes: [] },
    });
    await waitFor(
      "my notification events",
      () => mine.frames.filter((f) => f.event.startsWith("notification.")).length >= 2,
      5_000,
    );
    await waitFor("the marker on the other stream", () => theirs.frames.some((f) => f.id === marker), 5_000);
    expect(mine.frames.filter((f) => f.event.startsWith("notification.")).map((f) => f.event)).toEqual([
      "notification.created",
      "notification.read",
    ]);
    expect(theirs.frames.filter((f) => f.event.startsWith("notification."))).toEqual([]);
  }, 60_000);
});
