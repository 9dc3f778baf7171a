/**
 * Parser for the Prometheus text exposition format (version 0.0.4), pure: text in, families out.
 * Malformed input throws an ExpositionError naming the line, so a bad target says where it went wrong.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  /** The sample's own name: `http_requests_total`, `latency_bucket`, `latency_sum`… */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the exporter gave one. */
  timestampMs: number | null;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string | null;
  samples: Sample[];
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = new Set<MetricType>(["counter", "gauge", "histogram", "summary", "untyped"]);
/** Suffixes by which a sample belongs to the family of its base name. */
const suffixes: Record<MetricType, readonly string[]> = {
  counter: ["_total"],
  gauge: [],
  untyped: [],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count"],
};

/** Go's ParseFloat accepts these spellings; exporters use them for ±Inf and NaN. */
function parseValue(text: string, line: number): number {
  switch (text) {
    case "+Inf":
    case "Inf":
    case "+inf":
    case "inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
    case "-inf":
      return Number.NEGATIVE_INFINITY;
    case "NaN":
    case "nan":
      return Number.NaN;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(text))
    throw new ExpositionError(line, `"${text}" is not a number`);
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
}

interface Cursor {
  text: string;
  pos: number;
  line: number;
}

function skipSpaces(c: Cursor) {
  while (c.text[c.pos] === " " || c.text[c.pos] === "\t") c.pos++;
}

function readName(c: Cursor, pattern: RegExp, what: string): string {
  const start = c.pos;
  while (c.pos < c.text.length && /[a-zA-Z0-9_:]/.test(c.text[c.pos]!)) c.pos++;
  const name = c.text.slice(start, c.pos);
  if (!pattern.test(name)) throw new ExpositionError(c.line, `invalid ${what} "${name}" at column ${start + 1}`);
  return name;
}

function readLabels(c: Cursor): Record<string, string> {
  const labels: Record<string, string> = {};
  c.pos++; // {
  for (;;) {
    skipSpaces(c);
    if (c.text[c.pos] === "}") {
      c.pos++;
      return labels;
    }
    const name = readName(c, LABEL_NAME, "label name");
    skipSpaces(c);
    if (c.text[c.pos] !== "=") throw new ExpositionError(c.line, `expected "=" after label ${name}`);
    c.pos++;
    skipSpaces(c);
    if (c.text[c.pos] !== '"') throw new ExpositionError(c.line, `expected a quoted value for label ${name}`);
    c.pos++;
    let value = "";
    for (;;) {
      const ch = c.text[c.pos];
      if (ch === undefined) throw new ExpositionError(c.line, `unterminated value of label ${name}`);
      c.pos++;
      if (ch === '"') break;
      if (ch === "\\") {
        const next = c.text[c.pos++];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else throw new ExpositionError(c.line, `invalid escape "\\${next ?? ""}" in label ${name}`);
      } else value += ch;
    }
    if (name in labels) throw new ExpositionError(c.line, `label ${name} given twice`);
    labels[name] = value;
    skipSpaces(c);
    if (c.text[c.pos] === ",") c.pos++;
    else if (c.text[c.pos] !== "}") throw new ExpositionError(c.line, `expected "," or "}" after label ${name}`);
  }
}

function familyOf(name: string, declared: Map<string, Family>): Family | undefined {
  const exact = declared.get(name);
  if (exact) return exact;
  for (const s of ["_bucket", "_sum", "_count", "_total"]) {
    if (!name.endsWith(s)) continue;
    const family = declared.get(name.slice(0, -s.length));
    if (family && suffixes[family.type].includes(s)) return family;
  }
  return undefined;
}

/** Parses a whole exposition; `maxSamples` stops a runaway target early (the caller reports it). */
export function parseExposition(text: string, options: { maxSamples?: number } = {}): Family[] {
  const families: Family[] = [];
  const declared = new Map<string, Family>();
  const seen = new Set<string>();
  const max = options.maxSamples ?? Number.POSITIVE_INFINITY;
  let count = 0;
  let current: Family | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.endsWith("\r") ? lines[i]!.slice(0, -1) : lines[i]!;
    const line = raw.replace(/^[ \t]+/, "");
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) continue; // an ordinary comment
      const [, keyword, name, rest = ""] = m;
      if (!METRIC_NAME.test(name!)) throw new ExpositionError(lineNo, `invalid metric name "${name}"`);
      let family = declared.get(name!);
      if (!family) {
        if (seen.has(name!)) throw new ExpositionError(lineNo, `${keyword} for ${name} after its samples`);
        family = { name: name!, type: "untyped", help: null, samples: [] };
        declared.set(name!, family);
        families.push(family);
      }
      if (keyword === "TYPE") {
        const type = rest.trim() as MetricType;
        if (!types.has(type)) throw new ExpositionError(lineNo, `unknown metric type "${rest.trim()}"`);
        if (family.samples.length > 0) throw new ExpositionError(lineNo, `TYPE for ${name} after its samples`);
        if (family.type !== "untyped" && family.type !== type)
          throw new ExpositionError(lineNo, `second TYPE for ${name}`);
        family.type = type;
      } else {
        if (family.help !== null) throw new ExpositionError(lineNo, `second HELP for ${name}`);
        family.help = unescapeHelp(rest);
      }
      current = family;
      continue;
    }
    const c: Cursor = { text: line, pos: 0, line: lineNo };
    const name = readName(c, METRIC_NAME, "metric name");
    skipSpaces(c);
    const labels = c.text[c.pos] === "{" ? readLabels(c) : {};
    skipSpaces(c);
    const fields = c.text
      .slice(c.pos)
      .trim()
      .split(/[ \t]+/);
    if (fields.length === 0 || fields[0] === "") throw new ExpositionError(lineNo, `sample ${name} has no value`);
    if (fields.length > 2) throw new ExpositionError(lineNo, `unexpected text after the value of ${name}`);
    const value = parseValue(fields[0]!, lineNo);
    let timestampMs: number | null = null;
    if (fields[1] !== undefined) {
      if (!/^-?\d+$/.test(fields[1])) throw new ExpositionError(lineNo, `"${fields[1]}" is not a timestamp`);
      timestampMs = Number(fields[1]);
    }
    let family =
      current && (current.name === name || suffixes[current.type].some((s) => name === current!.name + s))
        ? current
        : familyOf(name, declared);
    if (!family) {
      family = { name, type: "untyped", help: null, samples: [] };
      declared.set(name, family);
      families.push(family);
    }
    if (family.type === "histogram" && name === `${family.name}_bucket` && labels.le === undefined)
      throw new ExpositionError(lineNo, `histogram bucket ${name} without an "le" label`);
    if (family.type === "histogram" && labels.le !== undefined) parseValue(labels.le, lineNo);
    if (family.type === "summary" && name === family.name && labels.quantile === undefined)
      throw new ExpositionError(lineNo, `summary sample ${name} without a "quantile" label`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seen.has(key)) throw new ExpositionError(lineNo, `duplicate sample ${name}${formatLabels(labels)}`);
    seen.add(key);
    seen.add(name);
    if (++count > max) throw new ExpositionError(lineNo, `more than ${max} samples`);
    family.samples.push({ name, labels, value, timestampMs });
    current = family;
  }
  return families;
}

export function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`).join(",")}}`;
}
