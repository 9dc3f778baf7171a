import { escapeHtml as esc } from "../notifications/templates.js";
import type { BarLevel, ComponentStatus } from "./core.js";
import type { IncidentUpdate } from "./service.js";

/** What one audience (the public, or one customer) sees: the JSON of GET /api/v1/status, and the page's input. */
export interface StatusView {
  generatedAt: string;
  timezone: string;
  status: ComponentStatus;
  components: {
    id: string;
    name: string;
    group: string | null;
    status: ComponentStatus;
    uptime: number | null;
    bars: { date: string; uptime: number | null; level: BarLevel }[];
  }[];
  incidents: {
    id: string;
    title: string;
    severity: string;
    componentIds: string[];
    startedAt: string;
    resolvedAt: string | null;
    updates: IncidentUpdate[];
  }[];
  maintenance: {
    id: string;
    title: string;
    description: string;
    state: "scheduled" | "in_progress";
    startsAt: string;
    endsAt: string;
    componentIds: string[];
  }[];
  history: StatusView["incidents"];
}

export type PageLocale = "pt-BR" | "en";

const words = {
  "pt-BR": {
    title: "Status dos serviços",
    overall: {
      operational: "Todos os sistemas operacionais",
      degraded: "Desempenho degradado",
      partial_outage: "Interrupção parcial",
      major_outage: "Interrupção grave",
      maintenance: "Manutenção em andamento",
    },
    status: {
      operational: "Operacional",
      degraded: "Degradado",
      partial_outage: "Interrupção parcial",
      major_outage: "Interrupção grave",
      maintenance: "Em manutenção",
    },
    update: {
      investigating: "Investigando",
      identified: "Identificado",
      monitoring: "Monitorando",
      resolved: "Resolvido",
    },
    incidents: "Incidentes em andamento",
    maintenance: "Manutenções programadas e em andamento",
    inProgress: "Em andamento",
    scheduled: "Programada",
    history: "Histórico de incidentes (90 dias)",
    noHistory: "Nenhum incidente nos últimos 90 dias.",
    uptime: "disponibilidade em 90 dias",
    noData: "sem dados",
    daysAgo: "90 dias atrás",
    today: "hoje",
    affects: "Afeta",
    subscribe: "Receber avisos por e-mail",
    email: "E-mail",
    send: "Inscrever",
    feed: "Feed Atom",
    times: "Horários em",
    updated: "Atualizado em",
    other: "English",
    none: "Nenhum componente publicado.",
    until: "até",
  },
  en: {
    title: "Service status",
    overall: {
      operational: "All systems operational",
      degraded: "Degraded performance",
      partial_outage: "Partial outage",
      major_outage: "Major outage",
      maintenance: "Maintenance in progress",
    },
    status: {
      operational: "Operational",
      degraded: "Degraded",
      partial_outage: "Partial outage",
      major_outage: "Major outage",
      maintenance: "Under maintenance",
    },
    update: {
      investigating: "Investigating",
      identified: "Identified",
      monitoring: "Monitoring",
      resolved: "Resolved",
    },
    incidents: "Active incidents",
    maintenance: "Scheduled and ongoing maintenance",
    inProgress: "In progress",
    scheduled: "Scheduled",
    history: "Incident history (90 days)",
    noHistory: "No incidents in the last 90 days.",
    uptime: "uptime over 90 days",
    noData: "no data",
    daysAgo: "90 days ago",
    today: "today",
    affects: "Affects",
    subscribe: "Get notices by email",
    email: "Email",
    send: "Subscribe",
    feed: "Atom feed",
    times: "Times in",
    updated: "Updated",
    other: "Português",
    none: "No components published.",
    until: "until",
  },
} as const;

export const statusWords = words;

const colour: Record<ComponentStatus | BarLevel, string> = {
  operational: "#2f9e44",
  degraded: "#f08c00",
  partial_outage: "#e8590c",
  major_outage: "#e03131",
  maintenance: "#1c7ed6",
  none: "#ced4da",
};

/**
 * Consecutive days of one level drawn as one element as wide as the days it spans: a quiet component's 90 bars
 * are one element, which keeps the page small enough to serve thousands of times a second.
 */
export function barRuns(bars: StatusView["components"][number]["bars"]) {
  const runs: { level: BarLevel; from: string; to: string; days: number; uptime: number | null }[] = [];
  for (const b of bars) {
    const last = runs.at(-1);
    if (last && last.level === b.level && (b.level === "operational" || b.level === "none")) {
      last.to = b.date;
      last.days++;
    } else runs.push({ level: b.level, from: b.date, to: b.date, days: 1, uptime: b.uptime });
  }
  return runs;
}

