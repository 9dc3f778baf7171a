import type { ServerResponse } from "node:http";
import http from "node:http";
import { loadavg } from "node:os";
import { signVisitor } from "../src/modules/chat/model.js";
import { benchEngines, measureSeconds, report, startBenchServer } from "./harness.js";

/**
 * Live chat delivery at 1,000 concurrent widget connections on one node: each connection is one visitor's
 * conversation stream; messages are posted through the widget's HTTP route (signature checked, the event
 * numbered and committed, announced on the event bus) and timed until the frame arrives on that visitor's
 * stream. The baseline, in the same run and process, is a bare SSE echo route over 1,000 connections: a POST
 * that writes the frame straight to the held response, so the ratio is what the chat path costs on top of
 * HTTP and SSE themselves. Target: delivery p99 < 200 ms.
 */
const CONNECTIONS = Number(process.env.PLANTAO_BENCH_CHAT_CONNECTIONS || 1000);
const RATE = Number(process.env.PLANTAO_BENCH_CHAT_RATE || 20); // messages a second, each to a random conversation
const TARGET_P99_MS = 200;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0) * 10) / 10;
};
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** Holds an SSE response open and calls `onData` with each `data:` line's JSON. */
function openStream(url: string, onData: (data: { tag: string }) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let i = buffer.indexOf("\n\n");
        while (i >= 0) {
          const line = buffer
            .slice(0, i)
            .split("\n")
            .find((l) => l.startsWith("data: "));
          buffer = buffer.slice(i + 2);
          if (line) onData(JSON.parse(line.slice(6)));
          i = buffer.indexOf("\n\n");
        }
      });
      resolve(req);
    });
    req.on("error", reject);
  });
}

function post(origin: string, path: string, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      `${origin}${path}`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** Posts RATE messages a second for `measureSeconds`, each timed from its send to its frame on the stream. */
async function drive(send: (i: number, tag: string) => Promise<number>, sent: Map<string, number>) {
  const total = measureSeconds * RATE;
  const started = performance.now();
  const posts: Promise<number>[] = [];
  for (let n = 0; n < total; n++) {
    const tag = `m${n}`;
    sent.set(tag, performance.now());
    posts.push(send(Math.floor(Math.random() * CONNECTIONS), tag));
    const due = started + ((n + 1) * 1000) / RATE;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
  }
  const statuses = await Promise.all(posts);
  return statuses.filter((s) => s >= 300).length;
}

for (const engine of benchEngines) {
  // The baseline's streams, held by the same app.
  const echo: ServerResponse[] = [];
  const server = await startBenchServer(engine, ({ app }) => {
    app.get("/bench/echo/:i", { config: { public: true } }, (request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      reply.raw.write(": connected\n\n");
      echo[Number((request.params as { i: string }).i)] = reply.raw;
    });
    app.post("/bench/echo/:i", { config: { public: true } }, async (request, reply) => {
      echo[Number((request.params as { i: string }).i)]?.write(`data: ${JSON.stringify(request.body)}\n\n`);
      return reply.code(204).send();
    });
  });
  await server.platform.start();
  const { services, origin } = server;
  await services.plan.ensureSeeded();
  await services.directory.bootstrap({ providerName: "Provedor Bench" });
  const providerId = (await services.directory.listOrganizations({ limit: 1 }, {}))[0]!.id;
  const site = await services.chat.sites.create({ name: "Bench", organizationId: providerId, calendar: "24x7" });
  const conversations: { id: string; credentials: { siteId: string; visitorId: string; signature: string } }[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const credentials = { siteId: site.id, visitorId: `bench-${i}`, signature: signVisitor(site.secret, `bench-${i}`) };
    const v = await services.chat.sites.verify(credentials);
    const c = await services.chat.chat.start(v, {
      name: `Visitante ${i}`,
      email: `v${i}@example.com`,
      subject: "Bench",
    });
    conversations.push({ id: c.id, credentials });
  }

  // Baseline: bare SSE echo over the same number of connections.
  const echoSent = new Map<string, number>();
  const echoMs: number[] = [];
  const echoStreams = await Promise.all(
    conversations.map((_, i) =>
      openStream(`${origin}/bench/echo/${i}`, (d) => echoMs.push(performance.now() - echoSent.get(d.tag)!)),
    ),
  );
  const echoCpu = process.cpuUsage();
  const echoFailed = await drive((i, tag) => post(origin, `/bench/echo/${i}`, { tag }), echoSent);
  const echoCpuMs = cpuMs(process.cpuUsage(echoCpu)) / echoSent.size;
  await new Promise((r) => setTimeout(r, 500));
  for (const s of echoStreams) s.destroy();

  // Chat: each visitor's conversation stream, messages through the widget route.
  const chatSent = new Map<string, number>();
  const chatMs: number[] = [];
  const W = "/api/v1/chat/widget/conversations";
  const chatStreams = await Promise.all(
    conversations.map((c) => {
      const qs = new URLSearchParams(c.credentials);
      return openStream(`${origin}${W}/${c.id}/stream?${qs}&after=0`, (d: { tag: string } & { body?: string }) => {
        const at = chatSent.get(d.body ?? "");
        if (at !== undefined) chatMs.push(performance.now() - at);
      });
    }),
  );
  const load0 = loadavg();
  const chatCpu = process.cpuUsage();
  const chatFailed = await drive((i, tag) => {
    const c = conversations[i]!;
    return post(origin, `${W}/${c.id}/messages`, { ...c.credentials, clientId: tag, body: tag });
  }, chatSent);
  const deadline = Date.now() + 10_000;
  while (chatMs.length < chatSent.size - chatFailed && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const chatCpuMs = cpuMs(process.cpuUsage(chatCpu)) / chatSent.size;
  for (const s of chatStreams) s.destroy();

  const p99 = pct(chatMs, 0.99);
  const line = report({
    name: `chat-delivery-${engine}`,
    metric: `widget message → frame on the visitor's stream p99 (ms) at ${CONNECTIONS} connections, against a bare SSE echo's p99`,
    value: p99,
    baseline: pct(echoMs, 0.99),
    engine,
    connections: CONNECTIONS,
    messagesPerSecond: RATE,
    seconds: measureSeconds,
    sent: chatSent.size,
    delivered: chatMs.length,
    failedPosts: chatFailed,
    p50Ms: pct(chatMs, 0.5),
    p99Ms: p99,
    maxMs: pct(chatMs, 1),
    echoP50Ms: pct(echoMs, 0.5),
    echoDelivered: echoMs.length,
    echoFailedPosts: echoFailed,
    // CPU of this process (server and clients) per message: what the load average does not change.
    cpuMsPerMessage: Math.round(chatCpuMs * 100) / 100,
    echoCpuMsPerMessage: Math.round(echoCpuMs * 100) / 100,
    targetP99Ms: TARGET_P99_MS,
    pass: p99 < TARGET_P99_MS && chatMs.length === chatSent.size,
    loadAverage: load0.map((x) => Math.round(x * 100) / 100),
  });
  if (!line.pass) process.exitCode = 1;
  await server.close();
}
agent.destroy();
