import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyPolicy,
  formatDuration,
  type PolicySnapshot,
  parseDuration,
  parseSnapshotTime,
  policyFlags,
  type RetentionPolicy,
} from "../../src/modules/backups/retention.js";
import { planRetention, verdicts } from "../../src/modules/backups/tiers.js";
import { defaultPlan } from "../../src/modules/plan/document.js";
import { SyntheticRepo } from "./synthetic.js";

const PASSWORD = "retention-test";
const d = (text: string) => parseDuration(text)!;

/** A small deterministic generator, so a failing history can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
function localTime(ms: number, offsetMin: number, nanos: number): string {
  const t = new Date(ms + offsetMin * 60_000);
  const zone =
    offsetMin === 0
      ? "Z"
      : `${offsetMin < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${nanos ? `.${pad(nanos, 9)}` : ""}${zone}`;
}

interface Planned {
  time: string;
  tags: string[];
}

/**
 * 400 days ending on `endDay` (UTC date at the local offset): a nightly full at 02:00 and incrementals every
 * 4 h, with missed runs, a few runs late by minutes and nanosecond fractions, as a real schedule produces.
 */
function history(endDay: string, seed: number, offsetMin = -180): Planned[] {
  const rnd = prng(seed);
  const end = Date.parse(`${endDay}T00:00:00Z`) - offsetMin * 60_000;
  const out: Planned[] = [];
  for (let day = 399; day >= 0; day--) {
    const midnight = end - day * 86_400_000;
    for (const hour of [2, 4, 8, 12, 16, 20]) {
      if (rnd() < 0.06) continue; // a missed run
      const late = rnd() < 0.2 ? Math.floor(rnd() * 50 * 60_000) : Math.floor(rnd() * 20_000);
      const nanos = Math.floor(rnd() * 1e9);
      out.push({
        time: localTime(midnight + hour * 3_600_000 + late, offsetMin, nanos),
        tags: [hour === 2 ? "full" : "incremental"],
      });
    }
  }
  // A week without any backup, three months before the end: buckets only count periods that have snapshots.
  const gapStart = end - 95 * 86_400_000;
  return out.filter((p) => {
    const t = parseSnapshotTime(p.time).ns / 1_000_000n;
    return !(t >= BigInt(gapStart) && t < BigInt(gapStart + 7 * 86_400_000));
  });
}

interface ResticGroup {
  keep: { id: string }[] | null;
  remove: { id: string }[] | null;
  reasons: { matches: string[] }[] | null;
}