const pct = (v: number | null) => (v === null ? "—" : `${(Math.floor(v * 100_000) / 1000).toFixed(3)} %`);

function when(iso: string, zone: string, locale: PageLocale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(
    new Date(iso),
  );
}

const CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#212529;background:#f8f9fa}
main{max-width:860px;margin:0 auto;padding:16px}header{display:flex;justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap}
h1{font-size:1.5rem;margin:8px 0}h2{font-size:1.15rem;margin:24px 0 8px}.banner{padding:14px 16px;border-radius:8px;color:#fff;font-weight:600;font-size:1.1rem}
.card{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:12px 16px;margin:8px 0}.row{display:flex;justify-content:space-between;gap:8px;flex-wrap:wrap}
.bars{display:flex;gap:1px;height:28px;margin:8px 0 2px}.bars i{flex:1;border-radius:1px;min-width:1px}
.b-operational{background:#2f9e44}.b-degraded{background:#f08c00}.b-partial_outage{background:#e8590c}.b-major_outage{background:#e03131}.b-none{background:#ced4da}.muted{color:#6c757d;font-size:.85rem}
.group{font-weight:600;margin-top:16px}.upd{border-left:3px solid #dee2e6;padding-left:8px;margin:6px 0}form{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
input[type=email]{padding:6px;min-width:220px}button{padding:6px 12px}label{margin-right:8px}a{color:#1c7ed6}`;

/** The status page as HTML, no script: everything is in the markup (a Chromium test reads it with JavaScript off). */
export function renderPage(v: StatusView, locale: PageLocale, opts: { basePath: string; subscribe: boolean }): string {
  const w = words[locale];
  const other: PageLocale = locale === "en" ? "pt-BR" : "en";
  const names = new Map(v.components.map((c) => [c.id, c.name]));
  const affects = (ids: string[]) => {
    const list = ids.map((id) => names.get(id)).filter(Boolean);
    return list.length ? `<div class="muted">${w.affects}: ${esc(list.join(", "))}</div>` : "";
  };
  const incident = (i: StatusView["incidents"][number]) =>
    `<div class="card" data-incident="${esc(i.id)}"><strong>${esc(i.title)}</strong>${affects(i.componentIds)}${[
      ...i.updates,
    ]
      .reverse()
      .map(
        (u) =>
          `<div class="upd"><strong>${esc(w.update[u.status])}</strong> — ${esc(u.body)} <span class="muted">${esc(when(u.at, v.timezone, locale))}</span></div>`,
      )
      .join("")}</div>`;
  let lastGroup: string | null | undefined;
  const components = v.components
    .map((c) => {
      const head = c.group !== lastGroup && c.group ? `<div class="group">${esc(c.group)}</div>` : "";
      lastGroup = c.group;
      const bars = barRuns(c.bars)
        .map((r) => {
          // Only days with something to tell carry a title: most of a quiet page is one element per component.
          const title =
            r.level === "operational"
              ? ""
              : ` title="${r.from === r.to ? r.from : `${r.from} – ${r.to}`}: ${r.level === "none" ? w.noData : pct(r.uptime)}"`;
          return `<i class="b-${r.level}"${r.days > 1 ? ` style="flex:${r.days}"` : ""}${title}></i>`;
        })
        .join("");
      return `${head}<div class="card" data-component="${esc(c.id)}" data-status="${c.status}"><div class="row"><strong>${esc(c.name)}</strong><span style="color:${colour[c.status]};font-weight:600">${esc(w.status[c.status])}</span></div><div class="bars" aria-label="${esc(w.uptime)}">${bars}</div><div class="row muted"><span>${w.daysAgo}</span><span>${pct(c.uptime)} ${w.uptime}</span><span>${w.today}</span></div></div>`;
    })
    .join("");
  const maintenance = v.maintenance
    .map(
      (m) =>
        `<div class="card" data-maintenance="${esc(m.id)}" data-state="${m.state}"><div class="row"><strong>${esc(m.title)}</strong><span style="color:${colour.maintenance}">${m.state === "in_progress" ? w.inProgress : w.scheduled}</span></div><div>${esc(when(m.startsAt, v.timezone, locale))} ${w.until} ${esc(when(m.endsAt, v.timezone, locale))}</div>${m.description ? `<div>${esc(m.description)}</div>` : ""}${affects(m.componentIds)}</div>`,
    )
    .join("");
  const subscribe =
    opts.subscribe && v.components.length
      ? `<h2>${w.subscribe}</h2><div class="card"><form method="post" action="${opts.basePath}/subscribe"><input type="hidden" name="lang" value="${locale}"><label>${w.email} <input type="email" name="email" required maxlength="254"></label>${v.components
          .map(
            (c) =>
              `<label><input type="checkbox" name="componentIds" value="${esc(c.id)}" checked> ${esc(c.name)}</label>`,
          )
          .join("")}<button type="submit">${w.send}</button></form></div>`
      : "";
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${w.title}</title><link rel="alternate" type="application/atom+xml" title="${w.feed}" href="${opts.basePath}/feed.atom?lang=${locale}">
<style>${CSS}</style></head><body><main>
<header><h1>${w.title}</h1><nav><a href="?lang=${other}" hreflang="${other}">${w.other}</a> · <a href="${opts.basePath}/feed.atom?lang=${locale}">${w.feed}</a></nav></header>
<div class="banner" id="overall" data-status="${v.status}" style="background:${colour[v.status]}">${esc(w.overall[v.status])}</div>
${v.incidents.length ? `<h2>${w.incidents}</h2>${v.incidents.map(incident).join("")}` : ""}
${v.maintenance.length ? `<h2>${w.maintenance}</h2>${maintenance}` : ""}
<h2>${w.title}</h2>${components || `<p>${w.none}</p>`}
<h2>${w.history}</h2>${v.history.length ? v.history.map(incident).join("") : `<p class="muted">${w.noHistory}</p>`}
${subscribe}
<p class="muted">${w.times} ${esc(v.timezone)} · ${w.updated} ${esc(when(v.generatedAt, v.timezone, locale))}</p>
</main></body></html>`;
}

/** A small page for the subscription links' answers (confirmed, unsubscribed, a form to press). */
export function renderNote(locale: PageLocale, title: string, body: string, form?: { action: string; button: string }) {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body><main><h1>${esc(title)}</h1><p>${esc(body)}</p>${form ? `<form method="post" action="${esc(form.action)}"><button type="submit">${esc(form.button)}</button></form>` : ""}<p><a href="/status?lang=${locale}">${words[locale].title}</a></p></main></body></html>`;
}

/**
 * The characters XML 1.0 allows (its Char production): most control characters, lone surrogates and U+FFFE/FFFF
 * are forbidden even escaped, so a title pasted from a terminal would make the whole feed unreadable.
 */
function xmlText(s: string): string {
  let out = "";
  for (const c of s) {
    const n = c.codePointAt(0)!;
    const allowed =
      n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n < 0xd800) || (n > 0xdfff && n < 0xfffe) || n > 0xffff;
    if (allowed) out += c;
  }
  return out;
}

/** The Atom feed (RFC 4287): incidents with their updates and maintenance, newest first. */
export function renderAtom(v: StatusView, locale: PageLocale, base: string): string {
  const w = words[locale];
  const x = (s: string) => esc(xmlText(s));
  const entries = [
    ...[...v.incidents, ...v.history].map((i) => ({
      id: `urn:plantao:incident:${i.id}`,
      title: i.title,
      updated: i.updates.at(-1)?.at ?? i.startedAt,
      body: i.updates.map((u) => `${w.update[u.status]}: ${u.body}`).join("\n"),
    })),
    ...v.maintenance.map((m) => ({
      id: `urn:plantao:maintenance:${m.id}:${m.startsAt}`,
      title: `${m.state === "in_progress" ? w.inProgress : w.scheduled}: ${m.title}`,
      updated: m.startsAt,
      body: `${when(m.startsAt, v.timezone, locale)} ${w.until} ${when(m.endsAt, v.timezone, locale)}. ${m.description}`,
    })),
  ]
    .filter((e, i, all) => all.findIndex((o) => o.id === e.id) === i)
    .sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated));
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${locale}">
<title>${x(w.title)}</title><id>urn:plantao:status</id><author><name>Plantão</name></author><updated>${v.generatedAt}</updated>
<link rel="alternate" href="${x(base)}/status"/><link rel="self" href="${x(base)}/status/feed.atom"/>
${entries
  .map(
    (e) =>
      `<entry><id>${x(e.id)}</id><title>${x(e.title)}</title><updated>${new Date(e.updated).toISOString()}</updated><link href="${x(base)}/status"/><content type="text">${x(e.body)}</content></entry>`,
  )
  .join("\n")}
</feed>`;
}
