import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { DateTime } from "luxon";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { Actor } from "../identity/actor.js";
import type { PlanDocument } from "../plan/document.js";
import { barLevel, type ComponentStatus, type Derived, overall } from "./core.js";
import type { MaintenanceGate } from "./gate.js";
import { type MaintenanceService, shapeOf, windowView } from "./maintenance.js";
import { type PageLocale, renderAtom, renderPage, type StatusView } from "./render.js";
import type { StatusRepository } from "./repository.js";
import { type Component, type ComponentService, type StatusIncident, visibleTo } from "./service.js";
import { currentOrNext } from "./windows.js";

const gzipAsync = promisify(gzip);
/**
 * Lets the requests queued meanwhile in between a rebuild's steps (the view, its key, each page and feed, a few
 * milliseconds each): run in one go, once a minute, they were the page's p99 at thousands of requests a second.
 */
const letRequestsIn = () => new Promise<void>((resolve) => setImmediate(resolve));

const DAYS = 90;
const DAY = 86_400_000;
const BARS_REFRESH_MS = 60_000;
/** Upcoming maintenance shown this far ahead. */
const AHEAD_DAYS = 30;

interface Snapshot {
  at: number;
  /** What the rendered pages show, but the minute of `generatedAt` (the page says when, to the minute). */
  key: string;
  /**
   * What the view was built from (statuses, incidents, windows, the minute) and the bars it used: when both are
   * the same at the next refresh, the view and pages are reused as they are and only the time moves.
   */
  inputs: string;
  bars: Map<string, (number | null)[]>;
  /** The public view, as JSON when first asked for (the API's representation; the page does not need it). */
  pub: StatusView;
  json: string | null;
  /** Everything, for any audience: filtered per viewer. */
  full: StatusView;
  organizationsOf: Map<string, string[]>;
  /** Each component's status and what decided it. */
  derived: Map<string, { status: ComponentStatus; source: Derived["source"] }>;
  /** The public page, rendered once per language and refresh: serving it is sending a string. */
  html: Record<PageLocale, string>;
  /** The same, gzipped once: most clients take it, and it is a tenth of the bytes. */
  gzip: Record<PageLocale, Buffer>;
  /** Entity tags of the rendered pages (a hash of each), so a browser or proxy revalidates with a 304. */
  etag: Record<PageLocale, string>;
  atom: Record<PageLocale, string>;
  /** The next instant the page changes by itself (a window starts or ends, an override expires), if any. */
  changesAt: number | null;
}

/**
 * The status page's data, built from the database at most every `refreshMs` and kept in memory: requests are
 * served from the last snapshot while the next one is read, so /status keeps answering (the last known
 * state) while the database is briefly unavailable, and a change shows within `refreshMs` plus one read.
 */
export class StatusPage {
  #snapshot: Snapshot | null = null;
  #building: Promise<Snapshot> | null = null;
  #barCache: { key: string; day: string; at: number; bars: Map<string, (number | null)[]> } | null = null;
  /** The 90 dates of the bars, for the day and zone they were computed in (luxon's zone arithmetic is not free). */
  #dates: { key: string; dates: string[] } | null = null;

  private readonly repo: StatusRepository;
  private readonly clock: Clock;
  private readonly components: ComponentService;
  private readonly maintenance: MaintenanceService;
  private readonly gate: MaintenanceGate;
  private readonly plan: () => Promise<PlanDocument>;
  private readonly log: Logger;
  private readonly publicUrl: string;
  readonly refreshMs: number;

  constructor(deps: {
    repo: StatusRepository;
    clock: Clock;
    components: ComponentService;
    maintenance: MaintenanceService;
    gate: MaintenanceGate;
    plan: () => Promise<PlanDocument>;
    log: Logger;
    publicUrl: string;
    refreshMs?: number;
  }) {
    this.repo = deps.repo;
    this.clock = deps.clock;
    this.components = deps.components;
    this.maintenance = deps.maintenance;
    this.gate = deps.gate;
    this.plan = deps.plan;
    this.log = deps.log;
    this.publicUrl = deps.publicUrl;
    this.refreshMs = deps.refreshMs ?? 1000;
  }

