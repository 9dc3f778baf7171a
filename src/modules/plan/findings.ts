import { Cron } from "croner";
import { DateTime } from "luxon";
import type { MessageParam } from "../../platform/http/messages.js";
import {
  type Calendar,
  calendarOf,
  type Duration,
  type PlanDocument,
  type SeverityId,
  type TierId,
  tierIds,
  type WallDuration,
  type Weekday,
  weekdays,
} from "./document.js";
import {
  describeDuration,
  describeMinutes,
  MINUTES_PER_MONTH,
  minuteOfDay,
  openMinutes,
  perMonth,
  wallMinutes,
} from "./measure.js";

/** Something in a valid plan that cannot work as written, or will not for long. */
export interface Finding {
  /** Stable: the rule, plus the subject when a rule can fire more than once (`tier-slower-than-severity:L3`). */
  id: string;
  severity: "critical" | "warning" | "info";
  title: string;
  detail: string;
  /** JSON Pointers of the fields involved. */
  fields: string[];
  suggestion: string;
  /** The texts' key in a client's translations (`rpoBackupGap`), so it words them in its reader's language. */
  key: string;
  /** The values the texts name, under the names the translations use. */
  params: Record<string, FindingParam>;
}

/** A value a finding's texts name (platform/http/messages.ts). */
export type FindingParam = MessageParam;

/** Languages findings are written in; ids, severities and fields are the same in all of them. */
export const findingLocales = ["pt-BR", "en"] as const;
export type FindingLocale = (typeof findingLocales)[number];

/**
 * The findings language an `Accept-Language` header asks for: its first tag when it is Portuguese or English
 * (any region), else English.
 */
export function findingLocaleOf(acceptLanguage: string | undefined): FindingLocale {
  const first = acceptLanguage?.split(",")[0]?.split(";")[0]?.trim().toLowerCase() ?? "";
  return first === "pt" || first.startsWith("pt-") ? "pt-BR" : "en";
}

type Rule = (doc: PlanDocument, now: Date, say: Phrasebook) => Finding[];

const MINUTE = 60_000;
/** Backups are looked at over the next 8 days (a full weekly pattern) and at most this many runs per schedule. */
const BACKUP_HORIZON_DAYS = 8;
const BACKUP_RUNS = 1000;

/**
 * The longest time between two consecutive backups (full or incremental) in the 8 days from `now`;
 * with fewer than two backups in that time, the whole 8 days.
 */
export function longestBackupGap(doc: PlanDocument, now: Date): number {
  let end = now.getTime() + BACKUP_HORIZON_DAYS * 24 * 60 * MINUTE;
  const runs: number[] = [];
  // The usually more frequent schedule first: once it hits the run limit, the other is listed only that far.
  for (const b of [doc.backups.incremental, doc.backups.full]) {
    const cron = new Cron(b.cron, { timezone: b.timezone, paused: true });
    let count = 0;
    for (let next = cron.nextRun(now); next && next.getTime() <= end; next = cron.nextRun(next)) {
      runs.push(next.getTime());
      // A schedule cut short by the run limit says nothing about the time after its last listed run.
      if (++count === BACKUP_RUNS) end = next.getTime();
    }
  }
  const inView = runs.filter((t) => t <= end).sort((a, b) => a - b);
  if (inView.length < 2) return (end - now.getTime()) / MINUTE;
  let longest = 0;
  for (let i = 1; i < inView.length; i++)
    longest = Math.max(longest, ((inView[i] ?? 0) - (inView[i - 1] ?? 0)) / MINUTE);
  return longest;
}

type Text = Pick<Finding, "title" | "detail" | "suggestion">;
type ReviewCadence = PlanDocument["review"]["cadence"];
interface NamedSeverity {
  id: SeverityId;
  name: string;
  response: Duration;
}