describe("retention selection equals restic 0.14's own", () => {
  let dir: string;
  let tree: string;
  const restic = (repo: string, args: string[]) =>
    execFileSync("restic", ["--no-cache", "-r", repo, ...args], {
      env: { ...process.env, RESTIC_PASSWORD: PASSWORD },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });

  /** A fresh repository holding `planned` snapshots; answers their ids and times. */
  function repoWith(name: string, planned: Planned[]): { repo: string; snapshots: PolicySnapshot[] } {
    const repo = join(dir, name);
    execFileSync("cp", ["-a", join(dir, "seed"), repo]);
    const synthetic = SyntheticRepo.open(repo, PASSWORD);
    const snapshots = planned.map((p) => ({
      id: synthetic.write({
        time: p.time,
        tree,
        paths: ["/data"],
        hostname: "plantao",
        username: "plantao",
        tags: p.tags,
      }),
      time: p.time,
      tags: p.tags,
    }));
    return { repo, snapshots };
  }

  /** restic's verdict per snapshot id, from `forget --dry-run --json`. */
  function resticVerdicts(repo: string, flags: string[]): Map<string, string[] | null> {
    // restic prints nothing at all when the filter matches no snapshot.
    const text = restic(repo, ["forget", "--dry-run", "--json", ...flags]).trim();
    const groups = (text ? JSON.parse(text) : []) as ResticGroup[];
    const out = new Map<string, string[] | null>();
    for (const g of groups) {
      for (const [i, s] of (g.keep ?? []).entries()) out.set(s.id, g.reasons![i]!.matches);
      for (const s of g.remove ?? []) out.set(s.id, null);
    }
    return out;
  }

  function expectSame(repo: string, snapshots: PolicySnapshot[], policy: RetentionPolicy, extra: string[] = []) {
    const theirs = resticVerdicts(repo, [...extra, ...policyFlags(policy)]);
    const ours = applyPolicy(snapshots, policy);
    expect(ours.length).toBe(theirs.size);
    for (const v of ours) expect([v.id, v.keep ? v.reasons : null]).toEqual([v.id, theirs.get(v.id)]);
    return ours;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "plantao-retention-"));
    const seed = join(dir, "seed");
    restic(seed, ["init"]);
    writeFileSync(join(dir, "tiny"), "tiny\n");
    const out = restic(seed, ["backup", "--json", "--host", "plantao", join(dir, "tiny")]);
    const summary = JSON.parse(out.trim().split("\n").at(-1)!);
    tree = JSON.parse(restic(seed, ["cat", "snapshot", summary.snapshot_id]))?.tree;
    restic(seed, ["forget", summary.snapshot_id]);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("parses and renders restic durations", () => {
    expect(parseDuration("1y2m3d4h")).toEqual({ years: 1, months: 2, days: 3, hours: 4 });
    expect(formatDuration(d("30d"))).toBe("30d");
    expect(formatDuration(d("0y3m"))).toBe("3m");
    expect(parseDuration("1w")).toBeUndefined();
    expect(parseDuration("")).toBeUndefined();
  });

  it("reads wall clock and offset from restic's times", () => {
    const w = parseSnapshotTime("2025-03-31T23:30:00.000000001-03:00");
    expect([w.year, w.month, w.day, w.hour, w.offset]).toEqual([2025, 3, 31, 23, -180]);
    expect(w.ns).toBe(BigInt(Date.parse("2025-04-01T02:30:00Z")) * 1_000_000n + 1n);
    expect(() => parseSnapshotTime("yesterday")).toThrow();
  });

  it("matches on 400 days of a nightly-plus-4-hourly history, for the plan's policy and others", () => {
    const { repo, snapshots } = repoWith("a", history("2025-06-30", 1));
    expect(snapshots.length).toBeGreaterThan(2000);
    const plan: RetentionPolicy = { withinDaily: d("30d"), withinWeekly: d("3m"), withinMonthly: d("1y") };
    const kept = expectSame(repo, snapshots, plan).filter((v) => v.keep);
    // About 30 dailies, 13 weeklies, 12 monthlies, overlapping; the newest is a 4-hourly, not a full.
    expect(kept.length).toBeGreaterThan(40);
    expect(kept.length).toBeLessThan(60);
    expectSame(repo, snapshots, { ...plan, within: d("2d") });
    expectSame(repo, snapshots, { last: 6, daily: 30, weekly: 13, monthly: 12, yearly: 2 });
    expectSame(repo, snapshots, { hourly: 10, withinHourly: d("1d12h"), tags: [["full"]] });
    expectSame(repo, snapshots, { withinYearly: d("2y"), weekly: 3 });
  });

  it("matches when the newest snapshot is at a month's end (Go's AddDate normalisation) and offsets differ", () => {
    const planned = [...history("2025-03-31", 7), ...history("2024-12-31", 9, 0).slice(-40)];
    const { repo, snapshots } = repoWith("b", planned);
    expectSame(repo, snapshots, { withinDaily: d("1m"), withinWeekly: d("3m"), withinMonthly: d("1y1m") });
    expectSame(repo, snapshots, { within: d("1m2d5h"), monthly: 3 });
  });

  it("applies the plan per tier: fulls kept by the calendar rules, incrementals only a week, as restic per tag", () => {
    const { repo, snapshots } = repoWith("c", history("2025-06-30", 3));
    const tiers = planRetention(defaultPlan(new Date("2025-06-30T00:00:00Z")).backups.retention);
    const ours = new Map(verdicts(snapshots, tiers).map((v) => [v.id, v]));
    for (const tier of tiers) {
      const theirs = resticVerdicts(repo, ["--tag", tier.tag, ...policyFlags(tier.policy)]);
      for (const [id, reasons] of theirs)
        expect([id, ours.get(id)?.keep ? ours.get(id)?.reasons : null]).toEqual([id, reasons]);
    }
    const fulls = [...ours.values()].filter((v) => v.keep && v.tier === "full");
    const newestFull = snapshots.filter((s) => s.tags?.includes("full")).at(-1)!;
    // The nightly full, not the 20:00 incremental, is what the daily rule keeps for each of the last 30 days.
    expect(ours.get(newestFull.id)?.reasons).toContain("daily within 30d");
    expect(fulls.length).toBeGreaterThan(40);
    expect([...ours.values()].filter((v) => v.keep && v.tier === "incremental").length).toBeLessThanOrEqual(7 * 5);
  });

  it("keeps everything under an empty policy and nothing extra for an empty list", () => {
    expect(applyPolicy([{ id: "a", time: "2025-01-01T00:00:00Z" }], {})).toEqual([
      { id: "a", keep: true, reasons: ["policy is empty"] },
    ]);
    expect(applyPolicy([], { daily: 3 })).toEqual([]);
  });
});