  /** Reads everything again now (after a window or component changed), and rebuilds the monitors' gate. */
  refresh(): Promise<Snapshot> {
    this.#building ??= this.#build().finally(() => {
      this.#building = null;
    });
    return this.#building;
  }

  /** The snapshot to serve: the last one, refreshed in the background when stale; the first one is awaited. */
  async #current(): Promise<Snapshot> {
    const s = this.#snapshot;
    if (!s) return this.refresh();
    if (Date.now() - s.at >= this.refreshMs && !this.#building) {
      this.refresh().catch((err) => this.log.warn({ err }, "status page refresh failed; serving the last known state"));
    }
    return s;
  }

  async html(locale: PageLocale): Promise<string> {
    return (await this.#current()).html[locale];
  }
  async gzipped(locale: PageLocale): Promise<Buffer> {
    return (await this.#current()).gzip[locale];
  }
  /**
   * The page to send for `locale`: its body (gzipped when asked), and its entity tag, which changes only when
   * what the page shows changes (the version of the rendered page, not the time of the refresh).
   */
  async rendered(locale: PageLocale, gzip: boolean): Promise<{ body: string | Buffer; etag: string }> {
    const s = await this.#current();
    // An encoding is another representation: its own tag, or a cache could hand gzip to a client that refused it.
    return gzip
      ? { body: s.gzip[locale], etag: `"${s.etag[locale]}-gz"` }
      : { body: s.html[locale], etag: `"${s.etag[locale]}"` };
  }
  async atom(locale: PageLocale): Promise<string> {
    return (await this.#current()).atom[locale];
  }
  async json(): Promise<string> {
    const s = await this.#current();
    s.json ??= JSON.stringify(s.pub);
    return s.json;
  }

  /** When the last snapshot changes by itself (see `Snapshot.changesAt`); null when nothing is pending or built. */
  changesAt(): number | null {
    return this.#snapshot?.changesAt ?? null;
  }

  async derived() {
    return (await this.#current()).derived;
  }

  /** What a signed-in user sees: a customer its organization's components and the public ones; staff all. */
  async viewFor(actor: Actor): Promise<StatusView> {
    const s = await this.#current();
    return narrow(s.full, (c) => visibleTo(actor, { organizationIds: s.organizationsOf.get(c.id) ?? [] } as Component));
  }

  async previewHtml(actor: Actor, locale: PageLocale): Promise<string> {
    return renderPage(await this.viewFor(actor), locale, { basePath: "/status", subscribe: false });
  }

  /**
   * The 90-day bars: all 90 days read when the day or the components changed, and otherwise only today's bar,
   * at most every minute. Past days do not change, and reading 90 days of 50 monitors' intervals again (thousands
   * of rows to parse, on the event loop that serves the page) delayed the page's requests behind it.
   */
  async #bars(components: Component[], zone: string, day: string): Promise<Map<string, (number | null)[]>> {
    const key = `${zone}|${components.map((c) => `${c.id}:${c.monitorIds.join(",")}`).join(";")}`;
    const cached = this.#barCache;
    if (cached && cached.key === key && cached.day === day) {
      if (Date.now() - cached.at < BARS_REFRESH_MS) return cached.bars;
      const today = await this.components.bars(components, 1, zone);
      const bars = new Map<string, (number | null)[]>();
      for (const [id, b] of cached.bars) bars.set(id, [...b.slice(0, -1), today.get(id)?.[0] ?? null]);
      this.#barCache = { key, day, at: Date.now(), bars };
      return bars;
    }
    const bars = await this.components.bars(components, DAYS, zone);
    this.#barCache = { key, day, at: Date.now(), bars };
    return bars;
  }

  #datesOf(now: Date, zone: string): string[] {
    const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
    const key = `${zone}|${today}`;
    if (this.#dates?.key !== key) {
      const start = DateTime.fromISO(today, { zone });
      this.#dates = {
        key,
        dates: Array.from({ length: DAYS }, (_, i) => start.minus({ days: DAYS - 1 - i }).toISODate()!),
      };
    }
    return this.#dates.dates;
  }

  async #build(): Promise<Snapshot> {
    const doc = await this.plan();
    const now = this.clock.now();
    const zone = doc.maintenanceWindow.timezone;
    const [live, active, history, components] = await Promise.all([
      this.repo.liveWindows(),
      this.components.incidents.active(),
      this.components.incidents.history(new Date(now.getTime() - DAYS * DAY), now),
      this.components.list(),
    ]);
    this.gate.rebuild(
      live.map((row) => ({ row, view: windowView(row) })),
      components,
      now,
      {
        maintenanceCountsAsDowntime: doc.kpis.availability.maintenanceCountsAsDowntime,
        noticeHours: doc.maintenanceWindow.noticeHours,
      },
    );
    const maintenance: StatusView["maintenance"] = [];
    const inMaintenance = new Set<string>();
    for (const row of live) {
      const o = currentOrNext(shapeOf(row), now);
      if (!o || o.start.getTime() > now.getTime() + AHEAD_DAYS * DAY) continue;
      const running = o.start <= now;
      const view = windowView(row);
      if (running) for (const id of view.componentIds) inMaintenance.add(id);
      maintenance.push({
        id: row.id,
        title: row.title,
        description: row.description,
        state: running ? "in_progress" : "scheduled",
        startsAt: o.start.toISOString(),
        endsAt: o.end.toISOString(),
        componentIds: view.componentIds,
      });
    }
    maintenance.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
    const statuses = await this.components.statuses(inMaintenance, active);
    const changesAt = nextInstant(now.getTime(), [
      ...maintenance.flatMap((m) => [Date.parse(m.startsAt), Date.parse(m.endsAt)]),
      ...components.flatMap((c) => (c.override ? [Date.parse(c.override.until)] : [])),
    ]);
    // The page is served from memory either way: a failed publish is tried again at the next build.
    await this.components
      .publishChanges(statuses)
      .catch((err) => this.log.warn({ err }, "could not publish component status changes"));
    const dates = this.#datesOf(now, zone);
    const bars = await this.#bars(components, zone, dates[DAYS - 1]!);
    const generatedAt = now.toISOString();
    const inputs = JSON.stringify([
      zone,
      generatedAt.slice(0, 16),
      statuses.map(({ component: c, status, source }) => [c, status, source]),
      active,
      history,
      maintenance,
    ]);
    const last = this.#snapshot;
    if (last && last.inputs === inputs && last.bars === bars) {
      // Nothing the page shows changed (the usual second): no view to build, render or serialize again.
      const snapshot: Snapshot = {
        ...last,
        at: Date.now(),
        full: { ...last.full, generatedAt },
        pub: { ...last.pub, generatedAt },
        json: null,
        changesAt,
      };
      this.#snapshot = snapshot;
      return snapshot;
    }
    const full: StatusView = {
      generatedAt,
      timezone: zone,
      status: overall(statuses.map((s) => s.status)),
      components: statuses.map(({ component: c, status }) => {
        const b = bars.get(c.id) ?? [];
        const known = b.filter((v): v is number => v !== null);
        return {
          id: c.id,
          name: c.name,
          group: c.group,
          status,
          uptime: known.length ? known.reduce((x, y) => x + y, 0) / known.length : null,
          bars: dates.map((date, i) => ({ date, uptime: b[i] ?? null, level: barLevel(b[i] ?? null) })),
        };
      }),
      incidents: active.map(incidentView),
      maintenance,
      history: history.filter((h) => !active.some((a) => a.id === h.id)).map(incidentView),
    };
    const organizationsOf = new Map(components.map((c) => [c.id, c.organizationIds]));
    const pub = narrow(full, (c) => !(organizationsOf.get(c.id) ?? []).length);
    await letRequestsIn();
    // Unchanged since the last refresh (the usual case): the rendered pages are reused, only the time moves.
    const key = sameKey(pub);
    const sameAs = this.#snapshot && this.#snapshot.key === key ? this.#snapshot : null;
    const rendered = sameAs ?? (await this.#render(pub));
    const snapshot: Snapshot = {
      at: Date.now(),
      key,
      inputs,
      bars,
      pub,
      json: null,
      full,
      organizationsOf,
      derived: new Map(statuses.map((x) => [x.component.id, { status: x.status, source: x.source }])),
      html: rendered.html,
      gzip: rendered.gzip,
      etag: rendered.etag,
      atom: rendered.atom,
      changesAt,
    };
    this.#snapshot = snapshot;
    return snapshot;
  }

  /** The public pages and feeds of a view, one step at a time; compressed off the event loop. */
  async #render(pub: StatusView): Promise<Pick<Snapshot, "html" | "gzip" | "etag" | "atom">> {
    const html = {} as Record<PageLocale, string>;
    const atom = {} as Record<PageLocale, string>;
    for (const locale of ["pt-BR", "en"] as const) {
      html[locale] = renderPage(pub, locale, { basePath: "/status", subscribe: true });
      await letRequestsIn();
      atom[locale] = renderAtom(pub, locale, this.publicUrl);
      await letRequestsIn();
    }
    const [pt, en] = await Promise.all([gzipAsync(html["pt-BR"]), gzipAsync(html.en)]);
    return { html, atom, gzip: { "pt-BR": pt, en }, etag: { "pt-BR": tagOf(html["pt-BR"]), en: tagOf(html.en) } };
  }
}

