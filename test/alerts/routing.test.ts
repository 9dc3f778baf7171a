import { describe, expect, it } from "vitest";
import {
  fingerprint,
  flush,
  type GroupAlert,
  type GroupMemory,
  groupKey,
  inhibitedBy,
  inInterval,
  matcherProblem,
  matches,
  parseMatchers,
  type RouteNode,
  type RouteTiming,
  routeAlert,
  silencedBy,
} from "../../src/modules/alerts/routing.js";

const t0 = Date.parse("2026-12-01T12:00:00Z");
const at = (s: number) => new Date(t0 + s * 1000);

describe("fingerprints and matchers", () => {
  it("deduplicates by label set, whatever the order", () => {
    expect(fingerprint({ a: "1", b: "2" })).toBe(fingerprint({ b: "2", a: "1" }));
    expect(fingerprint({ a: "1" })).not.toBe(fingerprint({ a: "1", b: "" }));
    expect(fingerprint({ a: "1,b" })).not.toBe(fingerprint({ a: "1", b: "" }));
  });
  it("matches equal, regex (anchored), negated, and missing labels as empty", () => {
    const l = { host: "pbx-01", severity: "critical" };
    expect(matches({ name: "host", value: "pbx-01" }, l)).toBe(true);
    expect(matches({ name: "host", value: "pbx-.*", isRegex: true }, l)).toBe(true);
    expect(matches({ name: "host", value: "pbx", isRegex: true }, l)).toBe(false);
    expect(matches({ name: "host", value: "pbx-01", isEqual: false }, l)).toBe(false);
    expect(matches({ name: "team", value: "" }, l)).toBe(true);
    expect(matches({ name: "team", value: ".+", isRegex: true, isEqual: false }, l)).toBe(true);
  });
  it("reports a bad regex or label name", () => {
    expect(matcherProblem({ name: "a", value: "(", isRegex: true })).toMatch(/invalid regular expression/);
    expect(matcherProblem({ name: "1a", value: "x" })).toMatch(/not a label name/);
    expect(matcherProblem({ name: "a", value: "(x|y)", isRegex: true })).toBeNull();
  });
});

describe("silences", () => {
  const s = {
    id: "s1",
    matchers: [{ name: "host", value: "pbx-01" }],
    startsAt: at(0).toISOString(),
    endsAt: at(3600).toISOString(),
  };
  it("silence matching alerts only while active", () => {
    expect(silencedBy([s], { host: "pbx-01", alertname: "X" }, at(10))).toEqual(["s1"]);
    expect(silencedBy([s], { host: "pbx-02" }, at(10))).toEqual([]);
    expect(silencedBy([s], { host: "pbx-01" }, at(-1))).toEqual([]);
    expect(silencedBy([s], { host: "pbx-01" }, at(3600))).toEqual([]);
  });
});

describe("inhibition", () => {
  const rule = {
    sourceMatchers: [{ name: "alertname", value: "HostDown" }],
    targetMatchers: [{ name: "alertname", value: "TrunkDown" }],
    equal: ["host"],
  };
  const src = { fingerprint: "src", labels: { alertname: "HostDown", host: "pbx-01" } };
  it("a firing source suppresses targets with equal labels only", () => {
    expect(
      inhibitedBy([rule], [src], { fingerprint: "t1", labels: { alertname: "TrunkDown", host: "pbx-01" } }),
    ).toEqual(["src"]);
    expect(
      inhibitedBy([rule], [src], { fingerprint: "t2", labels: { alertname: "TrunkDown", host: "pbx-02" } }),
    ).toEqual([]);
    expect(inhibitedBy([rule], [src], { fingerprint: "t3", labels: { alertname: "Other", host: "pbx-01" } })).toEqual(
      [],
    );
    expect(inhibitedBy([rule], [], { fingerprint: "t1", labels: { alertname: "TrunkDown", host: "pbx-01" } })).toEqual(
      [],
    );
  });
  it("never inhibits an alert by itself", () => {
    const self = { sourceMatchers: [], targetMatchers: [], equal: [] };
    expect(inhibitedBy([self], [src], src)).toEqual([]);
  });
});