/** Everything a finding says, in one language; the rules compute the facts once for all languages. */
interface Phrasebook {
  rpoBackupGap(f: { rpo: WallDuration; gap: number; full: string; incremental: string }): Text;
  tierSlowerThanSeverity(f: { tier: TierId; maximum: Duration; calendar: string; late: NamedSeverity[] }): Text;
  tierOffHours(f: { tier: TierId; calendar: string; uncovered: NamedSeverity[] }): Text;
  maintenanceInBusinessHours(f: {
    calendarId: string;
    calendar: Calendar;
    window: PlanDocument["maintenanceWindow"];
    days: Weekday[];
  }): Text;
  kpiServiceAboveSystem(f: { service: number; system: number }): Text;
  kpiMaintenanceBudget(f: {
    uptime: number;
    budget: number;
    maintenance: number;
    windows: number;
    start: string;
    end: string;
  }): Text;
  rtoUnproven(f: { rto: WallDuration; timeLimit: WallDuration }): Text;
  rtoIntegrity(): Text;
  criticalResolutionBeyondRto(f: { resolution: Duration; rto: WallDuration }): Text;
  reviewOverdue(f: { cadence: ReviewCadence; lastReviewedAt: string; due: string }): Text;
}

const severityList = (s: NamedSeverity[], duration: (d: Duration) => string, and: string) =>
  s.map((x) => `${x.name} (${duration(x.response)})`).join(and);

const english: Phrasebook = {
  rpoBackupGap: (f) => ({
    title: "The backup schedule cannot meet the RPO",
    detail:
      `The RPO allows losing at most ${describeDuration(f.rpo)} of data, but backups can be ` +
      `${describeMinutes(f.gap)} apart (full "${f.full}", incremental "${f.incremental}"): ` +
      "a failure just before the next backup loses more than the RPO.",
    suggestion:
      "Take frequent online database copies (every 5-15 minutes), hourly file snapshots and, for PostgreSQL, " +
      "continuous WAL archiving; or raise the RPO to the real backup interval.",
  }),
  tierSlowerThanSeverity: ({ tier, maximum, calendar, late }) => {
    const list = severityList(late, describeDuration, " and ");
    return {
      title: `${tier} may answer later than the severities it handles allow`,
      detail: `${tier} may take up to ${describeDuration(maximum)} (${calendar}) to respond, but ${list} require a faster response.`,
      suggestion: `Route ${late.map((s) => s.id).join(" and ")} tickets to an on-call level, or give ${tier} a maximum within ${list}.`,
    };
  },
  tierOffHours: ({ tier, calendar, uncovered }) => ({
    title: `${tier} works business hours but handles 24x7 severities`,
    detail:
      `${tier} answers on the "${calendar}" calendar, while the clock of ` +
      `${uncovered.map((s) => s.name).join(" and ")} runs on an always-open calendar: ` +
      "at night, on weekends and on holidays nobody at this level is there.",
    suggestion: `Add an on-call rotation for ${tier} or route ${uncovered.map((s) => s.id).join(" and ")} tickets to a level on a 24x7 calendar.`,
  }),
  maintenanceInBusinessHours: ({ calendarId, calendar, window: w, days }) => ({
    title: `The maintenance window falls inside business hours of "${calendarId}"`,
    detail: `The window ${w.start}-${w.end} (${w.timezone}) overlaps the opening hours of "${calendar.name}" on ${days.join(", ")}.`,
    suggestion: "Move the window outside the opening hours (at night), or drop the overlapping days.",
  }),
  kpiServiceAboveSystem: ({ service, system }) => ({
    title: "Service availability target is stricter than the system uptime it depends on",
    detail:
      `Services must be available ${service}% of the time, but the system they run on only ` +
      `${system}%: every system outage is also a service outage unless services fail over elsewhere.`,
    suggestion:
      "Lower the service target to at most the system uptime, or raise system uptime; keep it only if services are redundant across systems.",
  }),
  kpiMaintenanceBudget: (f) => ({
    title: "Planned maintenance alone exceeds the uptime target",
    detail:
      `${f.uptime}% uptime allows ${describeMinutes(f.budget)} of downtime a month, but the updates scheduled in ` +
      `the maintenance window use about ${describeMinutes(f.maintenance)} a month (${Math.round(f.windows * 10) / 10} windows of ${f.start}-${f.end}).`,
    suggestion:
      "Exclude planned maintenance from the uptime target, shorten the window, or update without downtime (rolling updates).",
  }),
  rtoUnproven: ({ rto, timeLimit }) => ({
    title: "The restore test does not prove the RTO",
    detail: `The RTO promises recovery within ${describeDuration(rto)}, but a restore test passes when it takes up to ${describeDuration(timeLimit)}.`,
    suggestion:
      "Fail restore tests that take longer than the RTO (set the time limit to the RTO), or raise the RTO to what restores really take.",
  }),
  rtoIntegrity: () => ({
    title: "Restore tests do not validate integrity",
    detail:
      "A restore that is never checked proves that files can be copied back, not that the service can run on them.",
    suggestion: "Validate the restored data (checksums, a smoke test of the restored system) in every restore test.",
  }),
  criticalResolutionBeyondRto: ({ resolution, rto }) => ({
    title: "A critical incident may stay open longer than the RTO",
    detail:
      `A critical ticket (system unavailable) may take ${describeDuration(resolution)} to resolve, longer than the ` +
      `${describeDuration(rto)} in which the plan promises to recover from a disaster.`,
    suggestion:
      "Bring the critical resolution time within the RTO, or switch to the contingency environment when it is about to be exceeded.",
  }),
  reviewOverdue: ({ cadence, lastReviewedAt, due }) => ({
    title: "The plan review is overdue",
    detail: `The plan is reviewed ${cadence}; the last review was on ${lastReviewedAt}, so the next was due on ${due}.`,
    suggestion: "Review the plan with the team and save it with the new review date.",
  }),
};

