import { createHash } from "node:crypto";

/**
 * Alert routing, pure: fingerprints (deduplication by label set), matchers, silences, inhibition, the
 * route tree, mute intervals and the grouping timer (group_wait, group_interval, repeat_interval), as
 * Alertmanager defines them. Routing decides what to notify; the service sends it and stores the state.
 */

export type Labels = Record<string, string>;

export interface Matcher {
  name: string;
  value: string;
  isRegex?: boolean;
  /** False negates the match (`!=`, `!~`). */
  isEqual?: boolean;
}

/** The identity of an alert: its sorted label set. Two alerts with the same labels are one alert. */
export function fingerprint(labels: Labels): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
}

const regexCache = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, "u");
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** A regex matcher that does not compile, as `field: reason`, or null. */
export function matcherProblem(m: Matcher): string | null {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) return `"${m.name}" is not a label name`;
  if (!m.isRegex) return null;
  try {
    anchored(m.value);
    return null;
  } catch (err) {
    return `invalid regular expression for ${m.name}: ${(err as Error).message}`;
  }
}

/**
 * Matchers in Alertmanager's syntax, as amtool and the v2 `filter` parameter send them: `name="value"`,
 * `name!="value"`, `name=~"regex"`, `name!~"regex"`, several separated by commas, optionally in braces;
 * an unquoted value runs to the next comma. Returns the matchers, or why the text is not one.
 */
export function parseMatchers(text: string): Matcher[] | string {
  let body = text.trim();
  if (body.startsWith("{")) {
    if (!body.endsWith("}")) return `"${text}" opens a brace it does not close`;
    body = body.slice(1, -1).trim();
  }
  const out: Matcher[] = [];
  let i = 0;
  while (i < body.length) {
    const head = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*/.exec(body.slice(i));
    if (!head) return `"${body.slice(i)}" is not a matcher (name="value", !=, =~ or !~)`;
    i += head[0].length;
    let value = "";
    if (body[i] === '"') {
      i++;
      for (;;) {
        if (i >= body.length) return `the value of ${head[1]} is not closed with a quote`;
        const c = body[i++]!;
        if (c === '"') break;
        if (c === "\\" && i < body.length) {
          const e = body[i++]!;
          value += e === "n" ? "\n" : e;
        } else value += c;
      }
    } else {
      const end = body.indexOf(",", i);
      value = (end === -1 ? body.slice(i) : body.slice(i, end)).trim();
      i = end === -1 ? body.length : end;
    }
    const op = head[2]!;
    const m: Matcher = { name: head[1]!, value, isRegex: op.endsWith("~"), isEqual: !op.startsWith("!") };
    const problem = matcherProblem(m);
    if (problem) return problem;
    out.push(m);
    const rest = /^\s*(,|$)\s*/.exec(body.slice(i));
    if (!rest) return `expected a comma after the matcher of ${m.name}`;
    i += rest[0].length;
  }
  return out;
}

/** A missing label matches as the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? "";
  const hit = m.isRegex ? anchored(m.value).test(v) : v === m.value;
  return m.isEqual === false ? !hit : hit;
}

export const matchesAll = (ms: readonly Matcher[], labels: Labels) => ms.every((m) => matches(m, labels));

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
}

export const silenceActive = (s: Pick<Silence, "startsAt" | "endsAt">, now: Date) =>
  Date.parse(s.startsAt) <= now.getTime() && now.getTime() < Date.parse(s.endsAt);

/** Ids of the active silences that silence these labels. */
export function silencedBy(silences: readonly Silence[], labels: Labels, now: Date): string[] {
  return silences.filter((s) => silenceActive(s, now) && matchesAll(s.matchers, labels)).map((s) => s.id);
}

export interface InhibitRule {
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  /** Labels whose values must be equal in source and target (e.g. `host`). */
  equal: string[];
}

/**
 * Fingerprints of the firing alerts inhibiting one target: a source firing alert that matches the rule's
 * source matchers and has the same values of `equal` suppresses a target matching the target matchers.
 * An alert never inhibits itself.
 */
export function inhibitedBy(
  rules: readonly InhibitRule[],
  firing: readonly { fingerprint: string; labels: Labels }[],
  target: { fingerprint: string; labels: Labels },
): string[] {
  const by: string[] = [];
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, target.labels)) continue;
    for (const source of firing) {
      if (source.fingerprint === target.fingerprint) continue;
      if (!matchesAll(rule.sourceMatchers, source.labels)) continue;
      if (rule.equal.every((l) => (source.labels[l] ?? "") === (target.labels[l] ?? ""))) by.push(source.fingerprint);
    }
  }
  return [...new Set(by)];
}

export interface RouteTiming {
  groupBy: string[];
  groupWaitSeconds: number;
  groupIntervalSeconds: number;
  repeatIntervalSeconds: number;
}

export interface RouteNode extends Partial<RouteTiming> {
  id: string;
  receiver?: string | null;
  matchers: Matcher[];
  /** Keep looking at the following siblings after this route matched. */
  continue?: boolean;
  muteIntervals?: string[];
  routes?: RouteNode[];
}

export interface MatchedRoute extends RouteTiming {
  routeId: string;
  receiver: string;
  muteIntervals: string[];
}

/** Alertmanager's defaults for the root route. */
export const defaultTiming: RouteTiming = {
  groupBy: ["alertname"],
  groupWaitSeconds: 30,
  groupIntervalSeconds: 300,
  repeatIntervalSeconds: 4 * 3600,
};

/**
 * The routes an alert goes to: depth first, the deepest matching routes, each inheriting what it does not
 * set from its parent; the root always matches and takes the alert when no child does.
 */
