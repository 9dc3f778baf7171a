import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsRepository } from "../../src/modules/metrics/repository.js";
import { labelsKey } from "../../src/modules/metrics/service.js";
import { ManualClock } from "../../src/platform/clock.js";
import { dialectOf } from "../../src/platform/db/dialect.js";
import { engines, harnessActor, type TestContext, testApp } from "../harness.js";

const T0 = Date.parse("2026-12-01T12:00:00Z");

describe.each(engines)("metrics storage on %s", (engine) => {
  let t: TestContext;
  let clock: ManualClock;
  let server: Server;
  let base: string;
  let body = "";
  beforeAll(async () => {
    clock = new ManualClock(new Date(T0));
    t = await testApp(engine, { clock });
    server = createServer((req, res) => {
      if (req.url === "/hang") return; // never answers
      if (req.url === "/huge") {
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = `${"x".repeat(1023)}\n`;
        let sent = 0;
        const write = () => {
          while (sent < 100 * 1024 && res.write(chunk)) sent++;
          if (sent < 100 * 1024) res.once("drain", write);
          else res.end();
        };
        write();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await t?.close();
  });

  const target = async (name: string, url: string, extra: Record<string, unknown> = {}) => {
    const created = await t.services.metrics.createTarget(harnessActor(t), { name, url, ...extra });
    return (await (t.services.metrics as any).repo.findTarget(created.id))!;
  };

  it("scrapes a target, stores samples and queries them raw, by step", async () => {
    const row = await target("app", `${base}/metrics`, { labels: { env: "prod" } });
    for (let i = 0; i < 10; i++) {
      clock.set(new Date(T0 + i * 60_000));
      body = `# TYPE reqs_total counter\nreqs_total{code="200"} ${i * 120}\nreqs_total{code="500"} ${i}\n# TYPE temp gauge\ntemp ${20 + i}\n`;
      expect(await t.services.metrics.scrape(row)).toEqual({ samples: 3, error: null });
    }
    const view = await t.services.metrics.getTarget(row.id);
    expect(view).toMatchObject({ lastError: null, lastSamples: 3, seriesCount: 3, seriesCapped: false });
    const avg = await t.services.metrics.query({
      metric: "temp",
      match: [],
      from: T0,
      to: T0 + 540_000,
      stepSeconds: 120,
      fn: "avg",
    });
    expect(avg.resolution).toBe("raw");
    expect(avg.series).toHaveLength(1);
    expect(avg.series[0]!.labels).toEqual({ env: "prod", target: "app" });
    expect(avg.series[0]!.points).toEqual([
      [T0, 20.5],
      [T0 + 120_000, 22.5],
      [T0 + 240_000, 24.5],
      [T0 + 360_000, 26.5],
      [T0 + 480_000, 28.5],
    ]);
    const rate = await t.services.metrics.query({
      metric: "reqs_total",
      match: [{ name: "code", op: "=", value: "200" }],
      from: T0,
      to: T0 + 540_000,
      stepSeconds: 300,
      fn: "rate",
    });
    // 120 requests a minute: 2 per second, however the steps cut the counter.
    expect(rate.series).toHaveLength(1);
    for (const [, v] of rate.series[0]!.points) expect(v).toBeCloseTo(2);
  });

  it("rolls samples up to 5 minutes and 1 hour with the same answers", async () => {
    await t.services.metrics.rollUp(T0 + 300_000);
    await t.services.metrics.rollUp(T0 + 600_000);
    const five = await t.services.metrics.query({
      metric: "temp",
      match: [],
      from: T0,
      to: T0 + 540_000,
      stepSeconds: 300,
      fn: "avg",
    });
    expect(five.resolution).toBe("5m");
    expect(five.series[0]!.points).toEqual([
      [T0, 22],
      [T0 + 300_000, 27],
    ]);
    const hour = await t.services.metrics.query({
      metric: "temp",
      match: [],
      from: T0,
      to: T0 + 540_000,
      stepSeconds: 3600,
      fn: "max",
    });
    expect(hour.resolution).toBe("1h");
    expect(hour.series[0]!.points).toEqual([[T0, 29]]);
    const min = await t.services.metrics.query({
      metric: "temp",
      match: [],
      from: T0,
      to: T0 + 540_000,
      stepSeconds: 3600,
      fn: "min",
    });
    expect(min.series[0]!.points).toEqual([[T0, 20]]);
    // Rolling up again changes nothing.
    await t.services.metrics.rollUp(T0 + 600_000);
    expect(
      (
        await t.services.metrics.query({
          metric: "temp",
          match: [],
          from: T0,
          to: T0 + 540_000,
          stepSeconds: 3600,
          fn: "count",
        })
      ).series[0]!.points,
    ).toEqual([[T0, 10]]);
  });

  it("finds a series whatever the exporter's label order, and a new series when the target's labels change", async () => {
    const row = await target("label-order", "http://127.0.0.1:1/metrics", { enabled: false });
    const gauge = (labels: Record<string, string>, value: number) => [
      {
        name: "order_gauge",
        type: "gauge" as const,
        help: null,
        samples: [{ name: "order_gauge", labels, value, timestampMs: null }],
      },
    ];
    const metrics = t.services.metrics;
    await metrics.ingest(row, gauge({ a: "1", b: "2" }, 1), { target: "label-order" }, T0);
    await metrics.ingest(row, gauge({ b: "2", a: "1" }, 2), { target: "label-order" }, T0 + 15_000);
    await metrics.ingest(row, gauge({ a: "1", b: "2" }, 4), { target: "label-order", site: "gru" }, T0 + 45_000);
    const q = await metrics.query({
      metric: "order_gauge",
      match: [],
      from: T0,
      to: T0 + 59_000,
      stepSeconds: 15,
      fn: "last",
    });
    const byLabels = Object.fromEntries(q.series.map((s) => [labelsKey(s.labels), s.points.map((p) => p[1])]));
    expect(byLabels).toEqual({
      [labelsKey({ a: "1", b: "2", target: "label-order" })]: [1, 2],
      [labelsKey({ a: "1", b: "2", target: "label-order", site: "gru" })]: [4],
    });
  });

  it("keeps the first sample of a series at an instant: a second scrape then adds only its new series", async () => {
    const row = await target("same-instant", "http://127.0.0.1:1/metrics", { enabled: false });
    const gauge = (samples: [string, number, number | null][]) => [
      {
        name: "instant_gauge",
        type: "gauge" as const,
        help: null,
        samples: samples.map(([host, value, timestampMs]) => ({
          name: "instant_gauge",
          labels: { host },
          value,
          timestampMs,
        })),
      },
    ];
    const metrics = t.services.metrics;
    const base = { target: "same-instant" };
    // A duplicate line in one scrape, and a sample carrying its own (earlier) timestamp: two frames.
    await metrics.ingest(
      row,
      gauge([
        ["a", 1, null],
        ["b", 2, null],
        ["a", 5, null],
        ["c", 7, T0 - 30_000],
      ]),
      base,
      T0,
    );
    // Same instant again, from a second scrape: a and b stay, d is added.
    await metrics.ingest(
      row,
      gauge([
        ["a", 9, null],
        ["d", 4, null],
        ["b", 8, null],
      ]),
      base,
      T0,
    );
    const series = await metrics.seriesMatching("instant_gauge", []);
    const points = await metrics.windowPoints(
      series.map((s) => s.id),
      T0 - 60_000,
      T0,
    );
    const byHost = Object.fromEntries(series.map((s) => [s.labels.host, points.get(s.id)]));
    expect(byHost).toEqual({
      a: [[T0, 1]],
      b: [[T0, 2]],
      c: [[T0 - 30_000, 7]],
      d: [[T0, 4]],
    });
    const frames = await t.platform.db
      .selectFrom("metric_frames")
      .select("t")
      .where("target_id", "=", row.id)
      .orderBy("t")
      .execute();
    expect(frames.map((f) => Number(f.t))).toEqual([T0 - 30_000, T0]);
  });

  it("reads a few series of a big target out of its frames as reading them whole does, across series list changes", async () => {
    const row = await target("sliced", "http://127.0.0.1:1/metrics", { enabled: false });
    const repo = (t.services.metrics as any).repo;
    const hosts = Array.from({ length: 48 }, (_, i) => `h${i}`);
    const created: { id: number; labels: Record<string, string> }[] = await repo.createSeries(
      row.id,
      hosts.map((host) => ({ metric: "sliced_gauge", labels: { host }, labels_key: `host=${host}` })),
      new Date(T0).toISOString(),
    );
    const id = new Map(created.map((s) => [s.labels.host!, Number(s.id)]));
    const S = T0 + 3_600_000;
    const at = (k: number) => S + k * 15_000;
    // Four layouts of ten frames each: h5 gone from the second on, h40 and h41 new, h12 missing only in the
    // third; h47 in no frame. NaN and ±Inf stored as they came.
    const hostsAt = (k: number) =>
      hosts.filter((_, i) => {
        if (i === 5) return k < 10;
        if (i === 12) return k < 20 || k >= 30;
        if (i === 40) return k >= 10;
        if (i === 41) return k >= 20;
        if (i === 42) return k >= 30;
        return i < 40;
      });
    const sampleOf = (h: string, k: number) => {
      if (h === "h3" && k === 3) return Number.NaN;
      if (h === "h3" && k === 13) return Number.POSITIVE_INFINITY;
      if (h === "h41" && k === 33) return Number.NEGATIVE_INFINITY;
      return Number(h.slice(1)) * 1000 + k;
    };
    for (let k = 0; k < 40; k++) {
      const present = hostsAt(k);
      await repo.insertSamples(
        row.id,
        present.map((h) => id.get(h)!),
        present.map(() => at(k)),
        present.map((h) => sampleOf(h, k)),
      );
    }
    const expected = (h: string, first: number, last: number) => {
      const points: [number, number][] = [];
      for (let k = first; k <= last; k++) if (hostsAt(k).includes(h)) points.push([at(k), sampleOf(h, k)]);
      return points;
    };
    // The same store, noting every frame read whole (a result row carrying its `samples`).
    let wholeFrames = 0;
    const watched = new MetricsRepository(
      t.platform.db.withPlugin({
        transformQuery: (args) => args.node,
        transformResult: async (args) => {
          wholeFrames += (args.result.rows as Record<string, unknown>[]).filter((r) => "samples" in r).length;
          return args.result;
        },
      }),
      dialectOf(t.platform.db),
    );
    const some = ["h0", "h3", "h5", "h12", "h20", "h39", "h40", "h41", "h42", "h47"];
    // Ranges over two layouts, over three and four (two and three changes: the middle ones found where the
    // series list changed), and within one frame: a few series are sliced out of every frame, none read whole.
    for (const [first, last] of [
      [5, 15],
      [12, 27],
      [5, 35],
      [0, 39],
      [25, 25],
    ] as const) {
      const want = (names: string[], store = watched) =>
        store.rawSamples(
          names.map((h) => id.get(h)!),
          at(first),
          at(last),
        );
      for (const h of some) expect([h, (await want([h])).get(id.get(h)!) ?? []]).toEqual([h, expected(h, first, last)]);
      // Together, and all of them (whole frames): the same answers.
      for (const names of [["h3", "h12", "h41"], hosts]) {
        const got = await want(names, names === hosts ? repo : watched);
        for (const h of names) expect([h, got.get(id.get(h)!) ?? []]).toEqual([h, expected(h, first, last)]);
      }
      expect([first, last, wholeFrames]).toEqual([first, last, 0]);
    }
    expect((await repo.rawSamples([id.get("h3")!], at(40), at(50))).size).toBe(0);
  });

  it("prunes raw samples past their retention", async () => {
    await t.services.metrics.rollUp(T0 + 8 * 86_400_000);
    const raw = await t.services.metrics.windowPoints([1, 2, 3], T0 - 1, T0 + 3_600_000);
    expect(raw.size).toBe(0);
  });

  it("caps series per target and says so", async () => {
    const row = await target("cardinality", `${base}/metrics`, { maxSeries: 50 });
    body = Array.from({ length: 200 }, (_, i) => `user_requests{user="${i}"} 1`).join("\n");
    const r = await t.services.metrics.scrape(row);
    expect(r.samples).toBe(50);
    const view = await t.services.metrics.getTarget(row.id);
    expect(view.seriesCapped).toBe(true);
    expect(view.seriesCount).toBe(50);
    expect(view.lastError).toMatch(/series limit of 50/);
  });

  it("reports malformed exposition with its line on the target", async () => {
    const row = await target("broken", `${base}/metrics`);
    body = "ok 1\nbad{x=1} 2\n";
    expect((await t.services.metrics.scrape(row)).error).toBe(
      "malformed exposition at line 2: expected a quoted value for label x",
    );
    expect((await t.services.metrics.getTarget(row.id)).lastError).toMatch(/line 2/);
  });

  it("bounds a target that hangs by its timeout and one that sends 100 MB by its size", async () => {
    const hang = await target("hang", `${base}/hang`, { timeoutSeconds: 1, intervalSeconds: 10 });
    const started = Date.now();
    expect((await t.services.metrics.scrape(hang)).error).toBe("timed out after 1 s");
    expect(Date.now() - started).toBeLessThan(3000);
    const huge = await target("huge", `${base}/huge`, { maxBytes: 1024 * 1024 });
    expect((await t.services.metrics.scrape(huge)).error).toBe("response exceeds the limit of 1048576 bytes");
  });

  it("collects the host it runs on without an exporter", async () => {
    const created = await t.services.metrics.createTarget(harnessActor(t), { name: "host", kind: "host" });
    const row = (await (t.services.metrics as any).repo.findTarget(created.id))!;
    const first = await t.services.metrics.scrape(row);
    expect(first.error).toBeNull();
    clock.set(new Date(T0 + 11 * 60_000));
    await new Promise((r) => setTimeout(r, 50));
    await t.services.metrics.scrape(row);
    const names = await t.services.metrics.metricNames();
    for (const n of [
      "node_cpu_seconds_total",
      "node_memory_MemAvailable_bytes",
      "node_filesystem_avail_bytes",
      "node_network_receive_bytes_total",
      "instance:memory_usage:percent",
      "instance:cpu_usage:percent",
    ])
      expect(names).toContain(n);
  });

  it("rejects a target without a usable URL", async () => {
    await expect(t.services.metrics.createTarget(harnessActor(t), { name: "x", url: "ftp://a" })).rejects.toThrow(
      /only http/,
    );
    await expect(t.services.metrics.createTarget(harnessActor(t), { name: "y", url: "nope" })).rejects.toThrow(
      /absolute/,
    );
  });
  it("packs hourly roll-ups a day per row across midnight, answers 1-hour queries from them, and prunes them", async () => {
    const row = await target("midnight", `${base}/metrics`);
    const D = Date.parse("2026-12-03T22:00:00Z");
    const MIN = 60_000;
    // A sample every 10 minutes from 22:00 to 01:50 UTC, rolled up 5 minutes after each, as the job would.
    for (let i = 0; i < 24; i++) {
      clock.set(new Date(D + i * 10 * MIN));
      body = `# TYPE midnight_temp gauge\nmidnight_temp ${i}\n`;
      await t.services.metrics.scrape(row);
      await t.services.metrics.rollUp(D + i * 10 * MIN + 5 * MIN);
    }
    const query = (fn: "avg" | "max" | "count") =>
      t.services.metrics.query({
        metric: "midnight_temp",
        match: [],
        from: D - 3_600_000,
        to: D + 5 * 3_600_000,
        stepSeconds: 3600,
        fn,
      });
    const avg = await query("avg");
    expect(avg.resolution).toBe("1h");
    const H = 3_600_000;
    expect(avg.series[0]!.points).toEqual([
      [D, 2.5],
      [D + H, 8.5],
      [D + 2 * H, 14.5],
      [D + 3 * H, 20.5],
    ]);
    expect((await query("max")).series[0]!.points.map(([, v]) => v)).toEqual([5, 11, 17, 23]);
    expect((await query("count")).series[0]!.points.map(([, v]) => v)).toEqual([6, 6, 6, 6]);
    const [series] = await t.platform.db
      .selectFrom("metric_series")
      .select("id")
      .where("metric", "=", "midnight_temp")
      .execute();
    const blocks = () =>
      t.platform.db
        .selectFrom("metric_hour_blocks")
        .select("day")
        .where("series_id", "=", series!.id)
        .orderBy("day")
        .execute();
    // Two UTC days, one row each.
    expect((await blocks()).map((b) => Number(b.day))).toEqual([
      Date.parse("2026-12-03T00:00:00Z"),
      Date.parse("2026-12-04T00:00:00Z"),
    ]);
    // Past the hourly retention (2 years) a whole day goes; the day still partly kept stays.
    await t.services.metrics.rollUp(Date.parse("2026-12-04T12:00:00Z") + 730 * 86_400_000);
    expect((await blocks()).map((b) => Number(b.day))).toEqual([Date.parse("2026-12-04T00:00:00Z")]);
  });
});