const ptNumber = (n: number) => new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 4 }).format(n);
const ptUnits = {
  minutes: ["minuto", "minutos"],
  hours: ["hora", "horas"],
  businessDays: ["dia útil", "dias úteis"],
} as const;
const ptDuration = (d: Duration | WallDuration) => `${ptNumber(d.value)} ${ptUnits[d.unit][d.value === 1 ? 0 : 1]}`;
/** Minutes as a short text, like `describeMinutes` with a decimal comma: "45 min", "4 h", "9,5 h". */
const ptMinutes = (m: number) =>
  m < 60 ? `${ptNumber(Math.round(m * 10) / 10)} min` : `${ptNumber(Math.round((m / 60) * 10) / 10)} h`;
const ptDate = (isoDate: string) => isoDate.split("-").reverse().join("/");
const ptDays: Record<Weekday, string> = {
  monday: "segunda-feira",
  tuesday: "terça-feira",
  wednesday: "quarta-feira",
  thursday: "quinta-feira",
  friday: "sexta-feira",
  saturday: "sábado",
  sunday: "domingo",
};
const ptCadences: Record<ReviewCadence, string> = {
  monthly: "mensalmente",
  quarterly: "trimestralmente",
  semiannual: "semestralmente",
  yearly: "anualmente",
};
const ptNames = (s: NamedSeverity[]) => s.map((x) => x.name).join(" e ");

