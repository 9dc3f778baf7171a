// Open-loop load generator (wrk2-style), run as its own process so it does not share the server's event loop.
// Request i is due at start + i/rate whether or not earlier ones have answered, and its latency is measured
// from that due time: a stalled server shows up as latency instead of silently lowering the rate
// (coordinated omission). autocannon's -R is unfit for this: it sends each second's quota back to back at the
// start of the second, so the bench would measure the queue it creates itself.
// argv[2]: JSON {url, method, headers, body, rate, seconds, warmupSeconds, maxSockets}
import { writeFileSync } from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";

const o = JSON.parse(process.argv[2]);
const url = new URL(o.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 64 });
const body = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
const headers = {
  ...(o.headers ?? {}),
  ...(body ? { "content-type": "application/json", "content-length": body.length } : {}),
};

function send(due, record) {
  const req = http.request(
    { host: url.hostname, port: url.port, path: url.pathname + url.search, method: o.method ?? "GET", headers, agent },
    (res) => {
      res.resume();
      res.on("end", () => record(res.statusCode, performance.now() - due));
    },
  );
  req.on("error", (err) => record(0, performance.now() - due, err));
  if (body) req.write(body);
  req.end();
}

function phase(seconds) {
  return new Promise((resolve) => {
    const total = Math.round(seconds * o.rate);
    const latencies = [];
    // o.trace: the slow requests (due time since the epoch, latency) and this process's own late ticks, to lay
    // beside the server's trace.
    const slow = [];
    const gaps = [];
    let lastTick = performance.now();
    let sent = 0;
    let answered = 0;
    let failures = 0;
    let firstError = null;
    const start = performance.now();
    const record = (status, ms, err) => {
      answered++;
      if (o.trace && ms > 5) slow.push([performance.timeOrigin + performance.now() - ms, ms]);
      if (status >= 200 && status < 300) latencies.push(ms);
      else {
        failures++;
        firstError ??= err ? String(err) : `status ${status}`;
      }
      if (answered === total) finish();
    };
    const timer = setInterval(() => {
      const now = performance.now();
      if (o.trace && now - lastTick > 4) gaps.push([performance.timeOrigin + lastTick, now - lastTick]);
      lastTick = now;
      while (sent < total && start + (sent * 1000) / o.rate <= now) send(start + (sent++ * 1000) / o.rate, record);
      if (sent === total) clearInterval(timer);
    }, 1);
    function finish() {
      const elapsed = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      if (o.trace) writeFileSync(o.trace, JSON.stringify({ start: performance.timeOrigin + start, slow, gaps }));
      const at = (q) =>
        Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
      resolve({
        requests: total,
        failures,
        firstError,
        seconds: elapsed,
        requestsPerSec: total / elapsed,
        p50: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: at(1),
      });
    }
  });
}

if (o.warmupSeconds) await phase(o.warmupSeconds);
const result = await phase(o.seconds);
agent.destroy();
process.stdout.write(JSON.stringify(result));
