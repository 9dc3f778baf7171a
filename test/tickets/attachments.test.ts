import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sniffContentType } from "../../src/modules/tickets/sniff.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001",
  "hex",
);
const WAV = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WAVEfmt "), Buffer.alloc(32)]);

describe("content sniffing", () => {
  it("trusts the bytes, not the name, and never answers HTML", () => {
    expect(sniffContentType(PNG)).toBe("image/png");
    expect(sniffContentType(WAV)).toBe("audio/wav");
    expect(sniffContentType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
    expect(sniffContentType(Buffer.from("<html><script>alert(1)</script></html>"))).toBe("text/plain; charset=utf-8");
    expect(sniffContentType(Buffer.from("Configuração do tronco ✓\n"))).toBe("text/plain; charset=utf-8");
    expect(sniffContentType(Buffer.from([0, 1, 2, 3, 255]))).toBe("application/octet-stream");
    // A multi-byte character cut by the 4 KiB sample is still text.
    expect(sniffContentType(Buffer.from("é".repeat(3000)))).toBe("text/plain; charset=utf-8");
  });
});

describe.each(engines)("ticket attachments on %s", (engine) => {
  let t: TestContext;
  let agent: Record<string, string>;
  let customer: Record<string, string>;
  let stranger: Record<string, string>;
  let ticket: { id: string };

  beforeAll(async () => {
    t = await testApp(engine, { config: { attachmentMaxBytes: 64 * 1024 } });
    const acme = (await createOrganization(t)).id;
    agent = (await tokenFor(t, "agent")).headers;
    customer = (await tokenFor(t, "customer", { organizationId: acme })).headers;
    stranger = (await tokenFor(t, "customer", { organizationId: (await createOrganization(t)).id })).headers;
    ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: customer,
        payload: {
          subject: "Gravação ruidosa",
          description: "Anexo a gravação",
          type: "feature_failure",
          severity: "medium",
        },
      })
    ).json();
  });
  afterAll(() => t.close());

  it("stores an upload under its detected type and serves it only as a download", async () => {
    const up = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/attachments`,
      headers: customer,
      payload: { filename: '../../etc/chamada "1".html', data: WAV.toString("base64") },
    });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toMatchObject({ filename: "chamada 1.html", contentType: "audio/wav", size: WAV.length });
    const list = await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/attachments`, headers: agent });
    expect(list.json().items).toHaveLength(1);
    const down = await t.app.inject({
      url: `/api/v1/tickets/${ticket.id}/attachments/${up.json().id}`,
      headers: agent,
    });
    expect(down.statusCode).toBe(200);
    expect(down.rawPayload.equals(WAV)).toBe(true);
    expect(down.headers["content-type"]).toBe("audio/wav");
    expect(down.headers["content-disposition"]).toMatch(/^attachment; filename="chamada 1.html"; filename\*=UTF-8''/);
    expect(down.headers["x-content-type-options"]).toBe("nosniff");
    expect(down.headers["content-security-policy"]).toContain("sandbox");
  });

  it("keeps other organizations out and refuses oversize, empty and malformed uploads", async () => {
    const up = (
      await t.app.inject({
        method: "POST",
        url: `/api/v1/tickets/${ticket.id}/attachments`,
        headers: agent,
        payload: { filename: "a.png", data: PNG.toString("base64") },
      })
    ).json();
    expect(
      (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/attachments/${up.id}`, headers: stranger })).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: `/api/v1/tickets/${ticket.id}/attachments`,
          headers: stranger,
          payload: { filename: "x", data: "AAAA" },
        })
      ).statusCode,
    ).toBe(404);
    const big = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/attachments`,
      headers: agent,
      payload: { filename: "big.bin", data: Buffer.alloc(65 * 1024, 7).toString("base64") },
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().errors[0].pointer).toBe("/data");
    const notBase64 = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/attachments`,
      headers: agent,
      payload: { filename: "x", data: "not base64!" },
    });
    expect(notBase64.statusCode).toBe(400);
    const tooLargeBody = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/attachments`,
      headers: agent,
      payload: { filename: "x", data: "A".repeat(200 * 1024) },
    });
    expect(tooLargeBody.statusCode).toBe(413);
    expect(tooLargeBody.json().detail).toMatch(/^This operation accepts a body of at most \d+ bytes$/);
    expect(
      (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/attachments`, headers: agent })).json().items,
    ).toHaveLength(2);
  });
});