describe("route tree", () => {
  const tree: RouteNode = {
    id: "root",
    receiver: "default",
    matchers: [],
    groupBy: ["alertname"],
    routes: [
      {
        id: "db",
        receiver: "dba",
        matchers: [{ name: "service", value: "postgres" }],
        groupWaitSeconds: 10,
        continue: true,
      },
      {
        id: "voip",
        receiver: "noc",
        matchers: [{ name: "team", value: "voip" }],
        groupBy: ["host"],
        routes: [{ id: "voip-crit", receiver: "oncall", matchers: [{ name: "severity", value: "critical" }] }],
      },
      { id: "never", receiver: "x", matchers: [{ name: "team", value: "voip" }] },
    ],
  };
  it("takes the deepest match and inherits settings", () => {
    const [r] = routeAlert(tree, { team: "voip", severity: "critical" });
    expect(r).toMatchObject({ routeId: "voip-crit", receiver: "oncall", groupBy: ["host"], groupWaitSeconds: 30 });
  });
  it("stops at the first matching sibling unless continue", () => {
    expect(routeAlert(tree, { service: "postgres", team: "voip" }).map((r) => r.receiver)).toEqual(["dba", "noc"]);
    expect(routeAlert(tree, { team: "voip" }).map((r) => r.routeId)).toEqual(["voip"]);
  });
  it("falls back to the root", () => {
    expect(routeAlert(tree, { x: "1" })).toMatchObject([
      { routeId: "root", receiver: "default", groupIntervalSeconds: 300 },
    ]);
  });
  it("groups by the route's group_by values", () => {
    const r = { routeId: "voip", groupBy: ["host"] };
    expect(groupKey(r, { host: "a", alertname: "X" })).toBe(groupKey(r, { host: "a", alertname: "Y" }));
    expect(groupKey(r, { host: "a" })).not.toBe(groupKey(r, { host: "b" }));
    expect(groupKey({ routeId: "v", groupBy: ["..."] }, { a: "1" })).not.toBe(
      groupKey({ routeId: "v", groupBy: ["..."] }, { a: "2" }),
    );
  });
});

describe("mute intervals", () => {
  it("matches weekdays and local times in the interval's zone", () => {
    // 2026-12-01 is a Tuesday; 12:00 UTC is 09:00 in São Paulo.
    const business = {
      weekdays: [1, 2, 3, 4, 5],
      times: [{ startMinute: 8 * 60, endMinute: 18 * 60 }],
      timezone: "America/Sao_Paulo",
    };
    expect(inInterval(business, at(0))).toBe(true);
    expect(inInterval(business, at(-2 * 3600))).toBe(false);
    expect(inInterval({ weekdays: [0, 6], timezone: "America/Sao_Paulo" }, at(0))).toBe(false);
    expect(inInterval({ dates: [{ from: "2026-12-01", to: "2026-12-01" }], timezone: "UTC" }, at(0))).toBe(true);
    expect(inInterval({ dates: [{ from: "2026-12-02", to: "2026-12-03" }], timezone: "UTC" }, at(0))).toBe(false);
  });
});