export function routeAlert(root: RouteNode, labels: Labels): MatchedRoute[] {
  const visit = (node: RouteNode, inherited: MatchedRoute): MatchedRoute[] => {
    const here: MatchedRoute = {
      routeId: node.id,
      receiver: node.receiver ?? inherited.receiver,
      groupBy: node.groupBy ?? inherited.groupBy,
      groupWaitSeconds: node.groupWaitSeconds ?? inherited.groupWaitSeconds,
      groupIntervalSeconds: node.groupIntervalSeconds ?? inherited.groupIntervalSeconds,
      repeatIntervalSeconds: node.repeatIntervalSeconds ?? inherited.repeatIntervalSeconds,
      muteIntervals: node.muteIntervals ?? [],
    };
    const out: MatchedRoute[] = [];
    for (const child of node.routes ?? []) {
      if (!matchesAll(child.matchers, labels)) continue;
      out.push(...visit(child, here));
      if (!child.continue) break;
    }
    return out.length > 0 ? out : [here];
  };
  return visit(root, { routeId: root.id, receiver: root.receiver ?? "", muteIntervals: [], ...defaultTiming });
}

/** The key of an alert's group on one route: the route and the values of its group_by labels (`...` = all). */
export function groupKey(route: Pick<MatchedRoute, "routeId" | "groupBy">, labels: Labels): string {
  const names = route.groupBy.includes("...") ? Object.keys(labels).sort() : [...route.groupBy].sort();
  return `${route.routeId}:${JSON.stringify(names.map((n) => [n, labels[n] ?? ""]))}`;
}

export interface TimeInterval {
  /** 0 = Sunday … 6 = Saturday; empty = every day. */
  weekdays?: number[];
  /** Minutes since local midnight, [start, end); empty = all day. */
  times?: { startMinute: number; endMinute: number }[];
  /** Local dates YYYY-MM-DD, inclusive; empty = any date. */
  dates?: { from: string; to: string }[];
  timezone: string;
}

function localParts(now: Date, timezone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
      hourCycle: "h23",
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday!);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Whether an instant falls in a mute interval (in the interval's own zone). */
export function inInterval(interval: TimeInterval, now: Date): boolean {
  const local = localParts(now, interval.timezone);
  if (interval.weekdays?.length && !interval.weekdays.includes(local.weekday)) return false;
  if (interval.dates?.length && !interval.dates.some((d) => d.from <= local.date && local.date <= d.to)) return false;
  if (
    interval.times?.length &&
    !interval.times.some((t) => t.startMinute <= local.minute && local.minute < t.endMinute)
  )
    return false;
  return true;
}

/** One alert of a group as its flush sees it. */
export interface GroupAlert {
  fingerprint: string;
  state: "firing" | "resolved";
  /** Silenced or inhibited: its firing is not notified (its resolution is, when its firing was). */
  suppressed: boolean;
  silenced?: boolean;
}

export interface GroupMemory {
  createdAt: string;
  lastFlushAt: string | null;
  lastNotifiedAt: string | null;
  /** Fingerprints notified as firing by the last notification. */
  notifiedFiring: string[];
}

export interface FlushDecision {
  /** What to send now; null when nothing is due. */
  notify: { firing: string[]; resolved: string[] } | null;
  /** When this group should be looked at next (null: it is empty and can be dropped). */
  nextAt: string | null;
  memory: GroupMemory;
}

/**
 * The grouping timer: a new group waits group_wait, then each group_interval sends what changed (new firing
 * alerts or resolutions); an unchanged firing group is sent again every repeat_interval. Resolutions of
 * alerts notified as firing are sent even when inhibited since (never suppressed), not when silenced.
 */
export function flush(
  memory: GroupMemory,
  alerts: readonly GroupAlert[],
  timing: RouteTiming,
  now: Date,
  muted: boolean,
): FlushDecision {
  const t = now.getTime();
  const firstDue = Date.parse(memory.createdAt) + timing.groupWaitSeconds * 1000;
  const due =
    memory.lastFlushAt === null ? firstDue : Date.parse(memory.lastFlushAt) + timing.groupIntervalSeconds * 1000;
  if (t < due) return { notify: null, nextAt: new Date(due).toISOString(), memory };
  const notified = new Set(memory.notifiedFiring);
  const firing = alerts.filter((a) => a.state === "firing" && !a.suppressed).map((a) => a.fingerprint);
  const resolved = alerts
    .filter((a) => a.state === "resolved" && notified.has(a.fingerprint) && !a.silenced)
    .map((a) => a.fingerprint);
  const newFiring = firing.filter((f) => !notified.has(f));
  const repeat =
    firing.length > 0 &&
    memory.lastNotifiedAt !== null &&
    t >= Date.parse(memory.lastNotifiedAt) + timing.repeatIntervalSeconds * 1000;
  const send = !muted && (newFiring.length > 0 || resolved.length > 0 || repeat);
  const stillFiring = new Set(alerts.filter((a) => a.state === "firing").map((a) => a.fingerprint));
  const at = now.toISOString();
  // While muted nothing is forgotten: the resolutions wait for the end of the mute interval.
  const notifiedFiring = muted
    ? memory.notifiedFiring
    : [
        ...new Set([
          ...(send ? firing : []),
          // Suppressed since their firing was sent: kept, so their resolution is delivered later.
          ...memory.notifiedFiring.filter((f) => stillFiring.has(f)),
        ]),
      ];
  const next: GroupMemory = {
    ...memory,
    lastFlushAt: at,
    lastNotifiedAt: send ? at : memory.lastNotifiedAt,
    notifiedFiring,
  };
  const live = stillFiring.size > 0 || notifiedFiring.length > 0;
  return {
    notify: send ? { firing, resolved } : null,
    nextAt: live ? new Date(t + timing.groupIntervalSeconds * 1000).toISOString() : null,
    memory: next,
  };
}
