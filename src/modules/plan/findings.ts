import { Cron } from "croner";
import { DateTime } from "luxon";
import { calendarOf, type PlanDocument, type SeverityId, tierIds, weekdays } from "./document.js";
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
}

type Rule = (doc: PlanDocument, now: Date) => Finding[];

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

const rpoBackupGap: Rule = (doc, now) => {
  const rpo = wallMinutes(doc.disasterRecovery.rpo);
  const gap = longestBackupGap(doc, now);
  if (gap <= rpo) return [];
  return [
    {
      id: "rpo-backup-gap",
      severity: "critical",
      title: "The backup schedule cannot meet the RPO",
      detail:
        `The RPO allows losing at most ${describeDuration(doc.disasterRecovery.rpo)} of data, but backups can be ` +
        `${describeMinutes(gap)} apart (full "${doc.backups.full.cron}", incremental "${doc.backups.incremental.cron}"): ` +
        "a failure just before the next backup loses more than the RPO.",
      fields: ["/disasterRecovery/rpo", "/backups/full/cron", "/backups/incremental/cron"],
      suggestion:
        "Take frequent online database copies (every 5-15 minutes), hourly file snapshots and, for PostgreSQL, " +
        "continuous WAL archiving; or raise the RPO to the real backup interval.",
    },
  ];
};

const severityList = (doc: PlanDocument, ids: SeverityId[]) =>
  ids.map((s) => `${doc.severities[s].name} (${describeDuration(doc.severities[s].response)})`).join(" and ");

/** A level that may legally answer later than the severities it handles require. */
const tierSlowerThanSeverity: Rule = (doc) =>
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
        title: `${t} may answer later than the severities it handles allow`,
        detail:
          `${t} may take up to ${describeDuration(tier.responseTime.maximum)} (${tier.responseTime.calendar}) to respond, ` +
          `but ${severityList(doc, late)} require a faster response.`,
        fields: [`/tiers/${t}/responseTime/maximum`, ...late.map((s) => `/severities/${s}/response`)],
        suggestion: `Route ${late.join(" and ")} tickets to an on-call level, or give ${t} a maximum within ${severityList(doc, late)}.`,
      },
    ];
  });

/** A business-hours level handling severities whose clock runs around the clock. */
const tierOffHours: Rule = (doc) =>
  tierIds.flatMap((t) => {
    const tier = doc.tiers[t];
    if (calendarOf(doc, tier.responseTime.calendar)?.alwaysOpen) return [];
    const uncovered = tier.severities.filter((s) => calendarOf(doc, doc.severities[s].calendar)?.alwaysOpen);
    if (!uncovered.length) return [];
    return [
      {
        id: `tier-off-hours-for-severity:${t}`,
        severity: uncovered.includes("critical") ? "critical" : "warning",
        title: `${t} works business hours but handles 24x7 severities`,
        detail:
          `${t} answers on the "${tier.responseTime.calendar}" calendar, while the clock of ` +
          `${uncovered.map((s) => doc.severities[s].name).join(" and ")} runs on an always-open calendar: ` +
          "at night, on weekends and on holidays nobody at this level is there.",
        fields: [`/tiers/${t}/responseTime/calendar`, ...uncovered.map((s) => `/severities/${s}/calendar`)],
        suggestion: `Add an on-call rotation for ${t} or route ${uncovered.join(" and ")} tickets to a level on a 24x7 calendar.`,
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
const maintenanceInBusinessHours: Rule = (doc, now) => {
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
        title: `The maintenance window falls inside business hours of "${id}"`,
        detail: `The window ${w.start}-${w.end} (${w.timezone}) overlaps the opening hours of "${cal.name}" on ${clashing.join(", ")}.`,
        fields: ["/maintenanceWindow/start", "/maintenanceWindow/end", `/calendars/${id}/week`],
        suggestion: "Move the window outside the opening hours (at night), or drop the overlapping days.",
      },
    ];
  });
};

/**
 * Services run on the system, so without redundancy across systems a service cannot be more available
 * than the system under it.
 */
const kpiServiceAboveSystem: Rule = (doc) => {
  const a = doc.kpis.availability;
  if (a.serviceAvailabilityPercent <= a.systemUptimePercent) return [];
  return [
    {
      id: "kpi-service-above-system",
      severity: "warning",
      title: "Service availability target is stricter than the system uptime it depends on",
      detail:
        `Services must be available ${a.serviceAvailabilityPercent}% of the time, but the system they run on only ` +
        `${a.systemUptimePercent}%: every system outage is also a service outage unless services fail over elsewhere.`,
      fields: ["/kpis/availability/serviceAvailabilityPercent", "/kpis/availability/systemUptimePercent"],
      suggestion:
        "Lower the service target to at most the system uptime, or raise system uptime; keep it only if services are redundant across systems.",
    },
  ];
};

