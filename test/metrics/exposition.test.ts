import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExpositionError, formatLabels, parseExposition } from "../../src/modules/metrics/exposition.js";
import { usageGauges } from "../../src/modules/metrics/host.js";

const errorOf = (text: string) => {
  try {
    parseExposition(text);
  } catch (err) {
    return err as ExpositionError;
  }
  throw new Error("parsed");
};

describe("exposition parser", () => {
  it("parses counters and gauges with HELP, TYPE, labels and timestamps", () => {
    const families = parseExposition(
      [
        "# HELP http_requests_total The total number of HTTP requests.",
        "# TYPE http_requests_total counter",
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        "",
        "# A normal comment",
        "# TYPE temp gauge",
        "temp -3.5e2",
        "no_type_metric 12",
      ].join("\n"),
    );
    expect(families).toEqual([
      {
        name: "http_requests_total",
        type: "counter",
        help: "The total number of HTTP requests.",
        samples: [
          {
            name: "http_requests_total",
            labels: { method: "post", code: "200" },
            value: 1027,
            timestampMs: 1395066363000,
          },
          {
            name: "http_requests_total",
            labels: { method: "post", code: "400" },
            value: 3,
            timestampMs: 1395066363000,
          },
        ],
      },
      {
        name: "temp",
        type: "gauge",
        help: null,
        samples: [{ name: "temp", labels: {}, value: -350, timestampMs: null }],
      },
      {
        name: "no_type_metric",
        type: "untyped",
        help: null,
        samples: [{ name: "no_type_metric", labels: {}, value: 12, timestampMs: null }],
      },
    ]);
  });

  it("groups histogram and summary samples under their family", () => {
    const [h, s] = parseExposition(
      [
        "# HELP rpc_latency A histogram.",
        "# TYPE rpc_latency histogram",
        'rpc_latency_bucket{le="0.05"} 24054',
        'rpc_latency_bucket{le="0.1"} 33444',
        'rpc_latency_bucket{le="+Inf"} 144320',
        "rpc_latency_sum 53423",
        "rpc_latency_count 144320",
        "# TYPE rpc_duration summary",
        'rpc_duration{quantile="0.5"} 4773',
        'rpc_duration{quantile="0.99"} NaN',
        "rpc_duration_sum 1.7560473e+07",
        "rpc_duration_count 2693",
      ].join("\n"),
    );
    expect(h!.type).toBe("histogram");
    expect(h!.samples.map((x) => x.name)).toEqual([
      "rpc_latency_bucket",
      "rpc_latency_bucket",
      "rpc_latency_bucket",
      "rpc_latency_sum",
      "rpc_latency_count",
    ]);
    expect(h!.samples[2]!.labels.le).toBe("+Inf");
    expect(s!.type).toBe("summary");
    expect(s!.samples).toHaveLength(4);
    expect(Number.isNaN(s!.samples[1]!.value)).toBe(true);
    expect(s!.samples[2]!.value).toBe(17560473);
  });

  it("unescapes label values and HELP text", () => {
    const [f] = parseExposition(
      [
        "# HELP msdos_file_access_time_seconds Help with \\\\ and \\n new line",
        'msdos{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      ].join("\n"),
    );
    expect(f!.help).toBe("Help with \\ and \n new line");
    expect(parseExposition('m{path="C:\\\\DIR",error="x:\\n\\"y\\""} 1')[0]!.samples[0]!.labels).toEqual({
      path: "C:\\DIR",
      error: 'x:\n"y"',
    });
  });

  it("accepts ±Inf, NaN, CRLF, trailing commas in labels, empty label sets and spaces around labels", () => {
    const [f] = parseExposition('a{x="1",} +Inf\r\na{ y = "2" } -Inf\r\na{} NaN\r\n');
    expect(f!.samples.map((s) => s.value)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]);
    expect(f!.samples[1]!.labels).toEqual({ y: "2" });
  });

  it("parses node_exporter-style names with colons and _total counters", () => {
    const [f] = parseExposition(
      '# TYPE node_cpu_seconds_total counter\nnode_cpu_seconds_total{cpu="0",mode="idle"} 123.5\njob:up:sum 1\n',
    );
    expect(f!.samples[0]!.value).toBe(123.5);
  });

  it.each([
    ["metric", 1, "has no value"],
    ["metric 1 2 3", 1, "unexpected text"],
    ["ok 1\nmetric abc", 2, '"abc" is not a number'],
    ["metric 1 12.5", 1, "is not a timestamp"],
    ['m{a="1" 1', 1, 'expected "," or "}"'],
    ['m{a="1} 1', 1, "unterminated value"],
    ["m{a=1} 1", 1, "quoted value"],
    ["m{a} 1", 1, 'expected "="'],
    ['m{0a="1"} 1', 1, "invalid label name"],
    ['m{a="\\x"} 1', 1, "invalid escape"],
    ['m{a="1",a="2"} 1', 1, "given twice"],
    ["0metric 1", 1, "invalid metric name"],
    ["\n\n# TYPE m blah", 3, "unknown metric type"],
    ["# TYPE m counter\n# TYPE m gauge", 2, "second TYPE"],
    ["# HELP m a\n# HELP m b", 2, "second HELP"],
    ["m 1\n# TYPE m counter", 2, "after its samples"],
    ["m 1\nm 2", 2, "duplicate sample"],
    ["# TYPE h histogram\nh_bucket 1", 2, 'without an "le"'],
    ['# TYPE h histogram\nh_bucket{le="x"} 1', 2, "is not a number"],
    ["# TYPE s summary\ns 1", 2, 'without a "quantile"'],
  ])("rejects %j at line %i (%s)", (text, line, reason) => {
    const err = errorOf(text);
    expect(err).toBeInstanceOf(ExpositionError);
    expect(err.line).toBe(line);
    expect(err.message).toContain(reason);
    expect(err.message).toMatch(new RegExp(`^line ${line}: `));
  });

  it("stops at maxSamples", () => {
    const text = Array.from({ length: 10 }, (_, i) => `m{i="${i}"} ${i}`).join("\n");
    expect(() => parseExposition(text, { maxSamples: 5 })).toThrow("line 6: more than 5 samples");
  });

  it("round-trips any label values through formatLabels", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
        fc.double({ noNaN: true }),
        (labels, value) => {
          const [f] = parseExposition(`m${formatLabels(labels)} ${String(value).replace("Infinity", "Inf")}\n`);
          expect(f!.samples[0]!.labels).toEqual(labels);
          expect(f!.samples[0]!.value).toBe(value === 0 ? 0 : value);
        },
      ),
    );
  });

  it("never throws anything but an ExpositionError on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseExposition(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpositionError);
        }
      }),
    );
  });
});

describe("usage gauges in the plan's KPI terms", () => {
  const gaugeOf = (text: string) =>
    usageGauges(parseExposition(text), undefined).families.find(
      (f) => f.name === "instance:database_connections:percent",
    )?.samples[0]?.value;

  it("derives database connections in use from postgres_exporter and mysqld_exporter", () => {
    expect(
      gaugeOf(
        [
          "pg_settings_max_connections 100",
          'pg_stat_database_numbackends{datname="plantao"} 60',
          'pg_stat_database_numbackends{datname="asterisk"} 15',
        ].join("\n"),
      ),
    ).toBe(75);
    expect(gaugeOf("mysql_global_variables_max_connections 151\nmysql_global_status_threads_connected 151\n")).toBe(
      100,
    );
    expect(gaugeOf('pg_stat_database_numbackends{datname="x"} 3\n')).toBeUndefined();
  });
});
