import { QueryClient } from "@tanstack/react-query";
import type { TObject } from "typebox";
import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import { probeTypes } from "../../../../src/modules/monitoring/checks/index.js";
import { GroupSettings, HeartbeatSettings } from "../../../../src/modules/monitoring/schemas.js";
import type { DomainEvent, EventOf } from "../events/eventStream";
import { batcher } from "./batch";
import { bands, latencyData } from "./chart-data";
import { applyMonitorEvent } from "./live";
import { durationText, keys, type Monitor, monitorTypes, type Series, shardRanges } from "./model";
import { sections } from "./sections";
import { settingFields, settingsPayload, settingValues } from "./settings";

/** The server's settings schema of every monitor type the form offers. */
const serverSchemas: Record<string, TObject> = {
  ...Object.fromEntries(Object.entries(probeTypes).map(([type, probe]) => [type, probe.settings as TObject])),
  heartbeat: HeartbeatSettings,
  group: GroupSettings,
};

const monitor = (over: Partial<Monitor>): Monitor => ({
  id: "m",
  name: "m",
  type: "http",
  target: "http://127.0.0.1/",
  intervalSeconds: 60,
  timeoutSeconds: 10,
  retries: 0,
  failureThreshold: 1,
  successThreshold: 1,
  severity: "critical",
  settings: {},
  parentId: null,
  groupId: null,
  organizationId: null,
  enabled: true,
  state: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

describe("the monitor form's settings", () => {
  it("offers every type the server knows, and no other", () => {
    expect([...monitorTypes].sort()).toEqual(Object.keys(serverSchemas).sort());
  });

  for (const type of monitorTypes) {
    it(`covers every ${type} setting, with the server's defaults, in a payload the server accepts`, () => {
      const schema = Compile(serverSchemas[type]!);
      const defaults = schema.Default({}) as Record<string, unknown>;
      expect(settingFields[type]!.map((f) => f.name).sort()).toEqual(
        Object.keys(serverSchemas[type]!.properties).sort(),
      );
      for (const field of settingFields[type]!) expect(field.default, field.name).toEqual(defaults[field.name]);
      const payload = settingsPayload(type, settingValues(type));
      // The server fills in defaults before it checks, as here.
      expect(schema.Check(schema.Default(structuredClone(payload)))).toBe(true);
      // Passwords are left out when empty (an edit keeps the stored one); everything else is the default.
      const secret = settingFields[type]!.filter((f) => f.kind === "password").map((f) => f.name);
      expect(payload).toEqual(Object.fromEntries(Object.entries(defaults).filter(([k]) => !secret.includes(k))));
    });
  }

  it("turns text back into lists, headers, numbers and nulls, and keeps what does not parse for the server to name", () => {
    const values = settingValues("http", {
      acceptedStatus: ["200-299", "301"],
      headers: { Authorization: "Bearer x", "X-Probe": "1" },
      keyword: "ok",
    });
    expect(values.acceptedStatus).toBe("200-299, 301");
    expect(values.headers).toBe("Authorization: Bearer x\nX-Probe: 1");
    const payload = settingsPayload("http", {
      ...values,
      acceptedStatus: "200-299 301;302",
      degradedAboveMs: "1500",
      keyword: "  ",
      maxRedirects: "três",
    });
    expect(payload).toMatchObject({
      acceptedStatus: ["200-299", "301", "302"],
      headers: { Authorization: "Bearer x", "X-Probe": "1" },
      degradedAboveMs: 1500,
      keyword: null,
      maxRedirects: "três",
    });
    expect(settingsPayload("sip-register", { ...settingValues("sip-register"), password: "s3cret" }).password).toBe(
      "s3cret",
    );
  });
});

describe("the dashboard's sections", () => {
  const group = monitor({ id: "g", name: "PBX SP", type: "group", target: "" });
  const up = monitor({ id: "a", name: "trunk A", groupId: "g", state: state("UP") });
  const down = monitor({ id: "b", name: "trunk B", groupId: "g", state: state("DOWN") });
  const loose = monitor({ id: "c", name: "site", state: state("UP") });
  const orphan = monitor({ id: "d", name: "orphan", groupId: "gone", state: state("DEGRADED") });

  it("puts members under their group, most urgent first, and the rest under no group", () => {
    const out = sections([up, group, loose, down, orphan], () => true, false);
    expect(out.map((s) => [s.group?.id ?? null, s.members.map((m) => m.id)])).toEqual([
      ["g", ["b", "a"]],
      [null, ["d", "c"]],
    ]);
  });

  it("hides sections with no match while filtering, unless the group itself matches", () => {
    const isDown = (m: Monitor) => m.state?.status === "DOWN";
    expect(sections([up, group, loose, down], isDown, true).map((s) => s.members.map((m) => m.id))).toEqual([["b"]]);
    expect(sections([up, group, loose], isDown, true)).toEqual([]);
    const isGroup = (m: Monitor) => m.type === "group";
    expect(sections([up, group], isGroup, true)).toEqual([{ group, members: [] }]);
  });
});

function state(status: "UP" | "DOWN" | "DEGRADED", since = "2026-01-01T00:00:00.000Z") {
  return {
    status,
    reason: null,
    message: null,
    since,
    flapping: false,
    lastCheckAt: since,
    lastLatencyMs: 12.5,
  };
}

describe("durations", () => {
  it("reads seconds under a minute and rounds before choosing the unit", () => {
    expect([durationText(0), durationText(42.4), durationText(59.6), durationText(3_600 + 20 * 60)]).toEqual([
      "0 s",
      "42 s",
      "1 min",
      "1 h 20 min",
    ]);
  });
});

describe("the charts' data", () => {
  it("puts a null in each step without a point, so the line breaks there", () => {
    const series: Series = {
      monitorId: "m",
      from: "2026-01-01T00:00:30.000Z",
      to: "2026-01-01T00:04:30.000Z",
      step: 60,
      resolution: "minute",
      points: [
        {
          at: "2026-01-01T00:01:00.000Z",
          checks: 1,
          failures: 0,
          latencyMin: 1,
          latencyAvg: 2,
          latencyMax: 3,
          latencyP95: 3,
        },
        {
          at: "2026-01-01T00:03:00.000Z",
          checks: 1,
          failures: 1,
          latencyMin: 4,
          latencyAvg: 5,
          latencyMax: 6,
          latencyP95: 6,
        },
      ],
    };
    const [xs, min, avg, p95, max] = latencyData(series);
    const t0 = Date.parse("2026-01-01T00:00:00.000Z") / 1000;
    expect(xs).toEqual([t0, t0 + 60, t0 + 120, t0 + 180, t0 + 240]);
    expect(avg).toEqual([null, 2, null, 5, null]);
    expect([min?.[1], p95?.[3], max?.[3]]).toEqual([1, 6, 6]);
  });

  it("clips state intervals to the window and ends the open one at its end", () => {
    const from = Date.parse("2026-01-01T01:00:00.000Z");
    const to = Date.parse("2026-01-01T02:00:00.000Z");
    const out = bands(
      [
        {
          id: "3",
          status: "DOWN",
          reason: "timeout",
          message: null,
          startedAt: "2026-01-01T01:30:00.000Z",
          endedAt: null,
        },
        {
          id: "2",
          status: "UP",
          reason: null,
          message: null,
          startedAt: "2026-01-01T00:00:00.000Z",
          endedAt: "2026-01-01T01:30:00.000Z",
        },
        {
          id: "1",
          status: "PENDING",
          reason: null,
          message: null,
          startedAt: "2025-12-31T00:00:00.000Z",
          endedAt: "2026-01-01T00:00:00.000Z",
        },
      ],
      from,
      to,
    );
    expect(out).toEqual([
      { status: "UP", start: from, end: from + 1_800_000 },
      { status: "DOWN", start: from + 1_800_000, end: to },
    ]);
  });
});

describe("live events in the cache", () => {
  const event = <T extends DomainEvent["type"]>(type: T, payload: EventOf<T>["payload"], id = 1) =>
    ({
      id,
      type,
      organizationId: null,
      subjectId: "a",
      payload,
      createdAt: "2026-01-01T00:05:00.000Z",
    }) as EventOf<T>;

  it("patches the changed monitor in the list and on its page; an older change does not undo a newer one", () => {
    const client = new QueryClient();
    const a = monitor({ id: "a", state: state("UP", "2026-01-01T00:00:00.000Z") });
    const b = monitor({ id: "b", state: state("UP") });
    client.setQueryData(keys.list, [a, b]);
    client.setQueryData(keys.monitor("a"), a);
    const down: EventOf<"monitor.state_changed">["payload"] = {
      monitorId: "a",
      name: "a",
      type: "http",
      parentId: null,
      groupId: null,
      from: "UP",
      to: "DOWN",
      reason: "status_not_accepted",
      message: "HTTP 500",
      flapping: false,
      at: "2026-01-01T00:05:00.000Z",
    };
    applyMonitorEvent(client, event("monitor.state_changed", down));
    const list = client.getQueryData<Monitor[]>(keys.list);
    expect(list?.map((m) => m.state?.status)).toEqual(["DOWN", "UP"]);
    expect(client.getQueryData<Monitor>(keys.monitor("a"))?.state).toEqual({
      status: "DOWN",
      reason: "status_not_accepted",
      message: "HTTP 500",
      since: "2026-01-01T00:05:00.000Z",
      flapping: false,
      lastCheckAt: "2026-01-01T00:00:00.000Z",
      lastLatencyMs: 12.5,
    });
    applyMonitorEvent(client, event("monitor.state_changed", { ...down, to: "UP", at: "2026-01-01T00:04:00.000Z" }, 2));
    expect(client.getQueryData<Monitor>(keys.monitor("a"))?.state?.status).toBe("DOWN");
  });

  it("marks flapping, and patches a group's members as well", () => {
    const client = new QueryClient();
    const a = monitor({ id: "a", groupId: "g", state: state("UP") });
    client.setQueryData(keys.members("g"), { items: [a], nextCursor: null });
    applyMonitorEvent(
      client,
      event("monitor.flapping_started", { monitorId: "a", name: "a", status: "UP", at: a.state!.since }),
    );
    const members = client.getQueryData<{ items: Monitor[] }>(keys.members("g"));
    expect(members?.items[0]?.state?.flapping).toBe(true);
  });

  it("drops a deleted monitor from the list at once, before the list is fetched again", () => {
    const client = new QueryClient();
    client.setQueryData(keys.list, [monitor({ id: "a" }), monitor({ id: "b" })]);
    client.setQueryData(keys.card("a"), { series: null, uptimes: [] });
    applyMonitorEvent(client, event("monitor.deleted", { monitorId: "a" }));
    expect(client.getQueryData<Monitor[]>(keys.list)?.map((m) => m.id)).toEqual(["b"]);
    expect(client.getQueryData(keys.card("a"))).toBeUndefined();
  });

  it("refetches the list when a monitor is created, changed or deleted, and ignores other events", () => {
    const client = new QueryClient();
    client.setQueryData(keys.list, []);
    applyMonitorEvent(client, event("ticket.created", { ticketId: "t", number: 1 }));
    expect(client.getQueryState(keys.list)?.isInvalidated).toBe(false);
    applyMonitorEvent(client, event("monitor.created", { monitorId: "a", name: "a", type: "http" }));
    expect(client.getQueryState(keys.list)?.isInvalidated).toBe(true);
  });
});

describe("the dashboard cards' batched loads", () => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

  it("asks once for the cards that ask together, in chunks the server accepts, each card getting its own", async () => {
    const asked: string[][] = [];
    const load = batcher(
      async (ids) => {
        asked.push(ids);
        return new Map(ids.filter((id) => id !== "gone").map((id) => [id, `figures of ${id}`]));
      },
      { max: 3, waitMs: 10 },
    );
    const first = await Promise.all(["a", "b", "a", "gone"].map(load));
    expect(first).toEqual(["figures of a", "figures of b", "figures of a", undefined]);
    expect(asked).toEqual([["a", "b", "gone"]]);
    asked.length = 0;
    const many = await Promise.all(["1", "2", "3", "4", "5"].map(load));
    expect(many).toEqual(["1", "2", "3", "4", "5"].map((id) => `figures of ${id}`));
    expect(asked).toEqual([
      ["1", "2", "3"],
      ["4", "5"],
    ]);
    asked.length = 0;
    await load("x");
    await settle();
    await load("y");
    expect(asked).toEqual([["x"], ["y"]]);
  });

  it("fails every load of a failed request, and the next ones ask again", async () => {
    let fail = true;
    const load = batcher(
      async (ids) => {
        if (fail) throw new Error("HTTP 500");
        return new Map(ids.map((id) => [id, id]));
      },
      { max: 200, waitMs: 5 },
    );
    const results = await Promise.allSettled([load("a"), load("b")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await load("a")).toBe("a");
  });
});

describe("shard ranges on the nodes section", () => {
  it("folds runs of shards into ranges", () => {
    expect(shardRanges([])).toBe("");
    expect(shardRanges([0, 1, 2, 3, 7, 9, 10])).toBe("0–3, 7, 9–10");
    expect(shardRanges([5])).toBe("5");
  });
});