const portuguese: Phrasebook = {
  rpoBackupGap: (f) => ({
    title: "O agendamento de backups não atende ao RPO",
    detail:
      `O RPO permite perder no máximo ${ptDuration(f.rpo)} de dados, mas pode haver ${ptMinutes(f.gap)} ` +
      `entre dois backups (completo "${f.full}", incremental "${f.incremental}"): ` +
      "uma falha logo antes do próximo backup perde mais do que o RPO.",
    suggestion:
      "Faça cópias online frequentes do banco de dados (a cada 5-15 minutos), snapshots de arquivos a cada hora e, " +
      "no PostgreSQL, arquivamento contínuo do WAL; ou aumente o RPO para o intervalo real entre backups.",
  }),
  tierSlowerThanSeverity: ({ tier, maximum, calendar, late }) => {
    const list = severityList(late, ptDuration, " e ");
    return {
      title: `${tier} pode responder depois do que as severidades que atende permitem`,
      detail: `${tier} pode levar até ${ptDuration(maximum)} (${calendar}) para responder, mas ${list} ${late.length === 1 ? "exige" : "exigem"} resposta mais rápida.`,
      suggestion: `Encaminhe os chamados de severidade ${ptNames(late)} a um nível de plantão, ou dê a ${tier} um máximo dentro de ${list}.`,
    };
  },
  tierOffHours: ({ tier, calendar, uncovered }) => ({
    title: `${tier} trabalha em horário comercial, mas atende severidades 24x7`,
    detail:
      `${tier} responde no calendário "${calendar}", enquanto o prazo de ${ptNames(uncovered)} corre num ` +
      "calendário sempre aberto: à noite, nos fins de semana e nos feriados não há ninguém deste nível.",
    suggestion: `Crie um plantão para ${tier} ou encaminhe os chamados de severidade ${ptNames(uncovered)} a um nível com calendário 24x7.`,
  }),
  maintenanceInBusinessHours: ({ calendarId, calendar, window: w, days }) => ({
    title: `A janela de manutenção cai no horário de atendimento de "${calendarId}"`,
    detail: `A janela ${w.start}-${w.end} (${w.timezone}) coincide com o horário de atendimento de "${calendar.name}" em: ${days.map((d) => ptDays[d]).join(", ")}.`,
    suggestion: "Mova a janela para fora do horário de atendimento (à noite) ou retire os dias que coincidem.",
  }),
  kpiServiceAboveSystem: ({ service, system }) => ({
    title: "A meta de disponibilidade dos serviços é mais rígida que a disponibilidade do sistema de que eles dependem",
    detail:
      `Os serviços devem ficar disponíveis ${ptNumber(service)}% do tempo, mas o sistema em que rodam só ` +
      `${ptNumber(system)}%: toda queda do sistema também derruba os serviços, a menos que eles tenham redundância em outro sistema.`,
    suggestion:
      "Reduza a meta dos serviços para no máximo a disponibilidade do sistema, ou aumente a do sistema; mantenha-a só " +
      "se os serviços forem redundantes entre sistemas.",
  }),
  kpiMaintenanceBudget: (f) => ({
    title: "Só a manutenção planejada já passa da meta de disponibilidade",
    detail:
      `${ptNumber(f.uptime)}% de disponibilidade permite ${ptMinutes(f.budget)} de indisponibilidade por mês, mas as ` +
      `atualizações agendadas na janela de manutenção usam cerca de ${ptMinutes(f.maintenance)} por mês ` +
      `(${ptNumber(Math.round(f.windows * 10) / 10)} janelas de ${f.start}-${f.end}).`,
    suggestion:
      "Exclua a manutenção planejada da meta de disponibilidade, encurte a janela ou atualize sem parada (atualização gradual).",
  }),
  rtoUnproven: ({ rto, timeLimit }) => ({
    title: "O teste de restauração não comprova o RTO",
    detail: `O RTO promete recuperar em até ${ptDuration(rto)}, mas um teste de restauração passa mesmo levando até ${ptDuration(timeLimit)}.`,
    suggestion:
      "Reprove testes de restauração que levem mais que o RTO (limite de tempo igual ao RTO), ou aumente o RTO para o " +
      "tempo que as restaurações levam de fato.",
  }),
  rtoIntegrity: () => ({
    title: "Os testes de restauração não validam a integridade",
    detail:
      "Uma restauração nunca verificada prova que os arquivos podem ser copiados de volta, não que o serviço funciona com eles.",
    suggestion:
      "Valide os dados restaurados (checksums, um teste rápido do sistema restaurado) em todo teste de restauração.",
  }),
  criticalResolutionBeyondRto: ({ resolution, rto }) => ({
    title: "Um incidente crítico pode ficar aberto por mais tempo que o RTO",
    detail:
      `Um chamado crítico (sistema indisponível) pode levar ${ptDuration(resolution)} para ser resolvido, mais que o ` +
      `prazo de ${ptDuration(rto)} em que o plano promete se recuperar de um desastre.`,
    suggestion:
      "Traga o prazo de resolução de críticos para dentro do RTO, ou passe para o ambiente de contingência quando ele estiver para estourar.",
  }),
  reviewOverdue: ({ cadence, lastReviewedAt, due }) => ({
    title: "A revisão do plano está atrasada",
    detail: `O plano é revisado ${ptCadences[cadence]}; a última revisão foi em ${ptDate(lastReviewedAt)}, então a próxima venceu em ${ptDate(due)}.`,
    suggestion: "Revise o plano com a equipe e salve-o com a nova data de revisão.",
  }),
};