/** Only when maintenance counts as downtime: the scheduled windows alone must fit the uptime budget. */
const kpiMaintenanceBudget: Rule = (doc) => {
  const a = doc.kpis.availability;
  if (!a.maintenanceCountsAsDowntime) return [];
  const w = doc.maintenanceWindow;
  const windowsPerMonth = Object.values(doc.updates)
    .filter((u) => u.inMaintenanceWindow)
    .reduce((n, u) => n + perMonth(u.cadence), 0);
  const maintenance = windowsPerMonth * (minuteOfDay(w.end) - minuteOfDay(w.start));
  const budget = ((100 - a.systemUptimePercent) / 100) * MINUTES_PER_MONTH;
  if (maintenance <= budget) return [];
  return [
    {
      id: "kpi-maintenance-exceeds-downtime-budget",
      severity: "critical",
      title: "Planned maintenance alone exceeds the uptime target",
      detail:
        `${a.systemUptimePercent}% uptime allows ${describeMinutes(budget)} of downtime a month, but the updates scheduled in ` +
        `the maintenance window use about ${describeMinutes(maintenance)} a month (${Math.round(windowsPerMonth * 10) / 10} windows of ${w.start}-${w.end}).`,
      fields: [
        "/kpis/availability/systemUptimePercent",
        "/kpis/availability/maintenanceCountsAsDowntime",
        "/maintenanceWindow",
        "/updates",
      ],
      suggestion:
        "Exclude planned maintenance from the uptime target, shorten the window, or update without downtime (rolling updates).",
    },
  ];
};

const rtoUnproven: Rule = (doc) => {
  const { rto } = doc.disasterRecovery;
  const test = doc.backups.restoreTest;
  const out: Finding[] = [];
  if (wallMinutes(rto) < wallMinutes(test.timeLimit)) {
    out.push({
      id: "rto-unproven",
      severity: "critical",
      title: "The restore test does not prove the RTO",
      detail: `The RTO promises recovery within ${describeDuration(rto)}, but a restore test passes when it takes up to ${describeDuration(test.timeLimit)}.`,
      fields: ["/disasterRecovery/rto", "/backups/restoreTest/timeLimit"],
      suggestion:
        "Fail restore tests that take longer than the RTO (set the time limit to the RTO), or raise the RTO to what restores really take.",
    });
  }
  if (!test.validateIntegrity) {
    out.push({
      id: "rto-unproven:integrity",
      severity: "warning",
      title: "Restore tests do not validate integrity",
      detail:
        "A restore that is never checked proves that files can be copied back, not that the service can run on them.",
      fields: ["/backups/restoreTest/validateIntegrity"],
      suggestion: "Validate the restored data (checksums, a smoke test of the restored system) in every restore test.",
    });
  }
  return out;
};

const criticalResolutionBeyondRto: Rule = (doc) => {
  const critical = doc.severities.critical;
  const { rto } = doc.disasterRecovery;
  const resolution = openMinutes(critical.resolution, calendarOf(doc, critical.calendar));
  if (resolution <= wallMinutes(rto)) return [];
  return [
    {
      id: "critical-resolution-beyond-rto",
      severity: "warning",
      title: "A critical incident may stay open longer than the RTO",
      detail:
        `A critical ticket (system unavailable) may take ${describeDuration(critical.resolution)} to resolve, longer than the ` +
        `${describeDuration(rto)} in which the plan promises to recover from a disaster.`,
      fields: ["/severities/critical/resolution", "/disasterRecovery/rto"],
      suggestion:
        "Bring the critical resolution time within the RTO, or switch to the contingency environment when it is about to be exceeded.",
    },
  ];
};

const reviewMonths = { monthly: 1, quarterly: 3, semiannual: 6, yearly: 12 } as const;

const reviewOverdue: Rule = (doc, now) => {
  const r = doc.review;
  const due = DateTime.fromISO(r.lastReviewedAt, { zone: "utc" }).plus({ months: reviewMonths[r.cadence] });
  const overdueFrom = due.plus({ days: r.graceDays });
  if (now.getTime() < overdueFrom.toMillis()) return [];
  return [
    {
      id: "review-overdue",
      severity: "warning",
      title: "The plan review is overdue",
      detail: `The plan is reviewed ${r.cadence}; the last review was on ${r.lastReviewedAt}, so the next was due on ${due.toISODate()}.`,
      fields: ["/review/lastReviewedAt", "/review/cadence"],
      suggestion: "Review the plan with the team and save it with the new review date.",
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

/** Every problem of a valid plan at `now`, most severe first. Pure: the same document and instant give the same list. */
export function findPlanProblems(doc: PlanDocument, now: Date): Finding[] {
  return rules.flatMap((rule) => rule(doc, now)).sort((a, b) => order[a.severity] - order[b.severity]);
}
