import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1: records every request and answers with the next scripted status. */
export class Receiver {
  readonly received: Received[] = [];
  /** Statuses of the next answers, in order; 200 once they run out. */
  script: number[] = [];
  #server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        const status = this.script.shift() ?? 200;
        res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : `nope ${status}`);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

/** What a receiver does, written from the documentation rather than from the sender's code. */
export function verifies(secret: string, r: Received): boolean {
  const timestamp = String(r.headers["x-plantao-timestamp"]);
  const given = Buffer.from(String(r.headers["x-plantao-signature"]));
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(`${timestamp}.${r.body}`).digest("hex")}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