const phrasebooks: Record<FindingLocale, Phrasebook> = { en: english, "pt-BR": portuguese };

const text = (value: string): FindingParam => ({ type: "text", value });
const duration = (d: Duration | WallDuration): FindingParam => ({ type: "duration", value: d.value, unit: d.unit });
const numeric = (value: number): FindingParam => ({ type: "number", value });
const calendarParam = (doc: PlanDocument, id: string): FindingParam => ({
  type: "calendar",
  id,
  name: calendarOf(doc, id)?.name ?? id,
});

const rpoBackupGap: Rule = (doc, now, say) => {
  const rpo = doc.disasterRecovery.rpo;
  const gap = longestBackupGap(doc, now);
  if (gap <= wallMinutes(rpo)) return [];
  return [
    {
      id: "rpo-backup-gap",
      severity: "critical",
      ...say.rpoBackupGap({ rpo, gap, full: doc.backups.full.cron, incremental: doc.backups.incremental.cron }),
      fields: ["/disasterRecovery/rpo", "/backups/full/cron", "/backups/incremental/cron"],
      key: "rpoBackupGap",
      params: {
        rpo: duration(rpo),
        gap: { type: "minutes", value: gap },
        full: text(doc.backups.full.cron),
        incremental: text(doc.backups.incremental.cron),
      },
    },
  ];
};

const named = (doc: PlanDocument, ids: SeverityId[]): NamedSeverity[] =>
  ids.map((id) => ({ id, name: doc.severities[id].name, response: doc.severities[id].response }));

/** A level that may legally answer later than the severities it handles require. */
const tierSlowerThanSeverity: Rule = (doc, _now, say) =>
  tierIds.flatMap((t) => {
    const tier = doc.tiers[t];
    const maximum = openMinutes(tier.responseTime.maximum, calendarOf(doc, tier.responseTime.calendar));
    const late = tier.severities.filter(
      (s) => maximum > openMinutes(doc.severities[s].response, calendarOf(doc, doc.severities[s].calendar)),
    );
    if (!late.length) return [];
    return [
      {
        id: `tier-slower-than-severity:${t}`,
        severity: late.includes("critical") ? "critical" : "warning",
        ...say.tierSlowerThanSeverity({
          tier: t,
          maximum: tier.responseTime.maximum,
          calendar: tier.responseTime.calendar,
          late: named(doc, late),
        }),
        fields: [`/tiers/${t}/responseTime/maximum`, ...late.map((s) => `/severities/${s}/response`)],
        key: "tierSlowerThanSeverity",
        params: {
          tier: text(t),
          maximum: duration(tier.responseTime.maximum),
          calendar: calendarParam(doc, tier.responseTime.calendar),
          late: { type: "severities", items: named(doc, late) },
        },
      },
    ];
  });

/** A business-hours level handling severities whose clock runs around the clock. */
const tierOffHours: Rule = (doc, _now, say) =>
  tierIds.flatMap((t) => {
    const tier = doc.tiers[t];
    if (calendarOf(doc, tier.responseTime.calendar)?.alwaysOpen) return [];
    const uncovered = tier.severities.filter((s) => calendarOf(doc, doc.severities[s].calendar)?.alwaysOpen);
    if (!uncovered.length) return [];
    return [
      {
        id: `tier-off-hours-for-severity:${t}`,
        severity: uncovered.includes("critical") ? "critical" : "warning",
        ...say.tierOffHours({ tier: t, calendar: tier.responseTime.calendar, uncovered: named(doc, uncovered) }),
        fields: [`/tiers/${t}/responseTime/calendar`, ...uncovered.map((s) => `/severities/${s}/calendar`)],
        key: "tierOffHours",
        params: {
          tier: text(t),
          calendar: calendarParam(doc, tier.responseTime.calendar),
          uncovered: { type: "severities", items: named(doc, uncovered).map(({ id, name }) => ({ id, name })) },
        },
      },
    ];
  });

