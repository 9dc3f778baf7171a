import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
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

const DAYS = 90;
const DAY = 86_400_000;
const BARS_REFRESH_MS = 60_000;
/** Upcoming maintenance shown this far ahead. */
const AHEAD_DAYS = 30;

interface Snapshot {
  at: number;
  /** What the rendered pages show, but the minute of `generatedAt` (the page says when, to the minute). */
  key: string;
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
  json: string;
  atom: Record<PageLocale, string>;
}

/**
 * The status page's data, built from the database at most every `refreshMs` and kept in memory: requests are
 * served from the last snapshot while the next one is read, so /status keeps answering (the last known
 * state) while the database is briefly unavailable, and a change shows within `refreshMs` plus one read.
 */
export class StatusPage {
  #snapshot: Snapshot | null = null;
  #building: Promise<Snapshot> | null = null;
  #barCache: { key: string; at: number; bars: Map<string, (number | null)[]> } | null = null;

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
    return (await this.#current()).json;
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
   * The 90-day bars, read again at most every minute (or when the components changed): past days do not
   * change, and reading 90 days of intervals every second would cost more than serving the page.
   */
  async #bars(components: Component[], zone: string): Promise<Map<string, (number | null)[]>> {
    const key = `${zone}|${components.map((c) => `${c.id}:${c.monitorIds.join(",")}`).join(";")}`;
    const cached = this.#barCache;
    if (cached && cached.key === key && Date.now() - cached.at < BARS_REFRESH_MS) return cached.bars;
    const bars = await this.components.bars(components, DAYS, zone);
    this.#barCache = { key, at: Date.now(), bars };
    return bars;
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
      doc.kpis.availability.maintenanceCountsAsDowntime,
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
    // The page is served from memory either way: a failed publish is tried again at the next build.
    await this.components
      .publishChanges(statuses)
      .catch((err) => this.log.warn({ err }, "could not publish component status changes"));
    const bars = await this.#bars(components, zone);
    const today = DateTime.fromJSDate(now, { zone }).startOf("day");
    const dates = Array.from({ length: DAYS }, (_, i) => today.minus({ days: DAYS - 1 - i }).toISODate()!);
    const full: StatusView = {
      generatedAt: now.toISOString(),
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
    const json = JSON.stringify(pub);
    // Unchanged since the last refresh (the usual case): the rendered pages are reused, only the time moves.
    const sameAs = this.#snapshot && this.#snapshot.key === sameKey(pub) ? this.#snapshot : null;
    const html = sameAs?.html ?? {
      "pt-BR": renderPage(pub, "pt-BR", { basePath: "/status", subscribe: true }),
      en: renderPage(pub, "en", { basePath: "/status", subscribe: true }),
    };
    const snapshot: Snapshot = {
      at: Date.now(),
      key: sameKey(pub),
      full,
      organizationsOf,
      derived: new Map(statuses.map((x) => [x.component.id, { status: x.status, source: x.source }])),
      html,
      gzip: sameAs?.gzip ?? { "pt-BR": gzipSync(html["pt-BR"]), en: gzipSync(html.en) },
      etag: sameAs?.etag ?? { "pt-BR": tagOf(html["pt-BR"]), en: tagOf(html.en) },
      json,
      atom: sameAs?.atom ?? {
        "pt-BR": renderAtom(pub, "pt-BR", this.publicUrl),
        en: renderAtom(pub, "en", this.publicUrl),
      },
    };
    this.#snapshot = snapshot;
    return snapshot;
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