describe("grouping timer", () => {
  const timing: RouteTiming = {
    groupBy: ["alertname"],
    groupWaitSeconds: 30,
    groupIntervalSeconds: 300,
    repeatIntervalSeconds: 3600,
  };
  const fresh: GroupMemory = {
    createdAt: at(0).toISOString(),
    lastFlushAt: null,
    lastNotifiedAt: null,
    notifiedFiring: [],
  };
  const firing = (f: string, extra: Partial<GroupAlert> = {}): GroupAlert => ({
    fingerprint: f,
    state: "firing",
    suppressed: false,
    ...extra,
  });
  const resolved = (f: string, extra: Partial<GroupAlert> = {}): GroupAlert => ({
    fingerprint: f,
    state: "resolved",
    suppressed: false,
    ...extra,
  });

  it("waits group_wait, then sends the whole group once", () => {
    const early = flush(fresh, [firing("a")], timing, at(10), false);
    expect(early.notify).toBeNull();
    expect(early.nextAt).toBe(at(30).toISOString());
    const first = flush(fresh, [firing("a"), firing("b")], timing, at(30), false);
    expect(first.notify).toEqual({ firing: ["a", "b"], resolved: [] });
    expect(first.nextAt).toBe(at(330).toISOString());
    // Nothing new at the next interval: no notification.
    const again = flush(first.memory, [firing("a"), firing("b")], timing, at(330), false);
    expect(again.notify).toBeNull();
    // Before group_interval: not due.
    expect(flush(first.memory, [firing("a"), firing("c")], timing, at(100), false).notify).toBeNull();
    // A new alert joins: the group is sent at the next interval.
    expect(flush(again.memory, [firing("a"), firing("b"), firing("c")], timing, at(630), false).notify).toEqual({
      firing: ["a", "b", "c"],
      resolved: [],
    });
  });

  it("repeats an unchanged firing group every repeat_interval", () => {
    let m = flush(fresh, [firing("a")], timing, at(30), false).memory;
    let sent = 0;
    for (let s = 330; s <= 3630 + 300; s += 300) {
      const d = flush(m, [firing("a")], timing, at(s), false);
      m = d.memory;
      if (d.notify) sent++;
    }
    expect(sent).toBe(1);
    expect(m.lastNotifiedAt).toBe(at(3630).toISOString());
  });

  it("sends resolutions once, and drops an empty group", () => {
    const m = flush(fresh, [firing("a")], timing, at(30), false).memory;
    const r = flush(m, [resolved("a")], timing, at(330), false);
    expect(r.notify).toEqual({ firing: [], resolved: ["a"] });
    expect(r.nextAt).toBeNull();
    expect(r.memory.notifiedFiring).toEqual([]);
  });

  it("suppresses firing of inhibited alerts but still delivers the resolution of one notified before", () => {
    const inhibited = flush(fresh, [firing("a", { suppressed: true })], timing, at(30), false);
    expect(inhibited.notify).toBeNull();
    // b was notified, then got inhibited, then resolved: its resolution is delivered.
    const m = flush(fresh, [firing("b")], timing, at(30), false).memory;
    const whileInhibited = flush(m, [firing("b", { suppressed: true })], timing, at(330), false);
    expect(whileInhibited.notify).toBeNull();
    const r = flush(whileInhibited.memory, [resolved("b", { suppressed: true })], timing, at(630), false);
    expect(r.notify).toEqual({ firing: [], resolved: ["b"] });
  });

  it("never sends a resolution for a firing that was never sent", () => {
    const m = flush(fresh, [firing("a", { suppressed: true })], timing, at(30), false).memory;
    expect(flush(m, [resolved("a")], timing, at(330), false).notify).toBeNull();
  });

  it("a silenced resolution is not sent", () => {
    const m = flush(fresh, [firing("a")], timing, at(30), false).memory;
    const d = flush(m, [resolved("a", { suppressed: true, silenced: true })], timing, at(330), false);
    expect(d.notify).toBeNull();
    expect(d.nextAt).toBeNull();
  });

  it("mutes during a mute interval and sends what waited afterwards", () => {
    const muted = flush(fresh, [firing("a")], timing, at(30), true);
    expect(muted.notify).toBeNull();
    expect(muted.nextAt).not.toBeNull();
    expect(flush(muted.memory, [firing("a")], timing, at(330), false).notify).toEqual({ firing: ["a"], resolved: [] });
  });
});

describe("matchers in Alertmanager's syntax", () => {
  it("reads the four operators, quoted and bare values, braces and escapes", () => {
    expect(parseMatchers('{alertname="Trunk, Down", host=~"pbx-.*"}')).toEqual([
      { name: "alertname", value: "Trunk, Down", isRegex: false, isEqual: true },
      { name: "host", value: "pbx-.*", isRegex: true, isEqual: true },
    ]);
    expect(parseMatchers("severity!=low")).toEqual([
      { name: "severity", value: "low", isRegex: false, isEqual: false },
    ]);
    expect(parseMatchers('team!~"voip|sip" , a = "q\\"x"')).toEqual([
      { name: "team", value: "voip|sip", isRegex: true, isEqual: false },
      { name: "a", value: 'q"x', isRegex: false, isEqual: true },
    ]);
    expect(parseMatchers("{}")).toEqual([]);
  });
  it("says what is wrong with a bad one", () => {
    expect(parseMatchers("==")).toMatch(/is not a matcher/);
    expect(parseMatchers('a="x')).toMatch(/not closed/);
    expect(parseMatchers('{a="x"')).toMatch(/brace/);
    expect(parseMatchers('a=~"("')).toMatch(/invalid regular expression/);
    expect(parseMatchers('a="x" b="y"')).toMatch(/expected a comma/);
  });
});