/** [start, end) instants in ms of a local HH:MM span on a given local day. */
function span(day: DateTime, start: string, end: string): [number, number] {
  const midnight = day.startOf("day");
  return [
    midnight.plus({ minutes: minuteOfDay(start) }).toMillis(),
    midnight.plus({ minutes: minuteOfDay(end) }).toMillis(),
  ];
}

/** Checked on the week of `now`, in each calendar's own time zone, so windows and hours in different zones compare. */
const maintenanceInBusinessHours: Rule = (doc, now, say) => {
  const w = doc.maintenanceWindow;
  const monday = DateTime.fromJSDate(now, { zone: w.timezone }).startOf("week");
  const windows = w.days.map((d) => ({ day: d, at: span(monday.plus({ days: weekdays.indexOf(d) }), w.start, w.end) }));
  return Object.entries(doc.calendars).flatMap(([id, cal]) => {
    if (cal.alwaysOpen) return [];
    const first = DateTime.fromJSDate(now, { zone: cal.timezone }).startOf("week").minus({ days: 1 });
    const open = Array.from({ length: 9 }, (_, i) => first.plus({ days: i })).flatMap((day) =>
      cal.week[weekdays[day.weekday - 1] ?? "monday"].map((iv) => span(day, iv.start, iv.end)),
    );
    const clashing = windows
      .filter((win) => open.some(([s, e]) => win.at[0] < e && s < win.at[1]))
      .map((win) => win.day);
    if (!clashing.length) return [];
    return [
      {
        id: `maintenance-in-business-hours:${id}`,
        severity: "warning",
        ...say.maintenanceInBusinessHours({ calendarId: id, calendar: cal, window: w, days: clashing }),
        fields: ["/maintenanceWindow/start", "/maintenanceWindow/end", `/calendars/${id}/week`],
        key: "maintenanceInBusinessHours",
        params: {
          calendar: { type: "calendar", id, name: cal.name },
          start: text(w.start),
          end: text(w.end),
          timezone: text(w.timezone),
          days: { type: "weekdays", days: clashing },
        },
      },
    ];
  });
};

/**
 * Services run on the system, so without redundancy across systems a service cannot be more available
 * than the system under it.
 */
const kpiServiceAboveSystem: Rule = (doc, _now, say) => {
  const a = doc.kpis.availability;
  if (a.serviceAvailabilityPercent <= a.systemUptimePercent) return [];
  return [
    {
      id: "kpi-service-above-system",
      severity: "warning",
      ...say.kpiServiceAboveSystem({ service: a.serviceAvailabilityPercent, system: a.systemUptimePercent }),
      fields: ["/kpis/availability/serviceAvailabilityPercent", "/kpis/availability/systemUptimePercent"],
      key: "kpiServiceAboveSystem",
      params: { service: numeric(a.serviceAvailabilityPercent), system: numeric(a.systemUptimePercent) },
    },
  ];
};

/** Only when maintenance counts as downtime: the scheduled windows alone must fit the uptime budget. */
const kpiMaintenanceBudget: Rule = (doc, _now, say) => {
  const a = doc.kpis.availability;
  if (!a.maintenanceCountsAsDowntime) return [];
  const w = doc.maintenanceWindow;
  const windows = Object.values(doc.updates)
    .filter((u) => u.inMaintenanceWindow)
    .reduce((n, u) => n + perMonth(u.cadence), 0);
  const maintenance = windows * (minuteOfDay(w.end) - minuteOfDay(w.start));
  const budget = ((100 - a.systemUptimePercent) / 100) * MINUTES_PER_MONTH;
  if (maintenance <= budget) return [];
  return [
    {
      id: "kpi-maintenance-exceeds-downtime-budget",
      severity: "critical",
      ...say.kpiMaintenanceBudget({
        uptime: a.systemUptimePercent,
        budget,
        maintenance,
        windows,
        start: w.start,
        end: w.end,
      }),
      fields: [
        "/kpis/availability/systemUptimePercent",
        "/kpis/availability/maintenanceCountsAsDowntime",
        "/maintenanceWindow",
        "/updates",
      ],
      key: "kpiMaintenanceBudget",
      params: {
        uptime: numeric(a.systemUptimePercent),
        budget: { type: "minutes", value: budget },
        maintenance: { type: "minutes", value: maintenance },
        windows: numeric(Math.round(windows * 10) / 10),
        start: text(w.start),
        end: text(w.end),
      },
    },
  ];
};