const tagOf = (html: string) => createHash("sha256").update(html).digest("base64url").slice(0, 22);
const sameKey = (v: StatusView) => JSON.stringify({ ...v, generatedAt: v.generatedAt.slice(0, 16) });

const incidentView = (i: StatusIncident): StatusView["incidents"][number] => ({
  id: i.id,
  title: i.title,
  severity: i.severity,
  componentIds: i.componentIds,
  startedAt: i.startedAt,
  resolvedAt: i.resolvedAt,
  updates: i.updates,
});

/**
 * The view of an audience: its components only, and incidents and windows naming only those (dropped when
 * none is left), so nobody learns of a component that is not theirs; the headline from what is left.
 */
export function narrow(v: StatusView, keep: (c: StatusView["components"][number]) => boolean): StatusView {
  const components = v.components.filter(keep);
  const ids = new Set(components.map((c) => c.id));
  const only = <T extends { componentIds: string[] }>(list: T[]) =>
    list
      .map((x) => ({ ...x, componentIds: x.componentIds.filter((id) => ids.has(id)) }))
      .filter((x) => x.componentIds.length > 0);
  return {
    ...v,
    status: overall(components.map((c) => c.status)),
    components,
    incidents: only(v.incidents),
    maintenance: only(v.maintenance),
    history: only(v.history),
  };
}

/** The earliest of `instants` after `now`, or null. */
function nextInstant(now: number, instants: readonly number[]): number | null {
  let next: number | null = null;
  for (const at of instants) if (at > now && (next === null || at < next)) next = at;
  return next;
}