const rtoUnproven: Rule = (doc, _now, say) => {
  const { rto } = doc.disasterRecovery;
  const test = doc.backups.restoreTest;
  const out: Finding[] = [];
  if (wallMinutes(rto) < wallMinutes(test.timeLimit)) {
    out.push({
      id: "rto-unproven",
      severity: "critical",
      ...say.rtoUnproven({ rto, timeLimit: test.timeLimit }),
      fields: ["/disasterRecovery/rto", "/backups/restoreTest/timeLimit"],
      key: "rtoUnproven",
      params: { rto: duration(rto), timeLimit: duration(test.timeLimit) },
    });
  }
  if (!test.validateIntegrity) {
    out.push({
      id: "rto-unproven:integrity",
      severity: "warning",
      ...say.rtoIntegrity(),
      fields: ["/backups/restoreTest/validateIntegrity"],
      key: "rtoIntegrity",
      params: {},
    });
  }
  return out;
};

const criticalResolutionBeyondRto: Rule = (doc, _now, say) => {
  const critical = doc.severities.critical;
  const { rto } = doc.disasterRecovery;
  const resolution = openMinutes(critical.resolution, calendarOf(doc, critical.calendar));
  if (resolution <= wallMinutes(rto)) return [];
  return [
    {
      id: "critical-resolution-beyond-rto",
      severity: "warning",
      ...say.criticalResolutionBeyondRto({ resolution: critical.resolution, rto }),
      fields: ["/severities/critical/resolution", "/disasterRecovery/rto"],
      key: "criticalResolutionBeyondRto",
      params: { resolution: duration(critical.resolution), rto: duration(rto) },
    },
  ];
};

const reviewMonths = { monthly: 1, quarterly: 3, semiannual: 6, yearly: 12 } as const;

const reviewOverdue: Rule = (doc, now, say) => {
  const r = doc.review;
  const due = DateTime.fromISO(r.lastReviewedAt, { zone: "utc" }).plus({ months: reviewMonths[r.cadence] });
  const overdueFrom = due.plus({ days: r.graceDays });
  if (now.getTime() < overdueFrom.toMillis()) return [];
  const dueDate = due.toFormat("yyyy-MM-dd");
  return [
    {
      id: "review-overdue",
      severity: "warning",
      ...say.reviewOverdue({ cadence: r.cadence, lastReviewedAt: r.lastReviewedAt, due: dueDate }),
      fields: ["/review/lastReviewedAt", "/review/cadence"],
      key: "reviewOverdue",
      params: {
        cadence: { type: "cadence", value: r.cadence },
        lastReviewedAt: { type: "date", value: r.lastReviewedAt },
        due: { type: "date", value: dueDate },
      },
    },
  ];
};

const rules: Rule[] = [
  rpoBackupGap,
  tierSlowerThanSeverity,
  tierOffHours,
  maintenanceInBusinessHours,
  kpiServiceAboveSystem,
  kpiMaintenanceBudget,
  rtoUnproven,
  criticalResolutionBeyondRto,
  reviewOverdue,
];

const order = { critical: 0, warning: 1, info: 2 } as const;

/**
 * Every problem of a valid plan at `now`, most severe first, written in `locale`. Pure: the same document,
 * instant and locale give the same list, and only the texts differ between locales.
 */
export function findPlanProblems(doc: PlanDocument, now: Date, locale: FindingLocale = "en"): Finding[] {
  const say = phrasebooks[locale];
  return rules.flatMap((rule) => rule(doc, now, say)).sort((a, b) => order[a.severity] - order[b.severity]);
}
